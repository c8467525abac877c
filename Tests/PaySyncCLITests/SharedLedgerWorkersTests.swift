import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncLedger
import PaySyncTestSupport
import Testing

/// Several `paysync reconcile` processes on one PostgreSQL ledger (docs/scaling.md): three Xero
/// apps of 30 organisations each (90 tenants), a webhook receiver that drops the keys it has
/// seen, and workers started together, killed mid-page and mid-delivery. Proven from the
/// receiving side: every object arrives, once, with the provider's status; the only repeats are
/// the killed worker's in-flight batch.
@Suite(.serialized) struct SharedLedgerWorkersTests {
    static let leaseSeconds = 10.0
    static let batchSize = 7

    final class Firm: Sendable {
        let servers: [FakeXeroServer]
        let tenants: [[String]]
        let receiver: WebhookReceiver
        let work = TemporaryDirectory(prefix: "paysync-workers")
        let ledgerURL: String

        init(latencySeconds: Double) throws {
            ledgerURL = try ThrowawayPostgres.server().newDatabase()
            receiver = try WebhookReceiver(secret: "whsec_workers")
            var servers: [FakeXeroServer] = []
            var tenants: [[String]] = []
            for app in 0..<3 {
                let ids = (0..<30).map { String(format: "d%07d-0000-4000-a000-%012d", app, $0) }
                let server = try FakeXeroServer(tenants: ids)
                server.setLatency(seconds: latencySeconds)
                for (index, tenant) in ids.enumerated() {
                    var generator = XeroDataGenerator(seed: UInt64(100 * app + index))
                    let data = generator.dataset(objects: 8, start: server.now.adding(milliseconds: -86_400_000 * 5), numberOffset: 1_000 * (30 * app + index))
                    server.put(invoices: data.invoices, tenant: tenant)
                    server.put(payments: data.payments, tenant: tenant)
                    server.put(creditNotes: data.creditNotes, tenant: tenant)
                }
                servers.append(server)
                tenants.append(ids)
            }
            self.servers = servers
            self.tenants = tenants
            let sources = servers.enumerated().map { app, server in
                """
                {"name": "firm-\(app)", "kind": "xero", "tenants": \(JSONWriter.compact(.array(tenants[app].map(JSONValue.string)))),
                 "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"env": "XERO_CLIENT_SECRET"}, "refresh_token": {"env": "XERO_REFRESH_TOKEN"},
                 "base_url": "\(server.apiBaseURL)", "token_url": "\(server.tokenURL)", "page_size": 5}
                """
            }
            work.write("paysync.json", """
                {
                  "ledger": {"url": {"env": "PAYSYNC_LEDGER_URL"}, "lease_seconds": \(Int(SharedLedgerWorkersTests.leaseSeconds))},
                  "sources": [\(sources.joined(separator: ", "))],
                  "sinks": [{"name": "hook", "kind": "webhook", "url": "\(receiver.url)", "secret": {"env": "WEBHOOK_SECRET"},
                             "batch_size": \(SharedLedgerWorkersTests.batchSize)}],
                  "http": {"max_retry_seconds": 5}
                }
                """)
        }

        func start(fault: String? = nil) throws -> ChildProcess {
            var environment = ["XERO_CLIENT_ID": servers[0].clientID, "XERO_CLIENT_SECRET": servers[0].clientSecret,
                               "XERO_REFRESH_TOKEN": "initial-refresh-token", "WEBHOOK_SECRET": "whsec_workers", "PAYSYNC_LEDGER_URL": ledgerURL]
            environment["PAYSYNC_FAULT"] = fault
            return try ChildProcess(Repository.paysyncExecutable, ["reconcile", "--config", work.file("paysync.json"), "--log-level", "error"],
                                    environment: environment, workingDirectory: work.path)
        }

        /// Every in-scope object the fakes hold, by object key, with the status paysync must give
        /// each invoice (nil for the other kinds).
        var truth: [String: PaymentStatus?] {
            var result: [String: PaymentStatus?] = [:]
            for (app, server) in servers.enumerated() {
                for tenant in tenants[app] {
                    for invoice in server.invoices(tenant: tenant) where invoice.type == "ACCREC" {
                        result["xero:\(tenant):invoice:\(invoice.invoiceID)"] = XeroMapping.invoiceStatus(
                            status: invoice.status, received: invoice.amountPaid, amountDue: invoice.amountDue, dueDate: invoice.dueDate, today: RunEnvironment.live.now().utcDate)
                    }
                    for note in server.creditNotes(tenant: tenant) where note.type == "ACCRECCREDIT" { result["xero:\(tenant):credit_note:\(note.creditNoteID)"] = .some(nil) }
                    for payment in server.payments(tenant: tenant) {
                        result["xero:\(tenant):\(payment.paymentType == "ACCRECPAYMENT" ? "payment" : "refund"):\(payment.paymentID)"] = .some(nil)
                    }
                }
            }
            return result
        }

