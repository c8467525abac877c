/// What a sink says became of one write.
public enum WriteOutcome: Hashable, Sendable {
    /// The CRM acknowledged it.
    case delivered
    /// A passing failure (throttled, 5xx for this record): tried again later, dead-lettered
    /// after the configured number of attempts.
    case retryable(String)
    /// The CRM refused the record for good (invalid value, required field): dead-lettered with
    /// the CRM's own message, never retried blindly.
    case rejected(String)
    /// The CRM has no record with this key and the policy is to skip: kept, listed, not retried.
    case noSuchRecord(String)
    /// The sink's mapping writes nothing for this change (a status its value table leaves out):
    /// nothing was sent. Settled like a delivery, but counted apart as "skipped by mapping",
    /// never as written.
    case notMapped
    /// Not sent: the CRM's allowance for the day is spent (a daily token budget). Back to
    /// pending, due at the next run, and not counted as an attempt: a budget is not a failure of
    /// the write, and a queue that waits a day must not be dead-lettered for it.
    case deferred(String)
}

/// When a write that failed for a passing reason is tried again: doubling from `base` per
/// attempt, capped.
public enum OutboxRetrySchedule {
    public static func delaySeconds(afterAttempts attempts: Int, base: Double, cap: Double) -> Double {
        min(cap, base * pow(2, Double(max(0, attempts - 1))))
    }
}

import Foundation
