import PaySyncCore

/// A call that failed for good: after retries, or at once for a status that must not be retried.
/// Names the call and the provider's own message, never a token.
public struct HTTPError: PaySyncError, Hashable {
    public enum Kind: Hashable, Sendable {
        case timeout
        case connectionRefused
        case connectionLost
        case cannotConnect
        /// The server kept answering with this status (after retries where retryable).
        case status(Int)
        /// Rate limited with a wait longer than the retry budget allows; try again after it.
        case rateLimited(retryAfterSeconds: Double?)
        case cancelled
        case other(String)
    }

    public var kind: Kind
    /// `GET api.xero.com/api.xro/2.0/Invoices`.
    public var call: String
    public var attempts: Int
    /// The provider's message or body excerpt, redacted.
    public var detail: String?

    public init(_ kind: Kind, call: String, attempts: Int = 1, detail: String? = nil) {
        self.kind = kind
        self.call = call
        self.attempts = attempts
        self.detail = detail
    }

    public var isTransportFailure: Bool {
        switch kind {
        case .timeout, .connectionRefused, .connectionLost, .cannotConnect: true
        default: false
        }
    }

    public var exitCode: ExitCode {
        switch kind {
        case .status(let code): HTTPFailure.exitCode(status: code)
        case .rateLimited, .cancelled: .temporaryFailure
        default: .unavailable
        }
    }

    public var description: String {
        let what: String
        switch kind {
        case .timeout: what = "timed out"
        case .connectionRefused: what = "connection refused"
        case .connectionLost: what = "connection lost"
        case .cannotConnect: what = "cannot connect"
        case .status(let code): what = "HTTP \(code)"
        case .rateLimited(let seconds): what = "rate limited" + (seconds.map { "; retry after \(Int($0.rounded(.up))) s" } ?? "")
        case .cancelled: what = "cancelled"
        case .other(let message): what = message
        }
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        return "\(call): \(what)\(tries)" + (detail.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? "")
    }
}
