import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncTestSupport

/// `make bench`: the five scenarios of a paysync run as data grows, the decode-only ceiling they
/// are compared with, and the ratios (provider and CRM calls against the minimum the APIs allow,
/// peak RSS at N = 1,000,000 against N = 100,000, ledger bytes per object).
enum Scenarios {
    /// Scenario 5: a run killed after its ledger commits and before delivery leaves every write
    /// queued; the next run delivers them (least CPU of the bench's repeats).
    static func drainScenario(_ bench: Bench) throws -> Result {
        let drainConfig = bench.config(tenant: BenchmarkData.drainTenant)
        var drain = try bench.leastCPU { attempt in
            let drainLedger = bench.work.file("drain-\(attempt).db")
            let drainToken = ["XERO_REFRESH_TOKEN": "bench-drain-refresh-\(attempt)"]
            bench.xero.authorise(refreshToken: "bench-drain-refresh-\(attempt)")
            let prepare = try bench.run("prepare the drain (a run killed before delivery)", ["reconcile"], config: drainConfig, ledger: drainLedger,
                                        extra: drainToken.merging(["PAYSYNC_FAULT": "kill-before-delivery"]) { $1 })
            if prepare.measured.status != 137 { log("  the prepare run was meant to be killed (exit 137) but exited \(prepare.measured.status)") }
            return try bench.run("5. outbox drain", ["reconcile"], config: drainConfig, ledger: drainLedger, extra: drainToken)
        }
        drain.objects = drain.writes
        return drain
    }

    static func run(_ bench: Bench) async throws {
        let xero = bench.xero
        let mainConfig = bench.config(tenant: BenchmarkData.tenant)
        var results: [Result] = []

        // Each first sync starts from an empty ledger with its own authorisation (its own refresh
        // token to rotate); the last one's ledger is the one the later scenarios use.
        var ledger = ""
        results.append(try bench.leastCPU { attempt in
            ledger = bench.work.file("ledger-\(attempt).db")
            xero.authorise(refreshToken: "bench-refresh-\(attempt)")
            return try bench.run("1. first full sync", ["reconcile"], config: mainConfig, ledger: ledger,
                                 extra: ["XERO_REFRESH_TOKEN": "bench-refresh-\(attempt)"])
        })
        let ledgerBytes = [ledger, ledger + "-wal"].reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        let token = ["XERO_REFRESH_TOKEN": "bench-refresh-\(bench.repeats - 1)"]
        results.append(try bench.leastCPU { _ in
            try bench.run("2. rerun, nothing changed", ["reconcile"], config: mainConfig, ledger: ledger, extra: token)
        })
        results.append(try bench.leastCPU { _ in
            try bench.run("3. backfill, nothing changed", ["backfill", "--since", "2020-01-01", "--until", "2030-01-01"],
                          config: mainConfig, ledger: ledger, extra: token)
        })
        BenchmarkData.changeOnePercent(of: xero)
        results.append(try bench.run("4. 1% of objects changed", ["reconcile"], config: mainConfig, ledger: ledger, extra: token))
        results.append(try drainScenario(bench))
        let postgres = try postgresScenarios(bench)

        // The ceiling: the same pages decoded by Foundation's JSONDecoder alone into the wire structs.
        log("decode-only ceiling…")
        let invoicePages = xero.pageBodies(tenant: BenchmarkData.tenant, resource: "Invoices")
        let paymentPages = xero.pageBodies(tenant: BenchmarkData.tenant, resource: "Payments")
        var decoded = 0
        let decodeStart = threadCPUSeconds()
        for page in invoicePages { decoded += try XeroSource.decodeWithJSONDecoder(page, resource: "Invoices", as: XeroInvoice.self).elements.count }
        for page in paymentPages { decoded += try XeroSource.decodeWithJSONDecoder(page, resource: "Payments", as: XeroPayment.self).elements.count }
        let decodeRate = Double(decoded) / (threadCPUSeconds() - decodeStart)
        // paysync's own scanner on the same pages, for comparison.
        var scanned = 0
        let scanStart = threadCPUSeconds()
        for page in invoicePages { scanned += try XeroPageScanner.invoices(page).elements.count }
        for page in paymentPages { scanned += try XeroPageScanner.payments(page).elements.count }
        let scanRate = Double(scanned) / (threadCPUSeconds() - scanStart)
        let pageBytes = (invoicePages + paymentPages).reduce(0) { $0 + $1.count }
        log("the ledger alone…")
        let ledgerOnly = try await LedgerOnly.measure(invoicePages: invoicePages, paymentPages: paymentPages, tenant: BenchmarkData.tenant,
                                                      ledgerPath: bench.work.file("ledger-only.db"))
        let ledgerRate = Double(ledgerOnly.objects) / ledgerOnly.cpuSeconds

        // Report.
        print("")
        print("paysync benchmark: N = \(bench.objects) objects (\(invoicePages.count) invoice pages, \(paymentPages.count) payment pages, "
              + "\(pageBytes / max(decoded, 1)) bytes of JSON per object), outbox drain \(bench.drainObjects) writes"
              + (bench.repeats > 1 ? "; scenarios 1, 2, 3, 5: least CPU of \(bench.repeats) runs" : ""))
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB; "
              + "release build; SQLite: the system libsqlite3")
        print("")
        print("scenario                          objects   wall s    CPU s   obj/CPU-s  efficiency  provider calls (min)  CRM calls (min)  peak RSS MB")
        for result in results {
            print([
                result.name.padding(toLength: 30, withPad: " ", startingAt: 0),
                pad(String(result.objects), 10), pad(fixed(result.measured.wallSeconds, 2), 9), pad(fixed(result.measured.cpuSeconds, 2), 8),
                pad(fixed(result.objectsPerCPUSecond, 0), 11),
                pad(result.name.hasPrefix("5.") ? "-" : fixed(result.objectsPerCPUSecond / decodeRate, 2), 11),
                pad(ratio(result.providerCalls, result.providerMinimum), 21), pad(ratio(result.crmCalls, result.crmMinimum), 16),
                pad(fixed(Double(result.peakRSSKilobytes) / 1024, 1), 12),
            ].joined(separator: " "))
        }
        print("")
        print("the same with the ledger in PostgreSQL \(postgres.version) (a server of its own on a Unix socket, fsync and synchronous_commit on; "
              + "paysync's CPU, and the server's: postmaster, backends, WAL writer, checkpointer):")
        print("scenario                          objects   wall s    CPU s  server CPU s  obj/CPU-s (both)  SQLite obj/CPU-s")
        for (result, sqlite) in zip(postgres.results, [results[0], results[2]]) {
            print([
                result.name.padding(toLength: 30, withPad: " ", startingAt: 0),
                pad(String(result.objects), 10), pad(fixed(result.measured.wallSeconds, 2), 9), pad(fixed(result.measured.cpuSeconds, 2), 8),
                pad(fixed(result.serverCPUSeconds, 2), 13),
                pad(fixed(Double(result.objects) / max(result.measured.cpuSeconds + result.serverCPUSeconds, 1e-9), 0), 17),
                pad(fixed(sqlite.objectsPerCPUSecond, 0), 17),
            ].joined(separator: " "))
        }
        print("")
        print("decode-only ceiling, Foundation's JSONDecoder into the wire structs on the same pages: \(fixed(decodeRate, 0)) objects per CPU-second")
        print("paysync's own XeroPageScanner on the same pages: \(fixed(scanRate, 0)) objects per CPU-second")
        print("the ledger alone, the same objects planned and committed page by page to an empty ledger (no HTTP, decoding or delivery): "
              + "\(fixed(ledgerRate, 0)) objects per CPU-second")
        print("efficiency = end-to-end objects per CPU-second / the JSONDecoder ceiling (scenario 5 counts writes, not objects)")
        print("provider calls: minimum = ceil(objects / \(Bench.xeroPageMaximum)) per resource listed (one to ask when none) + token refreshes; "
              + "CRM calls: minimum = ceil(writes / \(Bench.hubspotBatchMaximum))")
        let bytesPerObject = Double(ledgerBytes) / Double(max(results[0].objects, 1))
        print("ledger after the first sync: \(ledgerBytes) bytes, \(fixed(bytesPerObject, 1)) bytes per object")

