import Foundation

/// The envelope of every Xero list response: `Id`, `Status`, `DateTimeUTC`, `pagination`, then
/// the array named after the resource. Elements decode one by one, so a single malformed object
/// is rejected on its own instead of failing its whole page.
public struct XeroPage<Element: Decodable & Sendable>: Decodable, Sendable {
    public var dateTimeUTC: String?
    public var pagination: Pagination?
    public var elements: [Lossy<Element>]

    public init(dateTimeUTC: String? = nil, pagination: Pagination? = nil, elements: [Lossy<Element>] = []) {
        self.dateTimeUTC = dateTimeUTC
        self.pagination = pagination
        self.elements = elements
    }

    public struct Pagination: Decodable, Sendable, Equatable {
        public var page: Int?
        public var pageSize: Int?
        public var pageCount: Int?
        public var itemCount: Int?

        public init(page: Int? = nil, pageSize: Int? = nil, pageCount: Int? = nil, itemCount: Int? = nil) {
            self.page = page
            self.pageSize = pageSize
            self.pageCount = pageCount
            self.itemCount = itemCount
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        dateTimeUTC = try container.decodeIfPresent(String.self, forKey: NamedKey("DateTimeUTC"))
        pagination = try container.decodeIfPresent(Pagination.self, forKey: NamedKey("pagination"))
        guard let resource = decoder.userInfo[XeroPage.resourceKey] as? String else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "resource name not given"))
        }
        elements = try container.decodeIfPresent([Lossy<Element>].self, forKey: NamedKey(resource)) ?? []
    }

    /// `JSONDecoder.userInfo` key naming the array to read (`Invoices`, `Payments`).
    public static var resourceKey: CodingUserInfoKey { CodingUserInfoKey(rawValue: "xero.resource")! }
}
