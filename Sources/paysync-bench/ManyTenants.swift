import Foundation
import PaySyncCore
import PaySyncTestSupport

/// The accounting firm's case: one config with many Xero organisations (`BENCH_TENANTS`, 1,000)
/// of a few objects each (`BENCH_TENANT_OBJECTS`, 200), every API call answered after a fake
/// network latency (`BENCH_LATENCY_MS`, 50). A first sync, then a rerun with nothing changed.
///
/// What it shows: the rerun's CPU per tenant (the fixed cost of looking at one organisation),
/// the calls against the minimum (one per tenant and entity to ask when nothing changed), and
/// whether tenants are really read concurrently: `concurrency` = calls × latency ÷ wall time,
/// 1.0 for a serial loop.
enum ManyTenants {
    static func run(environment: [String: String]) throws {
        let tenantCount = Int(environment["BENCH_TENANTS"] ?? "") ?? 1_000
        let perTenant = Int(environment["BENCH_TENANT_OBJECTS"] ?? "") ?? 200
        let latency = (Double(environment["BENCH_LATENCY_MS"] ?? "") ?? 50) / 1000
        let binary = environment["PAYSYNC_BIN"] ?? Repository.root + "/.build/release/paysync"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("\(binary) not found; run `make bench` (it builds the release binary first)")
        }
        let work = TemporaryDirectory(prefix: "paysync-bench-tenants")
        let tenants = (0..<tenantCount).map { String(format: "7e7a0000-0000-4000-a000-%012d", $0) }
        log("generating \(tenantCount) tenants of \(perTenant) objects…")
        let xero = try FakeXeroServer(tenants: tenants, refreshToken: "tenants-refresh")
        for (index, tenant) in tenants.enumerated() {
            BenchmarkData.load(objects: perTenant, into: xero, tenant: tenant, seed: UInt64(10_000 + index), numberOffset: 1_000_000 * (index + 1))
        }
        let hubspot = try FakeHubSpotServer(requestsPer10Seconds: 10_000)
        hubspot.defineDeals()
        xero.setLatency(seconds: latency)
        // Xero's own limits per organisation: 60 calls a minute, 5 at once.
        let config = benchConfig(in: work, name: "paysync-tenants.json", xero: xero, tenants: tenants, hubspot: hubspot,
                                 perMinute: 60, concurrent: 5)
        let ledger = work.file("tenants.db")
        let variables = ["XERO_CLIENT_ID": xero.clientID, "XERO_CLIENT_SECRET": xero.clientSecret, "XERO_REFRESH_TOKEN": "tenants-refresh",
                         "HUBSPOT_TOKEN": hubspot.token, "PATH": "/usr/bin:/bin", "HOME": work.path]

        print("")
        print("many tenants: \(tenantCount) Xero organisations × \(perTenant) objects, \(Int(latency * 1000)) ms per API call, "
              + "Xero's limits per organisation (60 a minute, 5 at once)")
        print("scenario                   objects   wall s    CPU s  CPU ms/tenant  provider calls (min)  CRM calls  concurrency  peak RSS MB")
        for name in ["first sync", "rerun, nothing changed"] {
            xero.clearReceived()
            let refreshesBefore = xero.tokenRefreshes
            let crmBefore = hubspot.calls.count
            log("\(tenantCount) tenants: \(name)…")
            let (executable, arguments) = profiled(binary, ["reconcile", "--config", config, "--ledger", ledger, "--format", "json", "--log-level", "error"],
                                                   name: "tenants \(name)", into: environment["BENCH_PROFILE"])
            let measured = try measure(executable, arguments, environment: variables)
            guard measured.status == 0 else { throw BenchError("\(name) exited \(measured.status): \(measured.standardError.prefix(500))") }
            let report = runReport(measured)
            let refreshes = xero.tokenRefreshes - refreshesBefore
            let apiCalls = xero.received.filter { !$0.path.hasSuffix("/connect/token") }.count
            let minimum = minimumProviderCalls(xero, refreshes: refreshes)
            let concurrency = Double(apiCalls) * latency / max(measured.wallSeconds, 1e-9)
            print([
                name.padding(toLength: 22, withPad: " ", startingAt: 0),
                pad(String(report["fetched"]?.intValue ?? 0), 11), pad(fixed(measured.wallSeconds, 2), 8), pad(fixed(measured.cpuSeconds, 2), 8),
                pad(fixed(measured.cpuSeconds * 1000 / Double(tenantCount), 2), 14),
                pad(ratio(apiCalls + refreshes, minimum), 21), pad(String(hubspot.calls.count - crmBefore), 10),
                pad(fixed(concurrency, 1), 12), pad(fixed(Double(report["peak_rss_kb"]?.intValue ?? 0) / 1024, 1), 12),
            ].joined(separator: " "))
        }
        print("concurrency = API calls × latency ÷ wall time (1.0 would be one call at a time)")
    }
}
