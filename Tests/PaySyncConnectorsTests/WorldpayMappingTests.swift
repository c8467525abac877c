import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// Worldpay: every row of the status table in docs/connectors/worldpay.md, from the shapes of
/// Payment Queries' v1 OpenAPI examples (`retrieveByPaymentId`).
@Suite struct WorldpayMappingTests {
    /// A payment of £12.00 with the given events (name, and an amount where it asks for one),
    /// each a second after the one before; request and submission share a command.
    static func payment(_ events: [(String, Int64?)], lastEvent: String? = nil, listedBackwards: Bool = false) throws -> Observation {
        var command = 0
        let items = events.enumerated().map { index, event -> String in
            if event.0.hasSuffix("Requested") { command += 1 }
            let value = event.1.map { #", "value": {"currency": "GBP", "amount": \#($0)}"# } ?? ""
            return #"{"eventName": "\#(event.0)", "timestamp": "2025-06-08T16:11:\#(String(format: "%02d", 13 + index)).164Z", "commandId": "cmd0ar7Y26_d-vXkf8Rm0\#(command)xT0"\#(value)}"#
        }
        let json = #"""
            {"timestamp": "2025-06-08T16:11:13.164Z", "paymentId": "payVGX28GOT7iDY5qanttPWF0", "transactionReference": "89197aeb-c94a-456e-8014-1272fbcb64eb",
             "narrative": {"line1": "trading name", "line2": "order number"}, "transactionType": "oneTime", "authorizationType": "authorization",
             "entity": "default", "lastEvent": "\#(lastEvent ?? events.last?.0 ?? "")", "issuer": {"authorizationCode": "T31306"},
             "paymentInstrument": {"type": "card/plain+masked", "card": {"number": {"last4Digits": "1111", "cardBin": "444433"}, "brand": "visa"}},
             "value": {"currency": "GBP", "amount": 1200}, "events": [\#((listedBackwards ? items.reversed() : items).joined(separator: ", "))],
             "_links": {"self": {"href": "/paymentQueries/payments/payv0A4Hx2eY1-5P2_CpV7qy0"}}}
            """#
        return try WorldpayMapping.payment(try JSONDecoder().decode(WorldpayPayment.self, from: Data(json.utf8)))
    }

    static let authorised: [(String, Int64?)] = [("authorizationRequested", nil), ("authorizationSucceeded", nil)]

    @Test(arguments: [
        ([("authorizationRequested", nil)], "pending"),
        (authorised, "pending"),
        (authorised + [("settlementRequested", nil)], "pending"),
        (authorised + [("settlementRequested", nil), ("settlementRequestSubmissionFailed", nil)], "pending"),
        (authorised + [("settlementRequested", nil), ("settlementRequestSubmitted", nil)], "paid"),
        ([("saleRequested", nil), ("saleSucceeded", nil)], "paid"),
        (authorised + [("settlementRequested", nil), ("settlementRequestSubmitted", nil), ("refundRequested", 400), ("refundRequestSubmitted", nil)], "partially_refunded"),
        (authorised + [("settlementRequested", nil), ("settlementRequestSubmitted", nil), ("refundRequested", nil), ("refundRequestSubmitted", nil)], "refunded"),
        // The spec's own example: £10 of £12 settled, then £10 refunded: all that was taken.
        (authorised + [("settlementRequested", 1000), ("settlementRequestSubmitted", nil), ("refundRequested", 1000), ("refundRequestSubmitted", nil)], "refunded"),
        (authorised + [("settlementRequested", nil), ("settlementRequestSubmitted", nil), ("refundRequested", nil), ("refundRequestSubmissionFailed", nil)], "paid"),
        (authorised + [("settlementRequested", nil), ("settlementRequestSubmitted", nil), ("reversalRequested", 300), ("reversalRequestSubmitted", nil)], "partially_refunded"),
        ([("authorizationRequested", nil), ("authorizationRefused", nil)], "failed"),
        ([("authorizationRequested", nil), ("authorizationFailed", nil)], "failed"),
        ([("authorizationRequested", nil), ("authorizationTimedOut", nil)], "failed"),
        ([("saleRequested", nil), ("saleRefused", nil)], "failed"),
        (authorised + [("cancellationRequested", nil), ("cancellationRequestSubmitted", nil)], "voided"),
        (authorised + [("reversalRequested", nil), ("reversalRequestSubmitted", nil)], "voided"),
        (authorised + [("chargebackRaised", nil)], "unknown:chargebackRaised"),
    ] as [([(String, Int64?)], String)])
    func histories(events: [(String, Int64?)], expected: String) throws {
        let payment = try Self.payment(events)
        #expect(payment.status.rawValue == expected)
        #expect(payment.total?.description == "12.00 GBP" && payment.reference == "89197aeb-c94a-456e-8014-1272fbcb64eb")
        #expect(payment.key.description == "worldpay:merchant:payment:payVGX28GOT7iDY5qanttPWF0" && payment.providerStatus == events.last?.0)
        #expect(payment.updatedAt == Timestamp(iso: "2025-06-08T16:11:\(String(format: "%02d", 12 + events.count)).164Z"), "the latest event's time")
    }

    @Test func aPartSettlementIsWhatWasTaken() throws {
        let payment = try Self.payment(Self.authorised + [("settlementRequested", 1000), ("settlementRequestSubmitted", nil)])
        #expect(payment.status == .paid && payment.paid?.description == "10.00 GBP")
        // A second refund of the rest of it.
        let twice = try Self.payment(Self.authorised + [("settlementRequested", 1000), ("settlementRequestSubmitted", nil), ("refundRequested", 400),
                                                        ("refundRequestSubmitted", nil), ("refundRequested", 600), ("refundRequestSubmitted", nil)])
        #expect(twice.status == .refunded)
    }

    @Test func eventsAreAppliedInTimeOrderWhateverOrderTheyAreListedIn() throws {
        // Listed newest first, each keeping its own time: the refund still follows the settlement.
        let events = Self.authorised + [("settlementRequested", nil), ("settlementRequestSubmitted", nil), ("refundRequested", 400), ("refundRequestSubmitted", nil)]
        #expect(try Self.payment(events, listedBackwards: true).status == .partiallyRefunded)
        #expect(try Self.payment(events).status == .partiallyRefunded)
    }

    @Test(arguments: [("authorizationSucceeded", "pending"), ("settlementRequestSubmitted", "paid"), ("refundRequestSubmitted", "refunded"),
                      ("authorizationRefused", "failed"), ("cancellationRequestSubmitted", "voided"), ("somethingNew", "unknown:somethingNew")])
    func withoutAHistoryTheLastEventDecides(lastEvent: String, expected: String) throws {
        #expect(try Self.payment([], lastEvent: lastEvent).status.rawValue == expected)
    }

    @Test func anUnknownCurrencyIsRejectedNamingTheField() throws {
        let json = #"{"timestamp": "2025-06-08T16:11:13.164Z", "paymentId": "payX", "value": {"currency": "XYZ", "amount": 100}}"#
        #expect(throws: ObjectRejection.self) { try WorldpayMapping.payment(try JSONDecoder().decode(WorldpayPayment.self, from: Data(json.utf8))) }
    }
}
