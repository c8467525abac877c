import Foundation
import PaySyncCore
import PaySyncTestSupport

/// What every benchmark run shares: the settings read from the environment, a scratch directory,
/// the loopback fakes (Xero with generated data, HubSpot) and the way paysync is run and counted.
final class Bench {
    let objects: Int
    let drainObjects: Int
    /// Runs of each repeatable scenario; the one with the least CPU is reported, as the figure
    /// least disturbed by the rest of the machine.
    let repeats: Int
    let binary: String
    let resultsPath: String
    /// With `BENCH_PROFILE=DIR`, each paysync run is recorded by `perf record` into
    /// `DIR/<scenario>.perf.data` (its figures then include perf's own work: profile, don't report).
    let profileDirectory: String?
    let work = TemporaryDirectory(prefix: "paysync-bench")
    let xero: FakeXeroServer
    let hubspot: FakeHubSpotServer
    private(set) var variables: [String: String] = [:]

    /// The largest page Xero serves (and paysync asks for).
    static let xeroPageMaximum = 1000
    /// HubSpot's batch maximum (records per call).
    static let hubspotBatchMaximum = 100

    init(environment: [String: String], drainTenant: Bool) throws {
        objects = Int(environment["BENCH_N"] ?? "") ?? 100_000
        drainObjects = drainTenant ? Int(environment["BENCH_DRAIN_N"] ?? "") ?? 100_000 : 0
        repeats = max(1, Int(environment["BENCH_REPEAT"] ?? "") ?? 1)
        binary = environment["PAYSYNC_BIN"] ?? Repository.root + "/.build/release/paysync"
        resultsPath = environment["BENCH_OUT"] ?? Repository.root + "/bench/results.json"
        profileDirectory = environment["BENCH_PROFILE"]
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("\(binary) not found; run `make bench` (it builds the release binary first)")
        }
        log("generating \(objects) objects\(drainTenant ? " (+\(drainObjects) invoices for the outbox drain)" : "")…")
        xero = try FakeXeroServer(tenants: [BenchmarkData.tenant, BenchmarkData.drainTenant], refreshToken: "bench-refresh")
        BenchmarkData.load(objects: objects, into: xero)
        if drainTenant {
            BenchmarkData.load(invoices: drainObjects, into: xero, tenant: BenchmarkData.drainTenant, seed: 77,
                               shuffledNumbers: environment["BENCH_DRAIN_KEYS"] == "shuffled")
        }
        hubspot = try FakeHubSpotServer(requestsPer10Seconds: 10_000)
        hubspot.defineDeals()
        variables = ["XERO_CLIENT_ID": xero.clientID, "XERO_CLIENT_SECRET": xero.clientSecret, "XERO_REFRESH_TOKEN": "bench-refresh",
                     "HUBSPOT_TOKEN": hubspot.token, "PATH": "/usr/bin:/bin", "HOME": work.path]
    }

    /// A paysync config reading one tenant of the fake Xero and writing deals to the fake HubSpot.
    /// - Parameter entities: what to read (default: the source's own defaults).
    func config(tenant: String, entities: [String]? = nil) -> String {
        benchConfig(in: work, name: "paysync-\(tenant.suffix(4))\(entities == nil ? "" : "-peers").json", xero: xero, tenants: [tenant], hubspot: hubspot,
                    perMinute: 1_000_000, concurrent: 5, entities: entities)
    }

    /// Runs paysync once and gathers the server-side counts for it.
    func run(_ name: String, _ arguments: [String], config: String, ledger: String, extra: [String: String] = [:]) throws -> Result {
        xero.clearReceived()
        let callsBefore = hubspot.calls.count
        let refreshesBefore = xero.tokenRefreshes
        log("\(name)…")
        let (executable, allArguments) = profiled(binary, arguments + ["--config", config, "--ledger", ledger, "--format", "json", "--log-level", "error"],
                                                  name: name, into: profileDirectory)
        let measured = try measure(executable, allArguments, environment: variables.merging(extra) { $1 })
        let report = runReport(measured)
        if measured.status != 0 && !(name.hasPrefix("prepare") && measured.status == 137) {
            log("  exit \(measured.status): \(measured.standardError.prefix(500))")
        }
        return Result(name: name, objects: report["fetched"]?.intValue ?? 0, measured: measured,
                      providerCalls: providerCalls(since: refreshesBefore), providerMinimum: providerMinimum(since: refreshesBefore),
                      crmCalls: hubspot.calls.count - callsBefore, writes: report["written"]?.intValue ?? 0,
                      peakRSSKilobytes: report["peak_rss_kb"]?.intValue ?? 0)
    }

    /// Calls the fake Xero received since `clearReceived`, token refreshes included.
    func providerCalls(since refreshesBefore: Int) -> Int {
        xero.received.filter { !$0.path.hasSuffix("/connect/token") }.count + (xero.tokenRefreshes - refreshesBefore)
    }

    func providerMinimum(since refreshesBefore: Int) -> Int { minimumProviderCalls(xero, refreshes: xero.tokenRefreshes - refreshesBefore) }

    /// Runs `body` `repeats` times and keeps the run with the least CPU.
    func leastCPU(_ body: (Int) throws -> Result) rethrows -> Result { try leastCPU(body, by: \.measured.cpuSeconds) }

    /// Runs `body` `repeats` times and keeps the run whose `cpu` is least.
    func leastCPU<Run>(_ body: (Int) throws -> Run, by cpu: (Run) -> Double) rethrows -> Run {
        var best: Run?
        for attempt in 0..<repeats {
            let run = try body(attempt)
            if best.map({ cpu(run) < cpu($0) }) ?? true { best = run }
        }
        return best!
    }

    /// Adds `entry` under `key` in the results file, keeping what other runs stored there.
    func store(_ key: String, _ entry: JSONValue) throws -> JSONObject {
        var stored = (try? JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: resultsPath))))?.objectValue ?? JSONObject()
        stored[key] = entry
        try FileManager.default.createDirectory(atPath: (resultsPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data((JSONWriter.pretty(.object(stored)) + "\n").utf8).write(to: URL(fileURLWithPath: resultsPath))
        return stored
    }
}

