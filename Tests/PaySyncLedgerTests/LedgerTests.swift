import CSQLite
import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncLedger

let gbp = Currency(code: "GBP")!
let at = Timestamp(iso: "2025-05-02T09:00:00Z")!

func invoice(_ id: String, status: PaymentStatus = .sent, paid: Int64 = 0, updated: Int64 = 1_000) -> Observation {
    Observation(
        key: ObjectKey(provider: "xero", account: "tenant-a", kind: .invoice, externalID: id),
        updatedAt: Timestamp(millisecondsSinceEpoch: updated), status: status, providerStatus: "AUTHORISED",
        currency: gbp, total: Money(minorUnits: 10_000, currency: gbp), paid: Money(minorUnits: paid, currency: gbp),
        due: Money(minorUnits: 10_000 - paid, currency: gbp), invoiceNumber: "INV-\(id)",
        documentDate: CalendarDate(year: 2025, month: 4, day: 1), dueDate: CalendarDate(year: 2025, month: 5, day: 1)
    )
}

let route = SinkRoute(sink: "out", kinds: [.invoice: KindRoute(fields: FieldSet([.status, .amountPaid]), key: [.field(.invoiceNumber)])])

func commit(_ observations: [Observation], known: [Observation?]? = nil, runID: Int64, cursor: CursorMove? = nil) -> PageCommit {
    let plan = PagePlanner.plan(observations: observations, known: known ?? observations.map { _ in nil }, routes: [route])
    return PageCommit(provider: "xero", account: "tenant-a", plan: plan, cursor: cursor, runID: runID, observedAt: at)
}

/// A ledger file as an older release left it: the first `migrations` migrations, then `rows`.
func olderLedger(in directory: TemporaryDirectory, _ name: String, migrations: Int, rows: String) throws -> String {
    let path = directory.file(name)
    let database = try Database(path: path, create: true)
    try Migrator(migrations: Array(LedgerSchema.migrations.prefix(migrations))).migrate(database)
    try database.execute(rows)
    return path
}

