import Foundation

// Stripe's wire objects, as much of each as paysync reads (../shared/reference/payments-apis.md §1;
// shapes checked against stripe/openapi `openapi/fixtures3.json`). Event snapshots are rendered in
// the API version current when the event was created, not the pinned one, so every field is
// optional and an expandable field is read as an id or as an object with an id.

/// An expandable reference: `"cus_123"` or `{"id": "cus_123", …}`.
public struct StripeID: Decodable, Sendable, Hashable {
    public let id: String

    public init(_ id: String) { self.id = id }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            id = text
        } else {
            struct Object: Decodable { let id: String }
            id = try container.decode(Object.self).id
        }
    }
}

/// `{"object": "list", "data": [...], "has_more": …}`.
public struct StripeList<Element: Decodable & Sendable>: Decodable, Sendable {
    public let data: [Element]
    public let hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
    }
}

public struct StripePaymentIntent: Decodable, Sendable {
    public struct PaymentError: Decodable, Sendable {
        public let code: String?
        public let declineCode: String?
        public let message: String?

        enum CodingKeys: String, CodingKey {
            case code, message
            case declineCode = "decline_code"
        }
    }

    public let id: String
    public let status: String
    public let amount: Int64
    public let amountReceived: Int64?
    public let currency: String
    public let created: Int64
    public let customer: StripeID?
    public let description: String?
    public let receiptEmail: String?
    public let lastPaymentError: PaymentError?
    public let latestCharge: StripeID?
    public let metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, status, amount, currency, created, customer, description, metadata
        case amountReceived = "amount_received"
        case receiptEmail = "receipt_email"
        case lastPaymentError = "last_payment_error"
        case latestCharge = "latest_charge"
    }
}

public struct StripeCharge: Decodable, Sendable {
    public struct BillingDetails: Decodable, Sendable {
        public let email: String?
        public let name: String?
    }

    public let id: String
    public let status: String
    public let amount: Int64
    public let amountCaptured: Int64?
    public let captured: Bool?
    public let currency: String
    public let created: Int64
    public let customer: StripeID?
    public let description: String?
    public let receiptEmail: String?
    public let billingDetails: BillingDetails?
    public let paymentIntent: StripeID?
    public let failureCode: String?
    public let metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, status, amount, captured, currency, created, customer, description, metadata
        case amountCaptured = "amount_captured"
        case receiptEmail = "receipt_email"
        case billingDetails = "billing_details"
        case paymentIntent = "payment_intent"
        case failureCode = "failure_code"
    }
}

public struct StripeRefund: Decodable, Sendable {
    public let id: String
    public let status: String?
    public let amount: Int64
    public let currency: String
    public let created: Int64
    public let charge: StripeID?
    public let paymentIntent: StripeID?
    public let reason: String?
    public let metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, status, amount, currency, created, charge, reason, metadata
        case paymentIntent = "payment_intent"
    }
}

public struct StripeDispute: Decodable, Sendable {
    public let id: String
    public let status: String
    public let amount: Int64
    public let currency: String
    public let created: Int64
    public let charge: StripeID?
    public let paymentIntent: StripeID?
    public let reason: String?
    public let metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, status, amount, currency, created, charge, reason, metadata
        case paymentIntent = "payment_intent"
    }
}

public struct StripeInvoice: Decodable, Sendable {
    public struct Transitions: Decodable, Sendable {
        public let paidAt: Int64?
        public let finalizedAt: Int64?

        enum CodingKeys: String, CodingKey {
            case paidAt = "paid_at"
            case finalizedAt = "finalized_at"
        }
    }

    /// Since API version 2025-03-31 an invoice names its subscription under `parent`.
    public struct Parent: Decodable, Sendable {
        public struct SubscriptionDetails: Decodable, Sendable {
            public let subscription: StripeID?
        }

        public let subscriptionDetails: SubscriptionDetails?

