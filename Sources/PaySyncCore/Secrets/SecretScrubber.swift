import Foundation
import Synchronization

/// Every secret value this process has held, and the one place text is scrubbed of them before
/// it leaves: log lines, standard error and output, recorded exchanges. Keys and headers are
/// redacted by name elsewhere; this catches a secret wherever else it appears (a token endpoint
/// that echoes the refresh token in its `error_description`, a provider error that quotes a key).
///
/// `Secret` registers its value when created, so configured secrets, rotated refresh tokens and
/// access tokens are all known without anyone remembering to. Values shorter than
/// `minimumLength` are not registered: real credentials are long, and scrubbing a short value
/// would mangle ordinary text.
public final class SecretScrubber: Sendable {
    public static let shared = SecretScrubber()
    public static let minimumLength = 8
    public static let placeholder = "[redacted]"

    private let values = Mutex<Set<String>>([])

    public init() {}

    /// Remembers `value` (and its percent-encoded form, as it appears in form bodies and URLs).
    public func register(_ value: String) {
        guard value.count >= SecretScrubber.minimumLength else { return }
        let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
        values.withLock { set in
            set.insert(value)
            if let encoded, encoded != value { set.insert(encoded) }
        }
    }

    /// `text` with every registered value replaced by `[redacted]`, longest first (so a value
    /// that contains another is replaced whole).
    public func scrub(_ text: String) -> String {
        let known = values.withLock { $0 }
        guard !known.isEmpty else { return text }
        var result = text
        for value in known.sorted(by: { $0.count > $1.count }) where result.contains(value) {
            result = result.replacingOccurrences(of: value, with: SecretScrubber.placeholder)
        }
        return result
    }
}
