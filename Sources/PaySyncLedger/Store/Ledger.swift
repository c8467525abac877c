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
    /// Committed scope ids (see `existingScopeID`).
    private var scopeIDs: [Scope: Int64] = [:]

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
            // Statement journals (a multi-row statement inside a transaction keeps one, to undo
            // just itself on failure) in memory: on disk, each one past 64 KiB opened and wrote a
            // temporary file (measured: docs/performance.md). They live one statement.
            try database.execute("PRAGMA temp_store = MEMORY")
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
        while try statement.step() { runs.append(Ledger.runRecord(statement)) }
        return runs
    }

    /// A run from `id, command, dry_run, started_at, finished_at, fetched, changed, written,
    /// failed, stale, exit_code, message, skipped_by_mapping`.
    static func runRecord(_ row: some ColumnReader) -> RunRecord {
        RunRecord(
            id: row.int64(0), command: row.string(1), dryRun: row.int64(2) != 0,
            startedAt: Timestamp(millisecondsSinceEpoch: row.int64(3)),
            finishedAt: row.optionalInt64(4).map(Timestamp.init(millisecondsSinceEpoch:)),
            fetched: Int(row.int64(5)), changed: Int(row.int64(6)), written: Int(row.int64(7)),
            failed: Int(row.int64(8)), stale: Int(row.int64(9)),
            exitCode: row.optionalInt64(10).map { Int32($0) }, message: row.optionalString(11),
            skippedByMapping: Int(row.int64(12))
        )
    }

    // MARK: Object state

    /// A provider account's objects of one kind: the `scopes` row an object's key starts with.
    struct Scope: Hashable {
        var provider: String
        var account: String
        var kind: ObjectKind

        init(_ key: ObjectKey) {
            provider = key.provider
            account = key.account
            kind = key.kind
        }

        init(provider: String, account: String, kind: ObjectKind) {
            self.provider = provider
            self.account = account
            self.kind = kind
        }
    }

    /// The scope's id, nil when the ledger has never held an object of it. Ids are cached once
    /// committed (a scope row is never deleted or renumbered).
    func existingScopeID(_ scope: Scope) throws -> Int64? {
        if let id = scopeIDs[scope] { return id }
        let statement = try database.statement("SELECT id FROM scopes WHERE provider = ? AND account = ? AND kind = ?")
        defer { statement.reset() }
        try statement.bind(scope.provider, at: 1)
        try statement.bind(scope.account, at: 2)
        try statement.bind(scope.kind.rawValue, at: 3)
        guard try statement.step() else { return nil }
        let id = statement.int64(0)
        scopeIDs[scope] = id
        return id
    }

    /// The scope's id, created when missing, inside the caller's transaction: a created id goes
    /// into `created`, for the caller to cache once the transaction commits (a rollback undoes it).
    private func scopeID(_ scope: Scope, created: inout [Scope: Int64]) throws -> Int64 {
        if let id = created[scope] { return id }
        if let id = try existingScopeID(scope) { return id }
        try database.run("INSERT INTO scopes (provider, account, kind) VALUES (?, ?, ?)",
                         [.text(scope.provider), .text(scope.account), .text(scope.kind.rawValue)])
        let id = database.lastInsertedRowID
        created[scope] = id
        return id
    }

    /// The last known state of each object (nil for objects never seen), in the order asked.
    ///
    /// One statement per scope (a page has one): the ids go in as a JSON list, which SQLite sorts
    /// before seeking, so the lookups walk the key index in order instead of jumping to a random
    /// page for each id (measured: docs/performance.md).
    public func knownStates(for keys: [ObjectKey]) throws -> [Observation?] {
        var result = [Observation?](repeating: nil, count: keys.count)
        // Each scope's ids, with the first position asking for each.
        var groups: [Scope: [String: Int]] = [:]
        var repeated: [(position: Int, first: Int)] = []
        for (position, key) in keys.enumerated() {
            let scope = Scope(key)
            if let first = groups[scope]?[key.externalID] {
                repeated.append((position, first))
            } else {
                groups[scope, default: [:]][key.externalID] = position
            }
        }
        for (scope, positions) in groups {
            guard let scopeID = try existingScopeID(scope) else { continue }
            let list = Ledger.jsonArray(positions.keys, reserving: positions.count * 40)
            let statement = try database.statement(Ledger.knownStatesSQL)
            defer { statement.reset() }
            try statement.bind(scopeID, at: 1)
            try statement.bind(list, at: 2)
            while try statement.step() {
                guard let position = positions[statement.string(0)] else { continue }
                result[position] = ObjectColumns.observation(from: statement, offset: 1, key: keys[position])
            }
        }
        for (position, first) in repeated { result[position] = result[first] }
        return result
    }

    /// Strings as a JSON array, for `IN (SELECT value FROM json_each(?))`: one bound parameter
    /// however many values.
    static func jsonArray(_ values: some Sequence<String>, reserving capacity: Int = 0) -> String {
        var list = "["
        list.reserveCapacity(capacity)
        for value in values {
            if list.utf8.count > 1 { list += "," }
            JSONWriter.appendQuoted(value, into: &list)
        }
        return list + "]"
    }

    private static let knownStatesSQL = """
        SELECT o.external_id, \(ObjectColumns.stateList) FROM objects o
        WHERE o.scope = ? AND o.external_id IN (SELECT value FROM json_each(?))
        """

    /// Applies one page in one transaction: states, transitions, outbox rows, rejects and the
    /// cursor move are all kept, or (on any error, or a crash) none of them.
    ///
    /// Objects the plan saw first go in as multi-row inserts with ids assigned here (the write
    /// lock is held, so `max(id) + 1` is free), the rest as upserts; transitions and outbox rows
    /// go in as multi-row inserts too (measured: docs/performance.md).
    public func apply(_ commit: PageCommit) throws {
        let states = commit.plan.states
        let transitions = commit.plan.transitions
        precondition(transitions.count == states.count, "one transition per state")
        // A page that changed nothing and moves no cursor (a backfill of known objects) needs no
        // transaction: it would cost a commit, and so an fsync, for nothing.
        if states.isEmpty && commit.rejects.isEmpty && commit.cursor == nil { return }
        var createdScopes: [Scope: Int64] = [:]
        try database.transaction {
            var scopes: [Int64] = []
            scopes.reserveCapacity(states.count)
            for state in states { scopes.append(try scopeID(Scope(state.key), created: &createdScopes)) }

            var objectIDs = [Int64](repeating: 0, count: states.count)
            var nextObjectID = (try database.scalar("SELECT max(id) FROM objects") ?? 0) + 1
            let objectInsert = database.multiRowInsert(into: "objects", columns: ObjectColumns.insertColumns)
            try PageStateWrites.run(transitions, before: { try faultBeforeStateWrite?($0) }, insert: { newStates in
                // New objects take the next free ids, in page order.
                for position in newStates {
                    objectIDs[position] = nextObjectID
                    nextObjectID += 1
                }
                try objectInsert.run(count: newStates.count) { row, statement, index in
                    let position = newStates[row]
                    try ObjectColumns.bindInsert(states[position], id: objectIDs[position], scope: scopes[position], runID: commit.runID,
                                                 to: statement, at: &index)
                }
            }, upsert: { position in
                objectIDs[position] = try upsert(states[position], scope: scopes[position], runID: commit.runID)
            })

            var nextTransitionID = (try database.scalar("SELECT max(id) FROM transitions") ?? 0) + 1
            let firstTransitionID = nextTransitionID
            let observedAt = commit.observedAt.millisecondsSinceEpoch
            try database.multiRowInsert(into: "transitions", columns: Ledger.transitionColumns).run(count: transitions.count) { row, statement, index in
                let transition = transitions[row]
                try statement.bind(nextTransitionID, at: index)
                try statement.bind(objectIDs[row], at: index + 1)
                try statement.bind(commit.runID, at: index + 2)
                try statement.bind(observedAt, at: index + 3)
                try statement.bind(transition.providerUpdatedAt?.millisecondsSinceEpoch, at: index + 4)
                try statement.bind(transition.fromStatus?.rawValue, at: index + 5)
                try statement.bind(transition.toStatus.rawValue, at: index + 6)
                try statement.bind(Int64(transition.changed.rawValue), at: index + 7)
                index += 8
                nextTransitionID += 1
            }

            let writes = commit.plan.writes.filter { objectIDs.indices.contains($0.stateIndex) }
            let writeKeys = Ledger.writeKeys(writes, identity: identity) { firstTransitionID + Int64($0) }
            try database.multiRowInsert(into: "outbox", columns: Ledger.outboxInsertColumns).run(count: writes.count) { row, statement, index in
                try Ledger.bindOutboxInsert(writes[row], objectID: objectIDs[writes[row].stateIndex], writeKey: writeKeys[row], runID: commit.runID,
                                            observedAt: observedAt, to: statement, at: &index)
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
        scopeIDs.merge(createdScopes) { _, created in created }
    }

    /// Each write's key: the transition that caused it and its place among that transition's
    /// writes to the sink, under this ledger's identity. Unique forever, the same on a retry.
    static func writeKeys(_ writes: [PlannedWrite], identity: String, transitionID: (Int) -> Int64) -> [String] {
        struct Slot: Hashable { let state: Int; let sink: String }
        var ordinals: [Slot: Int] = [:]
        var keys: [String] = []
        keys.reserveCapacity(writes.count)
        for write in writes {
            let slot = Slot(state: write.stateIndex, sink: write.sink)
            let ordinal = ordinals[slot, default: 0]
            ordinals[slot] = ordinal + 1
            keys.append("\(identity):\(write.sink):\(transitionID(write.stateIndex)):\(ordinal)")
        }
        return keys
    }

    static let transitionColumns = ["id", "object_id", "run_id", "observed_at", "provider_updated_at", "from_status", "to_status", "changed"]

    static let outboxInsertColumns = ["sink", "record_key", "object_id", "changes", "from_status", "to_status", "next_attempt_at",
                                      "created_run", "created_at", "updated_at", "action", "write_key"]

    /// Binds one new outbox row (`outboxInsertColumns`) at `index`, which moves past it.
    static func bindOutboxInsert(_ write: PlannedWrite, objectID: Int64, writeKey: String, runID: Int64, observedAt: Int64,
                                 to statement: some ColumnBinder, at index: inout Int32) throws {
        try statement.bind(write.sink, at: index)
        try statement.bind(write.recordKey, at: index + 1)
        try statement.bind(objectID, at: index + 2)
        try statement.bind(ChangesCodec.encode(write.changes), at: index + 3)
        try statement.bind(write.fromStatus?.rawValue, at: index + 4)
        try statement.bind(write.toStatus.rawValue, at: index + 5)
        try statement.bind(observedAt, at: index + 6)      // next_attempt_at
        try statement.bind(runID, at: index + 7)
        try statement.bind(observedAt, at: index + 8)      // created_at
        try statement.bind(observedAt, at: index + 9)      // updated_at
        try statement.bind(write.action?.json, at: index + 10)
        try statement.bind(writeKey, at: index + 11)
        index += 12
    }

    private func upsert(_ state: Observation, scope: Int64, runID: Int64) throws -> Int64 {
        let statement = try database.statement(ObjectColumns.upsertSQL)
        defer { statement.reset() }
        try ObjectColumns.bindUpsert(state, scope: scope, runID: runID, to: statement)
        guard try statement.step() else { throw GeneralError("ledger \(path): upsert returned no id", exitCode: .internalError) }
        return statement.int64(0)
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

    static func cursorRecord(provider: String, account: String, entity: String, row: some ColumnReader, offset: Int32) -> CursorRecord {
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
        try database.run(Ledger.moveCursorSQL { _ in "?" }, [
            .text(cursor.provider), .text(cursor.account), .text(cursor.entity),
            SQLValue(cursor.position?.updatedAt.millisecondsSinceEpoch), SQLValue(cursor.position?.lastID),
            SQLValue(cursor.holdSince?.millisecondsSinceEpoch), .integer(runID), .integer(now.millisecondsSinceEpoch),
        ])
    }

    /// Moves a cursor (provider, account, entity, updated_at, last_id, hold_since, run_id,
    /// moved_at): a move without a position keeps the current one.
    static func moveCursorSQL(placeholder: (Int) -> String) -> String {
        """
        INSERT INTO cursors (provider, account, entity, updated_at, last_id, hold_since, run_id, moved_at)
        VALUES (\((1...8).map(placeholder).joined(separator: ", ")))
        ON CONFLICT (provider, account, entity) DO UPDATE SET
            updated_at = coalesce(excluded.updated_at, cursors.updated_at),
            last_id = CASE WHEN excluded.updated_at IS NULL THEN cursors.last_id ELSE excluded.last_id END,
            hold_since = excluded.hold_since, run_id = excluded.run_id, moved_at = excluded.moved_at
        """
    }

    public func cursorAccounts(provider: String) throws -> Set<String> {
        let statement = try database.statement("SELECT DISTINCT account FROM cursors WHERE provider = ?", [.text(provider)])
        defer { statement.reset() }
        var accounts: Set<String> = []
        while try statement.step() { accounts.insert(statement.string(0)) }
        return accounts
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
        guard let scope = try existingScopeID(Scope(provider: provider, account: account, kind: kind)) else { return 0 }
        return Int(try database.scalar(
            "SELECT count(*) FROM objects WHERE scope = ? AND document_date >= ? AND document_date < ?",
            [.integer(scope), .text(from.description), .text(until.description)]
        ) ?? 0)
    }

    /// The ids of objects of a kind with a document date in `[from, until)` (for the sweep's
    /// comparison of what the ledger holds with what the source returned).
    public func externalIDs(provider: String, account: String, kind: ObjectKind, from: CalendarDate, until: CalendarDate) throws -> Set<String> {
        guard let scope = try existingScopeID(Scope(provider: provider, account: account, kind: kind)) else { return [] }
        let statement = try database.statement(
            "SELECT external_id FROM objects WHERE scope = ? AND document_date >= ? AND document_date < ?",
            [.integer(scope), .text(from.description), .text(until.description)]
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
            SELECT \(ObjectColumns.keyedList) FROM objects o INDEXED BY objects_sent_by_due_date JOIN scopes s ON s.id = o.scope
            WHERE o.status = 'sent' AND o.due_date < ? AND s.provider = ? AND s.account = ? ORDER BY o.id
            """,
            [.text(today.description), .text(provider), .text(account)]
        )
        defer { statement.reset() }
        var result: [Observation] = []
        while try statement.step() {
            if let observation = ObjectColumns.keyedObservation(from: statement, offset: 0) { result.append(observation) }
        }
        return result
    }

    public func objects(provider: String, account: String, kinds: [ObjectKind], statuses: [PaymentStatus]) throws -> [Observation] {
        guard !kinds.isEmpty, !statuses.isEmpty else { return [] }
        // The scope is the leading column of UNIQUE(scope, external_id): one range per kind.
        let statement = try database.statement(
            """
            SELECT \(ObjectColumns.keyedList) FROM objects o JOIN scopes s ON s.id = o.scope
            WHERE s.provider = ? AND s.account = ? AND s.kind IN (SELECT value FROM json_each(?)) AND o.status IN (SELECT value FROM json_each(?))
            ORDER BY o.id
            """,
            [.text(provider), .text(account), .text(Ledger.jsonArray(kinds.map(\.rawValue))), .text(Ledger.jsonArray(statuses.map(\.rawValue)))]
        )
        defer { statement.reset() }
        var result: [Observation] = []
        while try statement.step() {
            if let observation = ObjectColumns.keyedObservation(from: statement, offset: 0) { result.append(observation) }
        }
        return result
    }

    public func linkedDocuments(parents: [String]) throws -> [Observation] {
        guard !parents.isEmpty else { return [] }
        let list = Ledger.jsonArray(parents)
        let statement = try database.statement(
            """
            SELECT \(ObjectColumns.keyedList) FROM objects o INDEXED BY objects_by_parent JOIN scopes s ON s.id = o.scope
            WHERE o.parent_key IN (SELECT value FROM json_each(?)) AND s.kind IN ('refund', 'credit_note', 'dispute') ORDER BY o.id
            """,
            [.text(list)]
        )
        defer { statement.reset() }
        var result: [Observation] = []
        while try statement.step() {
            if let observation = ObjectColumns.keyedObservation(from: statement, offset: 0) { result.append(observation) }
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

    public func crmRecordIDs(sink: String, object: String, keys: [String]) throws -> [String: String] {
        var ids: [String: String] = [:]
        let statement = try database.statement("SELECT crm_id FROM crm_record_ids WHERE sink = ? AND object = ? AND record_key = ?", [])
        defer { statement.reset() }
        for key in Set(keys) {
            statement.reset()
            try statement.bind([.text(sink), .text(object), .text(key)])
            if try statement.step() { ids[key] = statement.string(0) }
        }
        return ids
    }

    public func saveCRMRecordIDs(sink: String, object: String, _ ids: [String: String], now: Timestamp) throws {
        guard !ids.isEmpty else { return }
        try database.transaction {
            for (key, id) in ids.sorted(by: { $0.key < $1.key }) {
                try database.run("""
                    INSERT INTO crm_record_ids (sink, object, record_key, crm_id, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (sink, object, record_key) DO UPDATE SET crm_id = excluded.crm_id, updated_at = excluded.updated_at
                    """, [.text(sink), .text(object), .text(key), .text(id), .integer(now.millisecondsSinceEpoch)])
            }
        }
    }

    public func forgetCRMRecordID(sink: String, object: String, key: String) throws {
        try database.run("DELETE FROM crm_record_ids WHERE sink = ? AND object = ? AND record_key = ?", [.text(sink), .text(object), .text(key)])
    }

    public func deleteCredential(named name: String) throws {
        try database.run("DELETE FROM credentials WHERE name = ?", [.text(name)])
    }
}