        // Keep results per N, so the N = 1,000,000 / N = 100,000 RSS ratio prints once both have run.
        let stored = try bench.store(String(bench.objects), .object(JSONObject([
            ("n", .number(String(bench.objects))),
            ("drain_writes", .number(String(bench.drainObjects))),
            ("repeats", .number(String(bench.repeats))),
            ("decode_objects_per_cpu_second", .number(fixed(decodeRate, 0))),
            ("scanner_objects_per_cpu_second", .number(fixed(scanRate, 0))),
            ("ledger_only_objects_per_cpu_second", .number(fixed(ledgerRate, 0))),
            ("ledger_bytes_per_object", .number(fixed(bytesPerObject, 1))),
            ("postgres_scenarios", .array(postgres.results.map { result in
                .object(JSONObject([
                    ("name", .string(result.name)), ("objects", .number(String(result.objects))),
                    ("wall_seconds", .number(fixed(result.measured.wallSeconds, 3))), ("cpu_seconds", .number(fixed(result.measured.cpuSeconds, 3))),
                    ("server_cpu_seconds", .number(fixed(result.serverCPUSeconds, 3))), ("exit", .number(String(result.measured.status))),
                ]))
            })),
            ("scenarios", .array(results.map { result in
                .object(JSONObject([
                    ("name", .string(result.name)), ("objects", .number(String(result.objects))),
                    ("wall_seconds", .number(fixed(result.measured.wallSeconds, 3))), ("cpu_seconds", .number(fixed(result.measured.cpuSeconds, 3))),
                    ("objects_per_cpu_second", .number(fixed(result.objectsPerCPUSecond, 0))),
                    ("efficiency", .number(fixed(result.objectsPerCPUSecond / decodeRate, 3))),
                    ("provider_calls", .number(String(result.providerCalls))), ("provider_minimum", .number(String(result.providerMinimum))),
                    ("crm_calls", .number(String(result.crmCalls))), ("crm_minimum", .number(String(result.crmMinimum))),
                    ("peak_rss_kb", .number(String(result.peakRSSKilobytes))), ("exit", .number(String(result.measured.status))),
                ]))
            })),
        ])))
        let peaks = { (n: String) -> Double? in
            stored[n]?["scenarios"]?.arrayValue?.compactMap { $0["peak_rss_kb"]?.intValue }.max().map(Double.init)
        }
        if let large = peaks("1000000"), let small = peaks("100000") {
            print("peak RSS, N = 1,000,000 / N = 100,000: \(fixed(large / 1024, 1)) MB / \(fixed(small / 1024, 1)) MB = \(fixed(large / small, 2))")
        } else {
            print("peak RSS ratio (N = 1,000,000 / N = 100,000): run `make bench` and `BENCH_N=1000000 make bench` to print it")
        }
        print("results: \(bench.resultsPath)")
    }
}
