import PaySyncCore

/// `paysync migrate-ledger`: copies an SQLite ledger into an empty PostgreSQL ledger in one
/// PostgreSQL transaction (all of it or none), row for row: ids, write keys and the ledger's
/// identity are kept, so every queued write keeps the idempotency key it would have been sent
/// with, history stays linked, and cursors resume where they stood. Nothing is sent: rows
/// waiting in the outbox wait in PostgreSQL instead, and a batch a dead run left `sending` is
/// sent again by the first worker, as the next SQLite run would have.
public enum LedgerMove {
    /// Each table with the columns both ledgers share, parents before children.
    static let tables: [(name: String, columns: [String])] = [
        ("runs", ["id", "command", "dry_run", "pid", "started_at", "finished_at", "fetched", "changed", "written", "failed", "stale", "exit_code",
                  "message", "skipped_by_mapping"]),
        ("scopes", ["id", "provider", "account", "kind"]),
        ("objects", ObjectColumns.insertColumns),
        ("transitions", Ledger.transitionColumns),
        ("cursors", ["provider", "account", "entity", "updated_at", "last_id", "hold_since", "last_sweep_at", "run_id", "moved_at"]),
        ("outbox", ["id", "sink", "record_key", "object_id", "changes", "from_status", "to_status", "state", "attempts", "next_attempt_at",
                    "last_error", "created_run", "created_at", "updated_at", "action", "write_key"]),
        ("rejects", ["id", "provider", "account", "entity", "external_id", "run_id", "observed_at", "error"]),
        ("credentials", ["name", "value", "expires_at", "seed_fingerprint", "updated_at"]),
        ("crm_record_ids", ["sink", "object", "record_key", "crm_id", "updated_at"]),
        ("alerts", ["key", "message", "since"]),
        ("source_successes", ["source", "at"]),
        ("matches", ["credit_key", "invoice_key", "currency", "amount", "confidence", "reason", "state", "candidates", "decided_at"]),
    ]

    /// Tables whose ids come from a sequence, which must continue after the copied ids.
    static let sequenced = ["runs", "scopes", "objects", "transitions", "outbox", "rejects"]

    /// Rows moved per table, in `tables` order.
    public struct Summary: Sendable, Equatable {
        public var rows: [(table: String, count: Int)]
        public static func == (lhs: Summary, rhs: Summary) -> Bool { lhs.rows.elementsEqual(rhs.rows) { $0 == $1 } }
        public func count(_ table: String) -> Int { rows.first { $0.table == table }?.count ?? 0 }
    }

    /// Rows read and written per statement: memory stays flat however large the ledger.
    static let chunk = 2_000

    /// Copies `source` into `target`, which must hold no data yet, in one PostgreSQL transaction;
    /// checks before committing that every table holds as many rows as the source's.
    public static func move(from source: Ledger, to target: PostgresLedger) async throws -> Summary {
        try await target.beginMove(identity: await source.ledgerIdentity(), origin: source.path)
        do {
            var summary = Summary(rows: [])
            for table in tables {
                let expected = try await source.rowCount(table.name)
                var after: Int64 = 0
                while true {
                    let rows = try await source.exportRows(table, after: after, limit: chunk)
                    try await target.importRows(rows, into: table)
                    // Tables keyed by id are read in id order, a chunk at a time; the others are small.
                    guard table.columns.first == "id", rows.count == chunk, let last = rows.last?[0].flatMap({ Int64($0) }) else { break }
                    after = last
                }
                try await target.checkMoved(table.name, expected: expected, origin: source.path)
                summary.rows.append((table.name, expected))
            }
            try await target.commitMove()
            return summary
        } catch {
            await target.abortMove()
            throw error
        }
    }
}

extension Ledger {
    /// Up to `limit` rows of a table `LedgerMove` copies, as text (SQLite's text form of numbers
    /// is what PostgreSQL reads back into its numeric columns): after id `after` in id order for
    /// tables keyed by id, else the whole table.
    func exportRows(_ table: (name: String, columns: [String]), after: Int64, limit: Int) throws -> [[String?]] {
        let keyed = table.columns.first == "id"
        let sql = "SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name)" + (keyed ? " WHERE id > ? ORDER BY id LIMIT ?" : "")
        let statement = try database.statement(sql, keyed ? [.integer(after), SQLValue(limit)] : [])
        defer { statement.reset() }
        var rows: [[String?]] = []
        while try statement.step() { rows.append((0..<Int32(table.columns.count)).map { statement.optionalString($0) }) }
        return rows
    }

    func rowCount(_ table: String) throws -> Int { Int(try database.scalar("SELECT count(*) FROM \(table)") ?? 0) }

    func ledgerIdentity() -> String { identity }
}

extension PostgresLedger {
    /// Opens the move's transaction; refuses a ledger that already holds data.
    func beginMove(identity: String, origin: String) throws {
        try connection.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        do {
            let held = try connection.execute("""
                SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM objects) + (SELECT count(*) FROM outbox) + (SELECT count(*) FROM credentials)
                    + (SELECT count(*) FROM cursors)
                """).scalar
            guard held == "0" else {
                throw LedgerError.cannotCreate(path: location, reason: "it already holds a ledger's data; migrate-ledger moves \(origin) into an empty PostgreSQL ledger only (nothing was changed)")
            }
            try connection.execute("UPDATE ledger_identity SET id = $1", [identity])
        } catch {
            abortMove()
            throw error
        }
    }

    func importRows(_ rows: [[String?]], into table: (name: String, columns: [String])) throws {
        try connection.insertRows(into: table.name, columns: table.columns, count: rows.count) { row, parameters, index in
            for value in rows[row] {
                parameters.bind(value, at: index)
                index += 1
            }
        }
    }

    func checkMoved(_ table: String, expected: Int, origin: String) throws {
        let stored = Int(try connection.execute("SELECT count(*) FROM \(table)").scalar ?? "0") ?? 0
        guard stored == expected else {
            throw PostgresError(sqlState: nil, message: "\(table): \(expected) rows in \(origin), \(stored) copied; nothing was moved")
        }
    }

    /// Sequences continue after the copied ids, then the whole move commits.
    func commitMove() throws {
        for table in LedgerMove.sequenced {
            try connection.execute("SELECT setval(pg_get_serial_sequence($1, 'id'), greatest((SELECT max(id) FROM \(table)), 1))", [table])
        }
        try connection.execute("COMMIT")
        identity = try connection.execute("SELECT id FROM ledger_identity LIMIT 1").scalar ?? identity
    }

    func abortMove() {
        _ = try? connection.execute("ROLLBACK")
    }
}
