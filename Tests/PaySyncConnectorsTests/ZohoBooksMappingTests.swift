import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// Zoho Books: every row of the status tables in docs/connectors/zoho-books.md, from the shapes
/// of Zoho Books' v3 list answers (`list-invoices-response`, credit notes, customer payments).
@Suite struct ZohoBooksMappingTests {
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    static func invoice(_ status: String, total: String = "40.60", balance: String = "40.60") throws -> Observation {
        let json = #"""
            {"invoice_id": "982000000567114", "ach_payment_initiated": false, "customer_name": "Bowman & Co", "customer_id": "982000000567001",
             "status": "\#(status)", "invoice_number": "INV-00003", "reference_number": " ", "date": "2013-11-17", "due_date": "2013-12-03",
             "due_days": "Due in 12 day(s)", "currency_id": "982000000000190", "currency_code": "USD", "is_viewed_by_client": true,
             "has_attachment": false, "client_viewed_time": "2013-11-18T02:40:51-0800", "total": \#(total), "balance": \#(balance),
             "created_time": "2013-11-18T02:02:51-0800", "last_modified_time": "2013-11-18T02:02:51-0800", "is_emailed": true,
             "reminders_sent": 1, "last_reminder_sent_date": " ", "payment_expected_date": " ", "last_payment_date": " ", "exchange_rate": 1.00}
            """#
        return try ZohoBooksMapping.invoice(try decoder().decode(ZohoBooksInvoice.self, from: Data(json.utf8)), organization: "10234695")
    }

    @Test(arguments: [("draft", "draft"), ("pending_approval", "draft"), ("approved", "draft"), ("sent", "sent"), ("unpaid", "sent"),
                      ("viewed", "viewed"), ("overdue", "overdue"), ("partially_paid", "partially_paid"), ("paid", "paid"), ("void", "voided"),
                      ("written_off", "unknown:written_off")])
    func invoices(status: String, expected: String) throws {
        let invoice = try Self.invoice(status)
        #expect(invoice.status.rawValue == expected)
        #expect(invoice.key.description == "zoho-books:10234695:invoice:982000000567114" && invoice.invoiceNumber == "INV-00003")
        #expect(invoice.total?.description == "40.60 USD" && invoice.dueDate == CalendarDate(iso: "2013-12-03"))
    }

    @Test func anOffsetWithoutAColonIsReadExactly() throws {
        let invoice = try Self.invoice("viewed")
        #expect(invoice.updatedAt == Timestamp(iso: "2013-11-18T10:02:51Z"), "-0800 is eight hours behind UTC")
        #expect(invoice[text: .metadata] == #"{"client_viewed_time":"2013-11-18T10:40:51Z"}"#)
    }

    @Test func theBalanceIsWhatIsStillDue() throws {
        let part = try Self.invoice("partially_paid", total: "100.00", balance: "25.50")
        #expect(part.paid?.description == "74.50 USD" && part.due?.description == "25.50 USD")
    }

    @Test(arguments: [("draft", "draft"), ("open", "sent"), ("closed", "paid"), ("void", "voided"), ("refunded", "unknown:refunded")])
    func creditNotes(status: String, expected: String) throws {
        let json = #"{"creditnote_id": "982000000567134", "creditnote_number": "CN-00001", "status": "\#(status)", "reference_number": "", "date": "2013-11-19", "total": 450.00, "balance": 0, "customer_id": "982000000567001", "customer_name": "Bowman & Co", "currency_code": "USD", "created_time": "2013-11-19T02:02:51-0800", "last_modified_time": "2013-11-19T02:02:51-0800"}"#
        let note = try ZohoBooksMapping.creditNote(try Self.decoder().decode(ZohoBooksCreditNote.self, from: Data(json.utf8)), organization: "10234695")
        #expect(note.status.rawValue == expected && note.key.kind == .creditNote && note.total?.description == "450.00 USD")
    }

    @Test func aPaymentWithoutACurrencyIsInTheOrganisationsBaseCurrency() throws {
        let json = #"{"payment_id": "9030000079467", "payment_number": "2", "invoice_numbers": "INV-384", "date": "2016-06-05", "payment_mode": "cash", "amount": 450.00, "bcy_amount": 450.00}"#
        let wire = try Self.decoder().decode(ZohoBooksPayment.self, from: Data(json.utf8))
        let payment = try ZohoBooksMapping.payment(wire, organization: "10234695", baseCurrency: "INR")
        #expect(payment.status == .paid && payment.total?.description == "450.00 INR" && payment.reference == "INV-384")
        #expect(throws: ObjectRejection.self) { try ZohoBooksMapping.payment(wire, organization: "10234695", baseCurrency: nil) }
    }

    @Test func moreDecimalsThanTheCurrencyHasAreRejected() throws {
        #expect(throws: ObjectRejection.self) { try Self.invoice("sent", total: "40.605") }
    }
}