@Suite struct LedgerMigrationTests {
    @Test func migratesAnEmptyFileAndRerunningIsANoOp() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("paysync.db")
        let database = try Database(path: path, create: true)
        let migrator = Migrator(migrations: LedgerSchema.migrations)
        #expect(try migrator.migrate(database) == ["0001-create-ledger", "0002-outbox-actions", "0003-lighter-object-indexes", "0004-bank-and-processor-fields", "0005-write-keys", "0006-runs-skipped-by-mapping", "0007-objects-by-scope", "0008-outbox-in-queue-order", "0009-objects-by-parent", "0010-alerts", "0011-bank-matches", "0012-object-metadata", "0013-crm-record-ids"])
        #expect(try migrator.migrate(database) == [])
        #expect(try database.scalar("PRAGMA user_version") == Int64(LedgerSchema.migrations.count))
        #expect(try database.scalar("SELECT count(*) FROM schema_migrations") == Int64(LedgerSchema.migrations.count))
    }

    @Test func aLedgerFromTheFirstReleaseUpgradesWithItsDataKept() async throws {
        let directory = TemporaryDirectory()
        let path = try olderLedger(in: directory, "old.db", migrations: 1, rows: """
            INSERT INTO runs (id, command, started_at) VALUES (1, 'reconcile', 0);
            INSERT INTO objects (id, provider, account, kind, external_id, status, provider_status, first_run, last_changed_run)
                VALUES (1, 'xero', 't', 'invoice', 'a', 'sent', 'AUTHORISED', 1, 1);
            INSERT INTO outbox (sink, record_key, object_id, changes, to_status, next_attempt_at, created_at, updated_at)
                VALUES ('out', 'INV-1', 1, '{"status":[null,"sent"]}', 'sent', 0, 0, 0);
            """)
        let ledger = try Ledger(path: path)
        let rows = try await ledger.dueRows(sink: "out", now: at, recordKeys: ["INV-1"])
        #expect(rows.count == 1)
        #expect(rows.first?.action == nil)
        #expect(rows.first?.changes == [FieldChange(field: .status, old: nil, new: "sent")])
    }

    @Test func objectsMoveToScopesWithTheirIdsHistoryAndOutboxKept() async throws {
        let directory = TemporaryDirectory()
        let path = try olderLedger(in: directory, "six.db", migrations: 6, rows: """
            INSERT INTO runs (id, command, started_at) VALUES (1, 'reconcile', 0);
            INSERT INTO objects (id, provider, account, kind, external_id, status, provider_status, currency, total, invoice_number,
                                 counterparty_name, first_run, last_changed_run)
                VALUES (7, 'xero', 't1', 'invoice', 'a', 'sent', 'AUTHORISED', 'GBP', 100, 'INV-1', 'Acme', 1, 1),
                       (9, 'xero', 't2', 'invoice', 'a', 'paid', 'PAID', 'GBP', 200, 'INV-2', NULL, 1, 1),
                       (12, 'xero', 't1', 'payment', 'p', 'paid', 'AUTHORISED', 'GBP', 100, NULL, NULL, 1, 1);
            INSERT INTO transitions (id, object_id, run_id, observed_at, to_status, changed) VALUES (1, 7, 1, 0, 'sent', '1'), (2, 9, 1, 0, 'paid', '1');
            INSERT INTO outbox (sink, record_key, object_id, changes, to_status, next_attempt_at, created_at, updated_at, write_key)
                VALUES ('out', 'INV-2', 9, '{"status":[null,"paid"]}', 'paid', 0, 0, 0, 'k:out:2:0');
            """)
        let ledger = try Ledger(path: path)
        #expect(try await ledger.count("scopes") == 3)
        let keys = [ObjectKey(provider: "xero", account: "t2", kind: .invoice, externalID: "a"),
                    ObjectKey(provider: "xero", account: "t1", kind: .invoice, externalID: "a"),
                    ObjectKey(provider: "xero", account: "t1", kind: .payment, externalID: "p")]
        let states = try await ledger.knownStates(for: keys)
        #expect(states.map { $0?.invoiceNumber } == ["INV-2", "INV-1", nil])
        #expect(states[1]?[.counterpartyName] == .text("Acme"))
        #expect(states[2]?.status == .paid)
        let rows = try await ledger.dueRows(sink: "out", now: at, recordKeys: ["INV-2"])
        #expect(rows.map(\.objectKey) == [keys[0]])
        #expect(try await ledger.history(of: "xero:t1:invoice:a").first?.transitions.map(\.toStatus) == [.sent])
        #expect(try await ledger.pragma("foreign_keys") == "1", "enforcement is back on after the rebuild")
    }

    @Test func anUpgradeThatWouldLeaveARowPointingAtNoObjectIsRolledBack() async throws {
        let directory = TemporaryDirectory()
        // Written with enforcement off (as another tool might): an outbox row for object 99, which does not exist.
        let path = try olderLedger(in: directory, "dangling.db", migrations: 6, rows: """
            PRAGMA foreign_keys = OFF;
            INSERT INTO outbox (sink, record_key, object_id, changes, to_status, next_attempt_at, created_at, updated_at)
                VALUES ('out', 'INV-9', 99, '{"status":[null,"paid"]}', 'paid', 0, 0, 0);
            """)
        do {
            _ = try Ledger(path: path)
            Issue.record("the upgrade should have been refused")
        } catch LedgerError.migrationBrokeReferences(_, let migration, let detail) {
            #expect(migration == "0007-objects-by-scope")
            #expect(detail == "outbox row 1 refers to a missing objects row")
        }
        let database = try Database(path: path, create: false)
        #expect(try database.scalar("PRAGMA user_version") == 6, "the rebuild was rolled back")
        #expect(try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'scopes'") == 0)
        #expect(try database.scalar("SELECT count(*) FROM outbox") == 1)
    }

    @Test func eachMigrationRunsInItsOwnTransactionAndAFailedOneLeavesNothing() throws {
        let directory = TemporaryDirectory()
        let database = try Database(path: directory.file("l.db"), create: true)
        let migrations = [
            Migration(name: "one", sql: "CREATE TABLE a (x)"),
            Migration(name: "two", sql: "CREATE TABLE b (x); CREATE TABLE a (y)"),  // second statement fails
        ]
        #expect(throws: SQLiteError.self) { try Migrator(migrations: migrations).migrate(database) }
        #expect(try database.scalar("PRAGMA user_version") == 1)
        #expect(try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'b'") == 0)
    }

    @Test func aLedgerFromANewerPaysyncIsRefused() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("paysync.db")
        _ = try Ledger(path: path)
        let database = try Database(path: path, create: false)
        try database.execute("PRAGMA user_version = 99")
        let error = #expect(throws: LedgerError.self) { try Ledger(path: path) }
        #expect(error == .newerSchema(path: path, found: 99, known: LedgerSchema.migrations.count))
        #expect(error?.exitCode == .dataError)
        #expect(error?.description.contains("newer paysync") == true)
    }

    @Test func newLedgerFileIsPrivateAndUsesWALWithFullSync() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("paysync.db")
        let ledger = try Ledger(path: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let journal = try await ledger.pragma("journal_mode")
        let synchronous = try await ledger.pragma("synchronous")
        let foreignKeys = try await ledger.pragma("foreign_keys")
        #expect(journal == "wal")
        #expect(synchronous == "2")  // FULL
        #expect(foreignKeys == "1")
    }

    @Test func unwritableLocationIsExit73() {
        let error = #expect(throws: LedgerError.self) { try Ledger(path: "/nonexistent-dir/paysync.db") }
        #expect(error?.exitCode == .cannotCreate)
        #expect(error?.description.hasPrefix("cannot create ledger /nonexistent-dir/paysync.db") == true)
    }
}

