import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncLedger

/// What the ledger tests ask of a backend besides `LedgerStore`: counts, raw statements (to
/// corrupt a row as a bad disk or a hand edit would) and the fault hook inside a page commit.
protocol TestLedger: LedgerStore {
    func count(_ table: String) async throws -> Int
    func execute(_ sql: String) async throws
    func setFaultBeforeStateWrite(_ fault: (@Sendable (Int) throws -> Void)?) async
}

extension TestLedger {
    /// Outbox rows whose record key is not their object's invoice number (the test route keys by it).
    func mismatchedOutboxRows() async throws -> Int {
        try await count("outbox o JOIN objects obj ON obj.id = o.object_id WHERE o.record_key <> obj.invoice_number OR obj.invoice_number IS NULL")
    }

    func distinctWriteKeys() async throws -> Int { try await count("(SELECT DISTINCT write_key FROM outbox) AS keys") }
}

extension Ledger: TestLedger {
    func count(_ table: String) throws -> Int { Int(try database.scalar("SELECT count(*) FROM \(table)") ?? 0) }
    func execute(_ sql: String) throws { try database.execute(sql) }
}

extension PostgresLedger: TestLedger {
    func count(_ table: String) throws -> Int { Int(try connection.execute("SELECT count(*) FROM \(table)").scalar ?? "0") ?? 0 }
    func execute(_ sql: String) throws { try connection.executeScript(sql) }
}

