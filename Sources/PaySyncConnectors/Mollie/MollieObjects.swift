import Foundation

// Mollie's wire objects, as much of each as paysync reads (../shared/reference/payments-apis.md §5;
// docs.mollie.com: List payments, Get payment, List refunds, List chargebacks). Lists are HAL:
// `{"count", "_embedded": {"<resources>": [...]}, "_links": {"next": {"href"} | null}}`.

/// `{"currency": "EUR", "value": "10.00"}`: a decimal string with the currency's decimals.
public struct MollieAmount: Decodable, Sendable {
    public let currency: String
    public let value: String
}

public struct MolliePayment: Decodable, Sendable {
    public let id: String
    public let status: String
    public let amount: MollieAmount
    public let amountRefunded: MollieAmount?
    public let amountChargedBack: MollieAmount?
    public let description: String?
    public let createdAt: String
    public let paidAt: String?
    public let canceledAt: String?
    public let expiredAt: String?
    public let failedAt: String?
    public let customerId: String?
    public let metadata: MollieMetadata?
}

/// Mollie's `metadata`: whatever JSON the merchant attached; kept when it is an object of texts.
public struct MollieMetadata: Decodable, Sendable {
    public let pairs: [String: String]

    public init(from decoder: any Decoder) throws {
        pairs = (try? decoder.singleValueContainer().decode([String: String].self)) ?? [:]
    }
}

public struct MollieRefund: Decodable, Sendable {
    public let id: String
    public let status: String
    public let amount: MollieAmount
    public let paymentId: String?
    public let description: String?
    public let createdAt: String
}

public struct MollieChargeback: Decodable, Sendable {
    public let id: String
    public let amount: MollieAmount
    public let paymentId: String?
    public let createdAt: String
    public let reversedAt: String?
    public let reason: Reason?

    public struct Reason: Decodable, Sendable {
        public let code: String?
        public let description: String?
    }
}

public struct MollieLink: Decodable, Sendable {
    public let href: String
}

/// A HAL list page.
public struct MollieList<Element: Decodable & Sendable>: Decodable, Sendable {
    public struct Links: Decodable, Sendable {
        public let next: MollieLink?
    }

    public let items: [Lossy<Element>]
    public let next: String?

    enum CodingKeys: String, CodingKey {
        case embedded = "_embedded"
        case links = "_links"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let embedded = try container.decodeIfPresent([String: [Lossy<Element>]].self, forKey: .embedded) ?? [:]
        items = embedded.values.first ?? []
        next = try container.decodeIfPresent(Links.self, forKey: .links)?.next?.href
    }
}
