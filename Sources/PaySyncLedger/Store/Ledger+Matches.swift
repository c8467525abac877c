import PaySyncCore

/// Bank credits, open invoices and matching decisions (`matches`, docs/matching.md).
extension Ledger {
    public func creditsToMatch() throws -> [BankCredit] {
        let statement = try database.statement(
            """
            SELECT s.provider, s.account, o.external_id, o.currency, o.total, o.document_date, o.remittance_text, o.reference,
                   o.counterparty_name, o.bank_reference
            FROM objects o JOIN scopes s ON s.id = o.scope
            WHERE s.kind = 'bank_transaction' AND o.status = 'paid' AND o.booking_status = 'booked'
              AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.credit_key = s.provider || ':' || s.account || ':bank_transaction:' || o.external_id
                              AND m.state IN ('applied', 'confirmed', 'rejected'))
            ORDER BY o.document_date, o.id
            """)
        defer { statement.reset() }
        var credits: [BankCredit] = []
        while try statement.step() {
            guard let amount = Ledger.money(statement.optionalInt64(4), statement.optionalString(3).flatMap { Currency(code: $0) }),
                  let day = statement.optionalString(5).flatMap({ CalendarDate(iso: $0) }) else { continue }
            credits.append(BankCredit(
                key: ObjectKey(provider: statement.string(0), account: statement.string(1), kind: .bankTransaction, externalID: statement.string(2)),
                amount: amount, bookingDate: day, isBooked: true,
                texts: [statement.optionalString(6), statement.optionalString(7), statement.optionalString(9)].compactMap { $0 },
                counterpartyName: statement.optionalString(8)
            ))
        }
        return credits
    }

    public func openInvoices() throws -> [OpenInvoice] {
        let statement = try database.statement(
            """
            SELECT s.provider, s.account, o.external_id, o.invoice_number, o.currency, o.due, o.document_date, o.customer_name
            FROM objects o JOIN scopes s ON s.id = o.scope
            WHERE s.kind = 'invoice' AND o.status IN ('sent', 'overdue', 'partially_paid', 'viewed', 'pending') AND o.due > 0
            ORDER BY o.id
            """)
        defer { statement.reset() }
        var invoices: [OpenInvoice] = []
        while try statement.step() {
            guard let due = Ledger.money(statement.optionalInt64(5), statement.optionalString(4).flatMap { Currency(code: $0) }) else { continue }
            invoices.append(OpenInvoice(
                key: ObjectKey(provider: statement.string(0), account: statement.string(1), kind: .invoice, externalID: statement.string(2)),
                number: statement.optionalString(3) ?? "", due: due, issued: statement.optionalString(6).flatMap { CalendarDate(iso: $0) },
                customerName: statement.optionalString(7)
            ))
        }
        return invoices
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
        while try statement.step() {
            guard let key = ObjectKey(statement.string(0)), let money = Ledger.money(statement.optionalInt64(2), statement.optionalString(1).flatMap { Currency(code: $0) })
            else { continue }
            totals[key] = money
        }
        return totals
    }

    public func invoicesBehindMatches() throws -> [ObjectKey] {
        // Sums first, then each invoice's stored state: few rows, and no key arithmetic in SQL joins.
        let sums = try database.statement("SELECT invoice_key, currency, sum(amount) FROM matches WHERE state IN ('applied', 'confirmed') GROUP BY invoice_key, currency")
        defer { sums.reset() }
        var matched: [ObjectKey: Money] = [:]
        while try sums.step() {
            guard let key = ObjectKey(sums.string(0)), let money = Ledger.money(sums.optionalInt64(2), sums.optionalString(1).flatMap { Currency(code: $0) }) else { continue }
            matched[key] = money
        }
        let keys = matched.keys.sorted { $0.description < $1.description }
        return zip(keys, try knownStates(for: keys)).compactMap { key, state in
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
        while try statement.step() {
            guard let credit = ObjectKey(statement.string(0)), let state = MatchRecord.State(rawValue: statement.string(6)) else { continue }
            let candidates = statement.optionalString(7).flatMap { try? JSONParser.parse($0).arrayValue }?.compactMap { $0.stringValue.flatMap(ObjectKey.init) } ?? []
            records.append(MatchRecord(
                credit: credit, invoice: ObjectKey(statement.string(1)), amount: Ledger.money(statement.optionalInt64(3), statement.optionalString(2).flatMap { Currency(code: $0) }),
                confidence: statement.double(4), reason: statement.string(5), state: state, candidates: candidates,
                decidedAt: Timestamp(millisecondsSinceEpoch: statement.int64(8))
            ))
        }
        return records
    }
}
