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
        /// Each key's first payload: a key that comes back with another one named a different
        /// write, which a receiver that drops repeats would have lost.
        var payloads: [String: String] = [:]
        var conflicts: [String] = []
        var conflictDetails: [String] = []
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
                    let payload = JSONWriter.compact(write)
                    if state.seenKeys.insert(key).inserted {
                        state.accepted.append(write)
                        state.payloads[key] = payload
                    } else {
                        state.repeats += 1
                        if state.payloads[key] != payload {
                            state.conflicts.append(key)
                            state.conflictDetails.append("first: \(state.payloads[key] ?? "")\nthen:  \(payload)")
                        }
                    }
                }
            }
            return .json(200, #"{"ok":true}"#)
        }
    }

    deinit { server.stop() }

    public var accepted: [JSONValue] { state.value.accepted }
    public var repeats: Int { state.value.repeats }
    /// Keys that arrived again with a different payload (must be none).
    public var conflicts: [String] { state.value.conflicts }
    /// For each conflict, the key's first payload and the later one.
    public var conflictDetails: [String] { state.value.conflictDetails }
    public var badSignatures: Int { state.value.badSignatures }
    public var requests: Int { state.value.requests }
    public func failNext(_ count: Int) { state.withLock { $0.failNext = count } }
}
