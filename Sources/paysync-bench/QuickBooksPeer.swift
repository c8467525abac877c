import Foundation
import PaySyncCore
import PaySyncTestSupport

/// The second side-by-side of `make bench-peers`: paysync and the open-source Singer tap for
/// QuickBooks Online (tap-quickbooks, Python) on the same loopback fake company and the same N
/// objects. The tap runs unmodified through bench/tap_quickbooks_loopback.py, which only points
/// Intuit's hosts at the fake server.
///
/// The two read differently, and the table says so: paysync asks the query endpoint for one
/// entity a call; the tap sends both entities' queries in one batch request (Intuit's `/batch`,
/// 40 a minute per company against the query endpoint's 500), so it makes fewer calls carrying
/// the same number of queries.
enum QuickBooksPeer {
    struct Side {
        var result: Result
        var queries: Int
    }

    static func run(_ bench: Bench, environment: [String: String]) throws {
        let python = environment["TAP_QUICKBOOKS_PYTHON"] ?? Repository.root + "/.build-bench/venv-quickbooks/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw BenchError("\(python) not found; `make bench-peers` installs tap-quickbooks into .build-bench/venv-quickbooks")
        }
        log("generating \(bench.objects) QuickBooks objects…")
        let qbo = try FakeQuickBooksServer(realms: [QuickBooksBenchmarkData.realm], refreshToken: "bench-qbo-refresh")
        defer { qbo.stop() }
        QuickBooksBenchmarkData.load(objects: bench.objects, into: qbo)
        let config = bench.work.write("paysync-qbo.json", """
            {
              "sources": [{"name": "qbo", "kind": "quickbooks", "realm_id": "\(QuickBooksBenchmarkData.realm)",
                           "client_id": {"env": "QBO_CLIENT_ID"}, "client_secret": {"env": "QBO_CLIENT_SECRET"}, "refresh_token": {"env": "QBO_REFRESH_TOKEN"},
                           "base_url": "\(qbo.baseURL)", "token_url": "\(qbo.tokenURL)", "page_size": 1000,
                           "rate_limit": {"per_minute": 1000000, "concurrent": 10}, "entities": ["invoices", "payments"]}],
              "sinks": [{"name": "hubspot", "kind": "hubspot", "token": {"env": "HUBSPOT_TOKEN"}, "base_url": "\(bench.hubspot.baseURL)", "requests_per_10_seconds": 10000,
                         "objects": {"invoice": {"object": "deals", "id_property": "invoice_number", "missing_record": "create",
                           "properties": {"payment_status": {"field": "status", "values": \(BenchmarkData.statusLabels)},
                                          "amount_paid": "amount_paid", "amount_due": "amount_due", "last_payment_date": "last_payment_date"}}}}]
            }
            """)

        // paysync: a first full sync, the whole pipeline, as in the Xero comparison.
        let paysync = try bench.leastCPU({ attempt -> Side in
            let refresh = "qbo-paysync-\(attempt)"
            qbo.authorise(refreshToken: refresh)
            qbo.clearReceived()
            let refreshesBefore = qbo.tokenRefreshes
            let callsBefore = bench.hubspot.calls.count
            log("paysync: first full sync of the QuickBooks company…")
            let measured = try measure(bench.binary, ["reconcile", "--config", config, "--ledger", bench.work.file("peers-qbo-\(attempt).db"),
                                                      "--format", "json", "--log-level", "error"],
                                       environment: ["QBO_CLIENT_ID": qbo.clientID, "QBO_CLIENT_SECRET": qbo.clientSecret, "QBO_REFRESH_TOKEN": refresh,
                                                     "HUBSPOT_TOKEN": bench.hubspot.token, "PATH": "/usr/bin:/bin", "HOME": bench.work.path])
            if measured.status != 0 { log("  exit \(measured.status): \(measured.standardError.prefix(800))") }
            let report = runReport(measured)
            return Side(result: Result(name: "paysync", objects: report["fetched"]?.intValue ?? 0, measured: measured,
                                       providerCalls: calls(qbo, refreshes: qbo.tokenRefreshes - refreshesBefore), providerMinimum: minimum(qbo),
                                       crmCalls: bench.hubspot.calls.count - callsBefore, writes: report["written"]?.intValue ?? 0,
                                       peakRSSKilobytes: report["peak_rss_kb"]?.intValue ?? 0),
                        queries: qbo.received.count)
        }, by: \.result.measured.cpuSeconds)

