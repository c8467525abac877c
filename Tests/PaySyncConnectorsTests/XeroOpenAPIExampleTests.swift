import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// Every Invoice, Payment and CreditNote example in Xero's official OpenAPI specification (XeroAPI/Xero-OpenAPI,
/// `xero_accounting.yaml`, copied into fixtures/xero/openapi/ with the source noted in the README)
/// decodes, and maps as `docs/connectors/xero.md`'s status tables say.
@Suite struct XeroOpenAPIExampleTests {
    @Test("invoice examples", arguments: [
        ("invoices-list.json", [PaymentStatus.voided, .paid, .overdue]),  // VOIDED; PAID, 46.00 paid; AUTHORISED, due 2018-11-07
        ("invoices-created.json", [.overdue]),                           // AUTHORISED, 40.00 due on 2018-12-10
        ("invoice-by-id.json", [.paid]),                                 // PAID, 148,062.76 paid
        ("invoice-updated.json", [.draft]),                              // SUBMITTED (awaiting approval)
    ])
    func invoices(file: String, statuses: [PaymentStatus]) throws {
        let page = try decodeFixture("openapi/\(file)", entity: .invoices)
        #expect(page.rejects.isEmpty, "\(page.rejects)")
        #expect(page.observations.map(\.status) == statuses)
        #expect(page.observations.allSatisfy { $0.currency?.code == "NZD" && $0.key.kind == .invoice })
    }

    @Test func theListExampleKeepsItsAmountsExactly() throws {
        let page = try decodeFixture("openapi/invoices-list.json", entity: .invoices)
        #expect(page.observations[1].paid?.decimalText == "46.00" && page.observations[1].due?.decimalText == "0.00")
        #expect(page.observations[2].due?.decimalText == "115.00")
        #expect(page.observations[2].invoiceNumber == "INV-0003")
    }

    @Test("payment examples", arguments: [
        ("payments-list.json", [ObjectKind.payment, .refund], [PaymentStatus.paid, .refunded], 0),  // ACCRECPAYMENT; ARCREDITPAYMENT
        ("payments-created.json", [.payment], [.paid], 0),
        ("payment-by-id.json", [.payment], [.paid], 0),
        ("payment-deleted.json", [], [], 1),                                                          // APCREDITPAYMENT: a supplier's, out of scope
    ])
    func payments(file: String, kinds: [ObjectKind], statuses: [PaymentStatus], outOfScope: Int) throws {
        let page = try decodeFixture("openapi/\(file)", entity: .payments)
        #expect(page.rejects.isEmpty, "\(page.rejects)")
        #expect(page.observations.map(\.key.kind) == kinds)
        #expect(page.observations.map(\.status) == statuses)
        #expect(page.outOfScope == outOfScope)
    }

    @Test("credit note examples", arguments: [
        ("credit-notes-list.json", [PaymentStatus.partiallyRefunded], 1),  // ACCRECCREDIT CN-0005, 2.00 of 34.50 paid out; an ACCPAYCREDIT
        ("credit-note-by-id.json", [.partiallyRefunded], 0),
        ("credit-notes-created.json", [], 1),                              // supplier credit notes: out of scope
        ("credit-notes-updated.json", [], 1),
        ("credit-note-updated.json", [], 1),
    ])
    func creditNotes(file: String, statuses: [PaymentStatus], outOfScope: Int) throws {
        let page = try decodeFixture("openapi/\(file)", entity: .creditNotes)
        #expect(page.rejects.isEmpty, "\(page.rejects)")
        #expect(page.observations.map(\.status) == statuses)
        #expect(page.observations.allSatisfy { $0.key.kind == .creditNote })
        #expect(page.outOfScope == outOfScope)
    }

    /// The specification's refund (`ARCREDITPAYMENT`, 2.00, "Too much") and its credit note
    /// (CN-0005, 2.00 paid out of 34.50) are one story: the refund names the credit note, the
    /// credit note names no invoice (no allocations), so no invoice moves.
    @Test func theRefundExampleBelongsToTheCreditNoteExample() throws {
        let refund = try #require(try decodeFixture("openapi/payments-list.json", entity: .payments).observations.first { $0.key.kind == .refund })
        let note = try #require(try decodeFixture("openapi/credit-notes-list.json", entity: .creditNotes).observations.first)
        #expect(refund[text: .parentKey] == note.key.description)
        #expect(note.key.description == "xero:tenant-a:credit_note:249f15fa-f2a7-4acc-8769-0984103f2225")
        #expect(note[text: .parentKey] == nil)
        #expect(note.total?.decimalText == "34.50" && note.due?.decimalText == "32.50" && note.invoiceNumber == "CN-0005")
        #expect(note.lastPaymentID == "6b037c9b-2e5d-4905-84d3-eabfb3438242" && note.reference == "US Tour")
        #expect(RefundLinking.refunded(against: ObjectKey(provider: "xero", account: "tenant-a", kind: .invoice, externalID: "any"),
                                       currency: note.currency, documents: [refund, note]) == 0)
    }
}