extension Ledger {
    func pragma(_ name: String) throws -> String? {
        let statement = try database.statement("PRAGMA \(name)")
        defer { statement.reset() }
        return try statement.step() ? statement.string(0) : nil
    }

    func count(_ table: String) throws -> Int { Int(try database.scalar("SELECT count(*) FROM \(table)") ?? 0) }

    /// Outbox rows whose record key is not their object's invoice number (the test route keys by it).
    func mismatchedOutboxRows() throws -> Int {
        Int(try database.scalar("SELECT count(*) FROM outbox o JOIN objects obj ON obj.id = o.object_id WHERE o.record_key IS NOT obj.invoice_number") ?? -1)
    }

    func distinctWriteKeys() throws -> Int { Int(try database.scalar("SELECT count(DISTINCT write_key) FROM outbox") ?? 0) }
}

@Suite struct LedgerPageTests {
    @Test func pageCommitStoresStatesTransitionsOutboxAndCursorTogether() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.db"))
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        let cursor = CursorMove(provider: "xero", account: "tenant-a", entity: "invoices", position: CursorPosition(updatedAt: Timestamp(millisecondsSinceEpoch: 1_000), lastID: "b"))
        try await ledger.apply(commit([invoice("a"), invoice("b")], runID: run, cursor: cursor))

