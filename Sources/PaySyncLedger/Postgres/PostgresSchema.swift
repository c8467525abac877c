import PaySyncCore

/// The PostgreSQL ledger's migrations, oldest first, applied under an advisory lock so that
/// workers starting together migrate once. Never edit a released migration: append a new one.
/// The SQLite ledger's tables are ported here migration by migration (issue 18). Until the
/// config accepts a PostgreSQL ledger none of these is released, and they may still be folded.
enum PostgresSchema {
    /// A lock id of paysync's own for `pg_advisory_xact_lock` ("paysync" in ASCII, 0x70617973796e63, as a bigint).
    static let migrationLock = "31632371647868515"

    static let migrations: [Migration] = [
        Migration(name: "0001-leases", sql: """
            -- Which worker reads which (source, account): one row per lease ever taken.
            CREATE TABLE leases (
                name TEXT PRIMARY KEY,
                holder TEXT,
                expires_at BIGINT,          -- ms since epoch (UTC)
                taken_at BIGINT
            );
            """),
        Migration(name: "0002-credentials-cursors-crm-ids", sql: """
            -- OAuth tokens and consents between runs (a rotated refresh token is saved before use).
            CREATE TABLE credentials (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                expires_at BIGINT,
                seed_fingerprint TEXT,
                updated_at BIGINT NOT NULL
            );
            -- Incremental positions per provider account and entity.
            CREATE TABLE cursors (
                provider TEXT NOT NULL,
                account TEXT NOT NULL,
                entity TEXT NOT NULL,
                updated_at BIGINT,
                last_id TEXT,
                hold_since BIGINT,
                last_sweep_at BIGINT,
                run_id BIGINT,
                moved_at BIGINT NOT NULL,
                PRIMARY KEY (provider, account, entity)
            );
            -- The CRM's own id of a record key, for CRMs that update only by id.
            CREATE TABLE crm_record_ids (
                sink TEXT NOT NULL,
                object TEXT NOT NULL,
                record_key TEXT NOT NULL,
                crm_id TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (sink, object, record_key)
            );
            """),
    ]

    enum Contents: Equatable {
        case empty
        case ledger(version: Int)
        case foreign
    }

    /// Judges a database before writing to it: no tables, a paysync ledger (and how far
    /// migrated), or something else.
    static func inspect(_ connection: PGConnection) throws(PostgresError) -> Contents {
        let tables = Int(try connection.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()").scalar ?? "0") ?? 0
        guard tables > 0 else { return .empty }
        let log = try connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'").scalar
        guard log == "1" else { return .foreign }
        let first = try connection.execute("SELECT name FROM schema_migrations WHERE position = 1").scalar
        guard first == migrations.first?.name else { return .foreign }
        return .ledger(version: Int(try connection.execute("SELECT coalesce(max(position), 0) FROM schema_migrations").scalar ?? "0") ?? 0)
    }

    /// Brings the database to the newest schema; refuses a foreign database or a newer schema.
    static func migrate(_ connection: PGConnection, location: String, now: Timestamp) throws {
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock(\(migrationLock))")
            let contents = try inspect(connection)
            let applied: Int
            switch contents {
            case .foreign:
                throw LedgerError.notALedger(path: location)
            case .ledger(let version) where version > migrations.count:
                throw LedgerError.newerSchema(path: location, found: version, known: migrations.count)
            case .ledger(let version):
                applied = version
                let names = try connection.execute("SELECT name FROM schema_migrations ORDER BY position").rows.compactMap { $0.first ?? nil }
                for (index, name) in names.enumerated() where index < migrations.count && migrations[index].name != name {
                    throw LedgerError.foreignSchema(path: location, migration: name)
                }
            case .empty:
                try connection.execute("CREATE TABLE schema_migrations (position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at BIGINT NOT NULL)")
                applied = 0
            }
            for (index, migration) in migrations.enumerated().dropFirst(applied) {
                try connection.executeScript(migration.sql)
                try connection.execute("INSERT INTO schema_migrations (position, name, applied_at) VALUES ($1, $2, $3)",
                                       [String(index + 1), migration.name, String(now.millisecondsSinceEpoch)])
            }
        }
    }
}