/// The credit-note status table (`XeroMapping.creditNoteStatus`, docs/connectors/xero.md).
@Suite struct XeroCreditNoteStatusTests {
    @Test("status by what became of the credit", arguments: [
        ("DRAFT", Int64(0), PaymentStatus.draft),
        ("SUBMITTED", 0, .draft),
        ("AUTHORISED", 0, .sent),
        ("AUTHORISED", 500, .partiallyRefunded),
        ("PAID", 0, .paid),
        ("PAID", 500, .partiallyRefunded),
        ("PAID", 1_000, .refunded),
        ("VOIDED", 0, .voided),
        ("DELETED", 0, .voided),
        ("ARCHIVED", 0, .unknown("ARCHIVED")),
    ])
    func table(status: String, paidOut: Int64, expected: PaymentStatus) {
        #expect(XeroMapping.creditNoteStatus(status: status, paidOut: paidOut, total: 1_000) == expected)
    }

    @Test func anAllocationToOneInvoiceIsTheLinkAndSeveralAreNone() throws {
        func note(_ allocations: [XeroCreditNote.Allocation]) throws -> Observation? {
            let wire = XeroCreditNote(creditNoteID: "cn-1", creditNoteNumber: "CN-1", type: "ACCRECCREDIT", status: "PAID", currencyCode: "GBP",
                                      total: WireAmount(text: "10.00"), remainingCredit: WireAmount(text: "0.00"), allocations: allocations,
                                      updatedDateUTC: "/Date(1746172800000+0000)/")
            guard case .observation(let observation) = try XeroMapping.observation(of: wire, tenant: "t", path: "CreditNotes[0]") else { return nil }
            return observation
        }
        let one = try note([.init(invoiceID: "inv-1", amount: WireAmount(text: "6.00")), .init(invoiceID: "inv-1", amount: WireAmount(text: "4.00"))])
        #expect(one?[text: .parentKey] == "xero:t:invoice:inv-1")
        let two = try note([.init(invoiceID: "inv-1", amount: WireAmount(text: "6.00")), .init(invoiceID: "inv-2", amount: WireAmount(text: "4.00"))])
        #expect(two?[text: .parentKey] == nil)
        let deleted = try note([.init(invoiceID: "inv-1", amount: WireAmount(text: "6.00"), isDeleted: true), .init(invoiceID: "inv-2", amount: WireAmount(text: "4.00"))])
        #expect(deleted?[text: .parentKey] == "xero:t:invoice:inv-2", "a deleted allocation links nothing")
    }
}

@Suite struct XeroBankTransactionTests {
    @Test func theOpenAPIListExampleKeepsReceiptsAndLeavesSpendingOut() throws {
        let page = try decodeFixture("openapi/bank-transactions-list.json", entity: .bankTransactions)
        #expect(page.rejects.isEmpty, "\(page.rejects)")
        #expect(page.outOfScope == 2, "the two SPEND-OVERPAYMENTs")
        let receipt = try #require(page.observations.first)
        #expect(page.observations.count == 1)
        #expect(receipt.key.description == "xero:tenant-a:bank_transaction:db54aab0-ad40-4ced-bcff-0940ba20db2c")
        #expect(receipt.status == .paid)
        #expect(receipt.total == Money(minorUnits: 1_000, currency: Currency(code: "USD")!))
        #expect(receipt[text: .counterpartyName] == "sam")
        #expect(receipt[text: .bookingStatus] == "pending")
        #expect(receipt[date: .valueDate]?.description == "2016-10-13")
        #expect(receipt.providerStatus == "RECEIVE AUTHORISED")
    }

    @Test("bank transaction status table", arguments: [
        ("RECEIVE", "AUTHORISED", PaymentStatus?.some(.paid)),
        ("RECEIVE-OVERPAYMENT", "AUTHORISED", .paid),
        ("RECEIVE-PREPAYMENT", "AUTHORISED", .paid),
        ("RECEIVE", "DELETED", .voided),
        ("RECEIVE", "VOIDED", .voided),
        ("RECEIVE", "PENDING", .unknown("PENDING")),
        ("SPEND", "AUTHORISED", nil),
        ("SPEND-PREPAYMENT", "AUTHORISED", nil),
        ("RECEIVE-TRANSFER", "AUTHORISED", nil),
    ])
    func statuses(type: String, status: String, expected: PaymentStatus?) {
        let inScope = XeroMapping.isReceipt(bankTransactionType: type)
        #expect(inScope == (expected != nil))
        if let expected { #expect(XeroMapping.bankTransactionStatus(status: status) == expected) }
    }
}
