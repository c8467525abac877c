/// The ledger's migrations, oldest first. Never edit a released migration: append a new one.
enum LedgerSchema {
    /// What a database file holds, judged before anything is written to it.
    enum Contents: Equatable {
        /// No tables: a new file (paysync made it, or it is empty).
        case empty
        /// A paysync ledger with this many migrations applied.
        case ledger(version: Int)
        /// Tables of another application.
        case foreign
    }

    /// Reads `sqlite_master` and the migration log only.
    static func inspect(_ database: Database) throws -> Contents {
        let tables = Int(try database.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0)
        guard tables > 0 else { return .empty }
        let hasLog = try database.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") ?? 0
        guard hasLog > 0 else { return .foreign }
        let first = try database.statement("SELECT name FROM schema_migrations WHERE position = 1", [])
        let name = try first.step() ? first.string(0) : nil
        first.reset()
        guard name == migrations.first?.name else { return .foreign }
        return .ledger(version: Int(try database.scalar("PRAGMA user_version") ?? 0))
    }

    static let migrations: [Migration] = [
        Migration(name: "0001-create-ledger", sql: """
            -- Last known state of every provider object.
            CREATE TABLE objects (
                id INTEGER PRIMARY KEY,
                provider TEXT NOT NULL,
                account TEXT NOT NULL,
                kind TEXT NOT NULL,
                external_id TEXT NOT NULL,
                updated_at INTEGER,            -- provider's updated-at, ms since epoch (UTC)
                version TEXT,                  -- provider's version counter where it has one
                status TEXT NOT NULL,          -- canonical status, or unknown:RAW
                provider_status TEXT NOT NULL,
                currency TEXT,
                total INTEGER,                 -- minor units
                paid INTEGER,
                due INTEGER,
                invoice_number TEXT,
                customer_id TEXT,
                customer_email TEXT,
                customer_name TEXT,
                document_date TEXT,            -- YYYY-MM-DD
                due_date TEXT,
                last_payment_date TEXT,
                last_payment_id TEXT,
                reference TEXT,
                first_run INTEGER NOT NULL,
                last_changed_run INTEGER NOT NULL,
                UNIQUE (provider, account, kind, external_id)
            );
            CREATE INDEX objects_by_invoice_number ON objects (invoice_number);
            CREATE INDEX objects_by_document_date ON objects (provider, account, kind, document_date);
            CREATE INDEX objects_awaiting_payment ON objects (provider, account, due_date) WHERE status = 'sent';

            -- One row per paysync invocation that touched the ledger.
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                command TEXT NOT NULL,
                dry_run INTEGER NOT NULL DEFAULT 0,
                pid INTEGER,
                started_at INTEGER NOT NULL,
                finished_at INTEGER,
                fetched INTEGER NOT NULL DEFAULT 0,
                changed INTEGER NOT NULL DEFAULT 0,
                written INTEGER NOT NULL DEFAULT 0,
                failed INTEGER NOT NULL DEFAULT 0,
                stale INTEGER NOT NULL DEFAULT 0,
                exit_code INTEGER,
                message TEXT
            );

            -- History: every change of an object's state, from -> to, when, in which run.
            CREATE TABLE transitions (
                id INTEGER PRIMARY KEY,
                object_id INTEGER NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
                run_id INTEGER REFERENCES runs (id),
                observed_at INTEGER NOT NULL,
                provider_updated_at INTEGER,
                from_status TEXT,
                to_status TEXT NOT NULL,
                changed TEXT NOT NULL          -- the fields that changed, as a FieldSet bit mask
            );
            CREATE INDEX transitions_by_object ON transitions (object_id, id);

            -- Incremental position per provider account and entity.
            CREATE TABLE cursors (
                provider TEXT NOT NULL,
                account TEXT NOT NULL,
                entity TEXT NOT NULL,
                updated_at INTEGER,            -- provider updated-at of the last object stored
                last_id TEXT,                  -- its id: (updated_at, last_id) is the keyset position
                hold_since INTEGER,            -- when set, the next run re-reads from here (see docs/connectors/xero.md)
                last_sweep_at INTEGER,
                run_id INTEGER REFERENCES runs (id),
                moved_at INTEGER NOT NULL,
                PRIMARY KEY (provider, account, entity)
            );

            -- CRM writes decided but not yet acknowledged. Delivered rows are deleted.
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                sink TEXT NOT NULL,
                record_key TEXT NOT NULL,
                object_id INTEGER NOT NULL REFERENCES objects (id),
                changes TEXT NOT NULL,         -- JSON: {"field": [old, new], ...}
                from_status TEXT,
                to_status TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'skipped', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                last_error TEXT,
                created_run INTEGER REFERENCES runs (id),
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX outbox_by_sink_state ON outbox (sink, state, record_key, id);

            -- OAuth tokens: the newest refresh token is committed here before its access token is used.
            CREATE TABLE credentials (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                expires_at INTEGER,
                seed_fingerprint TEXT,         -- fingerprint of the configured token this one descends from
                updated_at INTEGER NOT NULL
            );

            -- Objects a connector could not normalise (bad amount, missing id), kept for the operator.
            CREATE TABLE rejects (
                id INTEGER PRIMARY KEY,
                provider TEXT NOT NULL,
                account TEXT NOT NULL,
                entity TEXT NOT NULL,
                external_id TEXT,
                run_id INTEGER REFERENCES runs (id),
                observed_at INTEGER NOT NULL,
                error TEXT NOT NULL
            );
            """),
        Migration(name: "0002-outbox-actions", sql: """
            -- Actions (CRM tasks, notes) a status transition triggers; NULL for field writes.
            ALTER TABLE outbox ADD COLUMN action TEXT;
            """),
        Migration(name: "0003-lighter-object-indexes", sql: """
            -- Every object insert paid for an index keyed by a random document date behind a long
            -- text prefix (measured: a quarter of a first sync's ledger time, see docs/performance.md).
            -- Only backfill and the sweep read it, once per window, and they read every object
            -- of the window from the provider anyway: a scan of the ledger costs them little.
            DROP INDEX objects_by_document_date;
            -- Overdue ageing reads sent invoices by due date: the partial index needs no prefix.
            DROP INDEX objects_awaiting_payment;
            CREATE INDEX objects_sent_by_due_date ON objects (due_date) WHERE status = 'sent';
            """),
        Migration(name: "0004-bank-and-processor-fields", sql: """
            -- Fields bank transactions and payment processors need (declared in Field.swift).
            ALTER TABLE objects ADD COLUMN counterparty_name TEXT;     -- payer or payee
            ALTER TABLE objects ADD COLUMN counterparty_account TEXT;  -- masked: last four digits only
            ALTER TABLE objects ADD COLUMN remittance_text TEXT;
            ALTER TABLE objects ADD COLUMN bank_reference TEXT;
            ALTER TABLE objects ADD COLUMN booking_status TEXT;        -- booked or pending
            ALTER TABLE objects ADD COLUMN value_date TEXT;            -- YYYY-MM-DD
            ALTER TABLE objects ADD COLUMN parent_key TEXT;            -- object key of the invoice a payment, refund or dispute belongs to
            ALTER TABLE objects ADD COLUMN subscription_id TEXT;
            """),
        Migration(name: "0005-write-keys", sql: """
            -- A random identity per ledger: keys derived from it never collide with another
            -- ledger's, even one re-created at the same path.
            CREATE TABLE ledger_identity (id TEXT NOT NULL);
            INSERT INTO ledger_identity (id) VALUES (lower(hex(randomblob(16))));
            -- Each outbox row's write key: ledger identity, sink, the transition that caused it
            -- (transition ids are never reused: transitions are never deleted) and its position
            -- among that transition's writes to the sink. Outbox row ids can be reused once
            -- delivered rows are deleted, so they must not name a write outside the ledger.
            ALTER TABLE outbox ADD COLUMN write_key TEXT;
            """),
        Migration(name: "0006-runs-skipped-by-mapping", sql: """
            -- Writes a sink's mapping had nothing to send for, counted apart from writes made.
            ALTER TABLE runs ADD COLUMN skipped_by_mapping INTEGER NOT NULL DEFAULT 0;
            """),
        Migration(name: "0007-objects-by-scope", sql: """
            -- Each (provider, account, kind) once, as a small integer: an object's unique key becomes
            -- (scope, external_id) instead of four texts, so the key index is about half as deep and
            -- wide, and every insert and lookup compares less (measured: docs/performance.md).
            CREATE TABLE scopes (
                id INTEGER PRIMARY KEY,
                provider TEXT NOT NULL,
                account TEXT NOT NULL,
                kind TEXT NOT NULL,
                UNIQUE (provider, account, kind)
            );
            INSERT INTO scopes (provider, account, kind)
                SELECT DISTINCT provider, account, kind FROM objects ORDER BY provider, account, kind;
            CREATE TABLE objects_by_scope (
                id INTEGER PRIMARY KEY,
                scope INTEGER NOT NULL REFERENCES scopes (id),
                external_id TEXT NOT NULL,
                updated_at INTEGER,            -- provider's updated-at, ms since epoch (UTC)
                version TEXT,                  -- provider's version counter where it has one
                status TEXT NOT NULL,          -- canonical status, or unknown:RAW
                provider_status TEXT NOT NULL,
                currency TEXT,
                total INTEGER,                 -- minor units
                paid INTEGER,
                due INTEGER,
                invoice_number TEXT,
                customer_id TEXT,
                customer_email TEXT,
                customer_name TEXT,
                document_date TEXT,            -- YYYY-MM-DD
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
                first_run INTEGER NOT NULL,
                last_changed_run INTEGER NOT NULL,
                UNIQUE (scope, external_id)
            );
            INSERT INTO objects_by_scope (
                id, scope, external_id, updated_at, version, status, provider_status, currency, total, paid, due,
                invoice_number, customer_id, customer_email, customer_name, document_date, due_date, last_payment_date,
                last_payment_id, reference, counterparty_name, counterparty_account, remittance_text, bank_reference,
                booking_status, value_date, parent_key, subscription_id, first_run, last_changed_run)
            SELECT o.id, s.id, o.external_id, o.updated_at, o.version, o.status, o.provider_status, o.currency, o.total, o.paid, o.due,
                o.invoice_number, o.customer_id, o.customer_email, o.customer_name, o.document_date, o.due_date, o.last_payment_date,
                o.last_payment_id, o.reference, o.counterparty_name, o.counterparty_account, o.remittance_text, o.bank_reference,
                o.booking_status, o.value_date, o.parent_key, o.subscription_id, o.first_run, o.last_changed_run
            FROM objects o JOIN scopes s ON s.provider = o.provider AND s.account = o.account AND s.kind = o.kind;
            -- Object ids are kept, so transitions and outbox rows still point at their objects
            -- (checked with foreign_key_check before this commits).
            DROP TABLE objects;
            ALTER TABLE objects_by_scope RENAME TO objects;
            CREATE INDEX objects_by_invoice_number ON objects (invoice_number);
            CREATE INDEX objects_sent_by_due_date ON objects (due_date) WHERE status = 'sent';
            """, rebuildsTables: true),
        Migration(name: "0008-outbox-in-queue-order", sql: """
            -- Delivery claims in queue order (row id) instead of record-key order: a batch's rows
            -- then lie on neighbouring table pages, and each batch's commit rewrites a few pages
            -- instead of one per row (measured: docs/performance.md). The record-key index no longer
            -- holds the state, so claiming a row does not move its entry; settling removes it.
            DROP INDEX outbox_by_sink_state;
            CREATE INDEX outbox_in_queue_order ON outbox (sink, state, id);
            CREATE INDEX outbox_by_record ON outbox (sink, record_key);
            """),
        Migration(name: "0009-objects-by-parent", sql: """
            -- Refunds and credit notes found by the invoice they belong to (RefundLinking). Only
            -- rows with a parent are indexed, so the first sync's inserts of invoices pay nothing.
            CREATE INDEX objects_by_parent ON objects (parent_key) WHERE parent_key IS NOT NULL;
            """),
        Migration(name: "0010-alerts", sql: """
            -- Alerts announced and not yet cleared: one message when a condition starts, one when it
            -- ends, never one per run (docs/operations.md, "Alerts").
            CREATE TABLE alerts (
                key TEXT PRIMARY KEY,          -- run_failed, dead_letters:SINK, source_stale:SOURCE, ...
                message TEXT NOT NULL,
                since INTEGER NOT NULL         -- ms since epoch (UTC)
            );
            -- When each source was last read without a failure (the stale-source alert).
            CREATE TABLE source_successes (
                source TEXT PRIMARY KEY,
                at INTEGER NOT NULL
            );
            """),
        Migration(name: "0011-bank-matches", sql: """
            -- What matching decided for each bank credit (docs/matching.md): applied and confirmed
            -- allocations count towards their invoice; review, ambiguous and unmatched wait for a
            -- person; rejected credits are left alone.
            CREATE TABLE matches (
                credit_key TEXT NOT NULL,
                invoice_key TEXT NOT NULL DEFAULT '',   -- '' when no single invoice (ambiguous, unmatched)
                currency TEXT,
                amount INTEGER,                         -- allocated, minor units
                confidence REAL NOT NULL,
                reason TEXT NOT NULL,
                state TEXT NOT NULL,                    -- applied, confirmed, review, ambiguous, unmatched, rejected
                candidates TEXT,                        -- ambiguous: the invoice keys in question, JSON
                decided_at INTEGER NOT NULL,
                PRIMARY KEY (credit_key, invoice_key)
            );
            CREATE INDEX matches_counted ON matches (invoice_key) WHERE state IN ('applied', 'confirmed');
            """),
        Migration(name: "0012-object-metadata", sql: """
            -- A provider's key-value metadata (Stripe, GoCardless), compact JSON with sorted keys: a
            -- CRM record key may name one of its values (`metadata.crm_deal_id`).
            ALTER TABLE objects ADD COLUMN metadata TEXT;
            """),
        Migration(name: "0013-crm-record-ids", sql: """
            -- A CRM's own id per record key, for CRMs that update only by id (Pipedrive, monday.com):
            -- each key is searched for once, then written to directly.
            CREATE TABLE crm_record_ids (
                sink TEXT NOT NULL,
                object TEXT NOT NULL,
                record_key TEXT NOT NULL,
                crm_id TEXT NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (sink, object, record_key)
            ) WITHOUT ROWID;
            """),
    ]
}
