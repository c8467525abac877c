import Foundation

// GoCardless's wire objects, as much of each as paysync reads (../shared/reference/payments-apis.md
// §7; the API reference's payment, refund, subscription and event resources). Lists answer
// `{"<resources>": [...], "linked": {...}, "meta": {"cursors": {"before", "after"}, "limit"}}`.

public struct GoCardlessCursors: Decodable, Sendable {
    public let after: String?
    public let before: String?
}

public struct GoCardlessMeta: Decodable, Sendable {
    public let cursors: GoCardlessCursors?
    public let limit: Int?
}

public struct GoCardlessPayment: Decodable, Sendable {
    public struct Links: Decodable, Sendable {
        public let mandate: String?
        public let subscription: String?
        public let payout: String?
    }

    public let id: String
    public let status: String
    public let amount: Int64
    public let amountRefunded: Int64?
    public let currency: String
    public let createdAt: String
    public let chargeDate: String?
    public let description: String?
    public let reference: String?
    public let metadata: [String: String]?
    public let links: Links?

    enum CodingKeys: String, CodingKey {
        case id, status, amount, currency, description, reference, metadata, links
        case amountRefunded = "amount_refunded"
        case createdAt = "created_at"
        case chargeDate = "charge_date"
    }
}

public struct GoCardlessRefund: Decodable, Sendable {
    public struct Links: Decodable, Sendable {
        public let payment: String?
        public let mandate: String?
    }

    public let id: String
    public let status: String?
    public let amount: Int64
    public let currency: String
    public let createdAt: String
    public let reference: String?
    public let metadata: [String: String]?
    public let links: Links?

    enum CodingKeys: String, CodingKey {
        case id, status, amount, currency, reference, metadata, links
        case createdAt = "created_at"
    }
}

public struct GoCardlessSubscription: Decodable, Sendable {
    public struct Links: Decodable, Sendable {
        public let mandate: String?
    }

    public let id: String
    public let status: String
    public let amount: Int64?
    public let currency: String?
    public let createdAt: String
    public let name: String?
    public let metadata: [String: String]?
    public let links: Links?

    enum CodingKeys: String, CodingKey {
        case id, status, amount, currency, name, metadata, links
        case createdAt = "created_at"
    }
}

public struct GoCardlessMandate: Decodable, Sendable {
    public struct Links: Decodable, Sendable {
        public let customer: String?
    }

    public let id: String
    public let status: String
    public let createdAt: String
    public let reference: String?
    public let scheme: String?
    public let metadata: [String: String]?
    public let links: Links?

    enum CodingKeys: String, CodingKey {
        case id, status, reference, scheme, metadata, links
        case createdAt = "created_at"
    }
}

/// An event: what happened to which resource, and when. The resource's current state comes from
/// the same list asked with `include`.
public struct GoCardlessEvent: Decodable, Sendable {
    public struct Links: Decodable, Sendable {
        public let payment: String?
        public let refund: String?
        public let subscription: String?
        public let mandate: String?
    }

    public struct Details: Decodable, Sendable {
        public let cause: String?
        public let reasonCode: String?

        enum CodingKeys: String, CodingKey {
            case cause
            case reasonCode = "reason_code"
        }
    }

    public let id: String
    public let createdAt: String
    public let resourceType: String
    public let action: String
    public let links: Links?
    public let details: Details?

    enum CodingKeys: String, CodingKey {
        case id, action, links, details
        case createdAt = "created_at"
        case resourceType = "resource_type"
    }
}

/// `GET /events`, with the included resources when asked for.
public struct GoCardlessEventList: Decodable, Sendable {
    public struct Linked: Decodable, Sendable {
        public let payments: [Lossy<GoCardlessPayment>]?
        public let refunds: [Lossy<GoCardlessRefund>]?
        public let subscriptions: [Lossy<GoCardlessSubscription>]?
        public let mandates: [Lossy<GoCardlessMandate>]?
    }

    public let events: [Lossy<GoCardlessEvent>]
    public let linked: Linked?
    public let meta: GoCardlessMeta?
}

/// `GET /payments`, `/refunds` or `/subscriptions`: the list under the resource's name.
public struct GoCardlessResourceList<Element: Decodable & Sendable>: Decodable, Sendable {
    public let items: [Lossy<Element>]
    public let meta: GoCardlessMeta?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        meta = try container.decodeIfPresent(GoCardlessMeta.self, forKey: NamedKey("meta"))
        guard let key = container.allKeys.first(where: { $0.stringValue != "meta" && $0.stringValue != "linked" }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no resource list in the response"))
        }
        items = try container.decode([Lossy<Element>].self, forKey: key)
    }
}