/// The ledger's test suite, run against each backend (SQLite in a temporary file, PostgreSQL in
/// a new database on the throwaway server): the same calls, the same answers. What only one
/// backend has (SQLite's migrations from older releases, its file lock; PostgreSQL's leases) is
/// tested beside it, in `LedgerTests.swift` and `PostgresLedgerTests.swift`.
@Suite(.serialized) struct LedgerBackendTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }

        /// A new, empty ledger; the directory keeps an SQLite file alive for the test.
        func make(in directory: TemporaryDirectory) async throws -> any TestLedger {
            switch self {
            case .sqlite: try Ledger(path: directory.file("ledger.db"))
            case .postgres: try PostgresLedger(url: try ThrowawayPostgres.server().newDatabase(), now: LedgerBackendTests.now, claimSeconds: 300)
            }
        }

        /// When a claim left `sending` by a dead process may be sent again: at once on SQLite
        /// (one process at a time holds the file), after the claim expires on PostgreSQL (the
        /// claim's owner may be another worker, still sending).
        var claimOutlives: Double { self == .postgres ? 300 : 0 }
    }

    static let now = Timestamp(iso: "2026-11-26T10:30:00Z")!

    /// A ledger holding five sent invoices, INV-1 to INV-5, each with one write queued.
    func seeded(_ backend: Backend, in directory: TemporaryDirectory) async throws -> any TestLedger {
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit((1...5).map { invoice("\($0)") }, runID: run))
        return ledger
    }

    // MARK: Pages

    @Test(arguments: Backend.allCases)
    func pageCommitStoresStatesTransitionsOutboxAndCursorTogether(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        let cursor = CursorMove(provider: "xero", account: "tenant-a", entity: "invoices", position: CursorPosition(updatedAt: Timestamp(millisecondsSinceEpoch: 1_000), lastID: "b"))
        try await ledger.apply(commit([invoice("a"), invoice("b")], runID: run, cursor: cursor))

        #expect(try await ledger.count("objects") == 2)
        #expect(try await ledger.count("transitions") == 2)
        #expect(try await ledger.count("outbox") == 2)
        let stored = try await ledger.cursor(provider: "xero", account: "tenant-a", entity: "invoices")
        #expect(stored?.position == cursor.position)
        #expect(stored?.movedAt == at)
        let known = try await ledger.knownStates(for: [invoice("a").key, invoice("zzz").key])
        #expect(known == [invoice("a"), nil])
        // A move without a position keeps the position and sets the hold.
        try await ledger.apply(commit([], runID: run, cursor: CursorMove(provider: "xero", account: "tenant-a", entity: "invoices", position: nil, holdSince: at)))
        let held = try await ledger.cursor(provider: "xero", account: "tenant-a", entity: "invoices")
        #expect(held?.position == cursor.position && held?.holdSince == at)
    }

    @Test(arguments: Backend.allCases)
    func knownStatesComeBackInTheOrderAskedAcrossAccountsAndKinds(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        // Ids a list must escape, and the same id under another account and another kind.
        let quoted = invoice(#"q"uo\te,{x}"#)
        var otherAccount = invoice("a")
        otherAccount.key.account = "tenant-b"
        var payment = invoice("a")
        payment.key.kind = .payment
        try await ledger.apply(commit([invoice("a"), quoted, invoice("c")], runID: run))
        try await ledger.apply(PageCommit(provider: "xero", account: "tenant-b",
                                          plan: PagePlanner.plan(observations: [otherAccount], known: [nil], routes: [route]),
                                          cursor: nil, runID: run, observedAt: at))
        try await ledger.apply(commit([payment], runID: run))

        let asked = [invoice("c").key, payment.key, invoice("missing").key, otherAccount.key, quoted.key, invoice("a").key, invoice("c").key]
        let known = try await ledger.knownStates(for: asked)
        #expect(known == [invoice("c"), payment, nil, otherAccount, quoted, invoice("a"), invoice("c")])
        #expect(try await ledger.knownStates(for: []) == [])
    }

    @Test(arguments: Backend.allCases)
    func aFailureMidPageKeepsNothingFromThatPage(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("first")], runID: run, cursor: CursorMove(provider: "xero", account: "tenant-a", entity: "invoices", position: CursorPosition(updatedAt: Timestamp(millisecondsSinceEpoch: 1_000), lastID: "first"))))

        struct Injected: Error {}
        await ledger.setFaultBeforeStateWrite { index in if index == 2 { throw Injected() } }
        let page = commit((1...5).map { invoice("p\($0)", updated: 2_000) }, runID: run,
                          cursor: CursorMove(provider: "xero", account: "tenant-a", entity: "invoices", position: CursorPosition(updatedAt: Timestamp(millisecondsSinceEpoch: 2_000), lastID: "p5")))
        await #expect(throws: Injected.self) { try await ledger.apply(page) }

        #expect(try await ledger.count("objects") == 1)
        #expect(try await ledger.count("transitions") == 1)
        #expect(try await ledger.count("outbox") == 1)
        #expect(try await ledger.cursor(provider: "xero", account: "tenant-a", entity: "invoices")?.position?.lastID == "first")

        // The same page applies cleanly once the fault is gone.
        await ledger.setFaultBeforeStateWrite(nil)
        try await ledger.apply(page)
        #expect(try await ledger.count("objects") == 6)
        #expect(try await ledger.cursor(provider: "xero", account: "tenant-a", entity: "invoices")?.position?.lastID == "p5")
    }

    @Test(arguments: Backend.allCases)
    func aPageLargerThanOneInsertBatchKeepsEveryObjectTransitionAndWrite(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("old")], runID: run))
        // 1,250 new objects (several insert statements on either backend), one of them twice, and
        // one known object changed in the middle (an upsert between inserts).
        var page = (1...1_250).map { invoice("n\($0)") }
        page.insert(invoice("old", status: .paid, paid: 10_000, updated: 2_000), at: 120)
        page.append(invoice("n7", status: .paid, paid: 10_000, updated: 3_000))
        let known: [Observation?] = page.map { $0.key.externalID == "old" ? invoice("old") : nil }
        try await ledger.apply(commit(page, known: known, runID: run))

        #expect(try await ledger.count("objects") == 1_251)
        #expect(try await ledger.count("transitions") == 1 + 1_252)
        let stored = try await ledger.knownStates(for: page.map(\.key))
        #expect(stored[7 - 1] == invoice("n7", status: .paid, paid: 10_000, updated: 3_000), "the later appearance wins")
        #expect(stored[120] == invoice("old", status: .paid, paid: 10_000, updated: 2_000))
        #expect(stored[900]?.invoiceNumber == page[900].invoiceNumber)
        // Every outbox row points at the object it was planned for, under a key of its own.
        #expect(try await ledger.mismatchedOutboxRows() == 0)
        #expect(try await ledger.distinctWriteKeys() == (try await ledger.count("outbox")))
    }

    @Test(arguments: Backend.allCases)
    func aNewObjectTheLedgerAlreadyHoldsFailsThePageAndKeepsNothingOfIt(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("a")], runID: run))
        // A plan made without the ledger's state (say, by a second writer) claims "a" is new.
        await #expect(throws: (any Error).self) { try await ledger.apply(commit([invoice("b"), invoice("a", status: .paid)], runID: run)) }
        #expect(try await ledger.count("objects") == 1)
        #expect(try await ledger.count("transitions") == 1)
        #expect(try await ledger.knownStates(for: [invoice("a").key]) == [invoice("a")])
    }

    @Test(arguments: Backend.allCases)
    func aScopeCreatedByAPageThatRolledBackIsNotRemembered(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        struct Injected: Error {}
        await ledger.setFaultBeforeStateWrite { _ in throw Injected() }
        await #expect(throws: Injected.self) { try await ledger.apply(commit([invoice("a")], runID: run)) }
        #expect(try await ledger.count("scopes") == 0)
        await ledger.setFaultBeforeStateWrite(nil)
        // The scope is created again (an id remembered from the rolled-back page would point nowhere).
        try await ledger.apply(commit([invoice("a")], runID: run))
        #expect(try await ledger.knownStates(for: [invoice("a").key]) == [invoice("a")])
    }

    @Test(arguments: Backend.allCases)
    func historyShowsEveryTransitionInOrder(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run1 = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("a")], runID: run1))
        let run2 = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("a", status: .paid, paid: 10_000, updated: 2_000)], known: [invoice("a")], runID: run2))

        let history = try await ledger.history(of: "INV-a")
        #expect(history.count == 1)
        #expect(history.first?.transitions.map(\.toStatus) == [.sent, .paid])
        #expect(history.first?.transitions.last?.fromStatus == .sent)
        #expect(history.first?.transitions.last?.runID == run2)
        #expect(history.first?.transitions.last?.changed.contains("status") == true)
        #expect(try await ledger.history(of: "xero:tenant-a:invoice:a").first?.current.status == .paid)
        #expect(try await ledger.history(of: "nothing-like-it").isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func windowsAgeingAndRereadsFindTheSameObjects(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        var refund = invoice("r1", status: .refunded)
        refund.key.kind = .refund
        refund[text: .parentKey] = invoice("a").key.description
        try await ledger.apply(commit([invoice("a"), invoice("b", status: .paid, paid: 10_000), refund], runID: run))
        let april = try #require(CalendarDate(year: 2025, month: 4, day: 1)), may = try #require(CalendarDate(year: 2025, month: 5, day: 1))
        #expect(try await ledger.countObjects(provider: "xero", account: "tenant-a", kind: .invoice, from: april, until: may) == 2)
        #expect(try await ledger.externalIDs(provider: "xero", account: "tenant-a", kind: .invoice, from: april, until: may) == ["a", "b"])
        #expect(try await ledger.countObjects(provider: "xero", account: "tenant-a", kind: .invoice, from: may, until: may.adding(days: 1)) == 0)
        #expect(try await ledger.sentInvoicesDueBefore(may.adding(days: 1), provider: "xero", account: "tenant-a").map(\.key.externalID) == ["a"])
        #expect(try await ledger.sentInvoicesDueBefore(may, provider: "xero", account: "tenant-a").isEmpty)
        #expect(try await ledger.objects(provider: "xero", account: "tenant-a", kinds: [.invoice], statuses: [.paid]).map(\.key.externalID) == ["b"])
        #expect(try await ledger.linkedDocuments(parents: [invoice("a").key.description]).map(\.key) == [refund.key])
    }

    // MARK: Outbox

    /// Records come in the order their first write was queued, not in key order, and a record's
    /// later writes join its first: they are claimed in the same batch (to be coalesced), and the
    /// next batch does not see them again.
    @Test(arguments: Backend.allCases)
    func aBatchTakesEachRecordsLaterWritesAlong(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit(["9", "3", "7"].map { invoice($0) }, runID: run))
        let page = [invoice("4"), invoice("9", status: .paid, paid: 10_000, updated: 2_000), invoice("1")]
        try await ledger.apply(commit(page, known: try await ledger.knownStates(for: page.map(\.key)), runID: run))

        let first = try #require(try await ledger.claimBatch(sink: "out", after: nil, limit: 2, now: at))
        #expect(first.rows.map(\.recordKey) == ["INV-3", "INV-9", "INV-9"])
        #expect(first.rows.filter { $0.recordKey == "INV-9" }.map(\.toStatus) == [.sent, .paid], "oldest first within a record")
        #expect(first.rows.first?.changes.first == FieldChange(field: .status, old: nil, new: "sent"))
        let second = try #require(try await ledger.settleAndClaimNext(first.rows.map { ($0.id, .delivered) }, settings: OutboxSettings(), now: at,
                                                                       sink: "out", after: first.position, limit: 2, claimNext: true).next)
        #expect(second.rows.map(\.recordKey) == ["INV-4", "INV-7"])
        let third = try #require(try await ledger.settleAndClaimNext(second.rows.map { ($0.id, .delivered) }, settings: OutboxSettings(), now: at,
                                                                      sink: "out", after: second.position, limit: 2, claimNext: true).next)
        #expect(third.rows.map(\.recordKey) == ["INV-1"])
        let done = try await ledger.settleAndClaimNext(third.rows.map { ($0.id, .delivered) }, settings: OutboxSettings(), now: at,
                                                       sink: "out", after: third.position, limit: 2, claimNext: true)
        #expect(done.next == nil)
        #expect(try await ledger.count("outbox") == 0)
    }

    @Test(arguments: Backend.allCases)
    func settlingFollowsTheStateMachine(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await seeded(backend, in: directory)
        let ids = try #require(try await ledger.claimBatch(sink: "out", after: nil, limit: 5, now: at)).rows.map(\.id)
        let later = at.adding(seconds: 60)
        let result = try await ledger.settle([
            (ids[0], .delivered), (ids[1], .retryable("503")), (ids[2], .rejected("VALIDATION_ERROR: bad value")),
            (ids[3], .noSuchRecord("OBJECT_NOT_FOUND")), (ids[4], .delivered),
        ], maxAttempts: 3, retryBaseSeconds: 60, retryCapSeconds: 3600, now: at)
        #expect(result == SettledCounts(delivered: 2, retrying: 1, dead: 1, skipped: 1))
        #expect(try await ledger.count("outbox") == 3)
        // The retry is not due before its time.
        #expect(try await ledger.claimBatch(sink: "out", after: nil, limit: 10, now: at) == nil)
        let dead = try await ledger.outboxRows(states: [.dead], sink: nil, limit: 10)
        #expect(dead.map(\.lastError) == ["VALIDATION_ERROR: bad value"])
        #expect(try await ledger.outboxRows(states: [.skipped], sink: "out", limit: 10).map(\.recordKey) == ["INV-4"])
        // An operator re-queues dead and skipped rows, due at once.
        #expect(try await ledger.requeue(ids: nil, now: at) == 2)
        #expect(try await ledger.claimBatch(sink: "out", after: nil, limit: 10, now: later)?.rows.map(\.recordKey) == ["INV-2", "INV-3", "INV-4"])
    }

    @Test(arguments: Backend.allCases)
    func eachCommitSettlesOneBatchAndClaimsTheNext(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await seeded(backend, in: directory)
        let first = try #require(try await ledger.claimBatch(sink: "out", after: nil, limit: 2, now: at))
        #expect(first.rows.map(\.recordKey) == ["INV-1", "INV-2"])
        #expect(try await ledger.outboxCount(sink: "out", state: .sending) == 2)

        let outcomes = first.rows.map { ($0.id, WriteOutcome.delivered) }
        let step = try await ledger.settleAndClaimNext(outcomes, settings: OutboxSettings(), now: at, sink: "out", after: first.position, limit: 2, claimNext: true)
        #expect(step.settled == SettledCounts(delivered: 2, retrying: 0, dead: 0, skipped: 0))
        #expect(step.next?.rows.map(\.recordKey) == ["INV-3", "INV-4"])
        // Only the newly claimed batch is in flight: what a crash now would send again.
        #expect(try await ledger.outboxCount(sink: "out", state: .sending) == 2)
        #expect(try await ledger.count("outbox") == 3)

        // A run that stops settles what it sent and claims nothing more.
        let last = try #require(step.next)
        let stop = try await ledger.settleAndClaimNext(last.rows.map { ($0.id, .delivered) }, settings: OutboxSettings(), now: at,
                                                       sink: "out", after: last.position, limit: 2, claimNext: false)
        #expect(stop.next == nil)
        #expect(try await ledger.outboxCount(sink: "out", state: .sending) == 0)
        #expect(try await ledger.outboxCount(sink: "out", state: .pending) == 1)
        #expect(try await ledger.outboxCount(sink: nil, state: .pending) == 1)
        #expect(try await ledger.oldestPendingQueuedAt() == at)
    }

    @Test(arguments: Backend.allCases)
    func aDeferredWriteIsDueAtOnceAndItsAttemptIsGivenBack(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await seeded(backend, in: directory)
        for _ in 1...5 {  // more than maxAttempts: a budget spent day after day is never a dead letter
            let claimed = try #require(try await ledger.claimBatch(sink: "out", after: nil, limit: 1, now: at))
            #expect(claimed.rows.map(\.recordKey) == ["INV-1"])
            let result = try await ledger.settle([(claimed.rows[0].id, .deferred("budget spent"))], maxAttempts: 3, retryBaseSeconds: 60,
                                                 retryCapSeconds: 3600, now: at)
            #expect(result.retrying == 1)
        }
        let row = try #require(try await ledger.outboxRows(states: [.pending], sink: "out", limit: 10).first { $0.recordKey == "INV-1" })
        #expect(row.attempts == 0)
        #expect(row.lastError == "budget spent")
    }

    @Test(arguments: Backend.allCases)
    func retryableFailuresDeadLetterAfterMaxAttempts(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await seeded(backend, in: directory)
        for attempt in 1...3 {
            let claimed = try #require(try await ledger.claimBatch(sink: "out", after: nil, limit: 1, now: at))
            let result = try await ledger.settle([(claimed.rows[0].id, .retryable("timeout"))], maxAttempts: 3, retryBaseSeconds: 0, retryCapSeconds: 0, now: at)
            #expect(result.dead == (attempt == 3 ? 1 : 0))
        }
        #expect(try await ledger.outboxRows(states: [.dead], sink: "out", limit: 10).first?.attempts == 3)
    }

    @Test(arguments: Backend.allCases)
    func rowsLeftSendingByADeadRunAreRecovered(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await seeded(backend, in: directory)
        _ = try await ledger.claimBatch(sink: "out", after: nil, limit: 2, now: at)
        #expect(try await ledger.outboxCount(sink: "out", state: .sending) == 2)
        // Rows in flight are never claimed twice.
        #expect(try await ledger.claimBatch(sink: "out", after: nil, limit: 10, now: at)?.rows.map(\.recordKey) == ["INV-3", "INV-4", "INV-5"])
        let expired = at.adding(seconds: backend.claimOutlives + 1)
        if backend.claimOutlives > 0 { #expect(try await ledger.recoverInFlight(now: at) == 0, "a live claim is left to its owner") }
        #expect(try await ledger.recoverInFlight(now: expired) == 5)
        #expect(try await ledger.outboxCount(sink: "out", state: .pending) == 5)
        #expect(try await ledger.claimBatch(sink: "out", after: nil, limit: 10, now: expired)?.rows.count == 5)
        #expect(try await ledger.outboxRows(states: [.sending], sink: "out", limit: 10).map(\.attempts) == [2, 2, 2, 2, 2], "each claim counts an attempt")
    }

    @Test("a write whose payload cannot be read back is dead-lettered with the reason, never sent", arguments: Backend.allCases, [
        ("changes", "'{\"status\":[\"sent\"'", "changes are not a change set"),
        ("changes", "'{\"colour\":[\"a\",\"b\"]}'", "changes: unknown field \"colour\""),
        ("changes", "'{}'", "holds neither a change nor an action"),
        ("action", "'{\"no\":1}'", "action is not a task or note"),
    ])
    func undecodablePayloadsAreDeadLettered(backend: Backend, corruption: (column: String, value: String, reason: String)) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await seeded(backend, in: directory)
        try await ledger.execute("UPDATE outbox SET \(corruption.column) = \(corruption.value) WHERE record_key = 'INV-2'")
        let claimed = try #require(try await ledger.claimBatch(sink: "out", after: nil, limit: 5, now: at))
        #expect(claimed.rows.map(\.recordKey) == ["INV-1", "INV-3", "INV-4", "INV-5"])
        let dead = try await ledger.outboxRows(states: [.dead], sink: "out", limit: 10)
        #expect(dead.map(\.recordKey) == ["INV-2"])
        #expect(dead.first?.lastError?.contains(corruption.reason) == true, "\(dead.first?.lastError ?? "")")
        #expect(dead.first?.attempts == 0)
    }

    @Test(arguments: Backend.allCases)
    func onlyTheStatesTheTableAllowsAreMoved(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await seeded(backend, in: directory)
        let rows = try #require(try await ledger.claimBatch(sink: "out", after: nil, limit: 2, now: at)).rows
        // A row being sent cannot be dropped, nor acknowledged twice, nor picked again.
        await #expect(throws: LedgerError.self) { try await ledger.dropOutboxRows(ids: [rows[0].id]) }
        await #expect(throws: LedgerError.self) { try await ledger.requeue(ids: [999_999], now: at) }
        #expect(try await ledger.requeue(ids: [rows[0].id], now: at) == 0, "a row in flight is not re-queued")
        #expect(try await ledger.outboxRows(states: [.sending], sink: "out", limit: 10).map(\.attempts) == [1, 1])
        #expect(try await ledger.settle([(rows[0].id, .delivered)], maxAttempts: 3, retryBaseSeconds: 60, retryCapSeconds: 3600, now: at).delivered == 1)
        #expect(try await ledger.settle([(rows[0].id, .delivered)], maxAttempts: 3, retryBaseSeconds: 60, retryCapSeconds: 3600, now: at).delivered == 0)
        // Pending rows can be dropped by an operator.
        let pending = try await ledger.outboxRows(states: [.pending], sink: "out", limit: 1)
        #expect(try await ledger.dropOutboxRows(ids: pending.map(\.id)) == 1)
        #expect(try await ledger.outboxCount(sink: nil, state: .pending) == 2)
    }

    // MARK: Runs, rejects, reports, alerts, matches

    @Test(arguments: Backend.allCases)
    func runsRejectsAndStatusAreRecorded(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        var page = commit([invoice("a")], runID: run)
        page.rejects = [RejectedObject(entity: "invoices", externalID: "bad-1", error: "Total: not a number")]
        try await ledger.apply(page)
        var counts = PageCounts()
        counts.fetched = 2
        try await ledger.finishRun(id: run, counts: counts, written: 1, failed: 0, skippedByMapping: 0, exitCode: .dataError, message: "one reject",
                                   finishedAt: at.adding(seconds: 5))
        let runs = try await ledger.recentRuns(limit: 5)
        #expect(runs.map(\.id) == [run] && runs.first?.exitCode == 65 && runs.first?.message == "one reject" && runs.first?.fetched == 2)
        #expect(try await ledger.recentRejects(limit: 5).map(\.externalID) == ["bad-1"])
        let status = try await ledger.status()
        #expect(status.rejects == 1)
        #expect(status.objectsByStatus.map(\.count) == [1] && status.objectsByStatus.first?.status == "sent")
        #expect(status.outbox.map(\.count) == [1])
    }

    @Test(arguments: Backend.allCases)
    func reportsAndAlertsReadTheSameFacts(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("a"), invoice("b", status: .overdue)], runID: run))
        let transitions = try await ledger.reportTransitions(from: Timestamp(millisecondsSinceEpoch: 0), until: at)
        #expect(transitions.map(\.to) == [.sent, .overdue] && transitions.first?.total == Money(minorUnits: 10_000, currency: gbp))
        let snapshot = try await ledger.reportSnapshot()
        #expect(snapshot.overdue.map(\.due) == [Money(minorUnits: 10_000, currency: gbp)])
        #expect(snapshot.statusCounts.map(\.count).reduce(0, +) == 2)

        try await ledger.recordAlert(Alert(key: "run_failed", message: "first"), since: at)
        try await ledger.recordAlert(Alert(key: "run_failed", message: "second"), since: at.adding(seconds: 60))
        #expect(try await ledger.activeAlerts() == [ActiveAlert(key: "run_failed", message: "second", since: at)])
        try await ledger.clearAlert(key: "run_failed")
        #expect(try await ledger.activeAlerts().isEmpty)
        try await ledger.recordSourceSuccess(["xero", "stripe"], at: at)
        #expect(try await ledger.sourceSuccesses() == ["xero": at, "stripe": at])
        try await ledger.saveCredential(named: "xero:t:refresh_token", value: Secret("r"), expiresAt: at, seedFingerprint: nil, now: at)
        try await ledger.saveCredential(named: "xero:t:access_token", value: Secret("a"), expiresAt: at, seedFingerprint: nil, now: at)
        #expect(try await ledger.credentialExpiries() == ["xero:t:refresh_token": at])
        #expect(try await ledger.unmatchedBankCredits() == 0)
    }

    @Test(arguments: Backend.allCases)
    func matchingDecisionsAreReplacedAndCounted(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let ledger = try await backend.make(in: directory)
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("a"), invoice("b")], runID: run))
        var credit = invoice("tx1", status: .paid)
        credit.key.kind = .bankTransaction
        credit[text: .bookingStatus] = "booked"
        credit[text: .remittanceText] = "INV-a thanks"
        try await ledger.apply(commit([credit], runID: run))
        #expect(try await ledger.creditsToMatch().map(\.key) == [credit.key])
        #expect(try await ledger.openInvoices().map(\.number) == ["INV-a", "INV-b"])
        #expect(try await ledger.unmatchedBankCredits() == 1)

        let half = Money(minorUnits: 5_000, currency: gbp)
        try await ledger.recordMatches([MatchRecord(credit: credit.key, invoice: nil, amount: nil, confidence: 0.4, reason: "two candidates", state: .ambiguous,
                                                    candidates: [invoice("a").key, invoice("b").key], decidedAt: at)])
        #expect(try await ledger.matchRecords(states: [.ambiguous]).first?.candidates == [invoice("a").key, invoice("b").key])
        try await ledger.recordMatches([MatchRecord(credit: credit.key, invoice: invoice("a").key, amount: half, confidence: 0.97, reason: "number in text",
                                                    state: .applied, decidedAt: at)])
        #expect(try await ledger.matchRecords(states: [.ambiguous]).isEmpty, "an undecided row is replaced")
        #expect(try await ledger.matchedTotals(invoices: [invoice("a").key, invoice("b").key]) == [invoice("a").key: half])
        #expect(try await ledger.invoicesBehindMatches() == [invoice("a").key], "the ledger still says nothing was paid")
        #expect(try await ledger.creditsToMatch().isEmpty, "an applied credit is not matched again")
        #expect(try await ledger.matchRecords(states: [.applied]).first?.confidence == 0.97)
    }

    // MARK: Credentials, CRM ids, cursors

    @Test(arguments: Backend.allCases)
    func credentialsAreKeptReplacedAndDeleted(backend: Backend) async throws {
        let directory = TemporaryDirectory(prefix: "paysync-backend")
        let ledger = try await backend.make(in: directory)
        #expect(try await ledger.credential(named: "xero:xero-uk:refresh_token") == nil)
        try await ledger.saveCredential(named: "xero:xero-uk:refresh_token", value: Secret("rt-first"), expiresAt: Self.now.adding(milliseconds: 86_400_000),
                                        seedFingerprint: "fp-1", now: Self.now)
        try await ledger.saveCredential(named: "xero:xero-uk:refresh_token", value: Secret("rt-rotated"), expiresAt: nil, seedFingerprint: "fp-1", now: Self.now)
        let stored = try #require(try await ledger.credential(named: "xero:xero-uk:refresh_token"))
        #expect(stored.value.reveal() == "rt-rotated" && stored.expiresAt == nil && stored.seedFingerprint == "fp-1")
        try await ledger.saveCredential(named: "other", value: Secret("x"), expiresAt: Self.now, seedFingerprint: nil, now: Self.now)
        #expect(try await ledger.credential(named: "other")?.expiresAt == Self.now)
        try await ledger.deleteCredential(named: "xero:xero-uk:refresh_token")
        #expect(try await ledger.credential(named: "xero:xero-uk:refresh_token") == nil)
        #expect(try await ledger.credential(named: "other") != nil)
    }

    @Test(arguments: Backend.allCases)
    func crmRecordIDsAreFoundReplacedAndForgotten(backend: Backend) async throws {
        let directory = TemporaryDirectory(prefix: "paysync-backend")
        let ledger = try await backend.make(in: directory)
        try await ledger.saveCRMRecordIDs(sink: "pipedrive", object: "deals", ["INV-1": "101", "INV-2": "102", "it's \"quoted\"": "103"], now: Self.now)
        try await ledger.saveCRMRecordIDs(sink: "monday", object: "deals", ["INV-1": "9001"], now: Self.now)
        #expect(try await ledger.crmRecordIDs(sink: "pipedrive", object: "deals", keys: ["INV-1", "INV-3", "it's \"quoted\"", "INV-1"])
                == ["INV-1": "101", "it's \"quoted\"": "103"])
        try await ledger.saveCRMRecordIDs(sink: "pipedrive", object: "deals", ["INV-1": "201"], now: Self.now)
        try await ledger.forgetCRMRecordID(sink: "pipedrive", object: "deals", key: "INV-2")
        #expect(try await ledger.crmRecordIDs(sink: "pipedrive", object: "deals", keys: ["INV-1", "INV-2"]) == ["INV-1": "201"])
        #expect(try await ledger.crmRecordIDs(sink: "monday", object: "deals", keys: ["INV-1"]) == ["INV-1": "9001"], "per sink")
        #expect(try await ledger.crmRecordIDs(sink: "pipedrive", object: "deals", keys: []) == [:])
    }

    @Test(arguments: Backend.allCases)
    func aSweepIsRecordedWithoutMovingAPosition(backend: Backend) async throws {
        let directory = TemporaryDirectory(prefix: "paysync-backend")
        let ledger = try await backend.make(in: directory)
        #expect(try await ledger.cursor(provider: "xero", account: "t1", entity: "invoices") == nil)
        try await ledger.recordSweep(provider: "xero", account: "t1", entity: "invoices", at: Self.now)
        try await ledger.recordSweep(provider: "xero", account: "t2", entity: "payments", at: Self.now)
        let later = Self.now.adding(milliseconds: 3_600_000)
        try await ledger.recordSweep(provider: "xero", account: "t1", entity: "invoices", at: later)
        let cursor = try #require(try await ledger.cursor(provider: "xero", account: "t1", entity: "invoices"))
        #expect(cursor.position == nil && cursor.lastSweepAt == later && cursor.holdSince == nil)
        #expect(try await ledger.cursorAccounts(provider: "xero") == ["t1", "t2"])
        #expect(try await ledger.cursorAccounts(provider: "quickbooks") == [])
    }
}
