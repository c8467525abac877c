import Foundation
import PaySyncCore
import PaySyncEngine

/// What every command needs from the global options: logging, the clock, where the config and
/// ledger are, and the process environment.
struct Invocation: Sendable {
    let parsed: ParsedArguments
    let output: Output
    let input: Input
    /// Raw writes to the terminal a person watches (standard error), or nil when there is none.
    let terminal: (@Sendable (String) -> Void)?
    let variables: [String: String]
    let environment: RunEnvironment
    let logger: Logger
    let transport: EngineDependencies.Transport?

    init(parsed: ParsedArguments, output: Output, input: Input = .standard, variables: [String: String], transport: EngineDependencies.Transport?,
         quiet: Bool = false, terminal: (@Sendable (String) -> Void)? = nil) throws(UsageError) {
        self.parsed = parsed
        self.output = output
        self.input = input
        self.terminal = terminal
        self.variables = variables
        self.transport = transport
        if let now = try parsed.value(Options.now, command: "") {
            environment = .pinned(at: now)
        } else {
            environment = .live
        }
        var level: Logger.Level = quiet ? .error : .info
        if parsed.isSet(Options.verbose) { level = .debug }
        if let chosen = try parsed.value(Options.logLevel, command: "") { level = chosen }
        let format = try parsed.value(Options.logFormat, command: "") ?? .text
        let error = output.standardError
        let clock = environment.now
        logger = Logger(minimumLevel: level, format: format, now: clock, write: { error($0) })
    }

    /// `--config`, then `$PAYSYNC_CONFIG`, then `./paysync.json`.
    var configPath: String {
        parsed.value(Options.config.spec.name) ?? variables["PAYSYNC_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "paysync.json"
    }

    func loadConfiguration() throws(ConfigError) -> Configuration {
        try ConfigParser.load(path: configPath, kinds: Registry.configKinds)
    }

    /// The config for commands that can work without one (`status`, `history`, `outbox`): the
    /// file named by `--config` or `$PAYSYNC_CONFIG`, else `./paysync.json` when it exists, else
    /// none. A config that exists but is broken is an error, never a silent fall-back to
    /// `./paysync.db`.
    func optionalConfiguration() throws(ConfigError) -> Configuration? {
        let named = parsed.value(Options.config.spec.name) != nil || !(variables["PAYSYNC_CONFIG"] ?? "").isEmpty
        guard named || FileManager.default.fileExists(atPath: configPath) else { return nil }
        return try loadConfiguration()
    }

    /// `--ledger`, then the config's `ledger` (a PostgreSQL URL read from where it points, or a
    /// path relative to the config file), then `./paysync.db`.
    func ledgerPath(configuration: Configuration?) throws -> String {
        if let path = parsed.value(Options.ledger.spec.name) { return path }
        if let reference = configuration?.ledgerURL {
            return try reference.resolve(configPath: "ledger.url", environment: variables).reveal()
        }
        if let configured = configuration?.ledgerPath {
            if configured.hasPrefix("/") || configured.hasPrefix("postgres://") || configured.hasPrefix("postgresql://") { return configured }
            let directory = (configuration!.file as NSString).deletingLastPathComponent
            return directory.isEmpty ? configured : directory + "/" + configured
        }
        return "paysync.db"
    }

    /// `--format` of commands that print a report (`status`, `history`, `outbox list`) or a run summary.
    func format(_ option: TypedOption<OutputFormat> = Options.format, command: String) throws(UsageError) -> OutputFormat {
        try parsed.value(option, command: command) ?? .text
    }

    var dependencies: EngineDependencies {
        EngineDependencies(environment: environment, logger: logger, transport: transport, variables: variables)
    }
}

