import PaySyncCore
import PaySyncEngine

/// `paysync runs [--last N]`: the ledger's run history, newest first, each run's summary line
/// and, for a run that failed, its first problem.
enum RunsCommand {
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let format = try invocation.format(command: "runs")
        let last = try invocation.parsed.value(Options.last, command: "runs") ?? 20
        let configuration = try invocation.optionalConfiguration()
        let ledger = try LedgerAccess.openForReading(path: try invocation.ledgerPath(configuration: configuration), logger: invocation.logger)
        let runs = try await ledger.recentRuns(limit: last)
        switch format {
        case .json:
            invocation.output.line(JSONWriter.compact(.array(runs.map(StatusCommand.runJSON))))
        case .text:
            if runs.isEmpty { invocation.output.line("no runs yet") }
            for run in runs { invocation.output.line(StatusCommand.runLine(run)) }
        }
        return .success
    }
}
