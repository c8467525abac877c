import PaySyncCore
import PaySyncEngine

/// `paysync migrate-ledger --from paysync.db [--to postgres://…]`: moves an SQLite ledger into an
/// empty PostgreSQL ledger (docs/scaling.md, "Moving"): states, history, cursors, the outbox and
/// credentials, ids and write keys kept; nothing is sent. `--to` defaults to the config's
/// `ledger`, so a URL with a password can stay in the environment (`{"url": {"env": …}}`).
enum MigrateLedgerCommand {
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        guard let from = try invocation.parsed.value(Options.migrateFrom, command: "migrate-ledger") else {
            throw UsageError(message: "--from PATH is required: the SQLite ledger file to move", command: "migrate-ledger")
        }
        let to = try invocation.parsed.value(Options.migrateTo, command: "migrate-ledger")
            ?? invocation.ledgerPath(configuration: try invocation.optionalConfiguration())
        let (summary, location) = try await LedgerAccess.move(from: from, to: to, logger: invocation.logger)
        let output = invocation.output
        output.line("moved \(from) into \(location) in one transaction:")
        for (table, count) in summary.rows { output.line("  \(table): \(count)") }
        output.line("nothing was sent; \(Plural.count(summary.count("outbox"), "queued write")) wait in the new ledger with their idempotency keys.")
        output.line("next: point \"ledger\" in the config at the new ledger, and keep \(from) as a backup (paysync no longer writes it).")
        return .success
    }
}
