import Foundation
import PaySyncCore

// Zoho Books v3 objects, as much of each as paysync reads (Zoho Books API v3 OpenAPI files
// `invoices.yml`, `customer-payments.yml`, `credit-notes.yml`, as published with the API
// documentation; ../shared/reference/payments-apis.md §10). Every answer carries `code` (0 is
// success) and `message`; lists carry `page_context.has_more_page`. Amounts are JSON numbers;
// times carry an offset without a colon (`2013-11-18T02:02:51-0800`). Decoded with
// `.convertFromSnakeCase`: `invoice_id` is `invoiceId`.

public struct ZohoBooksInvoice: Decodable, Sendable {
    public let invoiceId: String
    public let invoiceNumber: String?
    public let status: String
    public let date: String?
    public let dueDate: String?
    public let customerId: String?
    public let customerName: String?
    public let email: String?
    public let currencyCode: String
    public let total: WireAmount
    public let balance: WireAmount
    public let referenceNumber: String?
    public let isViewedByClient: Bool?
    public let clientViewedTime: String?
    public let lastPaymentDate: String?
    public let lastModifiedTime: String?
}

/// A customer payment as its list gives it. The list names no currency in its documented shape:
/// `bcy_amount` is then in the organisation's base currency.
public struct ZohoBooksPayment: Decodable, Sendable {
    public let paymentId: String
    public let paymentNumber: String?
    public let invoiceNumbers: String?
    public let invoiceNumber: String?
    public let date: String?
    public let paymentMode: String?
    public let amount: WireAmount
    public let bcyAmount: WireAmount?
    public let currencyCode: String?
    public let customerId: String?
    public let customerName: String?
    public let referenceNumber: String?
    public let lastModifiedTime: String?
}

public struct ZohoBooksCreditNote: Decodable, Sendable {
    public let creditnoteId: String
    public let creditnoteNumber: String?
    public let status: String
    public let date: String?
    public let customerId: String?
    public let customerName: String?
    public let currencyCode: String
    public let total: WireAmount
    public let balance: WireAmount
    public let referenceNumber: String?
    public let lastModifiedTime: String?
}

/// A list answer: the elements under the first of the keys given in the decoder's `keyInfo`
/// (payments under either spelling: the OpenAPI file says `customer_payments`, the API's own
/// examples `customerpayments`; as converted from snake case), and whether more pages follow.
/// An answer that carries Zoho's `code` beside its data: anything but 0 is a failure.
protocol ZohoBooksCoded {
    var code: Int? { get }
}

public struct ZohoBooksList<Element: Decodable & Sendable>: Decodable, Sendable, ZohoBooksCoded {
    public static var keyInfo: CodingUserInfoKey { CodingUserInfoKey(rawValue: "zohoBooksListKey")! }

    public let elements: [Lossy<Element>]
    public let hasMorePage: Bool
    public let code: Int?

    struct PageContext: Decodable {
        let hasMorePage: Bool?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        code = try container.decodeIfPresent(Int.self, forKey: NamedKey("code"))
        let keys = (decoder.userInfo[ZohoBooksList.keyInfo] as? [String]) ?? []
        var found: [Lossy<Element>]?
        for key in keys where found == nil {
            found = try container.decodeIfPresent([Lossy<Element>].self, forKey: NamedKey(key))
        }
        guard let found else {
            throw DecodingError.keyNotFound(NamedKey(keys.first ?? "list"), .init(codingPath: [], debugDescription: "no \(keys.joined(separator: " or ")) list"))
        }
        elements = found
        hasMorePage = try container.decodeIfPresent(PageContext.self, forKey: NamedKey("pageContext"))?.hasMorePage ?? false
    }
}
