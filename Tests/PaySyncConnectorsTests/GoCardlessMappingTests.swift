import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// GoCardless resources: every row of the status table in docs/connectors/gocardless.md, decoded
/// from the API reference's shapes.
@Suite struct GoCardlessMappingTests {
    static let at = Timestamp(iso: "2025-05-02T09:00:00Z")!

    static func payment(_ status: String, refunded: Int64 = 0) throws -> Observation {
        let json = #"""
            {"id": "PM123", "created_at": "2014-05-08T17:01:06.000Z", "charge_date": "2014-05-21", "amount": 1000, "description": null,
             "currency": "GBP", "status": "\#(status)", "reference": "WINEBOX001", "metadata": {"order_dispatch_date": "2014-05-22"},
             "amount_refunded": \#(refunded), "retry_if_possible": false, "links": {"mandate": "MD123", "creditor": "CR123", "subscription": "SB9"}}
            """#
        return try GoCardlessMapping.payment(try JSONDecoder().decode(GoCardlessPayment.self, from: Data(json.utf8)), account: "merchant", at: at)
    }

    @Test(arguments: [
        ("pending_customer_approval", Int64(0), "pending"), ("pending_submission", 0, "pending"), ("submitted", 0, "pending"),
        ("confirmed", 0, "paid"), ("paid_out", 0, "paid"), ("paid_out", 400, "partially_refunded"), ("confirmed", 1000, "refunded"),
        ("cancelled", 0, "voided"), ("customer_approval_denied", 0, "failed"), ("failed", 0, "failed"), ("charged_back", 0, "disputed"),
        ("late_for_tea", 0, "unknown:late_for_tea"),
    ])
    func paymentStatuses(status: String, refunded: Int64, expected: String) throws {
        #expect(try Self.payment(status, refunded: refunded).status.rawValue == expected)
    }

    @Test func aPaymentKeepsItsAmountReferenceDatesAndMetadata() throws {
        let payment = try Self.payment("confirmed")
        #expect(payment.key.description == "gocardless:merchant:payment:PM123")
        #expect(payment.total?.description == "10.00 GBP" && payment.paid?.description == "10.00 GBP")
        #expect(payment.reference == "WINEBOX001" && payment.lastPaymentDate?.description == "2014-05-21" && payment.documentDate?.description == "2014-05-08")
        #expect(payment[text: .metadata] == #"{"order_dispatch_date":"2014-05-22"}"# && payment[text: .subscriptionID] == "SB9")
        #expect(try Self.payment("pending_submission").paid?.minorUnits == 0, "nothing received yet")
    }

    @Test(arguments: [("created", "pending"), ("pending_submission", "pending"), ("submitted", "pending"), ("paid", "refunded"),
                      ("cancelled", "voided"), ("bounced", "failed"), ("funds_returned", "failed")])
    func refundStatuses(status: String, expected: String) throws {
        let json = #"{"id": "RF123", "created_at": "2014-05-08T17:01:06.000Z", "amount": 100, "currency": "GBP", "reference": "partner fee", "metadata": {}, "status": "\#(status)", "links": {"payment": "PM123", "mandate": "MD123"}}"#
        let refund = try GoCardlessMapping.refund(try JSONDecoder().decode(GoCardlessRefund.self, from: Data(json.utf8)), account: "merchant", at: Self.at)
        #expect(refund.status.rawValue == expected)
        #expect(refund[text: .parentKey] == "gocardless:merchant:payment:PM123")
    }

    @Test(arguments: [("pending_customer_approval", "pending"), ("customer_approval_denied", "failed"), ("active", "active"), ("paused", "paused"),
                      ("cancelled", "canceled"), ("finished", "canceled")])
    func subscriptionStatuses(status: String, expected: String) throws {
        let json = #"{"id": "SB123", "created_at": "2014-10-20T17:01:06.000Z", "amount": 2500, "currency": "GBP", "status": "\#(status)", "name": "Monthly Magazine", "start_date": "2014-11-03", "end_date": null, "interval": 1, "interval_unit": "monthly", "day_of_month": 1, "metadata": {}, "upcoming_payments": [], "links": {"mandate": "MA123"}}"#
        let subscription = try GoCardlessMapping.subscription(try JSONDecoder().decode(GoCardlessSubscription.self, from: Data(json.utf8)), account: "merchant", at: Self.at)
        #expect(subscription.status.rawValue == expected)
        #expect(subscription.total?.description == "25.00 GBP")
    }

    @Test(arguments: [("pending_customer_approval", "pending"), ("pending_submission", "pending"), ("submitted", "pending"), ("active", "active"),
                      ("failed", "failed"), ("blocked", "failed"), ("cancelled", "canceled"), ("suspended_by_payer", "canceled"), ("expired", "expired"),
                      ("consumed", "expired")])
    func mandateStatuses(status: String, expected: String) throws {
        let json = #"{"id": "MD123", "created_at": "2014-10-20T17:01:06.000Z", "reference": "REF-123", "status": "\#(status)", "scheme": "bacs", "next_possible_charge_date": "2014-11-10", "payments_require_approval": false, "metadata": {"contract": "ABCD1234"}, "links": {"customer_bank_account": "BA123", "creditor": "CR123", "customer": "CU123"}}"#
        let mandate = try GoCardlessMapping.mandate(try JSONDecoder().decode(GoCardlessMandate.self, from: Data(json.utf8)), account: "merchant", at: Self.at)
        #expect(mandate.status.rawValue == expected && mandate.key.description == "gocardless:merchant:mandate:MD123")
        #expect(mandate.customerID == "CU123" && mandate.reference == "REF-123")
    }

    @Test func theReferencesEventShapeDecodes() throws {
        let json = #"{"events": [{"id": "EV123", "created_at": "2014-04-08T17:01:06.000Z", "action": "confirmed", "resource_type": "payments", "links": {"payment": "PM123"}, "details": {"origin": "gocardless", "cause": "payment_confirmed", "description": "Payment was confirmed as collected"}, "metadata": {}}], "meta": {"cursors": {"before": null, "after": null}, "limit": 50}}"#
        let list = try JSONDecoder().decode(GoCardlessEventList.self, from: Data(json.utf8))
        let event = try list.events[0].result.get()
        #expect(event.resourceType == "payments" && event.links?.payment == "PM123" && event.details?.cause == "payment_confirmed")
        #expect(list.meta?.cursors?.after == nil)
    }
}
