/// The life of one outbox row: an explicit state machine whose table is tested directly, and the
/// only authority on which rows a ledger statement may move (its `WHERE state IN (…)` lists come
/// from `sources(of:)`).
///
/// ```
/// pending ──picked──► sending ──acknowledged / not mapped──► delivered (row removed)
///    ▲ │                │ retryable failure (attempts < max) ──► pending (later)
///    │ │                │ retryable failure (attempts ≥ max) ──► dead
///    │ │                │ permanent failure (CRM rejected the record) ──► dead
///    │ │                │ no such CRM record (policy: skip) ──► skipped
///    │ │                │ deferred (the CRM's daily budget is spent) ──► pending (attempt not counted)
///    │ │                └ run died mid-send ──recovered──► pending
///    │ └─ payload cannot be decoded ──► dead (with the reason; never sent, never "delivered")
///    └──────── operator: `outbox retry` ◄── dead / skipped
///   operator: `outbox drop` ◄── pending / dead / skipped ──► dropped (row removed)
/// ```
public enum OutboxState: String, Sendable, CaseIterable, CustomStringConvertible {
    case pending
    case sending
    case delivered
    case skipped
    case dead
    /// Removed by an operator: the write will never be sent.
    case dropped

    public var description: String { rawValue }

    /// States a row can be stored in (`delivered` and `dropped` rows are removed).
    public static let stored: [OutboxState] = [.pending, .sending, .skipped, .dead]
}

/// What happened to an outbox row.
public enum OutboxEvent: Hashable, Sendable, CaseIterable {
    case picked
    case acknowledged
    case retryableFailure
    case permanentFailure
    case noSuchRecord
    /// The sink's mapping had nothing to send for the row: done, though nothing was written.
    case notMapped
    /// The CRM's allowance was spent before the row was sent.
    case deferred
    /// A new run found the row still `sending`: the run that sent it died before hearing back.
    case recovered
    /// The row's stored payload (changes, action, statuses) cannot be read back.
    case undecodable
    case operatorRetry
    case operatorDrop
}

public enum OutboxStateMachine {
    /// The state after `event`, or nil when the event cannot happen in `state` (a bug, or a row
    /// another statement already moved).
    /// - Parameters:
    ///   - attempts: sends so far, including the one that just failed.
    ///   - maxAttempts: after this many retryable failures a row is dead-lettered.
    public static func next(from state: OutboxState, on event: OutboxEvent, attempts: Int, maxAttempts: Int) -> OutboxState? {
        switch (state, event) {
        case (.pending, .picked): .sending
        case (.sending, .acknowledged), (.sending, .notMapped): .delivered
        case (.sending, .retryableFailure): attempts >= maxAttempts ? .dead : .pending
        case (.sending, .permanentFailure): .dead
        case (.sending, .noSuchRecord): .skipped
        case (.sending, .deferred): .pending
        case (.sending, .recovered): .pending
        case (.pending, .undecodable), (.sending, .undecodable): .dead
        case (.dead, .operatorRetry), (.skipped, .operatorRetry): .pending
        case (.pending, .operatorDrop), (.dead, .operatorDrop), (.skipped, .operatorDrop): .dropped
        default: nil
        }
    }

    /// The stored states in which `event` can happen, read off the table.
    public static func sources(of event: OutboxEvent) -> [OutboxState] {
        OutboxState.stored.filter { next(from: $0, on: event, attempts: 1, maxAttempts: .max) != nil }
    }

    /// The state `event` leads to from every one of its sources (for statements that move many
    /// rows at once); nil when it depends on the row (a retryable failure's attempts).
    public static func target(of event: OutboxEvent) -> OutboxState? {
        let targets = Set(sources(of: event).compactMap { next(from: $0, on: event, attempts: 1, maxAttempts: .max) })
        return targets.count == 1 ? targets.first : nil
    }

    /// `'pending', 'dead'`: the sources of `event` as an SQL list (state names are fixed words).
    public static func sqlSources(of event: OutboxEvent) -> String {
        sqlSourceLists[event]!
    }

    /// Each event's SQL list, read off the table once (statements ask on every call).
    private static let sqlSourceLists: [OutboxEvent: String] = Dictionary(uniqueKeysWithValues: OutboxEvent.allCases.map { event in
        (event, sources(of: event).map { "'\($0.rawValue)'" }.joined(separator: ", "))
    })
}
