import PaySyncCore

/// What `paysync report` reads: a window's transitions and the ledger's state now.
extension Ledger {
    public func reportTransitions(from: Timestamp, until: Timestamp) throws -> [ReportTransition] {
        let statement = try database.statement(
            """
            SELECT COALESCE(t.provider_updated_at, t.observed_at), s.kind, s.provider, s.account, t.from_status, t.to_status,
                   o.currency, o.total, o.document_date
            FROM transitions t JOIN objects o ON o.id = t.object_id JOIN scopes s ON s.id = o.scope
            WHERE COALESCE(t.provider_updated_at, t.observed_at) >= ? AND COALESCE(t.provider_updated_at, t.observed_at) < ?
            ORDER BY t.id
            """,
            [.integer(from.millisecondsSinceEpoch), .integer(until.millisecondsSinceEpoch)]
        )
        defer { statement.reset() }
        var result: [ReportTransition] = []
        while try statement.step() { if let transition = Ledger.reportTransition(statement) { result.append(transition) } }
        return result
    }

    static func reportTransition(_ row: some ColumnReader) -> ReportTransition? {
        guard let kind = ObjectKind(rawValue: row.string(1)) else { return nil }
        let currency = row.optionalString(6).flatMap { Currency(code: $0) }
        return ReportTransition(
            day: Timestamp(millisecondsSinceEpoch: row.int64(0)).utcDate, kind: kind, source: "\(row.string(2)):\(row.string(3))",
            from: row.optionalString(4).map(PaymentStatus.init(rawValue:)), to: PaymentStatus(rawValue: row.string(5)),
            currency: currency, total: Ledger.money(row.optionalInt64(7), currency),
            documentDate: row.optionalString(8).flatMap { CalendarDate(iso: $0) }
        )
    }

    public func reportSnapshot() throws -> ReportSnapshot {
        var counts: [ReportSnapshot.StatusCount] = []
        let grouped = try database.statement(
            "SELECT s.provider, s.account, s.kind, o.status, count(*) FROM objects o JOIN scopes s ON s.id = o.scope GROUP BY o.scope, o.status")
        defer { grouped.reset() }
        while try grouped.step() {
            guard let kind = ObjectKind(rawValue: grouped.string(2)) else { continue }
            counts.append(.init(source: "\(grouped.string(0)):\(grouped.string(1))", kind: kind, status: PaymentStatus(rawValue: grouped.string(3)),
                                count: Int(grouped.int64(4))))
        }
        var overdue: [(due: Money, dueDate: CalendarDate?)] = []
        let late = try database.statement(
            "SELECT o.currency, o.due, o.due_date FROM objects o JOIN scopes s ON s.id = o.scope WHERE s.kind = 'invoice' AND o.status = 'overdue'")
        defer { late.reset() }
        while try late.step() {
            guard let due = Ledger.money(late.optionalInt64(1), late.optionalString(0).flatMap { Currency(code: $0) }) else { continue }
            overdue.append((due, late.optionalString(2).flatMap { CalendarDate(iso: $0) }))
        }
        var credits: [Money] = []
        let unmatched = try database.statement("""
            SELECT o.currency, o.total FROM objects o JOIN scopes s ON s.id = o.scope
            WHERE s.kind = 'bank_transaction' AND o.status = 'paid' AND o.parent_key IS NULL
            """)
        defer { unmatched.reset() }
        while try unmatched.step() {
            if let credit = Ledger.money(unmatched.optionalInt64(1), unmatched.optionalString(0).flatMap { Currency(code: $0) }) { credits.append(credit) }
        }
        return ReportSnapshot(statusCounts: counts, overdue: overdue, unmatchedCredits: credits)
    }

    static func money(_ minor: Int64?, _ currency: Currency?) -> Money? {
        guard let minor, let currency else { return nil }
        return Money(minorUnits: minor, currency: currency)
    }
}
