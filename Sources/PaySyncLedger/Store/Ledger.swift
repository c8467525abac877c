import CSQLite
import Foundation
import PaySyncCore

/// The SQLite ledger: last known object states, their history, cursors, the durable outbox, runs
/// and credentials. An actor: it owns its one connection, and every page commit is one
/// transaction (states, transitions, outbox rows and the cursor move together or not at all).
///
/// The file runs in WAL mode with `synchronous=FULL`: its commits precede irreversible effects
/// (a CRM write, the use of a rotated refresh token), so a commit must survive a power cut.
public actor Ledger: LedgerStore {
    public nonisolated let path: String
    /// Every SQLite call (blocking: a commit waits for fsync) runs on the ledger's own thread,
    /// never on the shared concurrency pool.
    private nonisolated let executor = DedicatedThreadExecutor(name: "paysync-ledger")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let database: Database
    private let logger: Logger
    /// This ledger's random identity (migration 0005), the root of every write key.
    private(set) var identity = ""

    /// Test hook: called before each object state is written inside a page commit, with its
    /// index. A throw aborts the commit (which must then leave nothing behind).
    var faultBeforeStateWrite: (@Sendable (Int) throws -> Void)?

    /// Opens the ledger at `path`, creating it (mode 0600) when `create` is true, and applies any
    /// pending migrations. A file that is an SQLite database of something else is refused before
    /// anything is changed in it. `readOnly` opens without creating, migrating or changing the
    /// journal mode, and refuses a ledger that would need a migration.
    public init(path: String, create: Bool = true, readOnly: Bool = false, logger: Logger = .silent) throws {
        self.path = path
        self.logger = logger
        self.database = try Database(path: path, create: create && !readOnly, readOnly: readOnly)
        try database.execute("PRAGMA busy_timeout = 5000")
        switch try LedgerSchema.inspect(database) {
        case .foreign:
            throw LedgerError.notALedger(path: path)
        case .empty where readOnly:
            throw LedgerError.notALedger(path: path)
        case .ledger(let version) where readOnly && version < LedgerSchema.migrations.count:
            throw LedgerError.olderSchema(path: path, found: version, known: LedgerSchema.migrations.count)
        case .empty, .ledger:
            break
        }
        if !readOnly {
            try database.execute("PRAGMA journal_mode = WAL")
            try database.execute("PRAGMA synchronous = FULL")
            // 16 MiB of page cache instead of SQLite's 2 MiB: the unique key index takes inserts at
            // random places (provider ids are UUIDs), and reading evicted pages back from the OS cost
            // about a tenth of a first sync (docs/performance.md). A bound, so memory stays flat.
            try database.execute("PRAGMA cache_size = -16384")
        }
        try database.execute("PRAGMA foreign_keys = ON")
        logger.debug("ledger \(path): SQLite \(Database.libraryVersion)")
        if readOnly {
            let version = Int(try database.scalar("PRAGMA user_version") ?? 0)
            if version > LedgerSchema.migrations.count {
                throw LedgerError.newerSchema(path: path, found: version, known: LedgerSchema.migrations.count)
            }
        } else {
            let applied = try Migrator(migrations: LedgerSchema.migrations).migrate(database)
            if !applied.isEmpty { logger.debug("ledger \(path): applied migrations \(applied.joined(separator: ", "))") }
        }
        identity = (try? Ledger.readIdentity(database)) ?? ""
    }

    deinit {
        executor.stop()
    }

    /// Refuses, before anything is created beside it (a lock file, a journal), a file at `path`
    /// that is an SQLite database of another application. Absent and empty files pass.
    public static func refuseForeignFile(at path: String) throws {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue > 0 else { return }
        let database = try Database(path: path, create: false, readOnly: true)
        if case .foreign = try LedgerSchema.inspect(database) { throw LedgerError.notALedger(path: path) }
    }

    private static func readIdentity(_ database: Database) throws -> String {
        let statement = try database.statement("SELECT id FROM ledger_identity LIMIT 1", [])
        defer { statement.reset() }
        return try statement.step() ? statement.string(0) : ""
    }

    /// Whether the caller runs on the ledger's own thread (tests check the isolation holds).
    func isOnLedgerThread() -> Bool { executor.isCurrentThread }

    /// The linked SQLite library's version.
    public nonisolated static var sqliteVersion: String { Database.libraryVersion }

    public nonisolated var location: String { path }
    public nonisolated var backend: String { "SQLite \(Database.libraryVersion)" }

    func setFaultBeforeStateWrite(_ fault: (@Sendable (Int) throws -> Void)?) {
        faultBeforeStateWrite = fault
    }

    // MARK: Runs

    public func startRun(command: String, dryRun: Bool, startedAt: Timestamp) throws -> Int64 {
        try database.run(
            "INSERT INTO runs (command, dry_run, pid, started_at) VALUES (?, ?, ?, ?)",
            [.text(command), .integer(dryRun ? 1 : 0), .integer(Int64(getpid())), .integer(startedAt.millisecondsSinceEpoch)]
        )
        return database.lastInsertedRowID
    }

    public func finishRun(id: Int64, counts: PageCounts, written: Int, failed: Int, skippedByMapping: Int, exitCode: ExitCode, message: String?,
                          finishedAt: Timestamp) throws {
        try database.run(
            """
            UPDATE runs SET finished_at = ?, fetched = ?, changed = ?, written = ?, failed = ?, stale = ?, exit_code = ?, message = ?,
                skipped_by_mapping = ?
            WHERE id = ?
            """,
            [.integer(finishedAt.millisecondsSinceEpoch), SQLValue(counts.fetched), SQLValue(counts.changedTotal), SQLValue(written),
             SQLValue(failed), SQLValue(counts.stale), .integer(Int64(exitCode.rawValue)), SQLValue(message), SQLValue(skippedByMapping), .integer(id)]
        )
    }

    public func recentRuns(limit: Int) throws -> [RunRecord] {
        let statement = try database.statement(
            "SELECT id, command, dry_run, started_at, finished_at, fetched, changed, written, failed, stale, exit_code, message, skipped_by_mapping FROM runs ORDER BY id DESC LIMIT ?",
            [SQLValue(limit)]
        )
        defer { statement.reset() }
        var runs: [RunRecord] = []
        while try statement.step() {
            runs.append(RunRecord(
                id: statement.int64(0), command: statement.string(1), dryRun: statement.int64(2) != 0,
                startedAt: Timestamp(millisecondsSinceEpoch: statement.int64(3)),
                finishedAt: statement.optionalInt64(4).map(Timestamp.init(millisecondsSinceEpoch:)),
                fetched: Int(statement.int64(5)), changed: Int(statement.int64(6)), written: Int(statement.int64(7)),
                failed: Int(statement.int64(8)), stale: Int(statement.int64(9)),
                exitCode: statement.optionalInt64(10).map { Int32($0) }, message: statement.optionalString(11),
                skippedByMapping: Int(statement.int64(12))
            ))
        }
        return runs
    }

    // MARK: Object state

    /// The columns an observation is read from (`ObjectColumns`, derived from the field table).
    static var objectColumns: String { ObjectColumns.list }

    /// The last known state of each object (nil for objects never seen), in the order asked.
    ///
    /// One statement per provider account and kind (a page has one): the ids go in as a JSON
    /// list, which SQLite sorts before seeking, so the lookups walk the key index in order
    /// instead of jumping to a random page for each id (measured: docs/performance.md).
    public func knownStates(for keys: [ObjectKey]) throws -> [Observation?] {
        var found: [ObjectKey: Observation] = [:]
        found.reserveCapacity(keys.count)
        var groups: [Scope: [String]] = [:]
        for key in keys { groups[Scope(provider: key.provider, account: key.account, kind: key.kind), default: []].append(key.externalID) }
        for (scope, ids) in groups {
            var list = "["
            list.reserveCapacity(ids.count * 40)
            for (index, id) in ids.enumerated() {
                if index > 0 { list += "," }
                JSONWriter.appendQuoted(id, into: &list)
            }
            list += "]"
            let statement = try database.statement(Ledger.knownStatesSQL, [.text(scope.provider), .text(scope.account), .text(scope.kind.rawValue), .text(list)])
            defer { statement.reset() }
            while try statement.step() {
                let key = ObjectKey(provider: scope.provider, account: scope.account, kind: scope.kind, externalID: statement.string(3))
                if let observation = Ledger.observation(from: statement, offset: 0, key: key) { found[key] = observation }
            }
        }
        return keys.map { found[$0] }
    }

    private struct Scope: Hashable {
        var provider: String
        var account: String
        var kind: ObjectKind
    }

    private static let knownStatesSQL = """
        SELECT \(objectColumns) FROM objects
        WHERE provider = ? AND account = ? AND kind = ? AND external_id IN (SELECT value FROM json_each(?))
        """

    /// Reads an observation from the `objectColumns` starting at `offset`.
    static func observation(from row: Statement, offset: Int32, key knownKey: ObjectKey? = nil) -> Observation? {
        ObjectColumns.observation(from: row, offset: offset, key: knownKey)
    }

    /// Applies one page in one transaction: states, transitions, outbox rows, rejects and the
    /// cursor move are all kept, or (on any error, or a crash) none of them.
    public func apply(_ commit: PageCommit) throws {
        precondition(commit.plan.transitions.count == commit.plan.states.count, "one transition per state")
        try database.transaction {
            var objectIDs: [Int64] = []
            objectIDs.reserveCapacity(commit.plan.states.count)
            for (index, state) in commit.plan.states.enumerated() {
                try faultBeforeStateWrite?(index)
                objectIDs.append(try upsert(state, runID: commit.runID))
            }
            var transitionIDs: [Int64] = []
            transitionIDs.reserveCapacity(commit.plan.transitions.count)
            for (index, transition) in commit.plan.transitions.enumerated() {
                let objectID = objectIDs[index]
                try database.run(
                    """
                    INSERT INTO transitions (object_id, run_id, observed_at, provider_updated_at, from_status, to_status, changed)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [.integer(objectID), .integer(commit.runID), .integer(commit.observedAt.millisecondsSinceEpoch),
                     SQLValue(transition.providerUpdatedAt?.millisecondsSinceEpoch),
                     SQLValue(transition.fromStatus?.rawValue), .text(transition.toStatus.rawValue),
                     .integer(Int64(transition.changed.rawValue))]
                )
                transitionIDs.append(database.lastInsertedRowID)
            }
            // A write's key: the transition that caused it and its place among that transition's
            // writes to the sink, under this ledger's identity. Unique forever, the same on a retry.
            struct Slot: Hashable { let state: Int; let sink: String }
            var ordinals: [Slot: Int] = [:]
            for write in commit.plan.writes {
                guard objectIDs.indices.contains(write.stateIndex) else { continue }
                let slot = Slot(state: write.stateIndex, sink: write.sink)
                let ordinal = ordinals[slot, default: 0]
                ordinals[slot] = ordinal + 1
                let key = "\(identity):\(write.sink):\(transitionIDs[write.stateIndex]):\(ordinal)"
                try enqueue(write, objectID: objectIDs[write.stateIndex], writeKey: key, runID: commit.runID, now: commit.observedAt)
            }
            for reject in commit.rejects {
                try database.run(
                    "INSERT INTO rejects (provider, account, entity, external_id, run_id, observed_at, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [.text(commit.provider), .text(commit.account), .text(reject.entity), SQLValue(reject.externalID),
                     .integer(commit.runID), .integer(commit.observedAt.millisecondsSinceEpoch), .text(reject.error)]
                )
            }
            if let cursor = commit.cursor {
                try move(cursor, runID: commit.runID, at: commit.observedAt)
            }
        }
    }

    private func upsert(_ state: Observation, runID: Int64) throws -> Int64 {
        var values = ObjectColumns.values(of: state)
        values.append(.integer(runID))
        values.append(.integer(runID))
        let statement = try database.statement(ObjectColumns.upsertSQL, values)
        defer { statement.reset() }
        guard try statement.step() else { throw GeneralError("ledger \(path): upsert returned no id", exitCode: .internalError) }
        return statement.int64(0)
    }

    private func enqueue(_ write: PlannedWrite, objectID: Int64, writeKey: String, runID: Int64, now: Timestamp) throws {
        try database.run(
            """
            INSERT INTO outbox (sink, record_key, object_id, changes, from_status, to_status, next_attempt_at, created_run, created_at, updated_at, action, write_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(write.sink), .text(write.recordKey), .integer(objectID), .text(ChangesCodec.encode(write.changes)),
             SQLValue(write.fromStatus?.rawValue), .text(write.toStatus.rawValue), .integer(now.millisecondsSinceEpoch),
             .integer(runID), .integer(now.millisecondsSinceEpoch), .integer(now.millisecondsSinceEpoch), SQLValue(write.action?.json), .text(writeKey)]
        )
    }

    // MARK: Cursors

    public func cursor(provider: String, account: String, entity: String) throws -> CursorRecord? {
        let statement = try database.statement(
            "SELECT updated_at, last_id, hold_since, last_sweep_at, moved_at FROM cursors WHERE provider = ? AND account = ? AND entity = ?",
            [.text(provider), .text(account), .text(entity)]
        )
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return Ledger.cursorRecord(provider: provider, account: account, entity: entity, row: statement, offset: 0)
    }

    private static func cursorRecord(provider: String, account: String, entity: String, row: Statement, offset: Int32) -> CursorRecord {
        let position: CursorPosition? = row.optionalInt64(offset).flatMap { updated in
            row.optionalString(offset + 1).map { CursorPosition(updatedAt: Timestamp(millisecondsSinceEpoch: updated), lastID: $0) }
        }
        return CursorRecord(
            provider: provider, account: account, entity: entity, position: position,
            holdSince: row.optionalInt64(offset + 2).map(Timestamp.init(millisecondsSinceEpoch:)),
            lastSweepAt: row.optionalInt64(offset + 3).map(Timestamp.init(millisecondsSinceEpoch:)),
            movedAt: Timestamp(millisecondsSinceEpoch: row.int64(offset + 4))
        )
    }

    private func move(_ cursor: CursorMove, runID: Int64, at now: Timestamp) throws {
        try database.run(
            """
            INSERT INTO cursors (provider, account, entity, updated_at, last_id, hold_since, run_id, moved_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (provider, account, entity) DO UPDATE SET
                updated_at = coalesce(excluded.updated_at, cursors.updated_at),
                last_id = CASE WHEN excluded.updated_at IS NULL THEN cursors.last_id ELSE excluded.last_id END,
                hold_since = excluded.hold_since, run_id = excluded.run_id, moved_at = excluded.moved_at
            """,
            [.text(cursor.provider), .text(cursor.account), .text(cursor.entity),
             SQLValue(cursor.position?.updatedAt.millisecondsSinceEpoch), SQLValue(cursor.position?.lastID),
             SQLValue(cursor.holdSince?.millisecondsSinceEpoch), .integer(runID), .integer(now.millisecondsSinceEpoch)]
        )
    }

    /// Records that a sweep of this entity finished (the cursor position is not touched).
    public func recordSweep(provider: String, account: String, entity: String, at now: Timestamp) throws {
        try database.run(
            """
            INSERT INTO cursors (provider, account, entity, last_sweep_at, moved_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (provider, account, entity) DO UPDATE SET last_sweep_at = excluded.last_sweep_at
            """,
            [.text(provider), .text(account), .text(entity), .integer(now.millisecondsSinceEpoch), .integer(now.millisecondsSinceEpoch)]
        )
    }

    // MARK: Windows and ageing

    /// How many objects of a kind the ledger holds with a document date in `[from, until)`.
    public func countObjects(provider: String, account: String, kind: ObjectKind, from: CalendarDate, until: CalendarDate) throws -> Int {
        Int(try database.scalar(
            "SELECT count(*) FROM objects WHERE provider = ? AND account = ? AND kind = ? AND document_date >= ? AND document_date < ?",
            [.text(provider), .text(account), .text(kind.rawValue), .text(from.description), .text(until.description)]
        ) ?? 0)
    }

    /// The ids of objects of a kind with a document date in `[from, until)` (for the sweep's
    /// comparison of what the ledger holds with what the source returned).
    public func externalIDs(provider: String, account: String, kind: ObjectKind, from: CalendarDate, until: CalendarDate) throws -> Set<String> {
        let statement = try database.statement(
            "SELECT external_id FROM objects WHERE provider = ? AND account = ? AND kind = ? AND document_date >= ? AND document_date < ?",
            [.text(provider), .text(account), .text(kind.rawValue), .text(from.description), .text(until.description)]
        )
        defer { statement.reset() }
        var ids: Set<String> = []
        while try statement.step() { ids.insert(statement.string(0)) }
        return ids
    }

    /// Sent invoices whose due date is before `today`: they have become overdue without the
    /// provider touching them, so no incremental feed will say so.
    public func sentInvoicesDueBefore(_ today: CalendarDate, provider: String, account: String) throws -> [Observation] {
        let statement = try database.statement(
            """
            SELECT \(Ledger.objectColumns) FROM objects INDEXED BY objects_sent_by_due_date
            WHERE status = 'sent' AND due_date < ? AND provider = ? AND account = ? ORDER BY id
            """,
            [.text(today.description), .text(provider), .text(account)]
        )
        defer { statement.reset() }
        var result: [Observation] = []
        while try statement.step() {
            if let observation = Ledger.observation(from: statement, offset: 0) { result.append(observation) }
        }
        return result
    }

    // MARK: Credentials

    public func credential(named name: String) throws -> StoredCredential? {
        let statement = try database.statement("SELECT value, expires_at, seed_fingerprint FROM credentials WHERE name = ?", [.text(name)])
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return StoredCredential(
            value: Secret(statement.string(0)),
            expiresAt: statement.optionalInt64(1).map(Timestamp.init(millisecondsSinceEpoch:)),
            seedFingerprint: statement.optionalString(2)
        )
    }

    /// Stores a credential in its own committed (and fsynced) transaction.
    public func saveCredential(named name: String, value: Secret, expiresAt: Timestamp?, seedFingerprint: String?, now: Timestamp) throws {
        try database.transaction {
            try database.run(
                """
                INSERT INTO credentials (name, value, expires_at, seed_fingerprint, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
                    seed_fingerprint = excluded.seed_fingerprint, updated_at = excluded.updated_at
                """,
                [.text(name), .text(value.reveal()), SQLValue(expiresAt?.millisecondsSinceEpoch), SQLValue(seedFingerprint), .integer(now.millisecondsSinceEpoch)]
            )
        }
    }

    public func deleteCredential(named name: String) throws {
        try database.run("DELETE FROM credentials WHERE name = ?", [.text(name)])
    }
}
