import Foundation
import PaySyncCore
import PaySyncHTTP

/// A Slack incoming webhook on 127.0.0.1, strict as Slack is: `POST` only, a JSON body whose
/// `text` is a non-empty string (`invalid_payload` for a body that is not JSON, `no_text` without
/// text, both HTTP 400), `ok` (text/html) when accepted, and `no_service` (404) once revoked.
/// It keeps every message it accepted.
public final class FakeSlackWebhook: Sendable {
    struct State: Sendable {
        var messages: [String] = []
        var revoked = false
        var failNext = 0
        var throttleNext = 0
    }

    private let state = Locked(State())
    private let server: LoopbackHTTPServer
    /// `http://127.0.0.1:PORT/services/T000/B000/XXXX`: the secret URL to configure.
    public var url: String { server.baseURL + "/services/T0PAYSYNC/B0ALERTS/fake0secret0part" }

    public init() throws {
        let state = self.state
        server = try LoopbackHTTPServer { request in
            guard request.method == "POST", request.path == "/services/T0PAYSYNC/B0ALERTS/fake0secret0part" else {
                return .status(404, headers: ["Content-Type": "text/html"], body: "no_service")
            }
            return state.withLock { state -> ServerReply in
                if state.revoked { return .status(404, headers: ["Content-Type": "text/html"], body: "no_service") }
                if state.throttleNext > 0 {
                    state.throttleNext -= 1
                    return .status(429, headers: ["Content-Type": "text/html", "Retry-After": "2"], body: "rate_limited")
                }
                if state.failNext > 0 {
                    state.failNext -= 1
                    return .status(500, headers: ["Content-Type": "text/html"], body: "internal_error")
                }
                guard request.headers["Content-Type"]?.hasPrefix("application/json") == true, let body = try? JSONParser.parse(request.body),
                      body.objectValue != nil else {
                    return .status(400, headers: ["Content-Type": "text/html"], body: "invalid_payload")
                }
                guard let text = body["text"]?.stringValue, !text.isEmpty else {
                    return .status(400, headers: ["Content-Type": "text/html"], body: "no_text")
                }
                state.messages.append(text)
                return .status(200, headers: ["Content-Type": "text/html"], body: "ok")
            }
        }
    }

    deinit { server.stop() }

    public var messages: [String] { state.value.messages }
    /// The webhook is removed in Slack: every later post gets `no_service`.
    public func revoke() { state.withLock { $0.revoked = true } }
    /// The next `count` posts get a 500.
    public func failNext(_ count: Int) { state.withLock { $0.failNext = count } }
    /// The next `count` posts get Slack's 429 with `Retry-After: 2`.
    public func throttleNext(_ count: Int) { state.withLock { $0.throttleNext = count } }
}
