import Foundation
import PaySyncCore
import PaySyncHTTP

/// The Dataverse Web API's `$batch` format (OData 4.0 multipart/mixed, `reference/crm-apis.md`
/// §3.3): requests written as top-level parts, so with `Prefer: odata.continue-on-error` each gets
/// its own response, in request order. Pure: builds a body, reads one.
public enum DataverseBatch {
    /// One request in a batch.
    public struct Request: Sendable, Equatable {
        public var method: String
        /// Root-relative (`/api/data/v9.2/contoso_invoices(contoso_invoicenumber='INV-1')`).
        public var path: String
        public var headers: [(String, String)]
        public var body: String?

        public init(method: String, path: String, headers: [(String, String)] = [], body: String? = nil) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
        }

        public static func == (a: Request, b: Request) -> Bool {
            a.method == b.method && a.path == b.path && a.body == b.body && a.headers.map { $0.0 + ":" + $0.1 } == b.headers.map { $0.0 + ":" + $0.1 }
        }
    }

    /// One response read from a batch response.
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var headers: [String: String]  // names lowercased
        public var body: String

        /// Dataverse's error body: `{"error": {"code": "0x80040217", "message": "…"}}`.
        public var error: (code: String?, message: String?) {
            let parsed = try? JSONParser.parse(body)
            return (parsed?["error"]?["code"]?.stringValue, parsed?["error"]?["message"]?.stringValue)
        }
    }

    /// The multipart body for `requests` (CRLF line ends, as RFC 2046 has them).
    public static func body(_ requests: [Request], boundary: String) -> String {
        var text = ""
        text.reserveCapacity(requests.count * 300)
        for request in requests {
            text += "--\(boundary)\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            text += "\(request.method) \(request.path) HTTP/1.1\r\n"
            for (name, value) in request.headers { text += "\(name): \(value)\r\n" }
            if let body = request.body {
                text += "Content-Type: application/json\r\n\r\n\(body)\r\n"
            } else {
                text += "\r\n"
            }
        }
        return text + "--\(boundary)--\r\n"
    }

    /// The boundary a `multipart/mixed; boundary=…` content type names.
    public static func boundary(of contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    /// The responses in a batch response body, in order; nil when it is not the format (a part
    /// without an HTTP status line). A change set's responses are read in place of it.
    public static func responses(_ body: String, boundary: String) -> [Response]? {
        var result: [Response] = []
        for part in parts(body, boundary: boundary) {
            let (headers, content) = splitHead(part)
            if let contentType = headers["content-type"], contentType.lowercased().hasPrefix("multipart/mixed"), let inner = DataverseBatch.boundary(of: contentType) {
                guard let nested = responses(content, boundary: inner) else { return nil }
                result += nested
                continue
            }
            let (statusLine, rest) = firstLine(content)
            let words = statusLine.split(separator: " ", maxSplits: 2)
            guard words.count >= 2, words[0].hasPrefix("HTTP/"), let status = Int(words[1]) else { return nil }
            let (responseHeaders, responseBody) = splitHead(rest)
            result.append(Response(status: status, headers: responseHeaders, body: responseBody.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return result
    }

    /// The parts between `--boundary` delimiters, up to the closing `--boundary--`.
    static func parts(_ body: String, boundary: String) -> [String] {
        let delimiter = "--" + boundary
        var parts: [String] = []
        for (index, chunk) in body.components(separatedBy: delimiter).enumerated() where index > 0 {
            if chunk.hasPrefix("--") { break }
            parts.append(String(chunk.drop { $0.isNewline }))  // CRLF is one Character
        }
        return parts
    }

    /// Header lines (names lowercased) up to the first empty line, and what follows it.
    static func splitHead(_ text: String) -> (headers: [String: String], rest: String) {
        var headers: [String: String] = [:]
        var remainder = Substring(text)
        while true {
            let (line, rest) = firstLine(String(remainder))
            remainder = Substring(rest)
            if line.isEmpty { break }
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            if rest.isEmpty { break }
        }
        return (headers, String(remainder))
    }

    static func firstLine(_ text: String) -> (line: String, rest: String) {
        guard let newline = text.firstIndex(where: \.isNewline) else { return (text.trimmingCharacters(in: CharacterSet(charactersIn: "\r")), "") }
        let line = text[..<newline].trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        return (line, String(text[text.index(after: newline)...]))
    }

    /// `set(key='value')`: an alternate-key address, the value's quotes doubled and percent-encoded.
    public static func keyed(_ set: String, key: String, value: String) -> String {
        "\(set)(\(key)='\(URLBuilder.encode(value.replacingOccurrences(of: "'", with: "''")))')"
    }
}
