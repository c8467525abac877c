import Foundation
import PaySyncCore

/// One recorded request and its response, stored as one human-readable file
/// (`docs/fixtures.md` documents the format):
///
/// ```
/// # comment lines start with '#'
/// GET https://api.xero.com/api.xro/2.0/Invoices?page=1&pageSize=1000
/// xero-tenant-id: 9c2f…
/// If-Modified-Since: 2025-05-01T09:00:00
///
/// <request body, if any>
/// HTTP 200
/// Content-Type: application/json
///
/// <response body>
/// ```
///
/// Request headers listed in the file must match the live request (Authorization excepted: it is
/// always redacted); the URL path and query parameters must match, in any order.
public struct RecordedExchange: Sendable, Equatable {
    public var request: HTTPRequest
    public var response: HTTPResponse
    public var comment: String?

    public init(request: HTTPRequest, response: HTTPResponse, comment: String? = nil) {
        self.request = request
        self.response = response
        self.comment = comment
    }

    /// Headers never written to (or matched from) a fixture: credentials and transport details.
    static let unrecordedHeaders: Set<String> = ["authorization", "user-agent", "content-length", "accept-encoding", "host", "connection", "cookie"]

    public func serialized() -> String {
        var text = ""
        if let comment {
            for line in comment.split(separator: "\n", omittingEmptySubsequences: false) { text += "# \(line)\n" }
        }
        text += "\(request.method) \(request.url.absoluteString)\n"
        for field in request.headers where !RecordedExchange.unrecordedHeaders.contains(field.name.lowercased()) {
            text += "\(field.name): \(field.value)\n"
        }
        text += "\n"
        if let body = request.body, !body.isEmpty {
            text += RecordedExchange.readable(body) + "\n"
        }
        text += "HTTP \(response.status)\n"
        for field in response.headers where !["content-length", "connection", "transfer-encoding"].contains(field.name.lowercased()) {
            text += "\(field.name): \(field.value)\n"
        }
        text += "\n"
        text += RecordedExchange.readable(response.body) + "\n"
        return text
    }

    /// Pretty-prints JSON bodies so a person can read and edit the fixture; other bodies as text.
    static func readable(_ body: Data) -> String {
        if let value = try? JSONParser.parse(body) { return JSONWriter.pretty(value) }
        return String(decoding: body, as: UTF8.self)
    }

    public static func parse(_ text: String, file: String) throws(FixtureError) -> RecordedExchange {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var commentLines: [String] = []
        while let first = lines.first, first.hasPrefix("#") {
            commentLines.append(String(first.dropFirst(first.hasPrefix("# ") ? 2 : 1)))
            lines.removeFirst()
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        guard let requestLine = lines.first else { throw FixtureError.malformed(file: file, reason: "no request line") }
        lines.removeFirst()
        let requestParts = requestLine.split(separator: " ", maxSplits: 1)
        guard requestParts.count == 2, requestParts[0].allSatisfy({ $0.isUppercase && $0.isLetter }),
              requestParts[1].hasPrefix("http://") || requestParts[1].hasPrefix("https://"),
              let url = URL(string: String(requestParts[1])) else {
            throw FixtureError.malformed(file: file, reason: "request line must be 'METHOD URL', found \"\(requestLine)\"")
        }
        var requestHeaders = HTTPHeaders()
        while let line = lines.first, !line.isEmpty {
            lines.removeFirst()
            guard let colon = line.firstIndex(of: ":") else { throw FixtureError.malformed(file: file, reason: "header line without ':': \"\(line)\"") }
            requestHeaders.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        if !lines.isEmpty { lines.removeFirst() }
        var requestBody: [String] = []
        while let line = lines.first, !(line.hasPrefix("HTTP ") && Int(line.dropFirst(5)) != nil) {
            requestBody.append(line)
            lines.removeFirst()
        }
        guard let statusLine = lines.first, let status = Int(statusLine.dropFirst(5)) else {
            throw FixtureError.malformed(file: file, reason: "no 'HTTP <status>' line")
        }
        lines.removeFirst()
        var responseHeaders = HTTPHeaders()
        while let line = lines.first, !line.isEmpty {
            lines.removeFirst()
            guard let colon = line.firstIndex(of: ":") else { throw FixtureError.malformed(file: file, reason: "header line without ':': \"\(line)\"") }
            responseHeaders.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        if !lines.isEmpty { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while requestBody.last?.isEmpty == true { requestBody.removeLast() }
        let body = lines.joined(separator: "\n")
        return RecordedExchange(
            request: HTTPRequest(method: String(requestParts[0]), url: url, headers: requestHeaders,
                                 body: requestBody.isEmpty ? nil : Data(requestBody.joined(separator: "\n").utf8)),
            response: HTTPResponse(status: status, headers: responseHeaders, body: Data(body.utf8)),
            comment: commentLines.isEmpty ? nil : commentLines.joined(separator: "\n")
        )
    }

    /// Headers that change what a request asks, by lower-cased name.
    static func significantHeaders(_ headers: HTTPHeaders) -> [String: String] {
        var result: [String: String] = [:]
        for field in headers where !unrecordedHeaders.contains(field.name.lowercased()) { result[field.name.lowercased()] = field.value }
        return result
    }

    /// Whether `live` is the request this exchange recorded. Returns the first difference, or nil.
    func difference(from live: HTTPRequest) -> String? {
        if live.method != request.method { return "its method is \(request.method)" }
        if live.url.path != request.url.path { return "its path is \(request.url.path)" }
        let recordedQuery = URLBuilder.queryItems(of: request.url).map { "\($0.0)=\($0.1)" }.sorted()
        let liveQuery = URLBuilder.queryItems(of: live.url).map { "\($0.0)=\($0.1)" }.sorted()
        if recordedQuery != liveQuery { return "its query is \(request.url.query ?? "(none)")" }
        // Significant headers must agree both ways: a live If-Modified-Since that the recording
        // lacks asks a different question, and must not get the recorded answer.
        let recorded = RecordedExchange.significantHeaders(request.headers)
        let asked = RecordedExchange.significantHeaders(live.headers)
        for (name, value) in recorded where asked[name] != value { return "its \(name) is \(value)" }
        for (name, _) in asked where recorded[name] == nil { return "it was recorded without \(name)" }
        return nil
    }
}

/// A fixture directory that cannot serve a run.
public enum FixtureError: PaySyncError, Equatable {
    case malformed(file: String, reason: String)
    case missingDirectory(String)
    case notRecorded(directory: String, request: String, closest: String?)

    public var exitCode: ExitCode { .dataError }

    public var description: String {
        switch self {
        case .malformed(let file, let reason):
            "fixture \(file): \(reason) (format: docs/fixtures.md)"
        case .missingDirectory(let path):
            "fixtures directory \(path) does not exist or has no .http files"
        case .notRecorded(let directory, let request, let closest):
            "fixtures \(directory): no recorded exchange for \(request)" + (closest.map { "; closest is \($0)" } ?? "") + "; record one with --record DIR"
        }
    }
}
