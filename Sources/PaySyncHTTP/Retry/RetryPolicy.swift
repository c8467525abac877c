import PaySyncCore

/// When and how long to wait before trying a request again. Pure: the caller supplies the
/// attempt number, the outcome, the time spent so far and a random number.
///
/// Retried: 429, 500, 502, 503, 504, timeouts, refused and reset connections. Never retried:
/// other 4xx (a bad request or bad credentials does not get better by repeating it).
/// Waits are exponential with full jitter (a uniform draw below `base × 2^(attempt−1)`, capped),
/// or exactly `Retry-After` when the server sends one.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var maxRetrySeconds: Double
    public var baseSeconds: Double
    public var capSeconds: Double

    public init(maxAttempts: Int = 6, maxRetrySeconds: Double = 300, baseSeconds: Double = 1, capSeconds: Double = 60) {
        self.maxAttempts = maxAttempts
        self.maxRetrySeconds = maxRetrySeconds
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
    }

    public init(_ settings: HTTPSettings) {
        self.init(maxAttempts: settings.maxAttempts, maxRetrySeconds: settings.maxRetrySeconds,
                  baseSeconds: settings.backoffBaseSeconds, capSeconds: settings.backoffCapSeconds)
    }

    public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    public enum Decision: Equatable, Sendable {
        case retry(afterSeconds: Double)
        case giveUp
        /// The server asked for a wait longer than the retry budget: stop and report it.
        case waitTooLong(seconds: Double)
    }

    /// - Parameters:
    ///   - attempt: the attempt that just failed, 1-based.
    ///   - status: its HTTP status, or nil for a transport failure (timeout, reset, refused).
    ///   - retryAfterSeconds: the server's `Retry-After`, if any.
    ///   - elapsedSeconds: time since the first attempt started.
    ///   - random: a uniform draw in `0..<1`.
    public func decide(attempt: Int, status: Int?, retryAfterSeconds: Double?, elapsedSeconds: Double, random: Double) -> Decision {
        if let status, !RetryPolicy.retryableStatuses.contains(status) { return .giveUp }
        guard attempt < maxAttempts else { return .giveUp }
        let wait: Double
        if let retryAfterSeconds {
            wait = retryAfterSeconds
        } else {
            let ceiling = min(capSeconds, baseSeconds * pow(2, Double(attempt - 1)))
            wait = random * ceiling
        }
        guard elapsedSeconds + wait <= maxRetrySeconds else {
            return retryAfterSeconds != nil ? .waitTooLong(seconds: wait) : .giveUp
        }
        return .retry(afterSeconds: wait)
    }
}

import Foundation
