/// The life of one outbox row: an explicit state machine whose table is tested directly.
///
/// ```
/// pending ──picked──► sending ──acknowledged──► delivered (row removed)
///    ▲                  │ retryable failure (attempts < max) ──► pending (later)
///    │                  │ retryable failure (attempts ≥ max) ──► dead
///    │                  │ permanent failure (CRM rejected the record) ──► dead
///    │                  │ no such CRM record (policy: skip) ──► skipped
///    │                  └ run died mid-send ──recovered──► pending
///    └──────── operator: `outbox retry` ◄── dead / skipped
/// ```
public enum OutboxState: String, Sendable, CaseIterable, CustomStringConvertible {
    case pending
    case sending
    case delivered
    case skipped
    case dead

    public var description: String { rawValue }
}

/// What happened to an outbox row.
public enum OutboxEvent: Hashable, Sendable {
    case picked
    case acknowledged
    case retryableFailure
    case permanentFailure
    case noSuchRecord
    /// A new run found the row still `sending`: the run that sent it died before hearing back.
    case recovered
    case operatorRetry
}

public enum OutboxStateMachine {
    /// The state after `event`, or nil when the event cannot happen in `state` (a bug).
    /// - Parameters:
    ///   - attempts: sends so far, including the one that just failed.
    ///   - maxAttempts: after this many retryable failures a row is dead-lettered.
    public static func next(from state: OutboxState, on event: OutboxEvent, attempts: Int, maxAttempts: Int) -> OutboxState? {
        switch (state, event) {
        case (.pending, .picked): .sending
        case (.sending, .acknowledged): .delivered
        case (.sending, .retryableFailure): attempts >= maxAttempts ? .dead : .pending
        case (.sending, .permanentFailure): .dead
        case (.sending, .noSuchRecord): .skipped
        case (.sending, .recovered): .pending
        case (.dead, .operatorRetry), (.skipped, .operatorRetry): .pending
        default: nil
        }
    }
}
