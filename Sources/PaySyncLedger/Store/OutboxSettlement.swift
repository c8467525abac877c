import PaySyncCore

/// What settling one sent row does to it, decided by `OutboxStateMachine` from the row's state,
/// its attempts and the sink's outcome: pure, so both ledgers carry out the same decision.
enum OutboxSettlement: Equatable {
    /// Delivered (or acknowledged as needing nothing): the row is deleted.
    case delete
    /// Never sent (deferred): the claim's attempt is given back, and the row is due at once.
    case giveBack(error: String?)
    /// A retryable failure: due again at `at`.
    case retry(error: String?, at: Timestamp)
    /// Dead-lettered or skipped, with why.
    case park(OutboxState, error: String?)

    /// Nil when the state machine allows no move (the row is not in a state this outcome moves).
    init?(_ outcome: WriteOutcome, from current: OutboxState, attempts: Int, maxAttempts: Int, retryBaseSeconds: Double, retryCapSeconds: Double,
          now: Timestamp) {
        let event: OutboxEvent
        let error: String?
        switch outcome {
        case .delivered: event = .acknowledged; error = nil
        case .retryable(let message): event = .retryableFailure; error = message
        case .rejected(let message): event = .permanentFailure; error = message
        case .noSuchRecord(let message): event = .noSuchRecord; error = message
        case .notMapped: event = .notMapped; error = nil
        case .deferred(let message): event = .deferred; error = message
        }
        guard let next = OutboxStateMachine.next(from: current, on: event, attempts: attempts, maxAttempts: maxAttempts) else { return nil }
        switch next {
        case .delivered: self = .delete
        case .pending where event == .deferred: self = .giveBack(error: error)
        case .pending:
            let delay = OutboxRetrySchedule.delaySeconds(afterAttempts: attempts, base: retryBaseSeconds, cap: retryCapSeconds)
            self = .retry(error: error, at: now.adding(seconds: delay))
        case .dead, .skipped: self = .park(next, error: error)
        case .sending, .dropped: return nil
        }
    }
}
