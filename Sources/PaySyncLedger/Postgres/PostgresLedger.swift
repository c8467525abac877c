import Foundation
import PaySyncCore

/// The ledger in PostgreSQL (`ledger: "postgres://…"`), for several paysync workers on several
/// hosts sharing one ledger (`docs/scaling.md`): the SQLite ledger's tables and guarantees (each
/// page one transaction, named migrations, a foreign database refused), plus leases that split
/// provider accounts between workers and outbox claims that a worker owns until they expire.
///
/// One connection per process, owned by this actor and used on its own thread (libpq calls
/// block on the network, as SQLite's block on fsync).
public actor PostgresLedger: LedgerStore, LeaseStore {
    /// Where it lives, for messages: the URL without its password.
    public nonisolated let location: String
    /// The server and its version, for `status` (`PostgreSQL 15.18`).
    public nonisolated let backend: String
    /// This process's name in leases and outbox claims: unique per process (`host:pid` unless the
    /// caller names it), so a restarted worker never mistakes a dead one's claims for its own.
    public nonisolated let worker: String
    /// How long an outbox claim lasts: a worker that dies mid-send leaves its batch to others
    /// after this long (the cost of its loss, with the lease time).
    public nonisolated let claimSeconds: Double
    private nonisolated let executor = DedicatedThreadExecutor(name: "paysync-ledger-pg")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let connection: PGConnection
    /// This ledger's random identity, the root of every write key (as in SQLite).
    var identity: String
    /// Committed scope ids (a scope row is never deleted or renumbered).
    var scopeIDs: [Ledger.Scope: Int64] = [:]
    /// Set once this worker takes a lease: from then on each page commit checks, inside its
    /// transaction, that the worker still holds the lease on the page's provider account.
    var fencing = false
    /// Rows this process inserted per table since it last had the table analysed, and how many
    /// rows the table held then (see `analyzeIfGrown`).
    var insertedSinceAnalyze: [String: Int] = [:]
    var rowsAtAnalyze: [String: Int] = [:]

    /// Test hook, as in the SQLite ledger: called before each object state is written inside a
    /// page commit; a throw aborts the commit (which must then leave nothing behind).
    var faultBeforeStateWrite: (@Sendable (Int) throws -> Void)?

    func setFaultBeforeStateWrite(_ fault: (@Sendable (Int) throws -> Void)?) {
        faultBeforeStateWrite = fault
    }

    /// Connects, and migrates the database to the newest schema. With `migrating: false` (the
    /// operator's commands: `status`, `history`, `outbox retry`…) the schema is left as it is, and
    /// a database that is not a ledger at this paysync's schema is refused.
    public init(url: String, now: Timestamp, worker: String? = nil, claimSeconds: Double = 300, migrating: Bool = true) throws {
        location = PostgresLedger.redacted(url)
        self.worker = worker ?? "\(ProcessInfo.processInfo.hostName):\(getpid())"
        self.claimSeconds = claimSeconds
        do {
            connection = try PGConnection(url)
        } catch {
            throw LedgerError.cannotCreate(path: location, reason: error.message)
        }
        let version = connection.serverVersion
        backend = "PostgreSQL \(version / 10_000).\(version % 10_000)"
        if migrating {
            try PostgresSchema.migrate(connection, location: location, now: now)
        } else {
            try PostgresSchema.check(connection, location: location)
        }
        identity = try connection.execute("SELECT id FROM ledger_identity LIMIT 1").scalar ?? ""
    }

    deinit { executor.stop() }


    /// Whether `text` names a PostgreSQL ledger rather than an SQLite file.
    public nonisolated static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// A URL with any password replaced by `***`: `postgres://paysync:***@db/ledger`.
    public nonisolated static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    // MARK: Leases

    public func acquireLease(among names: [String], holder: String, seconds: Double, now: Timestamp) throws -> String? {
        guard !names.isEmpty else { return nil }
        fencing = true
        let until = now.adding(milliseconds: Int64(seconds * 1000))
        let list = PostgresLedger.textArray(names)
        return try connection.transaction {
            try connection.execute("INSERT INTO leases (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING", [list])
            // The first free one in the order given; a row another worker is taking right now is
            // skipped, not waited for, so two workers never get the same lease.
            return try connection.execute("""
                WITH candidate AS (
                    SELECT l.name FROM leases l JOIN unnest($1::text[]) WITH ORDINALITY AS wanted (name, position) ON wanted.name = l.name
                    WHERE l.holder IS NULL OR l.expires_at <= $2 OR l.holder = $3
                    ORDER BY wanted.position LIMIT 1 FOR UPDATE OF l SKIP LOCKED)
                UPDATE leases SET holder = $3, expires_at = $4, taken_at = $2 FROM candidate WHERE leases.name = candidate.name
                RETURNING leases.name
                """, [list, Self.ms(now), holder, Self.ms(until)]).scalar
        }
    }

    public func renewLease(_ name: String, holder: String, seconds: Double, now: Timestamp) throws -> Bool {
        let until = now.adding(milliseconds: Int64(seconds * 1000))
        return try connection.execute("UPDATE leases SET expires_at = $3 WHERE name = $1 AND holder = $2 AND expires_at > $4 RETURNING name",
                                      [name, holder, Self.ms(until), Self.ms(now)]).count == 1
    }

    public func releaseLease(_ name: String, holder: String) throws {
        try connection.execute("UPDATE leases SET holder = NULL, expires_at = NULL WHERE name = $1 AND holder = $2", [name, holder])
    }

    public func liveLeases(now: Timestamp) throws -> [String: (holder: String, until: Timestamp)] {
        var result: [String: (holder: String, until: Timestamp)] = [:]
        for row in try connection.execute("SELECT name, holder, expires_at FROM leases WHERE holder IS NOT NULL AND expires_at > $1", [Self.ms(now)]).rows {
            guard let name = row[0], let holder = row[1], let until = row.optionalInt64(2) else { continue }
            result[name] = (holder, Timestamp(millisecondsSinceEpoch: until))
        }
        return result
    }

    // MARK: Statistics

    /// Has PostgreSQL gather a table's statistics again once this process has doubled it (and
    /// grown it by at least 10,000 rows) since it last did. A first sync fills tables faster than
    /// autovacuum's minute-long naps notice, and without statistics the planner takes an outbox
    /// claim for a scan of every pending row: 15.6 ms a claim at 30,000 rows, 0.9 ms once
    /// analysed (measured: docs/performance.md, "PostgreSQL"). Growth is geometric, so a first
    /// sync of N objects analyses each table about log2(N / 10,000) times.
    func analyzeIfGrown(_ inserted: [String: Int]) {
        for (table, count) in inserted where count > 0 {
            let grown = insertedSinceAnalyze[table, default: 0] + count
            let base = rowsAtAnalyze[table, default: 0]
            guard grown >= max(10_000, base) else {
                insertedSinceAnalyze[table] = grown
                continue
            }
            // Best effort: statistics only steer plans; a failure here changes no data. A tenth of
            // the default sample (3,000 rows) tells the planner what it lacked, the table's size
            // and the spread of its keys, at a tenth of the cost; autovacuum takes the full
            // sample later.
            _ = try? connection.executeScript("SET default_statistics_target = 10; ANALYZE \(table); RESET default_statistics_target")
            rowsAtAnalyze[table] = base + grown
            insertedSinceAnalyze[table] = 0
        }
    }

    // MARK: Parameters

    /// A time as a parameter: ms since epoch.
    static func ms(_ time: Timestamp) -> String { String(time.millisecondsSinceEpoch) }

    /// A PostgreSQL array literal of texts: `{"a","b \"c\""}`.
    static func textArray(_ values: some Collection<String>) -> String { PGArrayLiteral.make(values) }

    /// A PostgreSQL array literal of integers: `{1,2,3}`.
    static func integerArray(_ values: some Sequence<Int64>) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
    }
}