        enum CodingKeys: String, CodingKey {
            case subscriptionDetails = "subscription_details"
        }
    }

    public let id: String
    public let status: String?
    public let number: String?
    public let currency: String
    public let total: Int64?
    public let amountDue: Int64?
    public let amountPaid: Int64?
    public let amountRemaining: Int64?
    public let created: Int64
    public let dueDate: Int64?
    public let customer: StripeID?
    public let customerEmail: String?
    public let customerName: String?
    public let subscription: StripeID?
    public let parent: Parent?
    public let statusTransitions: Transitions?
    public let metadata: [String: String]?
    /// Set on the snapshot of `invoice.deleted` (a deleted draft).
    public let deleted: Bool?

    enum CodingKeys: String, CodingKey {
        case id, status, number, currency, total, created, customer, subscription, parent, metadata, deleted
        case amountDue = "amount_due"
        case amountPaid = "amount_paid"
        case amountRemaining = "amount_remaining"
        case dueDate = "due_date"
        case customerEmail = "customer_email"
        case customerName = "customer_name"
        case statusTransitions = "status_transitions"
    }
}

public struct StripeSubscription: Decodable, Sendable {
    public let id: String
    public let status: String
    public let currency: String?
    public let created: Int64
    public let customer: StripeID?
    public let canceledAt: Int64?
    public let latestInvoice: StripeID?
    public let metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, status, currency, created, customer, metadata
        case canceledAt = "canceled_at"
        case latestInvoice = "latest_invoice"
    }
}

public struct StripeCheckoutSession: Decodable, Sendable {
    public struct CustomerDetails: Decodable, Sendable {
        public let email: String?
        public let name: String?
    }

    public let id: String
    public let status: String?
    public let paymentStatus: String?
    public let amountTotal: Int64?
    public let currency: String?
    public let created: Int64
    public let expiresAt: Int64?
    public let customer: StripeID?
    public let customerEmail: String?
    public let customerDetails: CustomerDetails?
    public let clientReferenceID: String?
    public let paymentIntent: StripeID?
    public let metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, status, currency, created, customer, metadata
        case paymentStatus = "payment_status"
        case amountTotal = "amount_total"
        case expiresAt = "expires_at"
        case customerEmail = "customer_email"
        case customerDetails = "customer_details"
        case clientReferenceID = "client_reference_id"
        case paymentIntent = "payment_intent"
    }
}

/// Any object paysync reads, told apart by its `object` field; the others are kept as their name.
public enum StripeObject: Decodable, Sendable {
    case paymentIntent(StripePaymentIntent)
    case charge(StripeCharge)
    case refund(StripeRefund)
    case dispute(StripeDispute)
    case invoice(StripeInvoice)
    case subscription(StripeSubscription)
    case checkoutSession(StripeCheckoutSession)
    case other(String)

    enum CodingKeys: String, CodingKey { case object }

    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .object)
        let single = try decoder.singleValueContainer()
        switch type {
        case "payment_intent": self = .paymentIntent(try single.decode(StripePaymentIntent.self))
        case "charge": self = .charge(try single.decode(StripeCharge.self))
        case "refund": self = .refund(try single.decode(StripeRefund.self))
        case "dispute": self = .dispute(try single.decode(StripeDispute.self))
        case "invoice": self = .invoice(try single.decode(StripeInvoice.self))
        case "subscription": self = .subscription(try single.decode(StripeSubscription.self))
        case "checkout.session": self = .checkoutSession(try single.decode(StripeCheckoutSession.self))
        default: self = .other(type)
        }
    }
}

/// An event: what happened (`type`), when (`created`, Unix seconds) and the object as it was then.
public struct StripeEvent: Decodable, Sendable {
    public struct EventData: Decodable, Sendable {
        public let object: Lossy<StripeObject>
    }

    public let id: String
    public let type: String
    public let created: Int64
    public let data: EventData
}
