import Foundation

// Square's wire objects, as much of each as paysync reads (../shared/reference/payments-apis.md §2;
// developer.squareup.com/reference/square: ListLocations, ListPayments, ListPaymentRefunds,
// ListInvoices, ListDisputes). Lists answer `{"<objects>": [...], "cursor": "…"}`; an empty list
// may leave its key out.

/// `{"amount": 1250, "currency": "USD"}`; one payouts example writes `currency_code`.
public struct SquareMoney: Decodable, Sendable {
    public let amount: Int64
    public let currency: String

    enum CodingKeys: String, CodingKey {
        case amount, currency
        case currencyCode = "currency_code"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        amount = try container.decode(Int64.self, forKey: .amount)
        currency = try container.decodeIfPresent(String.self, forKey: .currency) ?? container.decode(String.self, forKey: .currencyCode)
    }
}

public struct SquareLocation: Decodable, Sendable {
    public let id: String
    public let status: String?
}

public struct SquarePayment: Decodable, Sendable {
    public let id: String
    public let status: String
    public let createdAt: String
    public let updatedAt: String?
    public let amountMoney: SquareMoney
    public let refundedMoney: SquareMoney?
    public let locationID: String?
    public let orderID: String?
    public let referenceID: String?
    public let note: String?
    public let customerID: String?
    public let buyerEmailAddress: String?

    enum CodingKeys: String, CodingKey {
        case id, status, note
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case amountMoney = "amount_money"
        case refundedMoney = "refunded_money"
        case locationID = "location_id"
        case orderID = "order_id"
        case referenceID = "reference_id"
        case customerID = "customer_id"
        case buyerEmailAddress = "buyer_email_address"
    }
}

public struct SquareRefund: Decodable, Sendable {
    public let id: String
    public let status: String
    public let createdAt: String
    public let updatedAt: String?
    public let amountMoney: SquareMoney
    public let paymentID: String?
    public let reason: String?

    enum CodingKeys: String, CodingKey {
        case id, status, reason
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case amountMoney = "amount_money"
        case paymentID = "payment_id"
    }
}

public struct SquareInvoice: Decodable, Sendable {
    public struct PaymentRequest: Decodable, Sendable {
        public let dueDate: String?
        public let computedAmountMoney: SquareMoney?
        public let totalCompletedAmountMoney: SquareMoney?

        enum CodingKeys: String, CodingKey {
            case dueDate = "due_date"
            case computedAmountMoney = "computed_amount_money"
            case totalCompletedAmountMoney = "total_completed_amount_money"
        }
    }

    public struct Recipient: Decodable, Sendable {
        public let customerID: String?
        public let emailAddress: String?
        public let givenName: String?
        public let familyName: String?
        public let companyName: String?

        enum CodingKeys: String, CodingKey {
            case customerID = "customer_id"
            case emailAddress = "email_address"
            case givenName = "given_name"
            case familyName = "family_name"
            case companyName = "company_name"
        }
    }

    public let id: String
    public let version: Int64?
    public let status: String
    public let invoiceNumber: String?
    public let createdAt: String
    public let updatedAt: String?
    public let paymentRequests: [PaymentRequest]?
    public let primaryRecipient: Recipient?

    enum CodingKeys: String, CodingKey {
        case id, version, status
        case invoiceNumber = "invoice_number"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case paymentRequests = "payment_requests"
        case primaryRecipient = "primary_recipient"
    }
}

public struct SquareDispute: Decodable, Sendable {
    public struct DisputedPayment: Decodable, Sendable {
        public let paymentID: String?

        enum CodingKeys: String, CodingKey {
            case paymentID = "payment_id"
        }
    }

    public let id: String
    public let state: String
    public let amountMoney: SquareMoney?
    public let reason: String?
    public let createdAt: String
    public let updatedAt: String?
    public let disputedPayment: DisputedPayment?

    enum CodingKeys: String, CodingKey {
        case id, state, reason
        case disputeID = "dispute_id"
        case amountMoney = "amount_money"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case disputedPayment = "disputed_payment"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? container.decode(String.self, forKey: .disputeID)
        state = try container.decode(String.self, forKey: .state)
        amountMoney = try container.decodeIfPresent(SquareMoney.self, forKey: .amountMoney)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        createdAt = try container.decode(String.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(String.self, forKey: .updatedAt)
        disputedPayment = try container.decodeIfPresent(DisputedPayment.self, forKey: .disputedPayment)
    }
}

/// A Square list page: the elements under the list's name, and the next page's cursor.
public struct SquareList<Element: Decodable & Sendable>: Decodable, Sendable {
    public let items: [Lossy<Element>]
    public let cursor: String?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        cursor = try container.decodeIfPresent(String.self, forKey: NamedKey("cursor"))
        if let key = container.allKeys.first(where: { $0.stringValue != "cursor" && $0.stringValue != "errors" }) {
            items = try container.decode([Lossy<Element>].self, forKey: key)
        } else {
            items = []
        }
    }
}
