import PaySyncCore
import PaySyncEngine

/// `paysync outbox list|retry|drop`.
enum OutboxCommand {
    static func list(_ invocation: Invocation) async throws -> ExitCode {
        let command = "outbox list"
        let format = try invocation.format(command: command)
        let states = try invocation.parsed.value(Options.state, command: command) ?? [.pending, .dead, .skipped]
        let limit = try invocation.parsed.value(Options.limit, command: command) ?? 100
        let sink = try invocation.parsed.value(Options.sink, command: command)
        let configuration = try invocation.optionalConfiguration()
        let ledger = try LedgerAccess.openForReading(path: try invocation.ledgerPath(configuration: configuration), logger: invocation.logger)
        let rows = try await ledger.outboxRows(states: states, sink: sink, limit: limit)
        switch format {
        case .json:
            invocation.output.line(JSONWriter.compact(.array(rows.map { row in
                [
                    "id": .number(String(row.id)), "sink": .string(row.sink), "record": .string(row.recordKey),
                    "object": .string(row.objectKey.description), "state": .string(row.state.rawValue),
                    "attempts": .number(String(row.attempts)), "next_attempt_at": .string(row.nextAttemptAt.iso8601),
                    "last_error": row.lastError.map { .string($0) } ?? .null, "created_at": .string(row.createdAt.iso8601),
                    "to": .string(row.toStatus.rawValue),
                    "changes": .object(JSONObject(row.changes.map { ($0.field.rawValue, ["old": $0.old.map { .string($0) } ?? .null, "new": $0.new.map { .string($0) } ?? .null]) })),
                ]
            })))
        case .text:
            if rows.isEmpty { invocation.output.line("no writes in \(states.map(\.rawValue).joined(separator: ", "))") }
            for row in rows {
                var line = "#\(row.id) \(row.sink) \(row.recordKey) \(row.state.rawValue) -> \(row.toStatus.rawValue), \(row.attempts) attempt\(row.attempts == 1 ? "" : "s")"
                if row.state == .pending { line += ", next \(row.nextAttemptAt.iso8601)" }
                if let error = row.lastError { line += ": \(error)" }
                invocation.output.line(line)
            }
        }
        return .success
    }

    static func retry(_ invocation: Invocation) async throws -> ExitCode {
        let ids = try invocation.parsed.values(Options.retryID, command: "outbox retry")
        guard !ids.isEmpty || invocation.parsed.isSet(Options.all) else {
            throw UsageError(message: "name rows with --id N, or pass --all", command: "outbox retry")
        }
        let now = invocation.environment.now()
        let count = try await LedgerAccess.withRunLock(path: try ledgerPath(invocation), logger: invocation.logger) {
            try await $0.requeue(ids: ids.isEmpty ? nil : ids, now: now)
        }
        invocation.output.line("\(count) write\(count == 1 ? "" : "s") queued again; the next `paysync reconcile` sends \(count == 1 ? "it" : "them")")
        return .success
    }

    static func drop(_ invocation: Invocation) async throws -> ExitCode {
        let ids = try invocation.parsed.values(Options.dropID, command: "outbox drop")
        guard !ids.isEmpty else { throw UsageError(message: "name rows with --id N", command: "outbox drop") }
        let count = try await LedgerAccess.withRunLock(path: try ledgerPath(invocation), logger: invocation.logger) {
            try await $0.dropOutboxRows(ids: ids)
        }
        invocation.output.line("\(count) write\(count == 1 ? "" : "s") dropped; \(count == 1 ? "it" : "they") will never be sent")
        return .success
    }

    /// The ledger a mutating command works on (it takes the run lock: it must not race a reconcile).
    private static func ledgerPath(_ invocation: Invocation) throws -> String {
        try invocation.ledgerPath(configuration: try invocation.optionalConfiguration())
    }
}
