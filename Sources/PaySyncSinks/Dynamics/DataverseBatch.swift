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
        responses(Array(body.utf8)[...], boundary: boundary)
    }

    /// The same, read as bytes: a batch of 1,000 responses is scanned once, with no string
    /// indexing (lines end in CRLF or LF).
    public static func responses(_ bytes: ArraySlice<UInt8>, boundary: String) -> [Response]? {
        var result: [Response] = []
        for part in parts(bytes, boundary: boundary) {
            let (headers, content) = head(part)
            if let contentType = headers["content-type"], contentType.lowercased().hasPrefix("multipart/mixed"), let inner = DataverseBatch.boundary(of: contentType) {
                guard let nested = responses(content, boundary: inner) else { return nil }
                result += nested
                continue
            }
            let (statusLine, rest) = line(content)
            let words = String(decoding: statusLine, as: UTF8.self).split(separator: " ", maxSplits: 2)
            guard words.count >= 2, words[0].hasPrefix("HTTP/"), let status = Int(words[1]) else { return nil }
            let (responseHeaders, responseBody) = head(rest)
            result.append(Response(status: status, headers: responseHeaders,
                                   body: String(decoding: responseBody, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return result
    }

    /// The parts between `--boundary` delimiters, up to the closing `--boundary--`.
    static func parts(_ bytes: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let delimiter = Array(("--" + boundary).utf8)
        var starts: [Int] = []
        var index = bytes.startIndex
        while let found = find(delimiter, in: bytes, from: index) {
            starts.append(found)
            index = found + delimiter.count
        }
        var parts: [ArraySlice<UInt8>] = []
        for (number, start) in starts.enumerated() {
            var from = start + delimiter.count
            if bytes[from...].starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) { break }
            while from < bytes.endIndex, bytes[from] == UInt8(ascii: "\r") || bytes[from] == UInt8(ascii: "\n") { from += 1 }
            let end = number + 1 < starts.count ? starts[number + 1] : bytes.endIndex
            parts.append(bytes[from..<max(from, end)])
        }
        return parts
    }

    static func find(_ needle: [UInt8], in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= bytes.endIndex - start else { return nil }
        var index = start
        let last = bytes.endIndex - needle.count
        while index <= last {
            if bytes[index] == first && bytes[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// Header lines (names lowercased) up to the first empty line, and what follows it.
    static func head(_ bytes: ArraySlice<UInt8>) -> (headers: [String: String], rest: ArraySlice<UInt8>) {
        var headers: [String: String] = [:]
        var remainder = bytes
        while !remainder.isEmpty {
            let (text, rest) = line(remainder)
            remainder = rest
            if text.isEmpty { break }
            if let colon = text.firstIndex(of: UInt8(ascii: ":")) {
                headers[String(decoding: text[..<colon], as: UTF8.self).lowercased()] =
                    String(decoding: text[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
        }
        return (headers, remainder)
    }

    /// The first line (without its CR LF or LF) and what follows it.
    static func line(_ bytes: ArraySlice<UInt8>) -> (line: ArraySlice<UInt8>, rest: ArraySlice<UInt8>) {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return (bytes, bytes[bytes.endIndex...]) }
        var end = newline
        if end > bytes.startIndex, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return (bytes[bytes.startIndex..<end], bytes[(newline + 1)...])
    }

    /// `set(key='value')`: an alternate-key address, the value's quotes doubled and percent-encoded.
    public static func keyed(_ set: String, key: String, value: String) -> String {
        "\(set)(\(key)='\(URLBuilder.encode(value.replacingOccurrences(of: "'", with: "''")))')"
    }
}
