import PaySyncCore

/// Alert state (`alerts`, `source_successes`) and the facts the alert rules read.
extension Ledger {
    public func activeAlerts() throws -> [ActiveAlert] {
        let statement = try database.statement("SELECT key, message, since FROM alerts ORDER BY key")
        defer { statement.reset() }
        var result: [ActiveAlert] = []
        while try statement.step() {
            result.append(ActiveAlert(key: statement.string(0), message: statement.string(1), since: Timestamp(millisecondsSinceEpoch: statement.int64(2))))
        }
        return result
    }

    public func recordAlert(_ alert: Alert, since: Timestamp) throws {
        try database.run("INSERT INTO alerts (key, message, since) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET message = excluded.message",
                             [.text(alert.key), .text(alert.message), .integer(since.millisecondsSinceEpoch)])
    }

    public func clearAlert(key: String) throws {
        try database.run("DELETE FROM alerts WHERE key = ?", [.text(key)])
    }

    public func sourceSuccesses() throws -> [String: Timestamp] {
        let statement = try database.statement("SELECT source, at FROM source_successes")
        defer { statement.reset() }
        var result: [String: Timestamp] = [:]
        while try statement.step() { result[statement.string(0)] = Timestamp(millisecondsSinceEpoch: statement.int64(1)) }
        return result
    }

    public func recordSourceSuccess(_ sources: [String], at time: Timestamp) throws {
        try database.transaction {
            for source in sources {
                try database.run("INSERT INTO source_successes (source, at) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET at = excluded.at",
                                     [.text(source), .integer(time.millisecondsSinceEpoch)])
            }
        }
    }

    public func credentialExpiries() throws -> [String: Timestamp] {
        // Access tokens expire within the hour by design; what a person must renew is the rest.
        let statement = try database.statement("SELECT name, expires_at FROM credentials WHERE expires_at IS NOT NULL AND name NOT LIKE '%:access_token'")
        defer { statement.reset() }
        var result: [String: Timestamp] = [:]
        while try statement.step() { result[statement.string(0)] = Timestamp(millisecondsSinceEpoch: statement.int64(1)) }
        return result
    }

    public func unmatchedBankCredits() throws -> Int {
        Int(try database.scalar("""
            SELECT count(*) FROM objects o JOIN scopes s ON s.id = o.scope
            WHERE s.kind = 'bank_transaction' AND o.status = 'paid' AND o.parent_key IS NULL
            """) ?? 0)
    }
}