/// The benchmark's paysync config: the fake Xero's `tenants` under the given per-organisation
/// limits, deals written to the fake HubSpot (by invoice number, four properties).
func benchConfig(in work: TemporaryDirectory, name: String, xero: FakeXeroServer, tenants: [String], hubspot: FakeHubSpotServer,
                 perMinute: Int, concurrent: Int, entities: [String]? = nil) -> String {
    let tenantList = tenants.map { "\"\($0)\"" }.joined(separator: ", ")
    let entityList = entities.map { #", "entities": ["# + $0.map { "\"\($0)\"" }.joined(separator: ", ") + "]" } ?? ""
    return work.write(name, """
        {
          "sources": [{"name": "xero", "kind": "xero", "tenants": [\(tenantList)],
                       "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"env": "XERO_CLIENT_SECRET"}, "refresh_token": {"env": "XERO_REFRESH_TOKEN"},
                       "base_url": "\(xero.apiBaseURL)", "token_url": "\(xero.tokenURL)", "page_size": \(Bench.xeroPageMaximum),
                       "rate_limit": {"per_minute": \(perMinute), "concurrent": \(concurrent)}\(entityList)}],
          "sinks": [{"name": "hubspot", "kind": "hubspot", "token": {"env": "HUBSPOT_TOKEN"}, "base_url": "\(hubspot.baseURL)", "requests_per_10_seconds": 10000,
                     "objects": {"invoice": {"object": "deals", "id_property": "invoice_number", "missing_record": "create",
                       "properties": {"payment_status": {"field": "status", "values": \(BenchmarkData.statusLabels)},
                                      "amount_paid": "amount_paid", "amount_due": "amount_due", "last_payment_date": "last_payment_date"}}}}]
        }
        """)
}

/// The fewest calls that fetch what the fake Xero served since `clearReceived`: per query,
/// ceil(objects / the largest page) and at least one to ask, plus the token refreshes.
func minimumProviderCalls(_ xero: FakeXeroServer, refreshes: Int) -> Int {
    xero.lastServedCounts.values.reduce(refreshes) { $0 + max(1, ($1 + Bench.xeroPageMaximum - 1) / Bench.xeroPageMaximum) }
}

/// The last line of a `--format json` run: its report.
func runReport(_ measured: Measured) -> JSONValue {
    (try? JSONParser.parse(measured.standardOutput.split(separator: "\n").last.map(String.init) ?? "")) ?? .null
}

/// One run's figures.
struct Result {
    var name: String
    var objects: Int
    var measured: Measured
    var providerCalls: Int
    var providerMinimum: Int
    var crmCalls: Int
    var writes: Int
    var peakRSSKilobytes: Int
    /// The database server's CPU during the run (a PostgreSQL ledger's; 0 for SQLite, whose
    /// work is in paysync's own CPU).
    var serverCPUSeconds: Double = 0

    var objectsPerCPUSecond: Double { Double(objects) / max(measured.cpuSeconds, 1e-9) }
    var crmMinimum: Int { (writes + Bench.hubspotBatchMaximum - 1) / Bench.hubspotBatchMaximum }
}

/// The program and arguments that run `binary`: as they are, or, with a profile directory
/// (`BENCH_PROFILE`), under `perf record` into `DIR/<name>.perf.data`.
func profiled(_ binary: String, _ arguments: [String], name: String, into profileDirectory: String?) -> (String, [String]) {
    guard let profileDirectory else { return (binary, arguments) }
    let slug = String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    return ("/usr/bin/perf", ["record", "-q", "-e", "cpu-clock", "-F", "499", "--call-graph", "dwarf,16384",
                              "-o", "\(profileDirectory)/\(slug).perf.data", "--", binary] + arguments)
}

func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }

/// `calls (minimum) ratio`, with 0 of 0 counted as meeting the minimum.
func ratio(_ calls: Int, _ minimum: Int) -> String {
    "\(calls) (\(minimum)) \(calls == 0 && minimum == 0 ? "1.00" : fixed(Double(calls) / Double(max(minimum, 1)), 2))"
}
