import Foundation
import PaySyncCore

/// Credentials, cursors (as read, and the sweep's record) and CRM record ids, in PostgreSQL: the
/// same statements as the SQLite ledger's, with PostgreSQL's placeholders.
extension PostgresLedger: CredentialRecordStore, CRMRecordIDStore, CursorStore {
    public func credential(named name: String) throws -> StoredCredential? {
        guard let row = try connection.execute("SELECT value, expires_at, seed_fingerprint FROM credentials WHERE name = $1", [name]).rows.first,
              let value = row[0] else { return nil }
        return StoredCredential(value: Secret(value), expiresAt: row[1].flatMap(Int64.init).map(Timestamp.init(millisecondsSinceEpoch:)), seedFingerprint: row[2])
    }

    /// Committed (and so durable) when it returns.
    public func saveCredential(named name: String, value: Secret, expiresAt: Timestamp?, seedFingerprint: String?, now: Timestamp) throws {
        try connection.execute("""
            INSERT INTO credentials (name, value, expires_at, seed_fingerprint, updated_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
                seed_fingerprint = excluded.seed_fingerprint, updated_at = excluded.updated_at
            """, [name, value.reveal(), expiresAt.map { String($0.millisecondsSinceEpoch) }, seedFingerprint, String(now.millisecondsSinceEpoch)])
    }

    public func deleteCredential(named name: String) throws {
        try connection.execute("DELETE FROM credentials WHERE name = $1", [name])
    }

    /// A session advisory lock on the name's hash, polled (a blocked libpq call would hold this
    /// actor's thread), for up to two minutes: a worker refreshing a token takes seconds.
    public func lockCredential(named name: String) async throws {
        for _ in 0..<1_200 {
            if try connection.execute("SELECT pg_try_advisory_lock(hashtext($1))", ["credential:" + name]).scalar == "t" { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw PostgresError(sqlState: "55P03", message: "another worker held the lock on credential \(name) for two minutes")
    }

    public func unlockCredential(named name: String) throws {
        try connection.execute("SELECT pg_advisory_unlock(hashtext($1))", ["credential:" + name])
    }

    public func crmRecordIDs(sink: String, object: String, keys: [String]) throws -> [String: String] {
        guard !keys.isEmpty else { return [:] }
        var ids: [String: String] = [:]
        for row in try connection.execute("SELECT record_key, crm_id FROM crm_record_ids WHERE sink = $1 AND object = $2 AND record_key = ANY($3::text[])",
                                          [sink, object, PostgresLedger.textArray(Array(Set(keys)))]).rows {
            if let key = row[0], let id = row[1] { ids[key] = id }
        }
        return ids
    }

    public func saveCRMRecordIDs(sink: String, object: String, _ ids: [String: String], now: Timestamp) throws {
        guard !ids.isEmpty else { return }
        try connection.transaction {
            for (key, id) in ids.sorted(by: { $0.key < $1.key }) {
                try connection.execute("""
                    INSERT INTO crm_record_ids (sink, object, record_key, crm_id, updated_at) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (sink, object, record_key) DO UPDATE SET crm_id = excluded.crm_id, updated_at = excluded.updated_at
                    """, [sink, object, key, id, String(now.millisecondsSinceEpoch)])
            }
        }
    }

    public func forgetCRMRecordID(sink: String, object: String, key: String) throws {
        try connection.execute("DELETE FROM crm_record_ids WHERE sink = $1 AND object = $2 AND record_key = $3", [sink, object, key])
    }

    // MARK: Cursors (moved by the page commit: PostgresLedger+Pages.swift)

    public func cursor(provider: String, account: String, entity: String) throws -> CursorRecord? {
        guard let row = try connection.execute(
            "SELECT updated_at, last_id, hold_since, last_sweep_at, moved_at FROM cursors WHERE provider = $1 AND account = $2 AND entity = $3",
            [provider, account, entity]).rows.first else { return nil }
        return Ledger.cursorRecord(provider: provider, account: account, entity: entity, row: row, offset: 0)
    }

    public func recordSweep(provider: String, account: String, entity: String, at now: Timestamp) throws {
        try connection.execute("""
            INSERT INTO cursors (provider, account, entity, last_sweep_at, moved_at) VALUES ($1, $2, $3, $4, $4)
            ON CONFLICT (provider, account, entity) DO UPDATE SET last_sweep_at = excluded.last_sweep_at
            """, [provider, account, entity, String(now.millisecondsSinceEpoch)])
    }

    public func cursorAccounts(provider: String) throws -> Set<String> {
        Set(try connection.execute("SELECT DISTINCT account FROM cursors WHERE provider = $1", [provider]).rows.compactMap { $0[0] })
    }
}
