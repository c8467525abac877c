import PaySyncCore
import PaySyncEngine

/// `paysync config check`: every problem in the config with its key path, each secret reference
/// checked for presence (never printed), and a warning for secret files others can read.
enum ConfigCheckCommand {
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let output = invocation.output
        let configuration: Configuration
        do {
            configuration = try invocation.loadConfiguration()
        } catch {
            for issue in error.issues { output.error("\(error.file): \(issue)") }
            return .configuration
        }
        var problems: [String] = []
        var warnings: [String] = []
        let replaying = invocation.parsed.isSet(Options.fixturesOnly)
        // Sources: a config that only replays fixtures needs no credentials.
        for (index, source) in configuration.sources.enumerated() {
            for requirement in source.settings.secrets {
                let path = "sources[\(index)].\(requirement.key)"
                guard let reference = requirement.reference else {
                    if !replaying { problems.append("\(path): is required \(requirement.purpose) (or pass --fixtures if this config only replays fixtures)") }
                    continue
                }
                do {
                    _ = try reference.resolve(configPath: path, environment: invocation.variables)
                } catch {
                    if !replaying { problems.append(error.description) }
                }
                if reference.isReadableByOthers == true {
                    warnings.append("\(path): \(reference) is readable by other users; run chmod 600 on it")
                }
            }
        }
        for (index, sink) in configuration.sinks.enumerated() {
            for requirement in sink.settings.secrets {
                guard let reference = requirement.reference else { continue }
                let path = "sinks[\(index)].\(requirement.key)"
                do {
                    _ = try reference.resolve(configPath: path, environment: invocation.variables)
                } catch {
                    problems.append(error.description)
                }
                if reference.isReadableByOthers == true {
                    warnings.append("\(path): \(reference) is readable by other users; run chmod 600 on it")
                }
            }
        }
        for warning in warnings { output.warning("\(configuration.file): \(warning)") }
        for problem in problems { output.error("\(configuration.file): \(problem)") }
        guard problems.isEmpty else { return .configuration }
        output.line("\(configuration.file): OK (\(configuration.sources.count) source\(configuration.sources.count == 1 ? "" : "s"): \(configuration.sources.map(\.name).joined(separator: ", ")); \(configuration.sinks.count) sink\(configuration.sinks.count == 1 ? "" : "s"): \(configuration.sinks.map(\.name).joined(separator: ", ")))")
        return .success
    }
}
