import Foundation
import PaySyncCore

/// HTTP header fields: order kept, names compared case-insensitively.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of a field.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Replaces every field of this name with one value (or removes them for nil).
    public mutating func set(_ name: String, _ value: String?) {
        fields.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        if let value { fields.append((name, value)) }
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name.lowercased())
            hasher.combine(field.value)
        }
    }
}

/// A request to a provider or CRM.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: URL
    public var headers: HTTPHeaders
    public var body: Data?
    /// True when the URL's path is itself a secret (a Slack incoming webhook's): logs and errors
    /// then name the host only.
    public var pathIsSecret: Bool

    public init(method: String = "GET", url: URL, headers: HTTPHeaders = [:], body: Data? = nil, pathIsSecret: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.pathIsSecret = pathIsSecret
    }

    /// `GET api.xero.com/api.xro/2.0/Invoices` — what logs and errors name (no query: it can be
    /// long; no path when it is a secret).
    public var summary: String { "\(method) \(url.host ?? "")\(pathIsSecret ? "/…" : url.path)" }
}

/// A response, with its whole body.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text, cut to `limit` characters for messages.
    public func bodyExcerpt(limit: Int = 300) -> String {
        let text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}

/// Builds URLs with strict RFC 3986 query encoding (URLComponents leaves `=` and `&` in values
/// unencoded, which breaks filters such as Xero's `where=Type=="ACCREC"`).
public enum URLBuilder {
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// `base` + `path` + `?name=value&…` (parameters in the order given).
    public static func url(_ base: String, path: String = "", query: [(String, String)] = []) -> URL? {
        var text = base + path
        if !query.isEmpty {
            text += "?" + query.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        }
        return URL(string: text)
    }

    /// An `application/x-www-form-urlencoded` body.
    public static func formBody(_ fields: [(String, String)]) -> Data {
        Data(fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&").utf8)
    }

    /// The query parameters of a URL, decoded, in order.
    public static func queryItems(of url: URL) -> [(String, String)] {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[1])) : ""
            return (name, value)
        }
    }
}