        /// What the receiver holds: the last accepted write per object (repeats were dropped).
        var received: [String: String] {
            var result: [String: String] = [:]
            for write in receiver.accepted {
                if let object = write["object"]?.stringValue, let status = write["to"]?.stringValue { result[object] = status }
            }
            return result
        }

        func ledger() throws -> PostgresLedger { try PostgresLedger(url: ledgerURL, now: RunEnvironment.live.now(), migrating: false) }

        /// The receiving side against the provider: the same objects, each invoice with the
        /// provider's status; and the ledger: everything settled, each object's first sync once.
        func expectConverged(_ comment: String) async throws {
            let truth = self.truth, received = self.received
            #expect(Set(received.keys) == Set(truth.keys), "\(comment): \(Set(truth.keys).subtracting(received.keys).count) objects never arrived")
            let wrong = truth.compactMap { key, status in status.flatMap { received[key] == $0.rawValue ? nil : "\(key): \(received[key] ?? "nothing") for \($0)" } }
            #expect(wrong.isEmpty, "\(comment): \(wrong.prefix(3))")
            #expect(receiver.conflicts.isEmpty, "\(comment): an idempotency key named two different writes")
            #expect(receiver.badSignatures == 0)
            let ledger = try ledger()
            for state in [OutboxState.pending, .sending, .dead] { #expect(try await ledger.outboxCount(sink: nil, state: state) == 0, "\(comment): \(state)") }
            let firstSyncs = try await ledger.reportTransitions(from: Timestamp(millisecondsSinceEpoch: 0), until: RunEnvironment.live.now().adding(seconds: 86_400 * 400))
            #expect(firstSyncs.count == truth.count, "\(comment): each object's first sync is one transition")
        }
    }

    @Test func threeWorkersSplitThreeSourcesOfThirtyTenantsAndDeliverEveryWriteOnce() async throws {
        let firm = try Firm(latencySeconds: 0.1)  // each account takes long enough that all three workers are running before any runs out of work
        let workers = try (0..<3).map { _ in try firm.start() }
        for worker in workers {
            let result = worker.wait()
            #expect(result.status == 0, "\(result.standardError)")
        }
        try await firm.expectConverged("three workers")
        #expect(firm.receiver.repeats == 0, "no write was sent twice")
        // The tenants were split: more than one worker committed first syncs.
        let runs = try await firm.ledger().recentRuns(limit: 10)
        #expect(runs.count == 3)
        #expect(runs.filter { $0.changed > 0 }.count >= 2, "\(runs.map(\.changed))")
        #expect(runs.map(\.changed).reduce(0, +) == firm.truth.count)
    }

    @Test func aWorkerKilledMidPageOrMidDeliveryLosesNothingAndRepeatsOnlyItsBatch() async throws {
        let firm = try Firm(latencySeconds: 0.01)
        // One worker dies after its third page commit, holding the leases of the accounts it was
        // reading; two others run meanwhile and leave those accounts alone.
        let doomed = try firm.start(fault: "after-page-commit@3")
        try await Task.sleep(for: .milliseconds(150))
        let others = try (0..<2).map { _ in try firm.start() }
        let died = doomed.wait()
        #expect(died.signalled && died.status == SIGKILL, "\(died.standardError)")
        for worker in others { #expect(worker.wait().status == 0) }
        #expect(Set(firm.received.keys).count < firm.truth.count, "the dead worker's accounts wait for its leases to lapse")
        #expect(firm.receiver.repeats == 0)

        // Its leases lapse; the next runs take its accounts over. One of them dies with a batch
        // sent and not yet settled.
        try await Task.sleep(for: .seconds(Self.leaseSeconds + 1))
        let sender = try firm.start(fault: "kill-after-send@2")
        let survivor = try firm.start()
        let killed = sender.wait()
        #expect(survivor.wait().status == 0)
        if killed.signalled {
            #expect(killed.status == SIGKILL)
            // Its claim lapses; the batch goes out again, and the receiver drops what it has seen.
            try await Task.sleep(for: .seconds(Self.leaseSeconds + 1))
        } else {
            #expect(killed.status == 0, "\(killed.standardError)")
        }
        let last = try firm.start().wait()
        #expect(last.status == 0, "\(last.standardError)")
        try await firm.expectConverged("after two kills")
        #expect(firm.receiver.repeats <= Self.batchSize, "only the killed worker's in-flight batch may arrive twice: \(firm.receiver.repeats)")
    }
}
