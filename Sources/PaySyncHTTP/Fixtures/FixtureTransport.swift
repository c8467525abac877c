import Foundation
import PaySyncCore
import Synchronization

/// Replays recorded exchanges from a directory of `.http` files (see `RecordedExchange`), so CI
/// and demos run without network or credentials. Files are tried in name order; each serves once,
/// and the last match is reused when a request repeats more often than it was recorded.
public final class FixtureTransport: HTTPTransport {
    public let directory: String
    private let exchanges: [(file: String, exchange: RecordedExchange)]
    private let used = Mutex<Set<Int>>([])

    public init(directory: String) throws(FixtureError) {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".http") }.sorted()
        guard !files.isEmpty else { throw FixtureError.missingDirectory(directory) }
        var exchanges: [(String, RecordedExchange)] = []
        for file in files {
            let path = directory + "/" + file
            guard let data = FileManager.default.contents(atPath: path) else { throw FixtureError.malformed(file: path, reason: "cannot be read") }
            exchanges.append((file, try RecordedExchange.parse(String(decoding: data, as: UTF8.self), file: path)))
        }
        self.directory = directory
        self.exchanges = exchanges
    }

    /// Headers that only say how the body is encoded: left out when a missing request is
    /// described, so the message shows what tells requests apart (an account, a cursor).
    static let formatHeaders: Set<String> = ["accept", "content-type"]

    /// When the exchanges were recorded: the latest `Date` a recorded response carries (servers
    /// send one with every response). A replay without `--now` runs at this time, so what the
    /// recording means ("overdue today") does not change with the calendar.
    public var recordedAt: Timestamp? {
        exchanges.compactMap { $0.exchange.response.headers["Date"].flatMap(RetryAfter.httpDate) }.max()
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let matches = exchanges.indices.filter { exchanges[$0].exchange.difference(from: request) == nil }
        guard let last = matches.last else {
            let closest = exchanges.first { $0.exchange.request.url.path == request.url.path && $0.exchange.request.method == request.method }
            let detail = closest.map { "\($0.file) (\($0.exchange.difference(from: request) ?? "?"))" }
            var described = "\(request.method) \(request.url.absoluteString)"
            let headers = RecordedExchange.significantHeaders(request.headers).sorted { $0.key < $1.key }
                .filter { !FixtureTransport.formatHeaders.contains($0.key) }.map { "\($0.key): \($0.value)" }
            if !headers.isEmpty { described += " (\(headers.joined(separator: ", ")))" }
            throw FixtureError.notRecorded(directory: directory, request: described, closest: detail)
        }
        let index = used.withLock { used in
            let chosen = matches.first { !used.contains($0) } ?? last
            used.insert(chosen)
            return chosen
        }
        return exchanges[index].exchange.response
    }
}

/// Wraps a transport and writes every exchange to a directory as a fixture, with credentials
/// redacted (headers, form fields and JSON token fields).
public final class RecordingTransport: HTTPTransport {
    private let inner: any HTTPTransport
    public let directory: String
    /// Rewrites the URL written to the fixture (recording against a local fake for fixtures that
    /// read as the real API, e.g. `http://127.0.0.1:PORT/…` → `https://api.xero.com/…`).
    private let rewrite: @Sendable (URL) -> URL
    private let sequence = Mutex(0)

    public init(wrapping inner: any HTTPTransport, directory: String, rewrite: @escaping @Sendable (URL) -> URL = { $0 }) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.inner = inner
        self.directory = directory
        self.rewrite = rewrite
    }

    /// A rewrite that replaces scheme, host and port with `origin` (`https://api.xero.com`).
    public static func origin(_ origin: String) -> @Sendable (URL) -> URL {
        { url in
            guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false), let replacement = URLComponents(string: origin) else { return url }
            components.scheme = replacement.scheme
            components.host = replacement.host
            components.port = replacement.port
            return components.url ?? url
        }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await inner.send(request)
        var recordedRequest = request
        recordedRequest.headers = Redaction.headers(request.headers)
        if let body = request.body { recordedRequest.body = Redaction.body(body, contentType: request.headers["Content-Type"]) }
        recordedRequest.url = rewrite(request.url)
        var recordedResponse = response
        recordedResponse.headers = Redaction.headers(response.headers)
        recordedResponse.body = Redaction.body(response.body, contentType: response.headers["Content-Type"] ?? "application/json")
        let number = sequence.withLock { value in value += 1; return value }
        let name = String(format: "%03d-%@-%@.http", number, request.method, request.url.lastPathComponent.isEmpty ? "root" : request.url.lastPathComponent)
        // Keys and headers are redacted by name above; a secret value anywhere else (an error
        // description that echoes the refresh token) is scrubbed here.
        let text = SecretScrubber.shared.scrub(RecordedExchange(request: recordedRequest, response: recordedResponse).serialized())
        guard FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw GeneralError("cannot write fixture \(directory)/\(name)", exitCode: .cannotCreate)
        }
        return response
    }
}
