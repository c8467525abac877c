/// The ledger as the engine sees it: six small stores, one per kind of record, behind which the
/// SQLite ledger (`PaySyncLedger`) and, later, a PostgreSQL one sit. Every write a page causes
/// goes through `ObjectStateStore.apply`, which must be one transaction: states, transitions,
/// outbox rows, rejects and the cursor move are kept together or not at all, and are durable
/// when it returns.

/// Last known object states, and the page commit that changes them.
public protocol ObjectStateStore: Sendable {
    /// The last known state of each object (nil for objects never seen), in the order asked.
    func knownStates(for keys: [ObjectKey]) async throws -> [Observation?]
    /// Applies one page atomically and durably (see above).
    func apply(_ commit: PageCommit) async throws
    /// Objects of a kind with a document date in `[from, until)` (backfill and sweep counts).
    func countObjects(provider: String, account: String, kind: ObjectKind, from: CalendarDate, until: CalendarDate) async throws -> Int
    func externalIDs(provider: String, account: String, kind: ObjectKind, from: CalendarDate, until: CalendarDate) async throws -> Set<String>
    /// Sent invoices due before `today`: those that became overdue without a provider change.
    func sentInvoicesDueBefore(_ today: CalendarDate, provider: String, account: String) async throws -> [Observation]
    /// Refunds and credit notes whose `parent_key` is one of `parents` (object keys as text), as
    /// last known: what `RefundLinking` counts against an invoice.
    func linkedDocuments(parents: [String]) async throws -> [Observation]
    /// Objects of these kinds in one account whose status is one of `statuses`, as last known:
    /// what a source reads again because its lists cannot show them changing.
    func objects(provider: String, account: String, kinds: [ObjectKind], statuses: [PaymentStatus]) async throws -> [Observation]
}

/// The transitions history.
public protocol TransitionStore: Sendable {
    /// Objects matching an object key, a provider id or an invoice number, with their history.
    func history(of reference: String) async throws -> [ObjectHistory]
}

/// Incremental positions per provider account and entity (moved only by `apply`).
public protocol CursorStore: Sendable {
    func cursor(provider: String, account: String, entity: String) async throws -> CursorRecord?
    func recordSweep(provider: String, account: String, entity: String, at now: Timestamp) async throws
    /// The accounts of a provider that have a cursor (were read at least once).
    func cursorAccounts(provider: String) async throws -> Set<String>
}

/// The durable outbox. Every statement moves only rows `OutboxStateMachine` allows.
public protocol OutboxStore: Sendable {
    /// Rows a dead run left `sending` go back to `pending`; returns how many.
    @discardableResult func recoverInFlight(now: Timestamp) async throws -> Int
    /// Claims every due row of the next `limit` record keys in queue order after row `position`,
    /// committed as `sending` before the caller sends them; nil when nothing more is due.
    func claimBatch(sink: String, after position: Int64?, limit: Int, now: Timestamp) async throws -> ClaimedBatch?
    /// Settles a sent batch and claims the next in one commit.
    func settleAndClaimNext(_ outcomes: [(id: Int64, outcome: WriteOutcome)], settings: OutboxSettings, now: Timestamp,
                            sink: String, after position: Int64, limit: Int, claimNext: Bool) async throws -> (settled: SettledCounts, next: ClaimedBatch?)
    /// Settles sent rows by their outcomes (the state machine decides each row's next state).
    @discardableResult func settle(_ outcomes: [(id: Int64, outcome: WriteOutcome)], maxAttempts: Int, retryBaseSeconds: Double,
                                   retryCapSeconds: Double, now: Timestamp) async throws -> SettledCounts
    func outboxRows(states: [OutboxState], sink: String?, limit: Int) async throws -> [OutboxRow]
    /// `outbox retry`: dead or skipped rows (all, or those named) back to pending.
    func requeue(ids: [Int64]?, now: Timestamp) async throws -> Int
    /// `outbox drop`: removes the named rows.
    func dropOutboxRows(ids: [Int64]) async throws -> Int
    func outboxCount(sink: String?, state: OutboxState) async throws -> Int
    /// When the oldest write still waiting to be sent was queued; nil when none waits.
    func oldestPendingQueuedAt() async throws -> Timestamp?
}

/// OAuth tokens between runs. `saveCredential` is durable when it returns: a rotated refresh
/// token is saved before its access token is used.
public protocol CredentialRecordStore: Sendable {
    func credential(named name: String) async throws -> StoredCredential?
    func saveCredential(named name: String, value: Secret, expiresAt: Timestamp?, seedFingerprint: String?, now: Timestamp) async throws
    func deleteCredential(named name: String) async throws
    /// Waits until no other process sharing this ledger holds the named lock, and takes it: two
    /// workers refreshing the same token take turns, and the second reads what the first stored.
    /// A ledger one process owns at a time (SQLite, under its run lock) need do nothing.
    func lockCredential(named name: String) async throws
    func unlockCredential(named name: String) async throws
}

