import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncSinks
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Issue 9's delivery cases, through the real engine over loopback HTTP, proved from the
/// receiving side.
@Suite struct DeliveryCorrectnessTests {
    /// Case 1: a receiver that drops idempotency keys it has seen (as docs/sinks/webhook.md tells
    /// it to) must never drop a different write. Delivered outbox rows are deleted and SQLite
    /// reuses their ids, so keys derived from row ids repeated across runs.
    @Test func idempotencyKeysAreNeverReusedForADifferentWrite() async throws {
        let harness = try EngineHarness(objects: 30)
        let receiver = try WebhookReceiver(secret: "whsec_keys")
        var configuration = harness.configuration
        configuration.sinks = [SinkConfiguration(name: "hook", kind: "webhook", settings: WebhookSettings(url: receiver.url, secret: .environment("WEBHOOK_SECRET")),
                                                 objects: FieldMappingDefaults.objects)]
        var variables = harness.variables
        variables["WEBHOOK_SECRET"] = "whsec_keys"
        func run() async throws -> RunReport {
            try await Reconciler.run(configuration: configuration, options: RunOptions(ledgerPath: harness.ledgerPath),
                                     dependencies: EngineDependencies(environment: harness.clock.environment, transport: URLSessionTransport(), variables: variables))
        }
        let first = try await run()
        #expect(first.exitCode == .success, "\(first.problems)")
        let open = harness.server.invoices(tenant: harness.tenant).filter { $0.type == "ACCREC" && $0.status == "AUTHORISED" && $0.amountPaid == 0 }
        try #require(open.count >= 3)
        var sent = first.written
        for invoice in open.prefix(3) {
            harness.server.updateInvoice(invoice.invoiceID, tenant: harness.tenant) { $0.status = "VOIDED" }
            let report = try await run()
            #expect(report.exitCode == .success, "\(report.problems)")
            #expect(report.written == 1)
            sent += report.written
        }
        #expect(receiver.repeats == 0)
        #expect(receiver.accepted.count == sent)
        let voided = Set(receiver.accepted.filter { $0["to"]?.stringValue == "voided" }.compactMap { $0["record"]?.stringValue })
        #expect(voided == Set(open.prefix(3).map(\.invoiceNumber)))
    }

    /// Case 5: an invoice renumbered at the provider (its CRM record key) with nothing else
    /// changed must be written under the new key, with every mapped field.
    @Test func aRenumberedInvoiceIsWrittenUnderItsNewKey() async throws {
        let harness = try EngineHarness(objects: 20)
        #expect(try await harness.run().exitCode == .success)
        let invoice = try #require(harness.server.invoices(tenant: harness.tenant).first { $0.type == "ACCREC" })
        harness.server.updateInvoice(invoice.invoiceID, tenant: harness.tenant) { $0.invoiceNumber = "INV-RENUMBERED-1" }
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(report.written == 1)
        let line = try #require(harness.lines.last)
        #expect(line["record"]?.stringValue == "INV-RENUMBERED-1")
        #expect(line["changes"]?["status"]?["new"]?.stringValue != nil)
        #expect(line["changes"]?["amount_total"]?["new"]?.stringValue == DecimalText.format(minorUnits: invoice.total, exponent: 2))
    }

    /// Case 4: a date out of range was stored as year 3170843, read back as no date, and written
    /// again on every run; an unparseable date was taken as none (the invoice could never become
    /// overdue). Both are quarantined with a reason, exit 65, and later runs write nothing.
    @Test("implausible and unreadable dates are quarantined, not written forever", arguments: [
        #""/Date(99999999999999999+0000)/""#, #""/Date(abc)/""#, #""/Date(-5364662400000+0000)/""#,
    ])
    func implausibleDatesAreQuarantined(dueDate: String) async throws {
        let harness = try EngineHarness(objects: 20)
        #expect(try await harness.run().exitCode == .success)
        let invoice = try #require(harness.server.invoices(tenant: harness.tenant).first { $0.type == "ACCREC" && $0.status == "AUTHORISED" })
        harness.server.updateInvoice(invoice.invoiceID, tenant: harness.tenant) { $0.overrides = [("DueDate", dueDate)] }
        let report = try await harness.run()
        #expect(report.exitCode == .dataError)
        #expect(report.counts.rejected == 1)
        #expect(report.written == 0)
        let rejects = try await harness.ledger().recentRejects(limit: 5)
        #expect(rejects.first?.externalID == invoice.invoiceID)
        #expect(rejects.first.map { $0.error.contains("DueDate") || $0.error.contains("due_date") } == true, "\(rejects.first?.error ?? "")")
        // Nothing about it is written again on later runs.
        let again = try await harness.run()
        #expect(again.written == 0)
    }

    /// Issue 9, network faults, "dates in the future": an object modified "next year" must not
    /// move the cursor there, or every later run asks for changes since next year and misses
    /// the ones made today.
    @Test func anObjectModifiedInTheFutureDoesNotHideLaterChanges() async throws {
        let harness = try EngineHarness(objects: 20)
        #expect(try await harness.run().exitCode == .success)
        let invoices = harness.server.invoices(tenant: harness.tenant).filter { $0.type == "ACCREC" && $0.status == "AUTHORISED" }
        try #require(invoices.count >= 2)
        harness.server.updateInvoice(invoices[0].invoiceID, tenant: harness.tenant) { $0.overrides = [("UpdatedDateUTC", #""/Date(1893456000000+0000)/""#)] }  // 2030
        #expect(try await harness.run().exitCode == .success)
        let cursor = try await harness.ledger().cursor(provider: "xero", account: harness.tenant, entity: "invoices")
        #expect(try #require(cursor?.position).updatedAt < Timestamp(iso: "2026-01-01T00:00:00Z")!)
        // A change made now reaches the CRM on the next run.
        harness.server.updateInvoice(invoices[1].invoiceID, tenant: harness.tenant) { $0.status = "VOIDED" }
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        let after = try await harness.ledger().cursor(provider: "xero", account: harness.tenant, entity: "invoices")
        #expect(harness.lines.contains { $0["record"]?.stringValue == invoices[1].invoiceNumber && $0["to"]?.stringValue == "voided" },
                "cursor \(String(describing: cursor)) then \(String(describing: after)); server now \(harness.server.now); fetched \(report.counts.fetched)")
    }
}
