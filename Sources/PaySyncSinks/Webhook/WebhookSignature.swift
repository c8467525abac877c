import PaySyncCore

/// The webhook's signature header, `Paysync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`,
/// over `"<t>.<body>"` with the shared secret. Receivers recompute it, compare in constant time,
/// and reject old timestamps to stop replays. Documented in `docs/sinks/webhook.md`.
public enum WebhookSignature {
    public static let header = "Paysync-Signature"

    public static func sign(body: [UInt8], timestamp: Int64, secret: Secret) -> String {
        let mac = HMACSHA256.authenticationCode(key: Array(secret.reveal().utf8), message: Array("\(timestamp).".utf8) + body)
        return "t=\(timestamp),v1=\(HMACSHA256.hex(mac))"
    }

    /// Whether `header` is a valid signature of `body`, made within `tolerance` seconds of `now`.
    public static func verify(header: String, body: [UInt8], secret: Secret, now: Int64, tolerance: Int64 = 300) -> Bool {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1" { signatures.append(String(pair[1])) }
        }
        guard let timestamp, abs(now - timestamp) <= tolerance else { return false }
        let expected = Array(sign(body: body, timestamp: timestamp, secret: secret).split(separator: "=").last!.utf8)
        return signatures.contains { HMACSHA256.constantTimeEqual(Array($0.utf8), expected) }
    }

    /// A write's idempotency key, from the write keys of the outbox rows it carries: the same
    /// rows always give the same key (a retry after a crash repeats it, so a receiver can drop it),
    /// and a different write never does — write keys name the ledger, the sink and the transition
    /// that caused the write, none of which is ever reused.
    public static func idempotencyKey(writeKeys: [String]) -> String {
        String(HMACSHA256.hex(SHA256.hash(Array(writeKeys.sorted().joined(separator: ",").utf8))).prefix(32))
    }
}
