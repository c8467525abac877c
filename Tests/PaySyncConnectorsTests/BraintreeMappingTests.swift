import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

@Suite struct BraintreeMappingTests {
    /// Every `PaymentStatus` value of Braintree's `schema.graphql`.
    @Test("PaymentStatus → canonical", arguments: [
        ("SETTLED", PaymentStatus.paid), ("SETTLEMENT_CONFIRMED", .paid),
        ("AUTHORIZING", .pending), ("AUTHORIZED", .pending), ("SUBMITTED_FOR_SETTLEMENT", .pending), ("SETTLING", .pending), ("SETTLEMENT_PENDING", .pending),
        ("SETTLEMENT_DECLINED", .failed), ("PROCESSOR_DECLINED", .failed), ("GATEWAY_REJECTED", .failed), ("FAILED", .failed),
        ("VOIDED", .voided), ("AUTHORIZATION_EXPIRED", .expired),
    ])
    func paymentStatus(status: String, canonical: PaymentStatus) {
        #expect(BraintreeMapping.paymentStatus(status) == canonical)
    }

    /// Every `DisputeStatus` value.
    @Test("DisputeStatus → canonical", arguments: [
        ("OPEN", PaymentStatus.disputed), ("UNDER_REVIEW", .disputed), ("DISPUTED", .disputed), ("WON", .paid),
        ("LOST", .refunded), ("ACCEPTED", .refunded), ("AUTO_ACCEPTED", .refunded), ("EXPIRED", .refunded),
    ])
    func disputeStatus(status: String, canonical: PaymentStatus) {
        #expect(BraintreeMapping.disputeStatus(status) == canonical)
    }

    @Test func aTransactionNodeBecomesAnObservationAtItsLatestStatusTime() throws {
        let node = try JSONParser.parse(#"""
        {"id":"dHJhbnNhY3Rpb25fa2UxMjM0NQ","legacyId":"ke12345","createdAt":"2025-05-01T09:00:00.000000Z","orderId":"INV-2024-0042","status":"SETTLED",
         "amount":{"value":"1250.00","currencyCode":"EUR"},"customer":{"id":"Y3VzdG9tZXJfMQ","email":"ap@acme.example","firstName":"Ada","lastName":"Lovelace","company":null},
         "statusHistory":[{"status":"AUTHORIZED","timestamp":"2025-05-01T09:00:00.000000Z"},{"status":"SUBMITTED_FOR_SETTLEMENT","timestamp":"2025-05-01T09:00:01.000000Z"},
                          {"status":"SETTLED","timestamp":"2025-05-02T04:12:00.000000Z"}]}
        """#)
        let observation = try BraintreeMapping.transaction(node, account: "merchant")
        #expect(observation.status == .paid)
        #expect(observation.total?.minorUnits == 125_000)
        #expect(observation.invoiceNumber == "INV-2024-0042")
        #expect(observation.updatedAt == Timestamp(iso: "2025-05-02T04:12:00Z"))
        #expect(observation.lastPaymentDate == CalendarDate(year: 2025, month: 5, day: 2))
        #expect(observation.customerName == "Ada Lovelace")
        let refund = try BraintreeMapping.refund(try JSONParser.parse(#"{"id":"r1","status":"SETTLED","amount":{"value":"10.00","currencyCode":"EUR"},"refundedTransaction":{"id":"dHJhbnNhY3Rpb25fa2UxMjM0NQ"},"createdAt":"2025-05-03T10:00:00Z"}"#), account: "merchant")
        #expect(refund.status == .refunded)
        #expect(refund[.parentKey] == .text("braintree:merchant:payment:dHJhbnNhY3Rpb25fa2UxMjM0NQ"))
        #expect(throws: ObjectRejection.self) { try BraintreeMapping.transaction(try JSONParser.parse(#"{"id":"x","status":"SETTLED","amount":{"value":"1.00","currencyCode":"XXQ"}}"#), account: "m") }
    }
}
