import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// SIGKILL at the two dangerous moments, with the real binary: nothing is lost, and nothing is
/// written twice beyond the one batch that was in flight.
@Suite struct CrashRecoveryTests {
    @Test func killedAfterTheLedgerCommitAndBeforeDeliveryTheNextRunDeliversEverythingOnce() async throws {
        let harness = try BinaryHarness(objects: 180)
        let killed = try harness.paysync(["reconcile"], fault: "kill-before-delivery")
        #expect(killed.signalled && killed.status == SIGKILL)
        #expect(harness.writtenRecords.isEmpty)
        #expect(try await harness.outboxCount(.pending) == harness.objectCount)

        let next = try harness.paysync(["reconcile"])
        #expect(next.status == 0, "\(next.standardError)")
        #expect(harness.writtenRecords.count == harness.objectCount)
        #expect(Set(harness.writtenRecords).count == harness.objectCount)
        #expect(try await harness.outboxCount(.pending) == 0)
    }

    @Test func killedWithABatchInFlightOnlyThatBatchIsWrittenAgain() async throws {
        let harness = try BinaryHarness(objects: 120)
        #expect(try harness.paysync(["reconcile"]).status == 0)
        let before = harness.writtenRecords.count
        let open = harness.server.invoices(tenant: harness.tenant).filter { $0.status == "AUTHORISED" && $0.amountPaid == 0 }.prefix(3)
        for invoice in open { harness.server.updateInvoice(invoice.invoiceID, tenant: harness.tenant) { $0.status = "VOIDED" } }

        let killed = try harness.paysync(["reconcile"], fault: "kill-after-send")
        #expect(killed.signalled && killed.status == SIGKILL)
        #expect(harness.writtenRecords.count == before + 3)  // the batch reached the sink
        #expect(try await harness.outboxCount(.sending) == 3)  // but the outbox never heard back

        let next = try harness.paysync(["reconcile"])
        #expect(next.status == 0, "\(next.standardError)")
        let records = harness.writtenRecords
        #expect(records.count == before + 6)
        // After the first run: the in-flight batch twice (sent, then re-sent), nothing else at all.
        let counts = Dictionary(records.dropFirst(before).map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts == Dictionary(uniqueKeysWithValues: open.map { ($0.invoiceNumber, 2) }))
        #expect(try await harness.outboxCount(.sending) == 0)
        #expect(next.standardOutput.contains("3 interrupted writes re-queued"))
    }
}

@Suite struct LockTests {
    @Test func aSecondRunOnTheSameLedgerExits75AtOnceNamingTheHolder() async throws {
        let harness = try BinaryHarness(objects: 40)
        harness.server.delayNext(pathSuffix: "/Invoices", seconds: 4)
        let first = try harness.start(["reconcile"])
        // Wait until the first run is talking to Xero (it holds the lock by then).
        let deadline = Date().addingTimeInterval(20)
        while harness.server.calls(to: "/Invoices") == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(harness.server.calls(to: "/Invoices") == 1)

        let started = Date()
        let second = try harness.paysync(["reconcile"])
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(second.status == 75)
        #expect(second.standardError.contains("another paysync run holds \(harness.ledgerPath) (pid \(first.pid)); this run did nothing"))
        #expect(!second.standardError.lowercased().contains("sqlite"))

        let finished = first.wait()
        #expect(finished.status == 0, "\(finished.standardError)")
        #expect(harness.writtenRecords.count == harness.objectCount)
    }
}
