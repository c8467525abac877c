import PaySyncCore

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
        for (index, source) in configuration.sources.enumerated() {
            switch source.provider {
            case .xero(let settings):
                let references: [(String, SecretReference?)] = [("client_id", settings.clientID), ("client_secret", settings.clientSecret), ("refresh_token", settings.refreshToken)]
                for (key, reference) in references {
                    let path = "sources[\(index)].\(key)"
                    guard let reference else {
                        if !invocation.parsed.has("--fixtures") { problems.append("\(path): is required to reach Xero (or pass --fixtures if this config only replays fixtures)") }
                        continue
                    }
                    do {
                        _ = try reference.resolve(configPath: path, environment: invocation.variables)
                    } catch {
                        if !invocation.parsed.has("--fixtures") { problems.append(error.description) }
                    }
                    if reference.isReadableByOthers == true {
                        warnings.append("\(path): \(reference) is readable by other users; run chmod 600 on it")
                    }
                }
            }
        }
        for (index, sink) in configuration.sinks.enumerated() {
            var references: [(String, SecretReference?)] = []
            switch sink.kind {
            case .jsonLines: break
            case .hubspot(let settings): references = [("token", settings.token)]
            case .salesforce(let settings):
                references = [("client_id", settings.clientID), ("client_secret", settings.clientSecret)]
                if settings.grant == .refreshToken { references.append(("refresh_token", settings.refreshToken)) }
            case .webhook(let settings): references = [("secret", settings.secret)]
            }
            for (key, reference) in references {
                guard let reference else { continue }
                let path = "sinks[\(index)].\(key)"
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
