import PaySyncCore
import PaySyncEngine

/// `paysync reconcile` and `paysync backfill`: parse, run the engine, format the report.
enum RunCommandHandler {
    static func reconcile(_ invocation: Invocation) async throws -> ExitCode {
        try await run(.reconcile, invocation)
    }

    static func backfill(_ invocation: Invocation) async throws -> ExitCode {
        guard let sinceText = invocation.parsed.value("--since") else {
            throw UsageError(message: "--since DATE is required", command: "backfill")
        }
        guard let since = CalendarDate(iso: sinceText), sinceText.count == 10 else {
            throw UsageError(message: "--since \(sinceText) is not a date (YYYY-MM-DD)", command: "backfill")
        }
        var until = invocation.environment.now().utcDate.adding(days: 1)
        if let untilText = invocation.parsed.value("--until") {
            guard let parsed = CalendarDate(iso: untilText), untilText.count == 10 else {
                throw UsageError(message: "--until \(untilText) is not a date (YYYY-MM-DD)", command: "backfill")
            }
            until = parsed
        }
        guard since < until else { throw UsageError(message: "--since \(since) must be before --until \(until)", command: "backfill") }
        return try await run(.backfill(from: since, until: until), invocation)
    }

    private static func run(_ command: RunCommand, _ invocation: Invocation) async throws -> ExitCode {
        let format = try invocation.format()
        let configuration = try invocation.loadConfiguration()
        let options = RunOptions(
            command: command, ledgerPath: invocation.ledgerPath(configuration: configuration),
            sourceNames: invocation.parsed.all("--source"), dryRun: invocation.parsed.has("--dry-run"),
            fixturesDirectory: invocation.parsed.value("--fixtures"), recordDirectory: invocation.parsed.value("--record")
        )
        let dependencies = invocation.dependencies
        let report = try await SignalHandling.cancellingOnTermination(output: invocation.output) {
            try await Reconciler.run(configuration: configuration, options: options, dependencies: dependencies)
        }
        let exitCode = report.exitCode
        for problem in report.problems { invocation.output.error(problem.message) }
        let quiet = invocation.parsed.has("--quiet")
        if quiet && exitCode == .success { return exitCode }
        switch format {
        case .text: ReportFormatter.text(report, output: invocation.output)
        case .json: invocation.output.line(JSONWriter.compact(ReportFormatter.json(report)))
        }
        return exitCode
    }
}