        #expect(try await ledger.count("objects") == 2)
        #expect(try await ledger.count("transitions") == 2)
        #expect(try await ledger.count("outbox") == 2)
        let stored = try await ledger.cursor(provider: "xero", account: "tenant-a", entity: "invoices")
        #expect(stored?.position == cursor.position)
        let known = try await ledger.knownStates(for: [invoice("a").key, invoice("zzz").key])
        #expect(known == [invoice("a"), nil])
    }

    @Test func knownStatesComeBackInTheOrderAskedAcrossAccountsAndKinds() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.db"))
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        // Ids a JSON list must escape, and the same id under another account and another kind.
        let quoted = invoice(#"q"uo\te"#)
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

    @Test func aFailureMidPageKeepsNothingFromThatPage() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.db"))
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

    @Test func aPageLargerThanOneInsertBatchKeepsEveryObjectTransitionAndWrite() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.db"))
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("old")], runID: run))
        // 250 new objects (three insert statements), one of them twice, and one known object
        // changed in the middle (an upsert between inserts).
        var page = (1...250).map { invoice("n\($0)") }
        page.insert(invoice("old", status: .paid, paid: 10_000, updated: 2_000), at: 120)
        page.append(invoice("n7", status: .paid, paid: 10_000, updated: 3_000))
        let known: [Observation?] = page.map { $0.key.externalID == "old" ? invoice("old") : nil }
        try await ledger.apply(commit(page, known: known, runID: run))

        #expect(try await ledger.count("objects") == 251)
        #expect(try await ledger.count("transitions") == 1 + 252)
        let stored = try await ledger.knownStates(for: page.map(\.key))
        #expect(stored[7 - 1] == invoice("n7", status: .paid, paid: 10_000, updated: 3_000), "the later appearance wins")
        #expect(stored[120] == invoice("old", status: .paid, paid: 10_000, updated: 2_000))
        #expect(stored[200]?.invoiceNumber == page[200].invoiceNumber)
        // Every outbox row points at the object it was planned for, under a key of its own.
        #expect(try await ledger.mismatchedOutboxRows() == 0)
        #expect(try await ledger.distinctWriteKeys() == (try await ledger.count("outbox")))
    }

    @Test func aNewObjectTheLedgerAlreadyHoldsFailsThePageAndKeepsNothingOfIt() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.db"))
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("a")], runID: run))
        // A plan made without the ledger's state (say, by a second writer) claims "a" is new.
        await #expect(throws: SQLiteError.self) { try await ledger.apply(commit([invoice("b"), invoice("a", status: .paid)], runID: run)) }
        #expect(try await ledger.count("objects") == 1)
        #expect(try await ledger.count("transitions") == 1)
        #expect(try await ledger.knownStates(for: [invoice("a").key]) == [invoice("a")])
    }

    @Test func aScopeCreatedByAPageThatRolledBackIsNotRemembered() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.db"))
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

    @Test func historyShowsEveryTransitionInOrder() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.db"))
        let run1 = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("a")], runID: run1))
        let run2 = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit([invoice("a", status: .paid, paid: 10_000, updated: 2_000)], known: [invoice("a")], runID: run2))

        let history = try await ledger.history(of: "INV-a")
        #expect(history.count == 1)
        #expect(history.first?.transitions.map(\.toStatus) == [.sent, .paid])
        #expect(history.first?.transitions.last?.fromStatus == .sent)
        #expect(history.first?.transitions.last?.runID == run2)
        #expect(try await ledger.history(of: "xero:tenant-a:invoice:a").first?.current.status == .paid)
    }
}

@Suite struct LedgerLockTests {
    @Test func aSecondHolderIsRefusedAtOnceNamingThePID() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("paysync.db")
        let first = try LedgerLock(ledgerPath: path)
        let error = #expect(throws: LedgerError.self) { try LedgerLock(ledgerPath: path) }
        #expect(error == .lockHeld(path: path, pid: getpid()))
        #expect(error?.exitCode == .temporaryFailure)
        #expect(error?.description == "another paysync run holds \(path) (pid \(getpid())); this run did nothing")
        _ = first
    }

    @Test func theLockIsFreeAgainOnceReleased() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("paysync.db")
        do { _ = try LedgerLock(ledgerPath: path) }
        _ = try LedgerLock(ledgerPath: path)
    }

    @Test func aSQLiteWriteLockHeldElsewhereIsATemporaryError() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("paysync.db")
        let ledger = try Ledger(path: path)
        // Another process (here: another connection) holds the write lock, as `sqlite3` in a shell would.
        let other = try Database(path: path, create: false)
        try other.execute("PRAGMA busy_timeout = 0; BEGIN IMMEDIATE")
        try await ledger.setBusyTimeout(milliseconds: 50)
        let run = await #expect(throws: SQLiteError.self) { _ = try await ledger.startRun(command: "x", dryRun: false, startedAt: at) }
        #expect(run?.exitCode == .temporaryFailure)
        #expect(run?.description.contains("locked by another process") == true)
        try other.execute("ROLLBACK")
    }
}

