import Foundation

/// The query endpoint's answer: `{"QueryResponse": {"Invoice": [...], "startPosition": 1,
/// "maxResults": 2}, "time": "…"}`, or a `Fault` (which QuickBooks may send with HTTP 200).
/// With no matching rows the entity's key is left out: that is an empty page, not an error.
/// Elements decode one by one, so one malformed object is rejected on its own.
public struct QuickBooksQueryResponse<Element: Decodable & Sendable>: Decodable, Sendable {
    public var elements: [Lossy<Element>]
    public var startPosition: Int?
    public var maxResults: Int?
    public var totalCount: Int?
    public var time: String?
    public var fault: QuickBooksFault?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        time = try container.decodeIfPresent(String.self, forKey: NamedKey("time"))
        fault = try container.decodeIfPresent(QuickBooksFault.self, forKey: NamedKey("Fault"))
        guard let table = decoder.userInfo[QuickBooksQueryResponse.tableKey] as? String else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "entity name not given"))
        }
        guard container.contains(NamedKey("QueryResponse")) else {
            elements = []
            if fault == nil {
                throw DecodingError.keyNotFound(NamedKey("QueryResponse"), .init(codingPath: [], debugDescription: "neither QueryResponse nor Fault"))
            }
            return
        }
        let response = try container.nestedContainer(keyedBy: NamedKey.self, forKey: NamedKey("QueryResponse"))
        elements = try response.decodeIfPresent([Lossy<Element>].self, forKey: NamedKey(table)) ?? []
        startPosition = try response.decodeIfPresent(Int.self, forKey: NamedKey("startPosition"))
        maxResults = try response.decodeIfPresent(Int.self, forKey: NamedKey("maxResults"))
        totalCount = try response.decodeIfPresent(Int.self, forKey: NamedKey("totalCount"))
    }

    /// `JSONDecoder.userInfo` key naming the entity's array (`Invoice`, `Payment`).
    public static var tableKey: CodingUserInfoKey { CodingUserInfoKey(rawValue: "quickbooks.table")! }
}

/// `{"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type": "ValidationFault"}}`.
public struct QuickBooksFault: Decodable, Sendable, Equatable {
    public var errors: [Error]
    public var type: String?

    public struct Error: Decodable, Sendable, Equatable {
        public var message: String?
        public var detail: String?
        public var code: String?

        enum CodingKeys: String, CodingKey {
            case message = "Message"
            case detail = "Detail"
            case code
        }
    }

    enum CodingKeys: String, CodingKey {
        case errors = "Error"
        case type
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        errors = try container.decodeIfPresent([Error].self, forKey: .errors) ?? []
        type = try container.decodeIfPresent(String.self, forKey: .type)
    }
}