extension CredentialRecordStore {
    public func lockCredential(named name: String) async throws {}
    public func unlockCredential(named name: String) async throws {}
}

/// The CRM's own id for a record key, for CRMs that update only by id and find records only by a
/// costly search: found once, kept, used by every later write.
public protocol CRMRecordIDStore: Sendable {
    /// The known ids of these keys of one sink's CRM object (keys never found are absent).
    func crmRecordIDs(sink: String, object: String, keys: [String]) async throws -> [String: String]
    /// Remembers ids found (replacing older ones for the same keys).
    func saveCRMRecordIDs(sink: String, object: String, _ ids: [String: String], now: Timestamp) async throws
    /// Forgets an id the CRM no longer knows (the record was deleted or merged).
    func forgetCRMRecordID(sink: String, object: String, key: String) async throws
}

/// Runs and what the operator reads about them.
public protocol RunStore: Sendable {
    func startRun(command: String, dryRun: Bool, startedAt: Timestamp) async throws -> Int64
    func finishRun(id: Int64, counts: PageCounts, written: Int, failed: Int, skippedByMapping: Int, exitCode: ExitCode, message: String?,
                   finishedAt: Timestamp) async throws
    func recentRuns(limit: Int) async throws -> [RunRecord]
    func status() async throws -> LedgerStatus
    func recentRejects(limit: Int) async throws -> [RejectRecord]
}

/// Alert state and the facts alert rules read.
public protocol AlertStore: Sendable {
    func activeAlerts() async throws -> [ActiveAlert]
    func recordAlert(_ alert: Alert, since: Timestamp) async throws
    func clearAlert(key: String) async throws
    /// Sources last read without a failure, and when.
    func sourceSuccesses() async throws -> [String: Timestamp]
    func recordSourceSuccess(_ sources: [String], at: Timestamp) async throws
    /// Stored credentials with a known expiry (refresh tokens, consents; not access tokens), by name.
    func credentialExpiries() async throws -> [String: Timestamp]
    /// Bank credits (`bank_transaction` objects with money in) matched to no invoice.
    func unmatchedBankCredits() async throws -> Int
}

/// A recorded matching decision (`paysync matches`).
public struct MatchRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case applied, confirmed, review, ambiguous, unmatched, rejected }
    public var credit: ObjectKey
    public var invoice: ObjectKey?
    public var amount: Money?
    public var confidence: Double
    public var reason: String
    public var state: State
    public var candidates: [ObjectKey]
    public var decidedAt: Timestamp

    public init(credit: ObjectKey, invoice: ObjectKey?, amount: Money?, confidence: Double, reason: String, state: State, candidates: [ObjectKey] = [],
                decidedAt: Timestamp) {
        self.credit = credit
        self.invoice = invoice
        self.amount = amount
        self.confidence = confidence
        self.reason = reason
        self.state = state
        self.candidates = candidates
        self.decidedAt = decidedAt
    }
}

/// Bank credits, open invoices and what matching decided about them.
public protocol MatchStore: Sendable {
    /// Booked bank credits no applied, confirmed or rejected decision covers, oldest first.
    func creditsToMatch() async throws -> [BankCredit]
    /// Invoices with something still due (sent, overdue, part paid), as the ledger holds them.
    func openInvoices() async throws -> [OpenInvoice]
    /// Replaces each credit's undecided rows (review, ambiguous, unmatched) with `records`.
    func recordMatches(_ records: [MatchRecord]) async throws
    /// Applied and confirmed allocations per invoice, per currency.
    func matchedTotals(invoices: [ObjectKey]) async throws -> [ObjectKey: Money]
    /// Invoices whose applied or confirmed matches exceed what the ledger says they received.
    func invoicesBehindMatches() async throws -> [ObjectKey]
    func matchRecords(states: [MatchRecord.State]) async throws -> [MatchRecord]
}

/// What `paysync report` reads.
public protocol ReportStore: Sendable {
    /// Status transitions that happened in `[from, until)` (by the provider's updated-at, else when
    /// paysync saw them), oldest first.
    func reportTransitions(from: Timestamp, until: Timestamp) async throws -> [ReportTransition]
    /// Objects per source and status, overdue invoices, unmatched bank credits: now.
    func reportSnapshot() async throws -> ReportSnapshot
}

/// Everything the engine needs of a ledger.
public protocol LedgerStore: ObjectStateStore, TransitionStore, CursorStore, OutboxStore, CredentialRecordStore, CRMRecordIDStore, RunStore, AlertStore, ReportStore, MatchStore {
    /// Where it lives, for messages (a file path, a database name).
    var location: String { get }
    /// The backend and its version (`SQLite 3.40.1`), for `status`.
    var backend: String { get }
}
