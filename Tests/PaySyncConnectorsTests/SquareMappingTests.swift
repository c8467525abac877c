import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// Square objects: every row of the status table in docs/connectors/square.md, from the API
/// reference's shapes.
@Suite struct SquareMappingTests {
    @Test(arguments: [("COMPLETED", Int64(0), "paid"), ("COMPLETED", 100, "partially_refunded"), ("COMPLETED", 555, "refunded"), ("APPROVED", 0, "pending"),
                      ("PENDING", 0, "pending"), ("CANCELED", 0, "voided"), ("FAILED", 0, "failed"), ("TELEPORTED", 0, "unknown:TELEPORTED")])
    func payments(status: String, refunded: Int64, expected: String) throws {
        let json = #"""
            {"id": "bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY", "created_at": "2021-10-13T19:34:33.524Z", "updated_at": "2021-10-13T19:34:34.339Z",
             "amount_money": {"amount": 555, "currency": "USD"}, "refunded_money": {"amount": \#(refunded), "currency": "USD"}, "status": "\#(status)",
             "source_type": "CARD", "location_id": "L88917AVBK2S5", "order_id": "pRsjRTgFWATl7so6DxdKBJa7ssbZY", "reference_id": "123456",
             "buyer_email_address": "amelia@example.com", "receipt_number": "bP9m"}
            """#
        let payment = try SquareMapping.payment(try JSONDecoder().decode(SquarePayment.self, from: Data(json.utf8)), location: "L88917AVBK2S5")
        #expect(payment.status.rawValue == expected)
        #expect(payment.key.description == "square:L88917AVBK2S5:payment:bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY")
        #expect(payment.total?.description == "5.55 USD" && payment.reference == "123456" && payment.customerEmail == "amelia@example.com")
        #expect(payment.updatedAt == Timestamp(iso: "2021-10-13T19:34:34.339Z"))
    }

    @Test(arguments: [("PENDING", "pending"), ("COMPLETED", "refunded"), ("REJECTED", "failed"), ("FAILED", "failed")])
    func refunds(status: String, expected: String) throws {
        let json = #"{"id": "bP9m_odr", "status": "\#(status)", "amount_money": {"amount": 100, "currency": "USD"}, "payment_id": "bP9m", "order_id": "o1", "created_at": "2021-10-13T21:23:19.116Z", "updated_at": "2021-10-13T21:23:19.508Z", "location_id": "L1", "reason": "Example"}"#
        let refund = try SquareMapping.refund(try JSONDecoder().decode(SquareRefund.self, from: Data(json.utf8)), location: "L1")
        #expect(refund.status.rawValue == expected && refund[text: .parentKey] == "square:L1:payment:bP9m")
    }

    @Test(arguments: [("DRAFT", "draft"), ("UNPAID", "sent"), ("SCHEDULED", "sent"), ("PARTIALLY_PAID", "partially_paid"), ("PAID", "paid"),
                      ("PARTIALLY_REFUNDED", "partially_refunded"), ("REFUNDED", "refunded"), ("CANCELED", "voided"), ("FAILED", "failed"),
                      ("PAYMENT_PENDING", "pending")])
    func invoices(status: String, expected: String) throws {
        let json = #"""
            {"id": "inv:0-ChCHu2mZEabLeeHahQnXDjZQECY", "version": 3, "location_id": "L1", "order_id": "o1",
             "payment_requests": [{"uid": "2da7", "request_type": "BALANCE", "due_date": "2030-01-24",
                                   "computed_amount_money": {"amount": 10000, "currency": "USD"}, "total_completed_amount_money": {"amount": 2500, "currency": "USD"}}],
             "primary_recipient": {"customer_id": "JDKYHBWT1D4F8MFH63DBMEN8Y4", "given_name": "Amelia", "family_name": "Earhart", "email_address": "Amelia.Earhart@example.com"},
             "invoice_number": "inv-100", "status": "\#(status)", "timezone": "America/Los_Angeles",
             "created_at": "2020-06-18T17:45:13Z", "updated_at": "2020-06-18T18:23:11Z"}
            """#
        let invoice = try SquareMapping.invoice(try JSONDecoder().decode(SquareInvoice.self, from: Data(json.utf8)), location: "L1")
        #expect(invoice.status.rawValue == expected)
        #expect(invoice.invoiceNumber == "inv-100" && invoice.dueDate?.description == "2030-01-24" && invoice.version == "3")
        #expect(invoice.total?.description == "100.00 USD" && invoice.paid?.description == "25.00 USD" && invoice.due?.description == "75.00 USD")
        #expect(invoice.customerName == "Amelia Earhart" && invoice.customerEmail == "Amelia.Earhart@example.com")
    }

    @Test(arguments: [("INQUIRY_EVIDENCE_REQUIRED", "disputed"), ("INQUIRY_PROCESSING", "disputed"), ("EVIDENCE_REQUIRED", "disputed"),
                      ("PROCESSING", "disputed"), ("WON", "paid"), ("INQUIRY_CLOSED", "paid"), ("LOST", "refunded"), ("ACCEPTED", "refunded")])
    func disputes(state: String, expected: String) throws {
        let json = #"{"dispute_id": "XDgyFu7yo1E2S5lQGGpYn", "amount_money": {"amount": 2500, "currency": "USD"}, "reason": "NO_KNOWLEDGE", "state": "\#(state)", "due_at": "2022-07-13T00:00:00.000Z", "disputed_payment": {"payment_id": "APgIq6RX2jM6DKDhMHiC6QEkuaB"}, "card_brand": "VISA", "created_at": "2022-06-29T18:45:22.265Z", "updated_at": "2022-07-07T19:14:42.650Z", "location_id": "L1"}"#
        let dispute = try SquareMapping.dispute(try JSONDecoder().decode(SquareDispute.self, from: Data(json.utf8)), location: "L1")
        #expect(dispute.status.rawValue == expected && dispute.key.externalID == "XDgyFu7yo1E2S5lQGGpYn")
        #expect(dispute[text: .parentKey] == "square:L1:payment:APgIq6RX2jM6DKDhMHiC6QEkuaB")
    }

    @Test func moneyWrittenAsCurrencyCodeIsReadToo() throws {
        let money = try JSONDecoder().decode(SquareMoney.self, from: Data(#"{"amount": 1, "currency_code": "JPY"}"#.utf8))
        #expect(money.amount == 1 && money.currency == "JPY")
    }
}
