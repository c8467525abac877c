import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// Every Invoice and Payment example in Xero's official OpenAPI specification (XeroAPI/Xero-OpenAPI,
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
