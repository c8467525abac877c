import PaySyncCore

/// Bank credits, open invoices and matching decisions (`matches`, docs/matching.md).
extension Ledger {
    static let creditsToMatchSQL = """
            SELECT s.provider, s.account, o.external_id, o.currency, o.total, o.document_date, o.remittance_text, o.reference,
                   o.counterparty_name, o.bank_reference
            FROM objects o JOIN scopes s ON s.id = o.scope
            WHERE s.kind = 'bank_transaction' AND o.status = 'paid' AND o.booking_status = 'booked'
              AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.credit_key = s.provider || ':' || s.account || ':bank_transaction:' || o.external_id
                              AND m.state IN ('applied', 'confirmed', 'rejected'))
            ORDER BY o.document_date, o.id
            """

    public func creditsToMatch() throws -> [BankCredit] {
        let statement = try database.statement(Ledger.creditsToMatchSQL)
        defer { statement.reset() }
        var credits: [BankCredit] = []
        while try statement.step() { if let credit = Ledger.bankCredit(statement) { credits.append(credit) } }
        return credits
    }

    static func bankCredit(_ row: some ColumnReader) -> BankCredit? {
        guard let amount = Ledger.money(row.optionalInt64(4), row.optionalString(3).flatMap { Currency(code: $0) }),
              let day = row.optionalString(5).flatMap({ CalendarDate(iso: $0) }) else { return nil }
        return BankCredit(
            key: ObjectKey(provider: row.string(0), account: row.string(1), kind: .bankTransaction, externalID: row.string(2)),
            amount: amount, bookingDate: day, isBooked: true,
            texts: [row.optionalString(6), row.optionalString(7), row.optionalString(9)].compactMap { $0 },
            counterpartyName: row.optionalString(8)
        )
    }

    static let openInvoicesSQL = """
            SELECT s.provider, s.account, o.external_id, o.invoice_number, o.currency, o.due, o.document_date, o.customer_name
            FROM objects o JOIN scopes s ON s.id = o.scope
            WHERE s.kind = 'invoice' AND o.status IN ('sent', 'overdue', 'partially_paid', 'viewed', 'pending') AND o.due > 0
            ORDER BY o.id
            """

    public func openInvoices() throws -> [OpenInvoice] {
        let statement = try database.statement(Ledger.openInvoicesSQL)
        defer { statement.reset() }
        var invoices: [OpenInvoice] = []
        while try statement.step() { if let invoice = Ledger.openInvoice(statement) { invoices.append(invoice) } }
        return invoices
    }

    static func openInvoice(_ row: some ColumnReader) -> OpenInvoice? {
        guard let due = Ledger.money(row.optionalInt64(5), row.optionalString(4).flatMap { Currency(code: $0) }) else { return nil }
        return OpenInvoice(
            key: ObjectKey(provider: row.string(0), account: row.string(1), kind: .invoice, externalID: row.string(2)),
            number: row.optionalString(3) ?? "", due: due, issued: row.optionalString(6).flatMap { CalendarDate(iso: $0) },
            customerName: row.optionalString(7)
        )
    }

    public func recordMatches(_ records: [MatchRecord]) throws {
        try database.transaction {
            for credit in Set(records.map(\.credit.description)) {
                try database.run("DELETE FROM matches WHERE credit_key = ? AND state IN ('review', 'ambiguous', 'unmatched')", [.text(credit)])
            }
            for record in records {
                try database.run(
                    """
                    INSERT INTO matches (credit_key, invoice_key, currency, amount, confidence, reason, state, candidates, decided_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (credit_key, invoice_key) DO UPDATE SET currency = excluded.currency, amount = excluded.amount,
                        confidence = excluded.confidence, reason = excluded.reason, state = excluded.state, candidates = excluded.candidates,
                        decided_at = excluded.decided_at
                    """,
                    [.text(record.credit.description), .text(record.invoice?.description ?? ""), SQLValue(record.amount?.currency.code),
                     SQLValue(record.amount?.minorUnits), .real(record.confidence), .text(record.reason), .text(record.state.rawValue),
                     record.candidates.isEmpty ? .null : .text(Ledger.jsonArray(record.candidates.map(\.description))),
                     .integer(record.decidedAt.millisecondsSinceEpoch)]
                )
            }
        }
    }

