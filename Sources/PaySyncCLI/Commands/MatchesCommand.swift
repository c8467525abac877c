import PaySyncCore
import PaySyncEngine

/// `paysync matches [--unmatched]`, `paysync matches confirm CREDIT INVOICE`, `paysync matches
/// reject CREDIT`: what matching decided for each bank credit, and a person's decision on it.
enum MatchesCommand {
    static func list(_ invocation: Invocation) async throws -> ExitCode {
        let format = try invocation.parsed.value(Options.matchesFormat, command: "matches") ?? .text
        let states: [MatchRecord.State] = invocation.parsed.isSet(Options.unmatched) ? [.review, .ambiguous, .unmatched] : MatchRecord.State.allCases
        let configuration = try invocation.optionalConfiguration()
        let ledger = try LedgerAccess.openForReading(path: try invocation.ledgerPath(configuration: configuration), logger: invocation.logger)
        let records = try await ledger.matchRecords(states: states)
        switch format {
        case .json:
            invocation.output.line(JSONWriter.compact(.array(records.map { record in
                .object(JSONObject([
                    ("credit", .string(record.credit.description)), ("invoice", record.invoice.map { .string($0.description) } ?? .null),
                    ("currency", record.amount.map { .string($0.currency.code) } ?? .null), ("amount", record.amount.map { .string($0.decimalText) } ?? .null),
                    ("state", .string(record.state.rawValue)), ("confidence", .number(String(record.confidence))), ("reason", .string(record.reason)),
                    ("candidates", .array(record.candidates.map { .string($0.description) })), ("decided_at", .string(record.decidedAt.iso8601)),
                ]))
            })))
        case .csv:
            var lines = ["credit,invoice,currency,amount,state,confidence,reason"]
            for record in records {
                lines.append([record.credit.description, record.invoice?.description ?? record.candidates.map(\.description).joined(separator: " "),
                              record.amount?.currency.code ?? "", record.amount?.decimalText ?? "", record.state.rawValue, String(record.confidence), record.reason]
                    .map(CollectionsReportCSV.field).joined(separator: ","))
            }
            invocation.output.standardOutput(lines.joined(separator: "\r\n") + "\r\n")
        case .text, .html:
            if records.isEmpty { invocation.output.line(states.count == 3 ? "no bank credit waits for a person" : "no matching decisions yet") }
            for record in records {
                let target = record.invoice.map { " -> \($0.description) \(record.amount.map { "\($0.currency.code) \($0.decimalText)" } ?? "")" } ?? ""
                invocation.output.line("\(record.state.rawValue): \(record.credit.description)\(target): \(record.reason)")
            }
        }
        return .success
    }

    static func confirm(_ invocation: Invocation) async throws -> ExitCode {
        let (creditReference, invoiceReference) = (invocation.parsed.positionals[0], invocation.parsed.positionals[1])
        let now = invocation.environment.now()
        let message = try await LedgerAccess.withRunLock(path: try ledgerPath(invocation), logger: invocation.logger) { ledger -> String in
            let credit = try await one(creditReference, kind: .bankTransaction, in: ledger)
            let invoice = try await one(invoiceReference, kind: .invoice, in: ledger)
            guard let amount = credit.total, let due = invoice.due, amount.currency == due.currency else {
                throw UsageError(message: "\(creditReference) and \(invoiceReference) are not in the same currency", command: "matches confirm")
            }
            let allocated = Money(minorUnits: min(amount.minorUnits, due.minorUnits), currency: amount.currency)
            guard allocated.minorUnits > 0 else { throw UsageError(message: "\(invoiceReference) has nothing due", command: "matches confirm") }
            try await ledger.recordMatches([MatchRecord(credit: credit.key, invoice: invoice.key, amount: allocated, confidence: 1, reason: "confirmed by a person",
                                                        state: .confirmed, decidedAt: now)])
            return "confirmed: \(credit.key.description) pays \(invoice.invoiceNumber ?? invoice.key.description) \(allocated.currency.code) \(allocated.decimalText); the next run applies it and tells the CRM"
        }
        invocation.output.line(message)
        return .success
    }

    static func reject(_ invocation: Invocation) async throws -> ExitCode {
        let reference = invocation.parsed.positionals[0]
        let now = invocation.environment.now()
        let key = try await LedgerAccess.withRunLock(path: try ledgerPath(invocation), logger: invocation.logger) { ledger -> ObjectKey in
            let credit = try await one(reference, kind: .bankTransaction, in: ledger)
            try await ledger.recordMatches([MatchRecord(credit: credit.key, invoice: nil, amount: nil, confidence: 0, reason: "rejected by a person: pays no invoice",
                                                        state: .rejected, decidedAt: now)])
            return credit.key
        }
        invocation.output.line("rejected: \(key.description) is left unmatched from now on")
        return .success
    }

    /// The one object of `kind` a reference names (key, id or invoice number); exit 64 otherwise.
    static func one(_ reference: String, kind: ObjectKind, in ledger: any LedgerStore) async throws -> Observation {
        let found = try await ledger.history(of: reference).filter { $0.key.kind == kind }
        guard found.count == 1 else {
            throw UsageError(message: found.isEmpty ? "no \(kind.rawValue) \"\(reference)\" in the ledger"
                                                    : "\"\(reference)\" names \(found.count) \(kind.rawValue)s; give the object key", command: "matches")
        }
        return found[0].current
    }

    private static func ledgerPath(_ invocation: Invocation) throws -> String {
        try invocation.ledgerPath(configuration: try invocation.optionalConfiguration())
    }
}