        // tap-quickbooks: a first sync of the same two streams from before the first object.
        let tap = try bench.leastCPU({ attempt -> Side in
            let refresh = "qbo-tap-\(attempt)"
            qbo.authorise(refreshToken: refresh)
            let tapConfig = bench.work.write("tap-qbo-config-\(attempt).json", JSONWriter.compact(.object(JSONObject([
                ("client_id", .string(qbo.clientID)), ("client_secret", .string(qbo.clientSecret)), ("refresh_token", .string(refresh)),
                ("realm_id", .string(QuickBooksBenchmarkData.realm)), ("user_agent", .string("paysync-bench peers")),
                ("start_date", .string("2020-01-01T00:00:00Z")),
            ]))), mode: 0o600)
            let peakFile = bench.work.file("tap-qbo-peak-\(attempt)"), countFile = bench.work.file("tap-qbo-count-\(attempt)")
            qbo.clearReceived()
            let refreshesBefore = qbo.tokenRefreshes
            log("tap-quickbooks: first sync…")
            let measured = try measure(python, [Repository.root + "/bench/tap_quickbooks_loopback.py", qbo.baseURL, tapConfig, bench.work.file("tap-qbo-catalog.json")],
                                       environment: ["PATH": "/usr/bin:/bin", "HOME": bench.work.path, "PEAK_RSS_FILE": peakFile, "RECORD_COUNT_FILE": countFile],
                                       discardOutput: true)
            if measured.status != 0 { log("  exit \(measured.status): \(measured.standardError.suffix(800))") }
            func number(_ path: String) -> Int { Int((try? String(contentsOfFile: path, encoding: .utf8)) ?? "") ?? 0 }
            return Side(result: Result(name: "tap-quickbooks", objects: number(countFile), measured: measured,
                                       providerCalls: calls(qbo, refreshes: qbo.tokenRefreshes - refreshesBefore), providerMinimum: minimum(qbo),
                                       crmCalls: 0, writes: 0, peakRSSKilobytes: number(peakFile)),
                        queries: qbo.received.count)
        }, by: \.result.measured.cpuSeconds)
        let tapVersion = (try? measure(python, ["-c", "from importlib.metadata import version; print(version('tap-quickbooks'))"],
                                       environment: ["PATH": "/usr/bin:/bin"]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "?"

        let speedup = paysync.result.objectsPerCPUSecond / max(tap.result.objectsPerCPUSecond, 1e-9)
        print("")
        print("side by side: N = \(bench.objects) generated QuickBooks Online objects on the same loopback fake server"
              + (bench.repeats > 1 ? "; least CPU of \(bench.repeats) runs each" : ""))
        print("")
        print("tool                     objects    wall s    CPU s   obj/CPU-s  HTTP calls  queries (min)  peak RSS MB  what a run does")
        for (side, name, does) in [(paysync, "paysync", "fetch, normalise, diff against the ledger, store (SQLite, fsync per page), queue and deliver CRM writes"),
                                   (tap, "tap-quickbooks \(tapVersion)", "fetch and emit Singer records (extract only: no state kept, nothing diffed or written)")] {
            let result = side.result
            print([
                name.padding(toLength: 22, withPad: " ", startingAt: 0),
                pad(String(result.objects), 9), pad(fixed(result.measured.wallSeconds, 2), 9), pad(fixed(result.measured.cpuSeconds, 2), 8),
                pad(fixed(result.objectsPerCPUSecond, 0), 11), pad(String(result.providerCalls), 11),
                pad("\(side.queries) (\(result.providerMinimum))", 14), pad(fixed(Double(result.peakRSSKilobytes) / 1024, 1), 12), " " + does,
            ].joined(separator: " "))
        }
        print("")
        print("paysync / tap-quickbooks, objects per CPU-second: \(fixed(speedup, 1))×  (HTTP calls include token refreshes; the tap batches "
              + "both entities' queries into one call)")
        if tap.result.objects != paysync.result.objects { print("note: the two fetched different counts (\(paysync.result.objects) and \(tap.result.objects))") }

        _ = try bench.store("peers-quickbooks-\(bench.objects)", .object(JSONObject([
            ("n", .number(String(bench.objects))),
            ("tap_quickbooks_version", .string(tapVersion)),
            ("paysync_objects_per_cpu_second", .number(fixed(paysync.result.objectsPerCPUSecond, 0))),
            ("tap_quickbooks_objects_per_cpu_second", .number(fixed(tap.result.objectsPerCPUSecond, 0))),
            ("ratio", .number(fixed(speedup, 2))),
            ("paysync_objects", .number(String(paysync.result.objects))), ("tap_quickbooks_objects", .number(String(tap.result.objects))),
            ("paysync_http_calls", .number(String(paysync.result.providerCalls))), ("tap_quickbooks_http_calls", .number(String(tap.result.providerCalls))),
            ("paysync_queries", .number(String(paysync.queries))), ("tap_quickbooks_queries", .number(String(tap.queries))),
            ("minimum_queries", .number(String(paysync.result.providerMinimum))),
            ("paysync_peak_rss_kb", .number(String(paysync.result.peakRSSKilobytes))), ("tap_quickbooks_peak_rss_kb", .number(String(tap.result.peakRSSKilobytes))),
        ])))
    }

    /// HTTP requests the fake answered since `clearReceived` (one per batch however many queries
    /// it carried), and the token refreshes.
    static func calls(_ qbo: FakeQuickBooksServer, refreshes: Int) -> Int {
        Set(qbo.received.map(\.call)).count + refreshes
    }

    /// The fewest queries that read the company: per entity, ceil(rows / 1000), at least one.
    static func minimum(_ qbo: FakeQuickBooksServer) -> Int {
        [qbo.invoices(realm: QuickBooksBenchmarkData.realm).count, qbo.payments(realm: QuickBooksBenchmarkData.realm).count]
            .reduce(0) { $0 + max(1, ($1 + 999) / 1000) }
    }
}
