import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncLedger
import PaySyncSinks

/// Builds the run's sources and sinks from the config: transports, HTTP clients, OAuth, limits.
/// Secrets are resolved here, before any work starts, so a missing one fails the run at once.
struct Components {
    var sources: [any Source]
    let sinks: [any Sink]
    let routes: [SinkRoute]
    let calls: CallCounter

    static func make(configuration: Configuration, options: RunOptions, ledger: Ledger, dependencies: EngineDependencies) throws -> Components {
        let transport = try makeTransport(configuration: configuration, options: options, dependencies: dependencies)
        let calls = CallCounter()
        let client = HTTPClient(transport: transport, policy: RetryPolicy(configuration.http), environment: dependencies.environment,
                                logger: dependencies.logger, counter: calls)
        let selected = try select(configuration.sources, names: options.sourceNames)
        let sources = try selected.map { try makeSource($0, file: configuration.file, client: client, options: options, ledger: ledger, dependencies: dependencies) }
        let sinks = try configuration.sinks.map { sink in
            let sinkClient = HTTPClient(transport: transport, policy: RetryPolicy(configuration.http), environment: dependencies.environment,
                                        logger: dependencies.logger, counter: CallCounter())
            return try makeSink(sink, file: configuration.file, client: sinkClient, options: options, dependencies: dependencies)
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

    static func makeSource(_ configuration: SourceConfiguration, file: String, client: HTTPClient, options: RunOptions, ledger: Ledger,
                           dependencies: EngineDependencies) throws -> any Source {
        switch configuration.provider {
        case .xero(let settings):
            let index = "sources[\(configuration.name)]"
            let tokens: any AccessTokenProvider
            if options.fixturesDirectory != nil {
                // Replaying recorded exchanges: recordings never hold tokens, so none are needed.
                tokens = StaticTokenProvider(Secret("fixture-replay"))
            } else {
                func required(_ reference: SecretReference?, _ key: String) throws -> Secret {
                    guard let reference else {
                        throw ConfigError(file: file, issues: [ConfigIssue(path: "\(index).\(key)", message: "is required to reach Xero (or run with --fixtures DIR)")])
                    }
                    return try reference.resolve(configPath: "\(index).\(key)", environment: dependencies.variables)
                }
                guard let tokenURL = URL(string: settings.tokenURL) else {
                    throw ConfigError(file: file, issues: [ConfigIssue(path: "\(index).token_url", message: "is not a URL")])
                }
                tokens = OAuth2RefreshTokenProvider(
                    configuration: .init(
                        label: configuration.name, tokenURL: tokenURL,
                        clientID: try required(settings.clientID, "client_id"), clientSecret: try required(settings.clientSecret, "client_secret"),
                        seedRefreshToken: try required(settings.refreshToken, "refresh_token"), storeKey: "xero:\(configuration.name)"
                    ),
                    store: LedgerCredentialStore(ledger: ledger, environment: dependencies.environment),
                    client: client
                )
            }
            return XeroSource(name: configuration.name, settings: settings, client: client, tokens: tokens)
        }
    }

    static func makeSink(_ configuration: SinkConfiguration, file: String, client: HTTPClient, options: RunOptions,
                         dependencies: EngineDependencies) throws -> any Sink {
        let index = "sinks[\(configuration.name)]"
        // A dry run never calls a sink, so it needs no credentials for one.
        func secret(_ reference: SecretReference?, _ key: String) throws -> Secret {
            if options.dryRun { return Secret("dry-run") }
            guard let reference else { throw ConfigError(file: file, issues: [ConfigIssue(path: "\(index).\(key)", message: "is required")]) }
            return try reference.resolve(configPath: "\(index).\(key)", environment: dependencies.variables)
        }
        let mappings = configuration.objects.compactMapValues(\.crm)
        switch configuration.kind {
        case .jsonLines(let path):
            return JSONLinesSink(name: configuration.name, path: path)
        case .hubspot(let settings):
            return HubSpotSink(name: configuration.name, settings: settings, mappings: mappings, token: try secret(settings.token, "token"), client: client)
        case .salesforce(let settings):
            guard let tokenURL = URL(string: settings.tokenURL) else {
                throw ConfigError(file: file, issues: [ConfigIssue(path: "\(index).token_url", message: "is not a URL")])
            }
            let session = SalesforceSession(credentials: .init(
                label: configuration.name, tokenURL: tokenURL, grant: settings.grant,
                clientID: try secret(settings.clientID, "client_id"), clientSecret: try secret(settings.clientSecret, "client_secret"),
                refreshToken: settings.grant == .refreshToken ? try secret(settings.refreshToken, "refresh_token") : nil
            ), client: HTTPClient(transport: client.transport, policy: client.policy, environment: client.environment, logger: client.logger))
            // The session's token calls are counted apart from the data calls.
            return SalesforceSink(name: configuration.name, settings: settings, mappings: mappings, session: session, client: client)
        case .webhook(let settings):
            return WebhookSink(name: configuration.name, settings: settings, secret: try secret(settings.secret, "secret"), client: client)
        }
    }
}
