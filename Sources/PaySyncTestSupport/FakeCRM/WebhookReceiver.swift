import Foundation
import PaySyncCore
import PaySyncHTTP
import PaySyncSinks

/// A webhook endpoint on 127.0.0.1 that checks each request's `Paysync-Signature` with the shared
/// secret (401 when it does not verify), keeps the writes it accepted, and drops repeats by
/// idempotency key, as a careful receiver would.
public final class WebhookReceiver: Sendable {
    struct State: Sendable {
        var accepted: [JSONValue] = []
        var seenKeys: Set<String> = []
        var repeats = 0
        var badSignatures = 0
        var requests = 0
        var failNext = 0
    }

    private let state = Locked(State())
    private let server: LoopbackHTTPServer
    public var url: String { server.baseURL + "/hooks/paysync" }

    public init(secret: String) throws {
        let state = self.state
        server = try LoopbackHTTPServer { request in
            let outcome = state.withLock { state -> Int? in
                state.requests += 1
                if state.failNext > 0 { state.failNext -= 1; return 500 }
                return nil
            }
            if let outcome { return .status(outcome, body: "try later") }
            let verified = WebhookSignature.verify(header: request.headers[WebhookSignature.header] ?? "", body: Array(request.body),
                                                   secret: Secret(secret), now: Int64(Date().timeIntervalSince1970), tolerance: 10 * 365 * 86_400)
            guard verified, let body = try? JSONParser.parse(request.body) else {
                state.withLock { $0.badSignatures += 1 }
                return .json(401, #"{"error":"bad signature"}"#)
            }
            state.withLock { state in
                for write in body["writes"]?.arrayValue ?? [] {
                    guard let key = write["idempotency_key"]?.stringValue else { continue }
                    if state.seenKeys.insert(key).inserted { state.accepted.append(write) } else { state.repeats += 1 }
                }
            }
            return .json(200, #"{"ok":true}"#)
        }
    }

    deinit { server.stop() }

    public var accepted: [JSONValue] { state.value.accepted }
    public var repeats: Int { state.value.repeats }
    public var badSignatures: Int { state.value.badSignatures }
    public var requests: Int { state.value.requests }
    public func failNext(_ count: Int) { state.withLock { $0.failNext = count } }
}
