import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// Mollie: every row of the status table in docs/connectors/mollie.md, from the API reference's shapes.
@Suite struct MollieMappingTests {
    static func payment(_ status: String, refunded: String? = nil, chargedBack: String? = nil) throws -> Observation {
        var extra = ""
        if let refunded { extra += #", "amountRefunded": {"currency": "EUR", "value": "\#(refunded)"}"# }
        if let chargedBack { extra += #", "amountChargedBack": {"currency": "EUR", "value": "\#(chargedBack)"}"# }
        let json = #"""
            {"resource": "payment", "id": "tr_7UhSN1zuXS", "mode": "live", "createdAt": "2024-03-20T09:13:37+00:00",
             "amount": {"value": "10.00", "currency": "EUR"}, "description": "Order #12345", "method": "ideal", "metadata": {"order_id": "12345"},
             "status": "\#(status)", "paidAt": "2024-03-20T09:14:37+00:00", "profileId": "pfl_QkEhN94Ba", "sequenceType": "oneoff"\#(extra)}
            """#
        return try MollieMapping.payment(try JSONDecoder().decode(MolliePayment.self, from: Data(json.utf8)), account: "profile")
    }

    @Test(arguments: [("open", nil, nil, "pending"), ("pending", nil, nil, "pending"), ("authorized", nil, nil, "pending"), ("paid", nil, nil, "paid"),
                      ("paid", "4.00", nil, "partially_refunded"), ("paid", "10.00", nil, "refunded"), ("paid", nil, "10.00", "disputed"),
                      ("canceled", nil, nil, "voided"), ("expired", nil, nil, "expired"), ("failed", nil, nil, "failed")] as [(String, String?, String?, String)])
    func payments(status: String, refunded: String?, chargedBack: String?, expected: String) throws {
        let payment = try Self.payment(status, refunded: refunded, chargedBack: chargedBack)
        #expect(payment.status.rawValue == expected)
        #expect(payment.total?.description == "10.00 EUR" && payment.reference == "Order #12345" && payment[text: .metadata] == #"{"order_id":"12345"}"#)
        #expect(payment.updatedAt == Timestamp(iso: "2024-03-20T09:14:37Z"), "the latest state's time")
    }

    @Test(arguments: [("queued", "pending"), ("pending", "pending"), ("processing", "pending"), ("refunded", "refunded"), ("failed", "failed"), ("canceled", "voided")])
    func refunds(status: String, expected: String) throws {
        let json = #"{"resource": "refund", "id": "re_4qqhO89gsT", "amount": {"currency": "EUR", "value": "5.95"}, "status": "\#(status)", "createdAt": "2023-03-14T17:09:02+00:00", "description": "Order", "paymentId": "tr_7UhSN1zuXS"}"#
        let refund = try MollieMapping.refund(try JSONDecoder().decode(MollieRefund.self, from: Data(json.utf8)), account: "profile")
        #expect(refund.status.rawValue == expected && refund[text: .parentKey] == "mollie:profile:payment:tr_7UhSN1zuXS")
    }

    @Test func chargebacksAreDisputedUntilReversed() throws {
        let open = #"{"resource": "chargeback", "id": "chb_n9z0tp", "amount": {"currency": "USD", "value": "43.38"}, "settlementAmount": {"currency": "EUR", "value": "-35.07"}, "createdAt": "2023-03-14T17:09:02+00:00", "reversedAt": null, "paymentId": "tr_7UhSN1zuXS", "reason": {"code": "AC01", "description": "Account identifier incorrect"}}"#
        let chargeback = try MollieMapping.chargeback(try JSONDecoder().decode(MollieChargeback.self, from: Data(open.utf8)), account: "profile")
        #expect(chargeback.status == .disputed && chargeback.key.kind == .dispute && chargeback.total?.description == "43.38 USD" && chargeback.reference == "AC01")
        let reversed = open.replacingOccurrences(of: #""reversedAt": null"#, with: #""reversedAt": "2023-03-20T10:00:00+00:00""#)
        #expect(try MollieMapping.chargeback(try JSONDecoder().decode(MollieChargeback.self, from: Data(reversed.utf8)), account: "profile").status == .paid)
    }

    @Test func moreDecimalsThanTheCurrencyHasAreRejected() throws {
        let json = #"{"resource": "payment", "id": "tr_1", "createdAt": "2024-03-20T09:13:37+00:00", "amount": {"value": "10.001", "currency": "EUR"}, "status": "paid"}"#
        #expect(throws: ObjectRejection.self) { try MollieMapping.payment(try JSONDecoder().decode(MolliePayment.self, from: Data(json.utf8)), account: "profile") }
    }
}
