/// One named, ordered schema change. Each runs in its own transaction and is recorded in
/// `schema_migrations`; `PRAGMA user_version` holds how many have run, so a ledger migrated by a
/// newer paysync is recognised and refused rather than downgraded.
struct Migration {
    let name: String
    let sql: String
    /// A migration that rebuilds a table (SQLite's create-copy-drop-rename) runs with foreign
    /// key enforcement off, or dropping the old table would cascade into its children; the keys
    /// are checked before it commits instead.
    var rebuildsTables = false
}

/// Applies the migrations a ledger has not had yet.
struct Migrator {
    let migrations: [Migration]

    /// - Returns: the names of the migrations applied now (empty when up to date).
    @discardableResult
    func migrate(_ database: Database) throws -> [String] {
        try database.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                position INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            )
            """)
        let version = Int(try database.scalar("PRAGMA user_version") ?? 0)
        guard version <= migrations.count else {
            throw LedgerError.newerSchema(path: database.path, found: version, known: migrations.count)
        }
        // The recorded names must be ours, in our order.
        let recorded = try database.statement("SELECT position, name FROM schema_migrations ORDER BY position")
        while try recorded.step() {
            let position = Int(recorded.int64(0))
            let name = recorded.string(1)
            guard position >= 1, position <= migrations.count, migrations[position - 1].name == name else {
                recorded.reset()
                throw LedgerError.foreignSchema(path: database.path, migration: name)
            }
        }
        var applied: [String] = []
        for (offset, migration) in migrations.enumerated() where offset >= version {
            // Only outside a transaction does this pragma take effect.
            if migration.rebuildsTables { try database.execute("PRAGMA foreign_keys = OFF") }
            defer { if migration.rebuildsTables { try? database.execute("PRAGMA foreign_keys = ON") } }
            try database.transaction {
                try database.execute(migration.sql)
                if migration.rebuildsTables, let violation = try database.foreignKeyViolation() {
                    throw LedgerError.migrationBrokeReferences(path: database.path, migration: migration.name, detail: violation)
                }
                try database.run("INSERT INTO schema_migrations (position, name) VALUES (?, ?)", [SQLValue(offset + 1), .text(migration.name)])
                try database.execute("PRAGMA user_version = \(offset + 1)")
            }
            applied.append(migration.name)
        }
        return applied
    }
}
