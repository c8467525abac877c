import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncSinks

/// Builds the run's sources and sinks from the config: transports, HTTP clients, OAuth, limits.
/// Secrets are resolved here, before any work starts, so a missing one fails the run at once.
struct Components {
    var sources: [any Source]
    let sinks: [any Sink]
    let routes: [SinkRoute]
    let calls: CallCounter

    static func make(configuration: Configuration, options: RunOptions, ledger: any LedgerStore, dependencies: EngineDependencies) throws -> Components {
        let transport = try makeTransport(configuration: configuration, options: options, dependencies: dependencies)
        let calls = CallCounter()
        let client = HTTPClient(transport: transport, policy: RetryPolicy(configuration.http), environment: dependencies.environment,
                                logger: dependencies.logger, counter: calls)
        let selected = try select(configuration.sources, names: options.sourceNames)
        let sources = try selected.map { try makeSource($0, file: configuration.file, client: client, options: options, ledger: ledger, dependencies: dependencies) }
        let sinks = try configuration.sinks.map { sink in
            let sinkClient = HTTPClient(transport: transport, policy: RetryPolicy(configuration.http), environment: dependencies.environment,
                                        logger: dependencies.logger, counter: CallCounter())
            return try makeSink(sink, file: configuration.file, client: sinkClient, options: options, ledger: ledger, dependencies: dependencies)
        }
        return Components(sources: sources, sinks: sinks, routes: configuration.sinks.map(\.route), calls: calls)
    }

    static func makeTransport(configuration: Configuration, options: RunOptions, dependencies: EngineDependencies) throws -> any HTTPTransport {
        var transport: any HTTPTransport
        if let directory = options.fixturesDirectory {
            transport = try FixtureTransport(directory: directory)
        } else {
            transport = dependencies.transport ?? URLSessionTransport(configuration.http)
        }
        if let directory = options.recordDirectory {
            transport = try RecordingTransport(wrapping: transport, directory: directory)
        }
        return transport
    }

    /// The sources named on the command line (all when none): an unknown name is a usage error.
    static func select(_ sources: [SourceConfiguration], names: [String]) throws -> [SourceConfiguration] {
        guard !names.isEmpty else { return sources }
        return try names.map { name in
            guard let source = sources.first(where: { $0.name == name }) else {
                throw GeneralError("--source \(name): no such source in the config\(Suggestion.didYouMean(name, in: sources.map(\.name))); configured: \(sources.map(\.name).joined(separator: ", "))", exitCode: .usage)
            }
            return source
        }
    }

    static func makeSource(_ configuration: SourceConfiguration, file: String, client: HTTPClient, options: RunOptions, ledger: any LedgerStore,
                           dependencies: EngineDependencies) throws -> any Source {
        guard let descriptor = Registry.source(kind: configuration.kind) else {
            throw GeneralError("sources[\(configuration.name)]: no connector for kind \(configuration.kind)", exitCode: .internalError)
        }
        // Replaying recorded exchanges: recordings never hold tokens, so none are needed.
        let context = BuildContext(
            name: configuration.name, configPath: "sources[\(configuration.name)]", configFile: file, client: client,
            credentials: LedgerCredentialStore(ledger: ledger, environment: dependencies.environment),
            variables: dependencies.variables, needsNoCredentials: options.fixturesDirectory != nil
        )
        return try descriptor.make(configuration, context: context)
    }

    static func makeSink(_ configuration: SinkConfiguration, file: String, client: HTTPClient, options: RunOptions, ledger: any LedgerStore,
                         dependencies: EngineDependencies) throws -> any Sink {
        guard let descriptor = Registry.sink(kind: configuration.kind) else {
            throw GeneralError("sinks[\(configuration.name)]: no sink for kind \(configuration.kind)", exitCode: .internalError)
        }
        // A dry run never calls a sink, so it needs no credentials for one.
        let context = BuildContext(
            name: configuration.name, configPath: "sinks[\(configuration.name)]", configFile: file, client: client,
            credentials: LedgerCredentialStore(ledger: ledger, environment: dependencies.environment), recordIDs: ledger,
            variables: dependencies.variables, needsNoCredentials: options.dryRun
        )
        return try descriptor.make(configuration, context: context)
    }
}
