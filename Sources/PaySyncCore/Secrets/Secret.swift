/// A credential held in memory. It prints as `[redacted]` in every interpolation, log line and
/// error, so a secret can only leave the process through an explicit `reveal()` at the point of
/// use (an HTTP header, a form body).
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    /// Holds `value`, and registers it with `SecretScrubber.shared` so it is scrubbed from
    /// every log line, message and recording wherever it appears.
    public init(_ value: String) {
        self.value = value
        SecretScrubber.shared.register(value)
    }

    /// The secret's text. Call only where it must go on the wire.
    public func reveal() -> String { value }

    public var isEmpty: Bool { value.isEmpty }

    public var description: String { "[redacted]" }
    public var debugDescription: String { "[redacted]" }

    /// A short, non-reversible tag for telling two secrets apart in the ledger and in logs
    /// (the first 12 hex digits of SHA-256).
    public var fingerprint: String {
        SHA256.hash(Array(value.utf8)).prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
