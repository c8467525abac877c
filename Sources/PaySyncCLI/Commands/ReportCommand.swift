import PaySyncCore
import PaySyncEngine

/// `paysync report --since DATE [--until DATE] [--format text|json|csv|html] [--output FILE]`:
/// how collections went, from the ledger alone.
enum ReportCommand {
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        guard let since = try invocation.parsed.value(Options.reportSince, command: "report") else {
            throw UsageError(message: "--since DATE is required", command: "report")
        }
        let today = invocation.environment.now().utcDate
        let until = try invocation.parsed.value(Options.reportUntil, command: "report") ?? today.adding(days: 1)
        guard since < until else { throw UsageError(message: "--since \(since) must be before --until \(until)", command: "report") }
        let format = try invocation.parsed.value(Options.reportFormat, command: "report") ?? .text
        let configuration = try invocation.optionalConfiguration()
        let ledger = try LedgerAccess.openForReading(path: try invocation.ledgerPath(configuration: configuration), logger: invocation.logger)
        let report = CollectionsReport.build(
            since: since, until: until, today: today,
            transitions: try await ledger.reportTransitions(from: since.startOfDayUTC, until: until.startOfDayUTC),
            snapshot: try await ledger.reportSnapshot()
        )
        let text: String
        switch format {
        case .text: text = CollectionsReportText.render(report) + "\n"
        case .json: text = JSONWriter.pretty(CollectionsReportJSON.render(report)) + "\n"
        case .csv: text = CollectionsReportCSV.render(report)
        case .html: text = CollectionsReportHTML.render(report)
        }
        if let path = try invocation.parsed.value(Options.output, command: "report") {
            try AtomicFile.write(text, to: path, mode: 0o644)
        } else {
            invocation.output.line(String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)))
        }
        return .success
    }
}
