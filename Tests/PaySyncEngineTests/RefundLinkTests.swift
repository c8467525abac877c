import PaySyncConnectors
import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Refunds reaching the invoice they refund, end to end against the fake Xero: a credit note
/// allocated to the invoice and paid out in cash moves that invoice to partially_refunded or
/// refunded (docs/connectors/xero.md, "Refunds"), in whichever order the run reads the three
/// documents, once; a deleted refund moves it back. Checked from the receiving side: the last
/// value the sink holds for the invoice's record.
@Suite struct RefundLinkTests {
    static let contact = FakeXeroContact(contactID: "c0ffee00-0000-4000-a000-000000000001", name: "Globex", email: "ap@globex.example")

    func harness(total: Int64 = 10_000) throws -> (EngineHarness, String) {
        let harness = try EngineHarness()
        let day = harness.server.now.utcDate
        let invoice = FakeXeroInvoice(invoiceID: "1e5f0000-0000-4000-a000-000000000042", invoiceNumber: "INV-0042", status: "AUTHORISED", contact: Self.contact,
                                      date: day.adding(days: -20), dueDate: day.adding(days: 10), currency: "GBP", subTotal: total, totalTax: 0,
                                      lineItems: [], updated: harness.server.tick())
        harness.server.put(invoices: [invoice], tenant: harness.tenant)
        return (harness, invoice.invoiceID)
    }

    /// The last line the sink received for a record, as a CRM keeping only the latest value would hold it.
    func latest(_ harness: EngineHarness, record: String) -> JSONValue? {
        harness.lines.last { $0["record"]?.stringValue == record }
    }

    func status(_ harness: EngineHarness, _ invoiceID: String) async throws -> PaymentStatus? {
        try await harness.ledger().knownStates(for: [ObjectKey(provider: "xero", account: harness.tenant, kind: .invoice, externalID: invoiceID)]).first??.status
    }

    @Test func aCreditNotePartlyAllocatedAndPartlyPaidOutRefundsThatPartOfTheInvoice() async throws {
        let (harness, invoice) = try harness()
        let server = harness.server, tenant = harness.tenant
        server.pay(invoice: invoice, amount: 6_000, tenant: tenant)
        _ = try await harness.run()
        #expect(try await status(harness, invoice) == .partiallyPaid)

        // The customer returns half the goods: a credit note of 50.00, 40.00 of it against what is
        // still due, 10.00 paid back in cash. Received 60.00, refunded 10.00.
        let note = try #require(server.raiseCreditNote(for: invoice, amount: 5_000, tenant: tenant))
        server.allocate(creditNote: note, to: invoice, amount: 4_000, tenant: tenant)
        let refund = try #require(server.refund(creditNote: note, amount: 1_000, tenant: tenant))
        let linesBefore = harness.lines.count
        let second = try await harness.run()
        #expect(second.exitCode == .success)
        #expect(try await status(harness, invoice) == .partiallyRefunded)
        let written = harness.lines.dropFirst(linesBefore)
        #expect(written.filter { $0["record"]?.stringValue == "INV-0042" }.count == 1, "one write for the invoice, however many documents moved it")
        #expect(latest(harness, record: "INV-0042")?["to"]?.stringValue == "partially_refunded")
        let refundLine = try #require(written.first { $0["object"]?.stringValue == "xero:\(tenant):refund:\(refund)" })
        #expect(refundLine["to"]?.stringValue == "refunded")
        #expect(written.contains { $0["object"]?.stringValue == "xero:\(tenant):credit_note:\(note)" })

        // Nothing changed: nothing written.
        let linesAfter = harness.lines.count
        let third = try await harness.run()
        #expect(third.written == 0 && harness.lines.count == linesAfter)

        // The refund is deleted in Xero: the invoice is paid again (60.00 received, 40.00 credited).
        server.deletePayment(refund, tenant: tenant)
        _ = try await harness.run()
        #expect(try await status(harness, invoice) == .paid)
        #expect(latest(harness, record: "INV-0042")?["to"]?.stringValue == "paid")
    }

    @Test func everythingInOneRunGivesTheSameAnswerAsStepByStep() async throws {
        // Payment, credit note, allocation and refund all happen before paysync first looks: the
        // run reads invoices, then payments (the refund), then credit notes (the link), and the
        // invoice still ends refunded, in the same run.
        let (harness, invoice) = try harness()
        let server = harness.server, tenant = harness.tenant
        server.pay(invoice: invoice, amount: 5_000, tenant: tenant)
        let note = try #require(server.raiseCreditNote(for: invoice, amount: 10_000, tenant: tenant))
        server.allocate(creditNote: note, to: invoice, amount: 5_000, tenant: tenant)
        server.refund(creditNote: note, amount: 5_000, tenant: tenant)
        let first = try await harness.run()
        #expect(first.exitCode == .success)
        #expect(try await status(harness, invoice) == .refunded)
        #expect(latest(harness, record: "INV-0042")?["to"]?.stringValue == "refunded")
        let again = try await harness.run()
        #expect(again.written == 0)
    }

    @Test func aRefundXeroDoesNotLinkToAnInvoiceLeavesEveryInvoiceAsItsPaymentsSay() async throws {
        // A credit note raised for the customer but allocated to nothing, then paid out: Xero's
        // data names no invoice, so none moves; the refund carries the contact, reference and amount.
        let (harness, invoice) = try harness()
        let server = harness.server, tenant = harness.tenant
        server.pay(invoice: invoice, amount: 10_000, tenant: tenant)
        let note = try #require(server.raiseCreditNote(for: invoice, amount: 2_500, tenant: tenant, reference: "INV-0042 goodwill"))
        let refund = try #require(server.refund(creditNote: note, amount: 2_500, tenant: tenant, reference: "Goodwill refund"))
        _ = try await harness.run()
        #expect(try await status(harness, invoice) == .paid)
        let line = try #require(harness.lines.first { $0["object"]?.stringValue == "xero:\(tenant):refund:\(refund)" })
        #expect(line["changes"]?["amount_total"]?["new"]?.stringValue == "25.00")
        #expect(line["changes"]?["customer_name"]?["new"]?.stringValue == "Globex")
        #expect(line["changes"]?["reference"]?["new"]?.stringValue == "Goodwill refund")
        let creditNote = try await harness.ledger().knownStates(for: [ObjectKey(provider: "xero", account: tenant, kind: .creditNote, externalID: note)]).first!
        #expect(creditNote?.status == .refunded && creditNote?[text: .parentKey] == nil)
    }
}
