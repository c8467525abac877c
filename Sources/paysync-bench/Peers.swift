import Foundation
import PaySyncCore
import PaySyncTestSupport

/// `make bench-peers`: paysync and the open-source Singer tap for Xero (tap-xero, Python) on the
/// same loopback fake Xero and the same N objects. The tap runs unmodified through
/// bench/tap_xero_loopback.py, which only points Xero's hosts at the fake server.
enum Peers {
    static func run(_ bench: Bench, environment: [String: String]) throws {
        let python = environment["TAP_XERO_PYTHON"] ?? Repository.root + "/.build-bench/venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw BenchError("\(python) not found; `make bench-peers` installs tap-xero into .build-bench/venv")
        }
        let wrapper = Repository.root + "/bench/tap_xero_loopback.py"
        let xero = bench.xero

        // paysync: a first full sync, the whole pipeline (scenario 1 of `make bench`), of the two
        // streams the tap reads.
        let config = bench.config(tenant: BenchmarkData.tenant, entities: ["invoices", "payments"])
        let paysync = try bench.leastCPU { attempt in
            xero.authorise(refreshToken: "peers-paysync-\(attempt)")
            return try bench.run("paysync: first full sync", ["reconcile"], config: config, ledger: bench.work.file("peers-\(attempt).db"),
                                 extra: ["XERO_REFRESH_TOKEN": "peers-paysync-\(attempt)"])
        }

        // tap-xero: a first sync of the same two streams from the same start, its records to /dev/null.
        let tap = try bench.leastCPU { attempt in
            let refresh = "peers-tap-\(attempt)"
            xero.authorise(refreshToken: refresh)
            let tapConfig = bench.work.write("tap-config-\(attempt).json", JSONWriter.compact(.object(JSONObject([
                ("client_id", .string(xero.clientID)), ("client_secret", .string(xero.clientSecret)),
                ("refresh_token", .string(refresh)), ("tenant_id", .string(BenchmarkData.tenant)),
                ("start_date", .string("2020-01-01T00:00:00Z")),
            ]))), mode: 0o600)
            let peakFile = bench.work.file("tap-peak-\(attempt)")
            xero.clearReceived()
            let refreshesBefore = xero.tokenRefreshes
            log("tap-xero: first sync…")
            let measured = try measure(python, [wrapper, xero.baseURL, tapConfig, bench.work.file("tap-catalog.json")],
                                       environment: ["PATH": "/usr/bin:/bin", "HOME": bench.work.path, "PEAK_RSS_FILE": peakFile],
                                       discardOutput: true)
            if measured.status != 0 { log("  exit \(measured.status): \(measured.standardError.suffix(800))") }
            return Result(name: "tap-xero: first sync", objects: recordCount(measured.standardError), measured: measured,
                          providerCalls: bench.providerCalls(since: refreshesBefore), providerMinimum: bench.providerMinimum(since: refreshesBefore),
                          crmCalls: 0, writes: 0,
                          peakRSSKilobytes: Int((try? String(contentsOfFile: peakFile, encoding: .utf8)) ?? "") ?? 0)
        }
        let tapVersion = (try? measure(python, ["-c", "from importlib.metadata import version; print(version('tap-xero'))"],
                                       environment: ["PATH": "/usr/bin:/bin"]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "?"

        let speedup = paysync.objectsPerCPUSecond / max(tap.objectsPerCPUSecond, 1e-9)
        print("")
        print("side by side: N = \(bench.objects) generated Xero objects on the same loopback fake server"
              + (bench.repeats > 1 ? "; least CPU of \(bench.repeats) runs each" : ""))
        print("")
        print("tool                     objects    wall s    CPU s   obj/CPU-s  provider calls (min)  peak RSS MB  what a run does")
        for (result, does) in [(paysync, "fetch, normalise, diff against the ledger, store (SQLite, fsync per page), queue and deliver CRM writes"),
                               (tap, "fetch and emit Singer records (extract only: no state kept, nothing diffed or written)")] {
            print([
                (result.name.hasPrefix("paysync") ? "paysync" : "tap-xero \(tapVersion)").padding(toLength: 22, withPad: " ", startingAt: 0),
                pad(String(result.objects), 9), pad(fixed(result.measured.wallSeconds, 2), 9), pad(fixed(result.measured.cpuSeconds, 2), 8),
                pad(fixed(result.objectsPerCPUSecond, 0), 11), pad(ratio(result.providerCalls, result.providerMinimum), 21),
                pad(fixed(Double(result.peakRSSKilobytes) / 1024, 1), 12), " " + does,
            ].joined(separator: " "))
        }
        print("")
        print("paysync / tap-xero, objects per CPU-second: \(fixed(speedup, 1))×  (tap-xero asks for Xero's default 100 a page; paysync for \(Bench.xeroPageMaximum))")
        if tap.objects != paysync.objects { print("note: the two fetched different counts (\(paysync.objects) and \(tap.objects))") }

        _ = try bench.store("peers-\(bench.objects)", .object(JSONObject([
            ("n", .number(String(bench.objects))),
            ("tap_xero_version", .string(tapVersion)),
            ("paysync_objects_per_cpu_second", .number(fixed(paysync.objectsPerCPUSecond, 0))),
            ("tap_xero_objects_per_cpu_second", .number(fixed(tap.objectsPerCPUSecond, 0))),
            ("ratio", .number(fixed(speedup, 2))),
            ("paysync_provider_calls", .number(String(paysync.providerCalls))), ("tap_xero_provider_calls", .number(String(tap.providerCalls))),
            ("paysync_peak_rss_kb", .number(String(paysync.peakRSSKilobytes))), ("tap_xero_peak_rss_kb", .number(String(tap.peakRSSKilobytes))),
        ])))
        print("results: \(bench.resultsPath)")
    }

    /// The records a Singer tap reports having emitted: the sum of its `record_count` metrics.
    static func recordCount(_ log: String) -> Int {
        log.split(separator: "\n").reduce(0) { total, line in
            guard let start = line.range(of: "METRIC: ")?.upperBound,
                  let metric = try? JSONParser.parse(String(line[start...])),
                  metric["metric"]?.stringValue == "record_count" else { return total }
            return total + (metric["value"]?.intValue ?? 0)
        }
    }
}
