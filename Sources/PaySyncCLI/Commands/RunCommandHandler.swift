import Foundation
import PaySyncCore
import PaySyncEngine

/// `paysync reconcile` and `paysync backfill`: parse, run the engine, format the report.
enum RunCommandHandler {
    static func reconcile(_ invocation: Invocation) async throws -> ExitCode {
        try await run(.reconcile, invocation)
    }

    static func backfill(_ invocation: Invocation) async throws -> ExitCode {
        guard let since = try invocation.parsed.value(Options.since, command: "backfill") else {
            throw UsageError(message: "--since DATE is required", command: "backfill")
        }
        let until = try invocation.parsed.value(Options.until, command: "backfill") ?? invocation.environment.now().utcDate.adding(days: 1)
        guard since < until else { throw UsageError(message: "--since \(since) must be before --until \(until)", command: "backfill") }
        return try await run(.backfill(from: since, until: until), invocation)
    }

    /// `paysync import-statement FILE --account NAME`: one statement file into the statement
    /// source NAME, then matching and delivery, as a run.
    static func importStatement(_ invocation: Invocation) async throws -> ExitCode {
        let file = invocation.parsed.positionals[0]
        guard let account = try invocation.parsed.value(Options.account, command: "import-statement") else {
            throw UsageError(message: "--account NAME is required: the statement source (\"kind\": \"statement\") the file belongs to", command: "import-statement")
        }
        let path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        return try await run(.importFile(path: path), invocation, sources: [account])
    }

    private static func run(_ command: RunCommand, _ invocation: Invocation, sources: [String]? = nil) async throws -> ExitCode {
        let format = try invocation.format(Options.summaryFormat, command: command.name)
        let configuration = try invocation.loadConfiguration()
        if format == .json, let sink = configuration.sinks.first(where: { $0.settings.writesToStandardOutput }), !invocation.parsed.isSet(Options.dryRun) {
            throw UsageError(message: "sink \(sink.name) writes to standard output, where --format json puts the summary; write the sink to a file, or use --format text",
                             command: command.name)
        }
        let options = RunOptions(
            command: command, ledgerPath: try invocation.ledgerPath(configuration: configuration),
            sourceNames: try sources ?? invocation.parsed.values(Options.source, command: command.name), dryRun: invocation.parsed.isSet(Options.dryRun),
            fixturesDirectory: try invocation.parsed.value(Options.fixtures, command: command.name),
            recordDirectory: try invocation.parsed.value(Options.record, command: command.name)
        )
        var dependencies = invocation.dependencies
        // A replay runs at the time it was recorded unless --now says otherwise: "today" (what is
        // overdue) is the recording's, not the calendar's, so CI's fixture runs never drift.
        if let directory = options.fixturesDirectory, invocation.parsed.value(Options.now.spec.name) == nil,
           let recorded = Reconciler.recordedTime(fixturesDirectory: directory) {
            dependencies.environment = .pinned(at: recorded)
        }
        // A person at a terminal sees a progress line per source and sink; logs print above it.
        let progress = progressLine(invocation)
        if let progress {
            dependencies.progress = { progress.handle($0) }
            dependencies.logger = Logger(minimumLevel: invocation.logger.minimumLevel, format: .text, now: invocation.environment.now,
                                         write: { progress.printAbove($0) })
        }
        let runDependencies = dependencies
        let metricsFile = try invocation.parsed.value(Options.metricsFile, command: command.name)
            ?? configuration.metricsFile.map { relative(to: configuration.file, $0) }
        let started = ContinuousClock.now
        let report: RunReport
        do {
            report = try await SignalHandling.cancellingOnTermination(output: invocation.output) {
                try await Reconciler.run(configuration: configuration, options: options, dependencies: runDependencies)
            }
        } catch {
            // A run that could not start (a locked ledger, a broken config secret) still says so.
            if let metricsFile {
                var failed = RunReport(command: command, dryRun: options.dryRun)
                failed.problems = [RunProblem(error)]
                failed.failedSources = Set(configuration.sources.map(\.name))
                try? writeMetrics(failed, to: metricsFile, configuration: configuration, options: options, started: started, invocation: invocation)
            }
            throw error
        }
        progress?.finish()
        if let metricsFile {
            do {
                try writeMetrics(report, to: metricsFile, configuration: configuration, options: options, started: started, invocation: invocation)
            } catch {
                invocation.output.warning("\(error)")
            }
        }
        let exitCode = report.exitCode
        for problem in report.problems { invocation.output.error(problem.message) }
        let quiet = invocation.parsed.isSet(Options.quiet)
        if quiet && exitCode == .success { return exitCode }
        switch format {
        case .text: ReportFormatter.text(report, output: invocation.output)
        case .json: invocation.output.line(JSONWriter.compact(ReportFormatter.json(report)))
        }
        return exitCode
    }

    /// The progress line when a person watches: standard error is a terminal (or the test's stand-in
    /// says so), and neither `--quiet` nor `--log-format json` is asked for.
    static func progressLine(_ invocation: Invocation) -> ProgressLine? {
        guard let terminal = invocation.terminal, !invocation.parsed.isSet(Options.quiet), invocation.logger.format == .text else { return nil }
        return ProgressLine(write: terminal)
    }

    /// The run's Prometheus metrics, written atomically (0644) where node_exporter reads them.
    private static func writeMetrics(_ report: RunReport, to path: String, configuration: Configuration, options: RunOptions,
                                     started: ContinuousClock.Instant, invocation: Invocation) throws {
        let elapsed = ContinuousClock.now - started
        let sources = configuration.sources.map(\.name).filter { options.sourceNames.isEmpty || options.sourceNames.contains($0) }
        let previous = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        let text = RunMetrics.render(report, sources: sources, durationSeconds: elapsed.seconds,
                                     finishedAt: invocation.environment.now(), previous: previous)
        try AtomicFile.write(text, to: path, mode: 0o644)
    }

    /// A path from the config, relative to the config file's directory.
    private static func relative(to configFile: String, _ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let directory = (configFile as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : directory + "/" + path
    }
}
