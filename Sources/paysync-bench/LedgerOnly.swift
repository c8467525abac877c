import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncLedger
import PaySyncTestSupport

/// The ledger's share of a first sync, measured alone: the same pages, decoded and normalised
/// beforehand, planned and committed to an empty ledger page by page (known states, plan,
/// states + transitions + outbox rows + cursor in one transaction) — no HTTP, no decoding, no
/// delivery. What the engine does per page with the provider and the CRM taken away.
enum LedgerOnly {
    /// `paysync-bench ledger`: this measurement by itself (least CPU of BENCH_REPEAT), so the
    /// ledger can be profiled without the HTTP, decoding and delivery around it.
    static func run(_ bench: Bench) async throws {
        let invoicePages = bench.xero.pageBodies(tenant: BenchmarkData.tenant, resource: "Invoices")
        let paymentPages = bench.xero.pageBodies(tenant: BenchmarkData.tenant, resource: "Payments")
        var best = Double.infinity
        var objects = 0
        for attempt in 0..<bench.repeats {
            let result = try await measure(invoicePages: invoicePages, paymentPages: paymentPages, tenant: BenchmarkData.tenant,
                                           ledgerPath: bench.work.file("ledger-only-\(attempt).db"))
            objects = result.objects
            best = min(best, result.cpuSeconds)
            log("  attempt \(attempt + 1): \(fixed(result.cpuSeconds, 2)) CPU s")
        }
        // BENCH_KEEP_LEDGER=PATH keeps the last ledger, for replaying its statements outside paysync
        // (docs/performance.md).
        if let keep = ProcessInfo.processInfo.environment["BENCH_KEEP_LEDGER"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: bench.work.file("ledger-only-\(bench.repeats - 1).db"), toPath: keep)
        }
        print("the ledger alone: \(objects) objects in \(fixed(best, 2)) CPU s (least of \(bench.repeats)): "
              + "\(fixed(Double(objects) / best, 0)) objects per CPU-second")
    }

    /// - Returns: the objects committed and the process CPU seconds it took.
    static func measure(invoicePages: [Data], paymentPages: [Data], tenant: String, ledgerPath: String) async throws -> (objects: Int, cpuSeconds: Double) {
        let today = CalendarDate(year: 2025, month: 6, day: 1)!
        var pages: [[Observation]] = []
        for page in invoicePages {
            pages.append(try XeroPageScanner.invoices(page).elements.compactMap { element in
                guard case .success(let invoice) = element.result,
                      case .observation(let observation) = try XeroMapping.observation(of: invoice, tenant: tenant, today: today, path: "") else { return nil }
                return observation
            })
        }
        for page in paymentPages {
            pages.append(try XeroPageScanner.payments(page).elements.compactMap { element in
                guard case .success(let payment) = element.result,
                      case .observation(let observation) = try XeroMapping.observation(of: payment, tenant: tenant, path: "") else { return nil }
                return observation
            })
        }
        // The benchmark's HubSpot mapping: invoices by invoice number, four fields.
        let routes = [SinkRoute(sink: "hubspot", kinds: [
            .invoice: KindRoute(fields: FieldSet([.status, .amountPaid, .amountDue, .lastPaymentDate]), key: [.field(.invoiceNumber)]),
        ])]

        let ledger = try Ledger(path: ledgerPath)
        let now = Timestamp(iso: "2025-06-01T00:00:00Z")!
        let start = processCPUSeconds()
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: now)
        var objects = 0
        for (index, observations) in pages.enumerated() {
            let known = try await ledger.knownStates(for: observations.map(\.key))
            let plan = PagePlanner.plan(observations: observations, known: known, routes: routes, actionsEnabled: false)
            let cursor = observations.last.flatMap { last in
                last.updatedAt.map { CursorMove(provider: "xero", account: tenant, entity: index < invoicePages.count ? "invoices" : "payments",
                                                position: CursorPosition(updatedAt: $0, lastID: last.key.externalID)) }
            }
            try await ledger.apply(PageCommit(provider: "xero", account: tenant, plan: plan, cursor: cursor, runID: run, observedAt: now))
            objects += observations.count
        }
        return (objects, processCPUSeconds() - start)
    }
}

/// CPU time of this whole process (the ledger actor runs on the concurrency pool's threads).
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