    public func matchedTotals(invoices: [ObjectKey]) throws -> [ObjectKey: Money] {
        guard !invoices.isEmpty else { return [:] }
        let statement = try database.statement(
            """
            SELECT invoice_key, currency, sum(amount) FROM matches INDEXED BY matches_counted
            WHERE state IN ('applied', 'confirmed') AND invoice_key IN (SELECT value FROM json_each(?))
            GROUP BY invoice_key, currency
            """, [.text(Ledger.jsonArray(invoices.map(\.description)))])
        defer { statement.reset() }
        var totals: [ObjectKey: Money] = [:]
        while try statement.step() { if let (key, money) = Ledger.matchedSum(statement) { totals[key] = money } }
        return totals
    }

    public func invoicesBehindMatches() throws -> [ObjectKey] {
        // Sums first, then each invoice's stored state: few rows, and no key arithmetic in SQL joins.
        let sums = try database.statement("SELECT invoice_key, currency, sum(amount) FROM matches WHERE state IN ('applied', 'confirmed') GROUP BY invoice_key, currency")
        defer { sums.reset() }
        var matched: [ObjectKey: Money] = [:]
        while try sums.step() { if let (key, money) = Ledger.matchedSum(sums) { matched[key] = money } }
        return Ledger.invoicesBehind(matched, states: try knownStates(for: Ledger.sortedKeys(matched)))
    }

    /// One `invoice_key, currency, sum(amount)` row.
    static func matchedSum(_ row: some ColumnReader) -> (ObjectKey, Money)? {
        guard let key = ObjectKey(row.string(0)), let money = Ledger.money(row.optionalInt64(2), row.optionalString(1).flatMap { Currency(code: $0) }) else { return nil }
        return (key, money)
    }

    static func sortedKeys(_ matched: [ObjectKey: Money]) -> [ObjectKey] { matched.keys.sorted { $0.description < $1.description } }

    /// The invoices (in `sortedKeys` order, `states` alongside) that matching would change.
    static func invoicesBehind(_ matched: [ObjectKey: Money], states: [Observation?]) -> [ObjectKey] {
        zip(sortedKeys(matched), states).compactMap { key, state in
            guard let state, BankPayments.apply(matched: matched[key], to: state) != state else { return nil }
            return key
        }
    }

    public func matchRecords(states: [MatchRecord.State]) throws -> [MatchRecord] {
        let statement = try database.statement(
            """
            SELECT credit_key, invoice_key, currency, amount, confidence, reason, state, candidates, decided_at FROM matches
            WHERE state IN (SELECT value FROM json_each(?)) ORDER BY decided_at, credit_key, invoice_key
            """, [.text(Ledger.jsonArray(states.map(\.rawValue)))])
        defer { statement.reset() }
        var records: [MatchRecord] = []
        while try statement.step() { if let record = Ledger.matchRecord(statement) { records.append(record) } }
        return records
    }

    /// A decision from `credit_key, invoice_key, currency, amount, confidence, reason, state,
    /// candidates, decided_at`.
    static func matchRecord(_ row: some ColumnReader) -> MatchRecord? {
        guard let credit = ObjectKey(row.string(0)), let state = MatchRecord.State(rawValue: row.string(6)) else { return nil }
        let candidates = row.optionalString(7).flatMap { try? JSONParser.parse($0).arrayValue }?.compactMap { $0.stringValue.flatMap(ObjectKey.init) } ?? []
        return MatchRecord(
            credit: credit, invoice: ObjectKey(row.string(1)), amount: Ledger.money(row.optionalInt64(3), row.optionalString(2).flatMap { Currency(code: $0) }),
            confidence: row.double(4), reason: row.string(5), state: state, candidates: candidates,
            decidedAt: Timestamp(millisecondsSinceEpoch: row.int64(8))
        )
    }
}