extension Ledger {
    func setBusyTimeout(milliseconds: Int) throws { try database.execute("PRAGMA busy_timeout = \(milliseconds)") }
}

@Suite struct LedgerOutboxTests {
    func seeded() async throws -> (TemporaryDirectory, Ledger) {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.db"))
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit((1...5).map { invoice("\($0)") }, runID: run))
        return (directory, ledger)
    }

    @Test func dueRecordsStreamInQueueOrder() async throws {
        let (_, ledger) = try await seeded()
        let first = try #require(try await ledger.dueRecordKeys(sink: "out", now: at, after: nil, limit: 2))
        #expect(first.keys == ["INV-1", "INV-2"])
        let next = try #require(try await ledger.dueRecordKeys(sink: "out", now: at, after: first.position, limit: 2))
        #expect(next.keys == ["INV-3", "INV-4"])
        let rows = try await ledger.dueRows(sink: "out", now: at, recordKeys: ["INV-1", "INV-2"])
        #expect(rows.map(\.recordKey) == ["INV-1", "INV-2"])
        #expect(rows.first?.changes.first == FieldChange(field: .status, old: nil, new: "sent"))
    }

    /// Records come in the order their first write was queued, not in key order, and a record's
    /// later writes join its first: they are claimed in the same batch (to be coalesced), and the
    /// next batch does not see them again.
    @Test func aBatchTakesEachRecordsLaterWritesAlong() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.db"))
        let run = try await ledger.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await ledger.apply(commit(["9", "3", "7"].map { invoice($0) }, runID: run))
        let page = [invoice("4"), invoice("9", status: .paid, paid: 10_000, updated: 2_000), invoice("1")]
        try await ledger.apply(commit(page, known: try await ledger.knownStates(for: page.map(\.key)), runID: run))

        let first = try #require(try await ledger.claimBatch(sink: "out", after: nil, limit: 2, now: at))
        #expect(first.rows.map(\.recordKey) == ["INV-3", "INV-9", "INV-9"])
        #expect(first.rows.filter { $0.recordKey == "INV-9" }.map(\.toStatus) == [.sent, .paid], "oldest first within a record")
        let second = try #require(try await ledger.settleAndClaimNext(first.rows.map { ($0.id, .delivered) }, settings: OutboxSettings(), now: at,
                                                                       sink: "out", after: first.position, limit: 2).next)
        #expect(second.rows.map(\.recordKey) == ["INV-4", "INV-7"])
        let third = try #require(try await ledger.settleAndClaimNext(second.rows.map { ($0.id, .delivered) }, settings: OutboxSettings(), now: at,
                                                                      sink: "out", after: second.position, limit: 2).next)
        #expect(third.rows.map(\.recordKey) == ["INV-1"])
        let done = try await ledger.settleAndClaimNext(third.rows.map { ($0.id, .delivered) }, settings: OutboxSettings(), now: at,
                                                       sink: "out", after: third.position, limit: 2)
        #expect(done.next == nil)
        #expect(try await ledger.count("outbox") == 0)
    }

    @Test func settlingFollowsTheStateMachine() async throws {
        let (_, ledger) = try await seeded()
        let rows = try await ledger.dueRows(sink: "out", now: at, recordKeys: ["INV-1", "INV-2", "INV-3", "INV-4", "INV-5"])
        let ids = rows.map(\.id)
        try await ledger.markSending(ids, now: at)
        let later = at.adding(seconds: 60)
        let result = try await ledger.settle([
            (ids[0], .delivered), (ids[1], .retryable("503")), (ids[2], .rejected("VALIDATION_ERROR: bad value")),
            (ids[3], .noSuchRecord("OBJECT_NOT_FOUND")), (ids[4], .delivered),
        ], maxAttempts: 3, retryBaseSeconds: 60, now: at)
        #expect(result.delivered == 2 && result.retrying == 1 && result.dead == 1 && result.skipped == 1)
        #expect(try await ledger.count("outbox") == 3)
        // The retry is not due before its time.
        #expect(try await ledger.dueRecordKeys(sink: "out", now: at, after: nil, limit: 10) == nil)
        #expect(try await ledger.dueRecordKeys(sink: "out", now: later, after: nil, limit: 10)?.keys == ["INV-2"])
        let dead = try await ledger.outboxRows(states: [.dead], sink: nil, limit: 10)
        #expect(dead.map(\.lastError) == ["VALIDATION_ERROR: bad value"])
        // An operator re-queues dead and skipped rows.
        #expect(try await ledger.requeue(ids: nil, now: at) == 2)
        #expect(try await ledger.dueRecordKeys(sink: "out", now: at, after: nil, limit: 10)?.keys == ["INV-3", "INV-4"])
    }

    @Test func eachCommitSettlesOneBatchAndClaimsTheNext() async throws {
        let (_, ledger) = try await seeded()
        let first = try #require(try await ledger.claimBatch(sink: "out", after: nil, limit: 2, now: at))
        #expect(first.rows.map(\.recordKey) == ["INV-1", "INV-2"])
        #expect(try await ledger.outboxCount(sink: "out", state: .sending) == 2)

        let outcomes = first.rows.map { ($0.id, WriteOutcome.delivered) }
        let step = try await ledger.settleAndClaimNext(outcomes, settings: OutboxSettings(), now: at, sink: "out", after: first.position, limit: 2)
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
    }

    @Test func aDeferredWriteIsDueAtOnceAndItsAttemptIsGivenBack() async throws {
        let (_, ledger) = try await seeded()
        let id = try await ledger.dueRows(sink: "out", now: at, recordKeys: ["INV-1"])[0].id
        for _ in 1...5 {  // more than maxAttempts: a budget spent day after day is never a dead letter
            try await ledger.markSending([id], now: at)
            let result = try await ledger.settle([(id, .deferred("budget spent"))], maxAttempts: 3, retryBaseSeconds: 60, now: at)
            #expect(result.retrying == 1)
        }
        let row = try #require(try await ledger.outboxRows(states: [.pending], sink: "out", limit: 10).first { $0.id == id })
        #expect(row.attempts == 0)
        #expect(row.lastError == "budget spent")
        #expect(try await ledger.dueRows(sink: "out", now: at, recordKeys: ["INV-1"]).map(\.id) == [id])
    }

    @Test func crmRecordIDsAreKeptPerSinkAndObjectAndForgotten() async throws {
        let (_, ledger) = try await seeded()
        try await ledger.saveCRMRecordIDs(sink: "pipedrive", object: "deals", ["INV-1": "8101", "INV-2": "8102"], now: at)
        try await ledger.saveCRMRecordIDs(sink: "pipedrive", object: "deals", ["INV-2": "8202"], now: at)
        try await ledger.saveCRMRecordIDs(sink: "other", object: "deals", ["INV-1": "1"], now: at)
        #expect(try await ledger.crmRecordIDs(sink: "pipedrive", object: "deals", keys: ["INV-1", "INV-2", "INV-3"]) == ["INV-1": "8101", "INV-2": "8202"])
        try await ledger.forgetCRMRecordID(sink: "pipedrive", object: "deals", key: "INV-1")
        #expect(try await ledger.crmRecordIDs(sink: "pipedrive", object: "deals", keys: ["INV-1", "INV-2"]) == ["INV-2": "8202"])
        #expect(try await ledger.crmRecordIDs(sink: "other", object: "deals", keys: ["INV-1"]) == ["INV-1": "1"])
    }

    @Test func retryableFailuresDeadLetterAfterMaxAttempts() async throws {
        let (_, ledger) = try await seeded()
        let id = try await ledger.dueRows(sink: "out", now: at, recordKeys: ["INV-1"])[0].id
        for attempt in 1...3 {
            try await ledger.markSending([id], now: at)
            let result = try await ledger.settle([(id, .retryable("timeout"))], maxAttempts: 3, retryBaseSeconds: 0, now: at)
            #expect(result.dead == (attempt == 3 ? 1 : 0))
        }
        #expect(try await ledger.outboxRows(states: [.dead], sink: "out", limit: 10).first?.attempts == 3)
    }

    @Test func rowsLeftSendingByADeadRunAreRecovered() async throws {
        let (_, ledger) = try await seeded()
        let rows = try await ledger.dueRows(sink: "out", now: at, recordKeys: ["INV-1", "INV-2"])
        try await ledger.markSending(rows.map(\.id), now: at)
        #expect(try await ledger.outboxCount(sink: "out", state: .sending) == 2)
        #expect(try await ledger.recoverInFlight(now: at) == 2)
        #expect(try await ledger.outboxCount(sink: "out", state: .pending) == 5)
    }

    @Test("a write whose payload cannot be read back is dead-lettered with the reason, never sent", arguments: [
        ("changes", "'{\"status\":[\"sent\"'", "changes are not a change set"),
        ("changes", "'{\"colour\":[\"a\",\"b\"]}'", "changes: unknown field \"colour\""),
        ("changes", "'{}'", "holds neither a change nor an action"),
        ("action", "'{\"no\":1}'", "action is not a task or note"),
    ])
    func undecodablePayloadsAreDeadLettered(column: String, value: String, reason: String) async throws {
        let (directory, ledger) = try await seeded()
        let corrupt = try Database(path: directory.file("l.db"), create: false)
        try corrupt.execute("UPDATE outbox SET \(column) = \(value) WHERE record_key = 'INV-2'")
        let claimed = try #require(try await ledger.claimBatch(sink: "out", after: nil, limit: 5, now: at))
        #expect(claimed.rows.map(\.recordKey) == ["INV-1", "INV-3", "INV-4", "INV-5"])
        let dead = try await ledger.outboxRows(states: [.dead], sink: "out", limit: 10)
        #expect(dead.map(\.recordKey) == ["INV-2"])
        #expect(dead.first?.lastError?.contains(reason) == true, "\(dead.first?.lastError ?? "")")
        #expect(dead.first?.attempts == 0)
    }

    @Test func onlyTheStatesTheTableAllowsAreMoved() async throws {
        let (_, ledger) = try await seeded()
        let rows = try await ledger.dueRows(sink: "out", now: at, recordKeys: ["INV-1", "INV-2"])
        try await ledger.markSending(rows.map(\.id), now: at)
        // A row being sent cannot be dropped, nor acknowledged twice, nor picked again.
        await #expect(throws: LedgerError.self) { try await ledger.dropOutboxRows(ids: [rows[0].id]) }
        try await ledger.markSending(rows.map(\.id), now: at)
        #expect(try await ledger.outboxRows(states: [.sending], sink: "out", limit: 10).map(\.attempts) == [1, 1])
        #expect(try await ledger.settle([(rows[0].id, .delivered)], maxAttempts: 3, now: at).delivered == 1)
        #expect(try await ledger.settle([(rows[0].id, .delivered)], maxAttempts: 3, now: at).delivered == 0)
    }

    @Test func credentialsRoundTrip() async throws {
        let (_, ledger) = try await seeded()
        try await ledger.saveCredential(named: "xero:refresh", value: Secret("r2"), expiresAt: nil, seedFingerprint: "abc", now: at)
        let stored = try await ledger.credential(named: "xero:refresh")
        #expect(stored?.value.reveal() == "r2")
        #expect(stored?.seedFingerprint == "abc")
    }
}
