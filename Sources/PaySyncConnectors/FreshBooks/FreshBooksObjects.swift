import Foundation

// FreshBooks accounting objects, as much of each as paysync reads (the official SDK's models
// and test fixtures, freshbooks/freshbooks-nodejs-sdk `packages/api`; ../shared/reference/
// payments-apis.md §11). Decoded with `.convertFromSnakeCase`. Answers are wrapped
// `{"response": {"result": {<list>, "page", "pages", "per_page", "total"}}}`; an error may come
// with any HTTP status as `{"response": {"errors": [{"errno", "message", …}]}}`.

/// `{"amount": "1222.00", "code": "USD"}`: a decimal string and its currency.
public struct FreshBooksMoney: Decodable, Sendable {
    public let amount: String
    public let code: String
}

public struct FreshBooksInvoice: Decodable, Sendable {
    public let id: Int64
    public let invoiceNumber: String?
    public let v3Status: String?
    public let paymentStatus: String?
    public let visState: Int?
    public let amount: FreshBooksMoney
    public let outstanding: FreshBooksMoney?
    public let paid: FreshBooksMoney?
    public let currencyCode: String?
    public let createDate: String?
    public let dueDate: String?
    public let datePaid: String?
    public let customerid: Int64?
    public let organization: String?
    public let email: String?
    public let poNumber: String?
    /// Naive America/New_York local time: `2019-11-14 11:27:45`.
    public let updated: String?
}

public struct FreshBooksPayment: Decodable, Sendable {
    public let id: Int64
    public let amount: FreshBooksMoney
    public let invoiceid: Int64?
    public let clientid: Int64?
    public let date: String?
    public let type: String?
    public let note: String?
    public let transactionid: String?
    public let visState: Int?
    public let updated: String?
}

/// `{"response": {"errors": […]}}`: FreshBooks refused the call, whatever the HTTP status (its
/// accounting errors come with 200 too). Thrown while decoding, so an answer is parsed once.
public struct FreshBooksRefusal: Error {}

/// A list page: the elements under the list's key, and the page count.
public struct FreshBooksList<Element: Decodable & Sendable>: Decodable, Sendable {
    public static var keyInfo: CodingUserInfoKey { CodingUserInfoKey(rawValue: "freshBooksListKey")! }

    public let elements: [Lossy<Element>]
    public let page: Int
    public let pages: Int

    struct Envelope: Decodable { let response: Response }
    struct Response: Decodable {
        let result: NamedList

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: NamedKey.self)
            if container.contains(NamedKey("errors")) { throw FreshBooksRefusal() }
            result = try container.decode(NamedList.self, forKey: NamedKey("result"))
        }
    }
    struct NamedList: Decodable {
        let elements: [Lossy<Element>]
        let page: Int
        let pages: Int

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: NamedKey.self)
            let key = (decoder.userInfo[FreshBooksList.keyInfo] as? String) ?? ""
            elements = try container.decode([Lossy<Element>].self, forKey: NamedKey(key))
            page = try container.decode(Int.self, forKey: NamedKey("page"))
            pages = try container.decode(Int.self, forKey: NamedKey("pages"))
        }
    }

    public init(from decoder: any Decoder) throws {
        let list = try Envelope(from: decoder).response.result
        (elements, page, pages) = (list.elements, list.page, list.pages)
    }
}

/// `GET /auth/api/v1/users/me`: the businesses the user belongs to, each with its `account_id`.
public struct FreshBooksIdentity: Decodable, Sendable {
    public struct Membership: Decodable, Sendable {
        public let role: String?
        public let business: Business
    }

    public struct Business: Decodable, Sendable {
        public let name: String?
        public let accountId: String?
    }

    struct Envelope: Decodable {
        let response: FreshBooksIdentity
    }

    public let businessMemberships: [Membership]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        if container.contains(NamedKey("errors")) { throw FreshBooksRefusal() }
        businessMemberships = try container.decode([Membership].self, forKey: NamedKey("businessMemberships"))
    }
}
