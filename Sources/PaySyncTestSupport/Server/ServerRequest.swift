import Foundation
import PaySyncHTTP

/// A request as the loopback server received it.
public struct ServerRequest: Sendable {
    public var method: String
    /// The request target as sent (`/api.xro/2.0/Invoices?page=1`).
    public var target: String
    public var headers: HTTPHeaders
    public var body: Data

    /// The path without the query, percent-decoded.
    public var path: String {
        let raw = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        return raw.removingPercentEncoding ?? raw
    }

    /// Decoded query parameters, in order.
    public var query: [(String, String)] {
        URL(string: "http://127.0.0.1" + target).map(URLBuilder.queryItems(of:)) ?? []
    }

    public func queryValue(_ name: String) -> String? {
        query.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Decoded `application/x-www-form-urlencoded` fields.
    public var formFields: [String: String] {
        var fields: [String: String] = [:]
        for pair in bodyText.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}

/// How the loopback server answers a request.
public indirect enum ServerReply: Sendable {
    case response(HTTPResponse)
    /// Close the connection with a TCP reset instead of answering.
    case reset
    /// Send the headers (with the full Content-Length) and only the first `bytes` of the body, then close.
    case truncated(HTTPResponse, bytes: Int)
    /// Wait, then reply.
    case delayed(seconds: Double, ServerReply)
    /// Never answer (until the server stops).
    case hang

    public static func json(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> ServerReply {
        var all = headers
        all.set("Content-Type", "application/json; charset=utf-8")
        return .response(HTTPResponse(status: status, headers: all, body: Data(body.utf8)))
    }

    public static func status(_ status: Int, headers: HTTPHeaders = [:], body: String = "") -> ServerReply {
        .response(HTTPResponse(status: status, headers: headers, body: Data(body.utf8)))
    }
}
