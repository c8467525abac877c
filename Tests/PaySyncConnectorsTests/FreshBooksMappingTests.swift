import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// FreshBooks: every row of the status table in docs/connectors/freshbooks.md, from the official
/// SDK's invoice fixture (freshbooks-nodejs-sdk `__tests__/Invoice.test.ts`).
@Suite struct FreshBooksMappingTests {
    static func invoice(v3Status: String?, paymentStatus: String = "unpaid", visState: Int = 0) throws -> Observation {
        let status = v3Status.map { #""v3_status": "\#($0)","# } ?? ""
        let json = #"""
            {"accountid": "zDmNq", "amount": {"amount": "1222.00", "code": "USD"}, "auto_bill": false, "create_date": "2019-11-14",
             "created_at": "2019-11-14 11:27:45", "currency_code": "USD", "current_organization": "Hooli", "customerid": 217572,
             "date_paid": null, "display_status": "draft", "due_date": "2019-11-14", "email": "gavin.belson@domain.com", "id": 217506,
             "invoice_number": "SS007", "invoiceid": 217506, "organization": "Hooli", "outstanding": {"amount": "1222.00", "code": "USD"},
             "paid": {"amount": "0.00", "code": "USD"}, "payment_status": "\#(paymentStatus)", "po_number": null, "status": 1,
             "updated": "2019-11-14 11:27:45", \#(status) "vis_state": \#(visState)}
            """#
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try FreshBooksMapping.invoice(try decoder.decode(FreshBooksInvoice.self, from: Data(json.utf8)), account: "zDmNq")
    }

    @Test(arguments: [("created", "draft"), ("draft", "draft"), ("sent", "sent"), ("viewed", "viewed"), ("partial", "partially_paid"),
                      ("deposit-partial", "partially_paid"), ("deposit-paid", "partially_paid"), ("paid", "paid"), ("autopaid", "paid"),
                      ("success", "paid"), ("resolved", "paid"), ("overdue", "overdue"), ("disputed", "disputed"), ("failed", "failed"),
                      ("declined", "failed"), ("retry", "pending"), ("pending", "pending"), ("archived-ish", "unknown:archived-ish")])
    func v3Statuses(status: String, expected: String) throws {
        let invoice = try Self.invoice(v3Status: status)
        #expect(invoice.status.rawValue == expected)
        #expect(invoice.key.description == "freshbooks:zDmNq:invoice:217506" && invoice.invoiceNumber == "SS007" && invoice.total?.description == "1222.00 USD")
    }

    @Test(arguments: [("unpaid", "sent"), ("partial", "partially_paid"), ("paid", "paid"), ("auto-paid", "paid")])
    func withoutAV3StatusThePaymentStatusDecides(status: String, expected: String) throws {
        #expect(try Self.invoice(v3Status: nil, paymentStatus: status).status.rawValue == expected)
    }

    @Test func deletedIsVoidedWhateverItsStatus() throws {
        #expect(try Self.invoice(v3Status: "paid", visState: 1).status == .voided)
        #expect(try Self.invoice(v3Status: "sent", visState: 2).status == .sent, "archived is still the invoice it was")
    }

    @Test func updatedIsNewYorkTimeReadExactly() throws {
        #expect(try Self.invoice(v3Status: "sent").updatedAt == Timestamp(iso: "2019-11-14T16:27:45Z"), "the SDK's own expectation")
    }
}
