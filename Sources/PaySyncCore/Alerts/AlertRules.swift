/// A condition that holds now, under a stable key: the same key from run to run while the
/// condition lasts, so it is announced once and cleared once.
public struct Alert: Hashable, Sendable {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
}

/// What the alert rules look at, gathered after a run.
public struct AlertFacts: Sendable {
    public var command: String
    public var exitCode: ExitCode
    /// The problem that set the exit code, in one line.
    public var problem: String?
    /// Dead-lettered writes per sink.
    public var deadLetters: [String: Int]
    /// Each configured source and when it was last read without a failure (nil: never).
    public var sourceSuccesses: [String: Timestamp?]
    /// Stored refresh tokens and consents and when each expires.
    public var expiries: [String: Timestamp]
    /// Bank credits matched to no invoice.
    public var unmatchedBankCredits: Int
    public var now: Timestamp

    public init(command: String, exitCode: ExitCode, problem: String?, deadLetters: [String: Int], sourceSuccesses: [String: Timestamp?],
                expiries: [String: Timestamp], unmatchedBankCredits: Int, now: Timestamp) {
        self.command = command
        self.exitCode = exitCode
        self.problem = problem
        self.deadLetters = deadLetters
        self.sourceSuccesses = sourceSuccesses
        self.expiries = expiries
        self.unmatchedBankCredits = unmatchedBankCredits
        self.now = now
    }
}

/// Which conditions hold (pure). Keys: `run_failed`, `dead_letters:SINK`, `source_stale:SOURCE`,
/// `expiring:CREDENTIAL`, `unmatched_bank_credits`.
public enum AlertRules {
    public static func evaluate(_ facts: AlertFacts, settings: AlertSettings) -> [Alert] {
        var alerts: [Alert] = []
        if facts.exitCode != .success {
            alerts.append(Alert(key: "run_failed", message: "paysync \(facts.command) failed (exit \(facts.exitCode.rawValue)): \(facts.problem ?? "see the run's log")"))
        }
        for (sink, count) in facts.deadLetters.sorted(by: { $0.key < $1.key }) where count > 0 {
            alerts.append(Alert(key: "dead_letters:\(sink)",
                                message: "\(Plural.count(count, "write")) to \(sink) dead-lettered after every retry; `paysync outbox list --state dead --sink \(sink)` shows them"))
        }
        if let hours = settings.sourceStaleHours {
            let limit = facts.now.adding(milliseconds: -Int64(hours) * 3_600_000)
            for (source, last) in facts.sourceSuccesses.sorted(by: { $0.key < $1.key }) where last.map({ $0 < limit }) ?? true {
                let since = last.map { "since \($0.iso8601)" } ?? "ever"
                alerts.append(Alert(key: "source_stale:\(source)", message: "source \(source) has not been read without a failure \(since) (more than \(hours) h)"))
            }
        }
        if let days = settings.tokenExpiryDays {
            let limit = facts.now.adding(milliseconds: Int64(days) * 86_400_000)
            for (name, expiry) in facts.expiries.sorted(by: { $0.key < $1.key }) where expiry <= limit {
                let when = expiry <= facts.now ? "expired on \(expiry.utcDate)" : "expires on \(expiry.utcDate)"
                alerts.append(Alert(key: "expiring:\(name)", message: "\(name) \(when) (within \(days) days); re-authorise with `paysync auth`"))
            }
        }
        if let threshold = settings.unmatchedBankCredits, facts.unmatchedBankCredits > threshold {
            alerts.append(Alert(key: "unmatched_bank_credits",
                                message: "\(Plural.count(facts.unmatchedBankCredits, "bank credit")) match no invoice (more than \(threshold)); a person should look"))
        }
        return alerts
    }
}

/// An alert announced in an earlier run and not yet cleared (kept in the ledger).
public struct ActiveAlert: Hashable, Sendable {
    public var key: String
    public var message: String
    public var since: Timestamp

    public init(key: String, message: String, since: Timestamp) {
        self.key = key
        self.message = message
        self.since = since
    }
}

/// One message to send: a condition that started, or one that ended.
public enum AlertNotice: Hashable, Sendable {
    case firing(Alert)
    case cleared(ActiveAlert)

    public var key: String {
        switch self {
        case .firing(let alert): alert.key
        case .cleared(let active): active.key
        }
    }

    /// The text sent.
    public var text: String {
        switch self {
        case .firing(let alert): "ALERT: \(alert.message)"
        case .cleared(let active): "RESOLVED: \(active.message) (since \(active.since.iso8601))"
        }
    }
}

/// What to announce (pure): conditions that hold and were not announced, and announced ones that
/// no longer hold. A condition that still holds is said nothing about, however many runs it lasts.
public enum AlertTransitions {
    public static func notices(now: [Alert], active: [ActiveAlert]) -> [AlertNotice] {
        let holding = Set(now.map(\.key))
        let announced = Set(active.map(\.key))
        return now.filter { !announced.contains($0.key) }.map(AlertNotice.firing)
            + active.filter { !holding.contains($0.key) }.sorted { $0.key < $1.key }.map(AlertNotice.cleared)
    }
}
