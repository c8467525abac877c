import Foundation
import PaySyncCore
import PaySyncEngine

/// What every command needs from the global options: logging, the clock, where the config and
/// ledger are, and the process environment.
struct Invocation: Sendable {
    let parsed: ParsedArguments
    let output: Output
    let variables: [String: String]
    let environment: RunEnvironment
    let logger: Logger
    let transport: EngineDependencies.Transport?

    init(parsed: ParsedArguments, output: Output, variables: [String: String], transport: EngineDependencies.Transport?, quiet: Bool = false) throws(UsageError) {
        self.parsed = parsed
        self.output = output
        self.variables = variables
        self.transport = transport
        if let now = parsed.value("--now") {
            guard let instant = Timestamp(iso: now) else {
                throw UsageError(message: "--now \(now) is not an ISO 8601 timestamp (e.g. 2025-05-02T09:00:00Z)", command: "")
            }
            environment = .pinned(at: instant)
        } else {
            environment = .live
        }
        var level: Logger.Level = quiet ? .error : .info
        if parsed.has("--verbose") { level = .debug }
        if let name = parsed.value("--log-level") {
            guard let chosen = Logger.Level(name: name) else {
                throw UsageError(message: "--log-level \(name) is not one of debug, info, warning, error", command: "")
            }
            level = chosen
        }
        var format = Logger.Format.text
        if let name = parsed.value("--log-format") {
            guard let chosen = Logger.Format(rawValue: name) else { throw UsageError(message: "--log-format \(name) is not text or json", command: "") }
            format = chosen
        }
        let error = output.standardError
        let clock = environment.now
        logger = Logger(minimumLevel: level, format: format, now: clock, write: { error($0) })
    }

    /// `--config`, then `$PAYSYNC_CONFIG`, then `./paysync.json`.
    var configPath: String {
        parsed.value("--config") ?? variables["PAYSYNC_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "paysync.json"
    }

    func loadConfiguration() throws(ConfigError) -> Configuration {
        try ConfigParser.load(path: configPath, kinds: Registry.configKinds)
    }

    /// The config for commands that can work without one (`status`, `history`, `outbox`): the
    /// file named by `--config` or `$PAYSYNC_CONFIG`, else `./paysync.json` when it exists, else
    /// none. A config that exists but is broken is an error, never a silent fall-back to
    /// `./paysync.db`.
    func optionalConfiguration() throws(ConfigError) -> Configuration? {
        let named = parsed.value("--config") != nil || !(variables["PAYSYNC_CONFIG"] ?? "").isEmpty
        guard named || FileManager.default.fileExists(atPath: configPath) else { return nil }
        return try loadConfiguration()
    }

    /// `--ledger`, then the config's `ledger` (relative to the config file), then `./paysync.db`.
    func ledgerPath(configuration: Configuration?) -> String {
        if let path = parsed.value("--ledger") { return path }
        if let configured = configuration?.ledgerPath {
            if configured.hasPrefix("/") { return configured }
            let directory = (configuration!.file as NSString).deletingLastPathComponent
            return directory.isEmpty ? configured : directory + "/" + configured
        }
        return "paysync.db"
    }

    func format() throws(UsageError) -> OutputFormat {
        guard let name = parsed.value("--format") else { return .text }
        guard let format = OutputFormat(rawValue: name) else { throw UsageError(message: "--format \(name) is not text or json", command: "") }
        return format
    }

    var dependencies: EngineDependencies {
        EngineDependencies(environment: environment, logger: logger, transport: transport, variables: variables)
    }
}

enum OutputFormat: String { case text, json }
