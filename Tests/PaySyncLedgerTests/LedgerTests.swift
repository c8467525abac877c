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
