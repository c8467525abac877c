import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// PayPal: every row of the status tables in docs/connectors/paypal.md, in the shapes of
/// PayPal's own specifications (paypal/paypal-rest-api-specifications).
@Suite struct PayPalMappingTests {
    static func row(code: String, status: String, amount: String, reference: String? = nil) throws -> Observation? {
        let json = #"""
            {"transaction_info": {"paypal_account_id": "6STWC2LSUYYYE", "transaction_id": "5TY05013RG002845M", \#(reference.map { "\"paypal_reference_id\": \"\($0)\", \"paypal_reference_id_type\": \"TXN\"," } ?? "")
              "transaction_event_code": "\#(code)", "transaction_initiation_date": "2014-07-11T04:03:52+0000", "transaction_updated_date": "2014-07-11T04:03:52+0000",
              "transaction_amount": {"currency_code": "USD", "value": "\#(amount)"}, "fee_amount": {"currency_code": "USD", "value": "-15.05"},
              "transaction_status": "\#(status)", "invoice_id": "Invoice-005", "custom_field": "deal-42", "protection_eligibility": "01"},
             "payer_info": {"account_id": "6STWC2LSUYYYE", "email_address": "consumer@example.com", "address_status": "Y", "payer_status": "Y",
                            "payer_name": {"given_name": "test", "surname": "consumer", "alternate_full_name": "test consumer"}, "country_code": "US"}}
            """#
        return try PayPalMapping.transaction(try JSONDecoder().decode(PayPalTransactionSearch.Detail.self, from: Data(json.utf8)), account: "merchant")
    }

    @Test(arguments: [("T0006", "S", "465.00", "payment", "paid"), ("T0006", "P", "465.00", "payment", "pending"), ("T0006", "D", "465.00", "payment", "failed"),
                      ("T0006", "V", "465.00", "payment", "refunded"), ("T1107", "S", "-65.00", "refund", "refunded"), ("T1107", "P", "-65.00", "refund", "pending"),
                      ("T1107", "D", "-65.00", "refund", "failed"), ("T1107", "V", "-65.00", "refund", "voided")])
    func transactions(code: String, status: String, amount: String, kind: String, expected: String) throws {
        let observation = try #require(try Self.row(code: code, status: status, amount: amount, reference: code == "T1107" ? "1TX0PARENT" : nil))
        #expect(observation.key.kind.rawValue == kind && observation.status.rawValue == expected)
        #expect(observation.total?.description == "\(amount.hasPrefix("-") ? String(amount.dropFirst()) : amount) USD")
        #expect(observation.updatedAt == Timestamp(iso: "2014-07-11T04:03:52Z"), "an offset without a colon, read exactly")
        if kind == "refund" { #expect(observation[text: .parentKey] == "paypal:merchant:payment:1TX0PARENT") }
        #expect(observation.invoiceNumber == "Invoice-005" && observation.reference == "deal-42" && observation.customerEmail == "consumer@example.com")
    }

    @Test(arguments: [("T0001", "-100.00"), ("T0400", "-50.00"), ("T0006", "-10.00"), ("T1201", "-20.00"), ("T0100", "-1.00")])
    func moneyNotReceivedIsOutOfScope(code: String, amount: String) throws {
        #expect(try Self.row(code: code, status: "S", amount: amount) == nil)
    }

    @Test(arguments: [("OPEN", nil, "disputed"), ("WAITING_FOR_BUYER_RESPONSE", nil, "disputed"), ("WAITING_FOR_SELLER_RESPONSE", nil, "disputed"),
                      ("UNDER_REVIEW", nil, "disputed"), ("OTHER", nil, "disputed"), ("RESOLVED", "RESOLVED_SELLER_FAVOUR", "paid"),
                      ("RESOLVED", "CANCELED_BY_BUYER", "paid"), ("RESOLVED", "DENIED", "paid"), ("RESOLVED", "RESOLVED_BUYER_FAVOUR", "refunded"),
                      ("RESOLVED", "RESOLVED_WITH_PAYOUT", "refunded"), ("RESOLVED", "ACCEPTED", "refunded")] as [(String, String?, String)])
    func disputes(status: String, outcome: String?, expected: String) throws {
        let json = #"""
            {"dispute_id": "PP-D-27803", "create_time": "2019-04-11T04:18:00.000Z", "update_time": "2019-04-21T04:19:08.000Z",
             "disputed_transactions": [{"seller_transaction_id": "3BC38643YC807283D", "create_time": "2019-04-11T04:16:58.000Z", "transaction_status": "REVERSED",
                                        "gross_amount": {"currency_code": "USD", "value": "192.00"}}],
             "reason": "MERCHANDISE_OR_SERVICE_NOT_RECEIVED", "status": "\#(status)", "dispute_amount": {"currency_code": "USD", "value": "96.00"}
             \#(outcome.map { ", \"dispute_outcome\": {\"outcome_code\": \"\($0)\"}" } ?? "")}
            """#
        let dispute = try PayPalMapping.dispute(try JSONDecoder().decode(PayPalDispute.self, from: Data(json.utf8)), account: "merchant")
        #expect(dispute.status.rawValue == expected && dispute[text: .parentKey] == "paypal:merchant:payment:3BC38643YC807283D")
        #expect(dispute.total?.description == "96.00 USD")
    }

    @Test(arguments: [("DRAFT", "draft"), ("SENT", "sent"), ("SCHEDULED", "sent"), ("UNPAID", "sent"), ("PAYMENT_PENDING", "pending"),
                      ("PARTIALLY_PAID", "partially_paid"), ("PAID", "paid"), ("MARKED_AS_PAID", "paid"), ("CANCELLED", "voided"), ("REFUNDED", "refunded"),
                      ("MARKED_AS_REFUNDED", "refunded"), ("PARTIALLY_REFUNDED", "partially_refunded")])
    func invoices(status: String, expected: String) throws {
        let json = #"""
            {"id": "INV2-Z56S-5LLA-Q52L-CPZ5", "status": "\#(status)",
             "detail": {"invoice_number": "#123", "reference": "deal-ref", "invoice_date": "2018-11-12", "currency_code": "USD",
                        "payment_term": {"term_type": "NET_10", "due_date": "2018-11-22"},
                        "metadata": {"create_time": "2018-11-12T08:00:20Z", "last_update_time": "2018-11-12T08:00:20Z"}},
             "primary_recipients": [{"billing_info": {"name": {"given_name": "Stephanie", "surname": "Meyers"}, "email_address": "bill-me@example.com"}}],
             "amount": {"currency_code": "USD", "value": "74.21"}, "due_amount": {"currency_code": "USD", "value": "64.21"},
             "payments": {"paid_amount": {"currency_code": "USD", "value": "10.00"}}}
            """#
        let invoice = try PayPalMapping.invoice(try JSONDecoder().decode(PayPalInvoice.self, from: Data(json.utf8)), account: "merchant")
        #expect(invoice.status.rawValue == expected && invoice.invoiceNumber == "#123" && invoice.dueDate?.description == "2018-11-22")
        #expect(invoice.total?.description == "74.21 USD" && invoice.paid?.description == "10.00 USD" && invoice.due?.description == "64.21 USD")
        #expect(invoice.customerName == "Stephanie Meyers" && invoice.customerEmail == "bill-me@example.com")
    }

    @Test func moreDecimalsThanTheCurrencyHasAreRejectedNotRounded() throws {
        #expect(throws: ObjectRejection.self) { try Self.row(code: "T0006", status: "S", amount: "10.005") }
    }
}
