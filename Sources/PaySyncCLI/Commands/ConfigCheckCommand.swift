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
        /// Resolves each secret a component needs (never printing it) and warns about files
        /// others can read. `enforced`: an unresolvable secret is a problem; `missingHint`: a
        /// reference left out is one too, with this hint (sinks' readers require theirs already).
        func check(_ requirements: [SecretRequirement], at prefix: String, enforced: Bool, missingHint: String?) {
            for requirement in requirements {
                let path = "\(prefix).\(requirement.key)"
                guard let reference = requirement.reference else {
                    if enforced, let missingHint { problems.append("\(path): is required \(requirement.purpose)\(missingHint)") }
                    continue
                }
                do {
                    _ = try reference.resolve(configPath: path, environment: invocation.variables)
                } catch {
                    if enforced { problems.append(error.description) }
                }
                if reference.isReadableByOthers == true {
                    warnings.append("\(path): \(reference) is readable by other users; run chmod 600 on it")
                }
            }
        }
        // Sources: a config that only replays fixtures needs no credentials.
        for (index, source) in configuration.sources.enumerated() {
            check(source.settings.secrets, at: "sources[\(index)]", enforced: !replaying,
                  missingHint: " (or pass --fixtures if this config only replays fixtures)")
        }
        for (index, sink) in configuration.sinks.enumerated() {
            check(sink.settings.secrets, at: "sinks[\(index)]", enforced: true, missingHint: nil)
        }
        if let webhook = configuration.alerts?.slackWebhook {
            check([SecretRequirement(key: "slack_webhook_url", reference: webhook, purpose: "to send alerts")], at: "alerts", enforced: true, missingHint: nil)
        }
        for warning in warnings { output.warning("\(configuration.file): \(warning)") }
        for problem in problems { output.error("\(configuration.file): \(problem)") }
        guard problems.isEmpty else { return .configuration }
        output.line("\(configuration.file): OK (\(configuration.sources.count) source\(configuration.sources.count == 1 ? "" : "s"): \(configuration.sources.map(\.name).joined(separator: ", ")); \(configuration.sinks.count) sink\(configuration.sinks.count == 1 ? "" : "s"): \(configuration.sinks.map(\.name).joined(separator: ", ")))")
        return .success
    }
}
