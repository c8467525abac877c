import PaySyncCore

/// What `paysync report` and the alert rules read, and the alert state, in PostgreSQL.
extension PostgresLedger {
    public func reportTransitions(from: Timestamp, until: Timestamp) throws -> [ReportTransition] {
        try connection.execute("""
            SELECT COALESCE(t.provider_updated_at, t.observed_at), s.kind, s.provider, s.account, t.from_status, t.to_status,
                   o.currency, o.total, o.document_date
            FROM transitions t JOIN objects o ON o.id = t.object_id JOIN scopes s ON s.id = o.scope
            WHERE COALESCE(t.provider_updated_at, t.observed_at) >= $1 AND COALESCE(t.provider_updated_at, t.observed_at) < $2
            ORDER BY t.id
            """, [Self.ms(from), Self.ms(until)]).rows.compactMap(Ledger.reportTransition)
    }

    public func reportSnapshot() throws -> ReportSnapshot {
        let counts: [ReportSnapshot.StatusCount] = try connection.execute(
            "SELECT s.provider, s.account, s.kind, o.status, count(*) FROM \(ObjectColumns.keyedFrom) GROUP BY s.provider, s.account, s.kind, o.status"
        ).rows.compactMap { row in
            ObjectKind(rawValue: row.string(2)).map {
                .init(source: "\(row.string(0)):\(row.string(1))", kind: $0, status: PaymentStatus(rawValue: row.string(3)), count: Int(row.int64(4)))
            }
        }
        let overdue: [(due: Money, dueDate: CalendarDate?)] = try connection.execute(
            "SELECT o.currency, o.due, o.due_date FROM \(ObjectColumns.keyedFrom) WHERE s.kind = 'invoice' AND o.status = 'overdue'"
        ).rows.compactMap { row in
            Ledger.money(row.optionalInt64(1), row.optionalString(0).flatMap { Currency(code: $0) }).map { ($0, row.optionalString(2).flatMap { CalendarDate(iso: $0) }) }
        }
        let credits = try connection.execute(
            "SELECT o.currency, o.total FROM \(ObjectColumns.keyedFrom) WHERE s.kind = 'bank_transaction' AND o.status = 'paid' AND o.parent_key IS NULL"
        ).rows.compactMap { Ledger.money($0.optionalInt64(1), $0.optionalString(0).flatMap { Currency(code: $0) }) }
        return ReportSnapshot(statusCounts: counts, overdue: overdue, unmatchedCredits: credits)
    }

    // MARK: Alerts

    public func activeAlerts() throws -> [ActiveAlert] {
        try connection.execute("SELECT key, message, since FROM alerts ORDER BY key").rows.map {
            ActiveAlert(key: $0.string(0), message: $0.string(1), since: Timestamp(millisecondsSinceEpoch: $0.int64(2)))
        }
    }

    public func recordAlert(_ alert: Alert, since: Timestamp) throws {
        try connection.execute("INSERT INTO alerts (key, message, since) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET message = excluded.message",
                               [alert.key, alert.message, Self.ms(since)])
    }

    public func clearAlert(key: String) throws {
        try connection.execute("DELETE FROM alerts WHERE key = $1", [key])
    }

    public func sourceSuccesses() throws -> [String: Timestamp] {
        try timesByName("SELECT source, at FROM source_successes")
    }

    public func recordSourceSuccess(_ sources: [String], at time: Timestamp) throws {
        guard !sources.isEmpty else { return }
        try connection.execute("""
            INSERT INTO source_successes (source, at) SELECT unnest($1::text[]), $2 ON CONFLICT (source) DO UPDATE SET at = excluded.at
            """, [Self.textArray(Set(sources).sorted()), Self.ms(time)])
    }

    public func credentialExpiries() throws -> [String: Timestamp] {
        // Access tokens expire within the hour by design; what a person must renew is the rest.
        try timesByName("SELECT name, expires_at FROM credentials WHERE expires_at IS NOT NULL AND name NOT LIKE '%:access_token'")
    }

    public func unmatchedBankCredits() throws -> Int {
        Int(try connection.execute(
            "SELECT count(*) FROM \(ObjectColumns.keyedFrom) WHERE s.kind = 'bank_transaction' AND o.status = 'paid' AND o.parent_key IS NULL"
        ).scalar ?? "0") ?? 0
    }

    private func timesByName(_ sql: String) throws -> [String: Timestamp] {
        var result: [String: Timestamp] = [:]
        for row in try connection.execute(sql).rows { result[row.string(0)] = Timestamp(millisecondsSinceEpoch: row.int64(1)) }
        return result
    }
}
