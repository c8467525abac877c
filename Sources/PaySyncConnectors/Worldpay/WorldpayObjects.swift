import Foundation

// Access Worldpay's Payment Queries objects, as much of each as paysync reads (Payment Queries
// v1 OpenAPI, `openapi.json` on docs.worldpay.com, copied into api-evangelist/worldpay as
// `openapi/_original/worldpay-payment-queries-openapi.yaml`; ../shared/reference/payments-apis.md §9).
// Answers are HAL, `Content-Type: application/vnd.worldpay.payment-queries-v1.hal+json`.

/// `{"amount": 650, "currency": "GBP"}`: whole minor units ("a whole number including the
/// currency exponent").
public struct WorldpayValue: Decodable, Sendable {
    public let amount: Int64
    public let currency: String
}

public struct WorldpayLink: Decodable, Sendable {
    public let href: String
}

/// One payment of a date-range query (`queryByDateRange`): no events, no `lastEvent`.
public struct WorldpayPaymentSummary: Decodable, Sendable {
    public let paymentId: String
    public let timestamp: String
    public let transactionReference: String?
    public let value: WorldpayValue?
}

/// One event of a payment's history (`retrieveByPaymentId`): `eventName`, when, and for a
/// settlement, refund or reversal request the amount asked for (absent: the whole of it); the
/// request and its "submitted" event share a `commandId`.
public struct WorldpayEvent: Decodable, Sendable {
    public let eventName: String
    public let timestamp: String?
    public let commandId: String?
    public let type: String?
    public let value: WorldpayValue?
}

/// A payment with its event history (`GET /paymentQueries/payments/{paymentId}`).
public struct WorldpayPayment: Decodable, Sendable {
    public let paymentId: String
    public let timestamp: String
    public let transactionReference: String?
    public let transactionType: String?
    public let entity: String?
    public let lastEvent: String?
    public let value: WorldpayValue
    public let events: [WorldpayEvent]?
    public let narrative: Narrative?

    public struct Narrative: Decodable, Sendable {
        public let line1: String?
        public let line2: String?
    }
}

/// A date-range query's page: `_embedded.payments` (absent or empty when none) and `_links.next`.
public struct WorldpayPaymentList: Decodable, Sendable {
    public let payments: [Lossy<WorldpayPaymentSummary>]
    public let next: String?

    enum CodingKeys: String, CodingKey {
        case embedded = "_embedded"
        case links = "_links"
    }

    struct Embedded: Decodable {
        let payments: [Lossy<WorldpayPaymentSummary>]?
    }

    struct Links: Decodable {
        let next: WorldpayLink?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        payments = try container.decodeIfPresent(Embedded.self, forKey: .embedded)?.payments ?? []
        next = try container.decodeIfPresent(Links.self, forKey: .links)?.next?.href
    }
}
