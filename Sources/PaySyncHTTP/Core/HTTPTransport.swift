/// Sends one HTTP request and returns the whole response. The only way paysync talks to the
/// network: production uses `URLSessionTransport`, CI dry runs use `FixtureTransport`, and tests
/// use a real loopback server. A transport does not retry; `HTTPClient` does.
///
/// Implementations throw `HTTPError` for transport failures (timeouts, refused or reset
/// connections) and return every HTTP status, error statuses included.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
