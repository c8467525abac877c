import PaySyncCore

/// Bank credits, open invoices and matching decisions, in PostgreSQL (the SQLite ledger's
/// queries and row decoders).
extension PostgresLedger {
    public func creditsToMatch() throws -> [BankCredit] {
        try connection.execute(Ledger.creditsToMatchSQL).rows.compactMap(Ledger.bankCredit)
    }

    public func openInvoices() throws -> [OpenInvoice] {
        try connection.execute(Ledger.openInvoicesSQL).rows.compactMap(Ledger.openInvoice)
    }

    public func recordMatches(_ records: [MatchRecord]) throws {
        try connection.transaction {
            try connection.execute("DELETE FROM matches WHERE credit_key = ANY($1::text[]) AND state IN ('review', 'ambiguous', 'unmatched')",
                                   [Self.textArray(Set(records.map(\.credit.description)))])
            for record in records {
                try connection.execute("""
                    INSERT INTO matches (credit_key, invoice_key, currency, amount, confidence, reason, state, candidates, decided_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    ON CONFLICT (credit_key, invoice_key) DO UPDATE SET currency = excluded.currency, amount = excluded.amount,
                        confidence = excluded.confidence, reason = excluded.reason, state = excluded.state, candidates = excluded.candidates,
                        decided_at = excluded.decided_at
                    """, [record.credit.description, record.invoice?.description ?? "", record.amount?.currency.code, record.amount.map { String($0.minorUnits) },
                          String(record.confidence), record.reason, record.state.rawValue,
                          record.candidates.isEmpty ? nil : Ledger.jsonArray(record.candidates.map(\.description)), Self.ms(record.decidedAt)])
            }
        }
    }

    public func matchedTotals(invoices: [ObjectKey]) throws -> [ObjectKey: Money] {
        guard !invoices.isEmpty else { return [:] }
        return try sums("""
            SELECT invoice_key, currency, sum(amount) FROM matches WHERE state IN ('applied', 'confirmed') AND invoice_key = ANY($1::text[])
            GROUP BY invoice_key, currency
            """, [Self.textArray(invoices.map(\.description))])
    }

    public func invoicesBehindMatches() throws -> [ObjectKey] {
        let matched = try sums("SELECT invoice_key, currency, sum(amount) FROM matches WHERE state IN ('applied', 'confirmed') GROUP BY invoice_key, currency", [])
        return Ledger.invoicesBehind(matched, states: try knownStates(for: Ledger.sortedKeys(matched)))
    }

    private func sums(_ sql: String, _ parameters: [String?]) throws -> [ObjectKey: Money] {
        var totals: [ObjectKey: Money] = [:]
        for row in try connection.execute(sql, parameters).rows { if let (key, money) = Ledger.matchedSum(row) { totals[key] = money } }
        return totals
    }

    public func matchRecords(states: [MatchRecord.State]) throws -> [MatchRecord] {
        try connection.execute("""
            SELECT credit_key, invoice_key, currency, amount, confidence, reason, state, candidates, decided_at FROM matches
            WHERE state = ANY($1::text[]) ORDER BY decided_at, credit_key, invoice_key
            """, [Self.textArray(states.map(\.rawValue))]).rows.compactMap(Ledger.matchRecord)
    }
}
