import Foundation
import PaySyncCore
import PaySyncEngine

/// The `paysync` command line: finds the command, parses its options, runs it, and maps every
/// error to its one-line message and exit code in one place.
public enum PaySyncCLI {
    public static let version = "0.1.0"

    /// Runs the command line and returns the exit code.
    /// - Parameters:
    ///   - arguments: the arguments after the program name.
    ///   - variables: the process environment (secrets and `PAYSYNC_CONFIG` are read from it).
    ///   - transport: the network, for in-process tests; nil for URLSession.
    public static func run(_ arguments: [String], variables: [String: String] = ProcessInfo.processInfo.environment,
                           output: Output = .standard, input: Input = .standard, transport: EngineDependencies.Transport? = nil,
                           terminal: (@Sendable (String) -> Void)?? = nil) async -> Int32 {
        // The real terminal only when output goes to the process's own standard error and it is one.
        let terminal = terminal ?? (output.isProcessStandardStreams && ProgressLine.standardErrorIsTerminal ? ProgressLine.standardError : nil)
        do {
            return try await dispatch(arguments, variables: variables, output: output, input: input, transport: transport, terminal: terminal).rawValue
        } catch let error as any PaySyncError {
            output.error(error.description)
            return error.exitCode.rawValue
        } catch is CancellationError {
            output.error("interrupted; every committed page is kept and the next run resumes from it")
            return ExitCode.temporaryFailure.rawValue
        } catch {
            output.error("internal error: \(error) (please report this with the log)")
            return ExitCode.internalError.rawValue
        }
    }

    static func dispatch(_ arguments: [String], variables: [String: String], output: Output, input: Input,
                         transport: EngineDependencies.Transport?, terminal: (@Sendable (String) -> Void)?) async throws -> ExitCode {
        if arguments.isEmpty || arguments == ["--help"] || arguments == ["-h"] || arguments == ["help"] {
            output.line(CommandTable.overview)
            return arguments.isEmpty ? .usage : .success
        }
        if arguments == ["--version"] {
            output.line("paysync \(version)")
            return .success
        }
        // The longest command path that matches the leading words.
        let spec = CommandTable.all.filter { arguments.starts(with: $0.path) }.max { $0.path.count < $1.path.count }
        guard let spec else {
            let words = arguments.prefix { !$0.hasPrefix("-") }
            let attempted = words.prefix(2).joined(separator: " ")
            let known = CommandTable.all.map(\.name) + ["outbox", "config"]
            if let first = words.first, ["outbox", "config"].contains(first) {
                let subcommands = CommandTable.all.filter { $0.path.first == first }.map { $0.path[1] }
                if words.count == 1, arguments.contains("--help") || arguments.contains("-h") {
                    output.line(CommandTable.groupHelp(first))
                    return .success
                }
                throw UsageError(message: "`\(first)` needs a subcommand: \(subcommands.joined(separator: ", "))\(words.count > 1 ? Suggestion.didYouMean(words[words.startIndex + 1], in: subcommands) : "")", command: first)
            }
            throw UsageError(message: "unknown command \"\(attempted)\"\(Suggestion.didYouMean(attempted, in: known))", command: "")
        }
        let parsed = try CommandLineParser.parse(Array(arguments.dropFirst(spec.path.count)), spec: spec)
        if parsed.isSet(Options.help) {
            output.line(CommandLineParser.help(for: spec))
            return .success
        }
        let invocation = try Invocation(parsed: parsed, output: output, input: input, variables: variables, transport: transport,
                                        quiet: parsed.isSet(Options.quiet), terminal: terminal)
        switch spec.path {
        case ["reconcile"]: return try await RunCommandHandler.reconcile(invocation)
        case ["backfill"]: return try await RunCommandHandler.backfill(invocation)
        case ["status"]: return try await StatusCommand.run(invocation)
        case ["history"]: return try await HistoryCommand.run(invocation)
        case ["runs"]: return try await RunsCommand.run(invocation)
        case ["report"]: return try await ReportCommand.run(invocation)
        case ["import-statement"]: return try await RunCommandHandler.importStatement(invocation)
        case ["matches"]: return try await MatchesCommand.list(invocation)
        case ["matches", "confirm"]: return try await MatchesCommand.confirm(invocation)
        case ["matches", "reject"]: return try await MatchesCommand.reject(invocation)
        case ["outbox", "list"]: return try await OutboxCommand.list(invocation)
        case ["outbox", "retry"]: return try await OutboxCommand.retry(invocation)
        case ["outbox", "drop"]: return try await OutboxCommand.drop(invocation)
        case ["config", "check"]: return try await ConfigCheckCommand.run(invocation)
        case ["auth"]: return try await AuthCommand.run(invocation)
        case ["migrate-ledger"]: return try await MigrateLedgerCommand.run(invocation)
        case ["completions"]:
            let shell = invocation.parsed.positionals[0]
            guard let script = Completions.script(for: shell) else {
                throw UsageError(message: "unknown shell \"\(shell)\"\(Suggestion.didYouMean(shell, in: Completions.shells)); expected bash, zsh or fish", command: "completions")
            }
            output.standardOutput(script)
            return .success
        default: throw GeneralError("command \(spec.name) has no handler", exitCode: .internalError)
        }
    }
}
