import PaySyncCore

/// The PostgreSQL ledger's migrations, oldest first, applied under an advisory lock so that
/// workers starting together migrate once. Never edit a released migration: append a new one.
enum PostgresSchema {
    /// A lock id of paysync's own for `pg_advisory_xact_lock` ("paysync" in ASCII, 0x70617973796e63, as a bigint).
    static let migrationLock = "31632371647868515"

    static let migrations: [Migration] = [
        Migration(name: "0001-create-ledger", sql: """
            -- The SQLite ledger's tables as its thirteen migrations left them (LedgerSchema.swift),
            -- with PostgreSQL's types, plus what several workers sharing one ledger need: leases,
            -- and an owner and expiry on each outbox claim. Times are ms since epoch (UTC), days
            -- are 'YYYY-MM-DD' text, amounts are minor units: the same values as in SQLite, so a
            -- ledger moves between the two unchanged (`paysync migrate-ledger`).
            CREATE TABLE ledger_identity (id TEXT NOT NULL);
            INSERT INTO ledger_identity (id) VALUES (md5(random()::text || clock_timestamp()::text));

            CREATE TABLE runs (
                id BIGSERIAL PRIMARY KEY,
                command TEXT NOT NULL,
                dry_run INTEGER NOT NULL DEFAULT 0,
                pid BIGINT,
                started_at BIGINT NOT NULL,
                finished_at BIGINT,
                fetched BIGINT NOT NULL DEFAULT 0,
                changed BIGINT NOT NULL DEFAULT 0,
                written BIGINT NOT NULL DEFAULT 0,
                failed BIGINT NOT NULL DEFAULT 0,
                stale BIGINT NOT NULL DEFAULT 0,
                exit_code INTEGER,
                message TEXT,
                skipped_by_mapping BIGINT NOT NULL DEFAULT 0,
                worker TEXT                       -- which worker ran it (NULL on SQLite's side of a migration)
            );

            CREATE TABLE scopes (
                id BIGSERIAL PRIMARY KEY,
                provider TEXT NOT NULL,
                account TEXT NOT NULL,
                kind TEXT NOT NULL,
                UNIQUE (provider, account, kind)
            );

            CREATE TABLE objects (
                id BIGSERIAL PRIMARY KEY,
                scope BIGINT NOT NULL REFERENCES scopes (id),
                external_id TEXT NOT NULL,
                updated_at BIGINT,
                version TEXT,
                status TEXT NOT NULL,
                provider_status TEXT NOT NULL,
                currency TEXT,
                total BIGINT,
                paid BIGINT,
                due BIGINT,
                invoice_number TEXT,
                customer_id TEXT,
                customer_email TEXT,
                customer_name TEXT,
                document_date TEXT,
                due_date TEXT,
                last_payment_date TEXT,
                last_payment_id TEXT,
                reference TEXT,
                counterparty_name TEXT,
                counterparty_account TEXT,
                remittance_text TEXT,
                bank_reference TEXT,
                booking_status TEXT,
                value_date TEXT,
                parent_key TEXT,
                subscription_id TEXT,
                metadata TEXT,
                first_run BIGINT NOT NULL,
                last_changed_run BIGINT NOT NULL,
                UNIQUE (scope, external_id)
            );
            CREATE INDEX objects_by_invoice_number ON objects (invoice_number);
            CREATE INDEX objects_sent_by_due_date ON objects (due_date) WHERE status = 'sent';
            CREATE INDEX objects_by_parent ON objects (parent_key) WHERE parent_key IS NOT NULL;

            CREATE TABLE transitions (
                id BIGSERIAL PRIMARY KEY,
                object_id BIGINT NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
                run_id BIGINT REFERENCES runs (id),
                observed_at BIGINT NOT NULL,
                provider_updated_at BIGINT,
                from_status TEXT,
                to_status TEXT NOT NULL,
                changed TEXT NOT NULL
            );
            CREATE INDEX transitions_by_object ON transitions (object_id, id);

            CREATE TABLE cursors (
                provider TEXT NOT NULL,
                account TEXT NOT NULL,
                entity TEXT NOT NULL,
                updated_at BIGINT,
                last_id TEXT,
                hold_since BIGINT,
                last_sweep_at BIGINT,
                run_id BIGINT REFERENCES runs (id),
                moved_at BIGINT NOT NULL,
                PRIMARY KEY (provider, account, entity)
            );

            CREATE TABLE outbox (
                id BIGSERIAL PRIMARY KEY,
                sink TEXT NOT NULL,
                record_key TEXT NOT NULL,
                object_id BIGINT NOT NULL REFERENCES objects (id),
                changes TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'skipped', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                last_error TEXT,
                created_run BIGINT REFERENCES runs (id),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                action TEXT,
                write_key TEXT,
                claimed_by TEXT,                  -- the worker sending a 'sending' row
                claim_until BIGINT                -- after which another worker may send it again
            );
            CREATE INDEX outbox_in_queue_order ON outbox (sink, state, id);
            CREATE INDEX outbox_by_record ON outbox (sink, record_key);

            CREATE TABLE rejects (
                id BIGSERIAL PRIMARY KEY,
                provider TEXT NOT NULL,
                account TEXT NOT NULL,
                entity TEXT NOT NULL,
                external_id TEXT,
                run_id BIGINT REFERENCES runs (id),
                observed_at BIGINT NOT NULL,
                error TEXT NOT NULL
            );

            CREATE TABLE credentials (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                expires_at BIGINT,
                seed_fingerprint TEXT,
                updated_at BIGINT NOT NULL
            );

            CREATE TABLE crm_record_ids (
                sink TEXT NOT NULL,
                object TEXT NOT NULL,
                record_key TEXT NOT NULL,
                crm_id TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (sink, object, record_key)
            );

            CREATE TABLE alerts (
                key TEXT PRIMARY KEY,
                message TEXT NOT NULL,
                since BIGINT NOT NULL
            );
            CREATE TABLE source_successes (
                source TEXT PRIMARY KEY,
                at BIGINT NOT NULL
            );

            CREATE TABLE matches (
                credit_key TEXT NOT NULL,
                invoice_key TEXT NOT NULL DEFAULT '',
                currency TEXT,
                amount BIGINT,
                confidence DOUBLE PRECISION NOT NULL,
                reason TEXT NOT NULL,
                state TEXT NOT NULL,
                candidates TEXT,
                decided_at BIGINT NOT NULL,
                PRIMARY KEY (credit_key, invoice_key)
            );
            CREATE INDEX matches_counted ON matches (invoice_key) WHERE state IN ('applied', 'confirmed');

            -- Which worker reads which provider account now (docs/scaling.md).
            CREATE TABLE leases (
                name TEXT PRIMARY KEY,
                holder TEXT,
                expires_at BIGINT,
                taken_at BIGINT
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

    /// Refuses, changing nothing, a database that is not a ledger at this paysync's schema.
    static func check(_ connection: PGConnection, location: String) throws {
        switch try inspect(connection) {
        case .empty, .foreign: throw LedgerError.notALedger(path: location)
        case .ledger(let version) where version > migrations.count: throw LedgerError.newerSchema(path: location, found: version, known: migrations.count)
        case .ledger(let version) where version < migrations.count: throw LedgerError.olderSchema(path: location, found: version, known: migrations.count)
        case .ledger: return
        }
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
                let names = try connection.execute("SELECT name FROM schema_migrations ORDER BY position").rows.compactMap { $0[0] }
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
