import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncEngine
import PaySyncHTTP

/// `paysync auth SOURCE`: the one-time consent a person gives at a terminal. Prints the
/// provider's authorisation address, takes the address the browser is sent back to (pasted, or
/// received on `--listen PORT`), exchanges its code, writes the refresh token to the file the
/// config names (0600, atomically), and lists the tenants or companies the authorisation reaches.
/// Everything provider-specific comes from the source's descriptor.
enum AuthCommand {
    static let defaultPort = 8976

    /// Everything decided before the browser is involved.
    struct Plan {
        var wanted: String
        var source: SourceConfiguration
        var keyPath: String
        var authorization: SourceAuthorization
        var tokenFile: String
        var tokenURL: URL
        var clientSecret: Secret
        var flow: AuthorizationCodeFlow
        var address: URL
        var listener: CallbackListener?
    }

    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let plan = try prepare(invocation)
        show(plan, output: invocation.output)
        let redirect = try await receive(plan, invocation: invocation)
        let parameters = try redirectParameters(plan.flow, redirect)
        let client = HTTPClient(transport: invocation.transport ?? URLSessionTransport(), environment: invocation.environment, logger: invocation.logger)
        let tokens = try await plan.flow.exchange(code: parameters["code"] ?? "", tokenURL: plan.tokenURL, clientSecret: plan.clientSecret, client: client)
        try save(tokens.refreshToken, to: plan.tokenFile)
        invocation.output.line("Saved the new refresh token to \(plan.tokenFile) (mode 0600). The next run uses it.")
        let accounts = try await plan.authorization.accounts(plan.source.settings, accessToken: tokens.accessToken, redirect: parameters, client: client)
        return report(accounts, plan: plan, output: invocation.output)
    }

    /// Reads the config and the options; listens before the address is shown (the browser may
    /// come back at once).
    static func prepare(_ invocation: Invocation) throws -> Plan {
        let wanted = invocation.parsed.positionals[0]
        let configuration = try invocation.loadConfiguration()
        let source = try pick(wanted, from: configuration)
        let keyPath = "sources[\(source.name)]"
        guard let descriptor = Registry.sources.first(where: { $0.kind == source.kind }),
              let authorization = descriptor.authorization, let credentials = authorization.credentials(source.settings) else {
            throw UsageError(message: "source \(source.name) (kind \(source.kind)) takes no OAuth consent", command: "auth")
        }
        guard case .file(let tokenFile)? = credentials.refreshToken else {
            throw ConfigError(file: configuration.file, issues: [ConfigIssue(
                path: "\(keyPath).refresh_token",
                message: "paysync auth writes the new refresh token to a file: set it to {\"file\": \"PATH\"} (readable by the user paysync runs as)")])
        }
        let clientID = try secret(credentials.clientID, key: "client_id", keyPath: keyPath, provider: authorization.provider,
                                  configuration: configuration, variables: invocation.variables)
        let clientSecret = try secret(credentials.clientSecret, key: "client_secret", keyPath: keyPath, provider: authorization.provider,
                                      configuration: configuration, variables: invocation.variables)
        guard let tokenURL = URL(string: credentials.tokenURL) else {
            throw ConfigError(file: configuration.file, issues: [ConfigIssue(path: "\(keyPath).token_url", message: "is not a URL")])
        }
        let port = try invocation.parsed.value(Options.listen, command: "auth")
        let redirectURI = try invocation.parsed.value(Options.redirectURI, command: "auth") ?? "http://localhost:\(port ?? defaultPort)/callback"
        let flow = AuthorizationCodeFlow(
            provider: .init(name: authorization.provider, authorizeURL: credentials.authorizeURL, scopes: authorization.scopes, pkce: authorization.pkce),
            clientID: clientID, redirectURI: redirectURI)
        guard let address = flow.authorizationURL else {
            throw ConfigError(file: configuration.file, issues: [ConfigIssue(path: "\(keyPath).authorize_url", message: "does not make a valid URL")])
        }
        return Plan(wanted: wanted, source: source, keyPath: keyPath, authorization: authorization, tokenFile: tokenFile, tokenURL: tokenURL,
                    clientSecret: clientSecret, flow: flow, address: address, listener: try listen(on: port))
    }

    static func show(_ plan: Plan, output: Output) {
        output.line("Open this address in a browser, sign in to \(plan.authorization.provider) and allow access:")
        output.line("")
        // Not scrubbed: the only configured value in it is the client id, which OAuth puts in
        // every authorisation address (it is not the client secret).
        output.standardOutput("  " + plan.address.absoluteString)
        output.line("")
    }

    /// The address the browser was sent back to: received on the listener, or pasted.
    static func receive(_ plan: Plan, invocation: Invocation) async throws -> String {
        if let listener = plan.listener {
            invocation.output.line("Waiting for the browser to come back to \(plan.flow.redirectURI) (10 minutes at most)…")
            return try await listener.nextRedirect(timeout: 600)
        }
        invocation.output.line("The browser is then sent to \(plan.flow.redirectURI)…; the page may not load. Paste that whole address here:")
        guard let line = await invocation.input.readLine(), !line.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw UsageError(message: "no address was pasted; run `paysync auth \(plan.wanted)` again", command: "auth")
        }
        return line
    }

    /// Lists what the authorisation reaches against what the config names.
    static func report(_ accounts: [AuthorizedAccount], plan: Plan, output: Output) -> ExitCode {
        let noun = plan.authorization.accountNoun
        output.line("\(plan.authorization.provider) \(noun == "company" ? "companies" : noun + "s") this authorisation reaches:")
        for account in accounts { output.line("  \(account.id)\(account.name.map { "  \($0)" } ?? "")") }
        if accounts.isEmpty { output.line("  (none)") }
        // A source that reads every account it reaches ("tenants": "all") has nothing to compare.
        guard let named = plan.authorization.configuredAccounts(plan.source.settings) else { return .success }
        let configured = named.filter { !$0.isEmpty }
        let unreached = configured.filter { id in !accounts.contains { $0.id == id } }
        if !unreached.isEmpty {
            output.warning("\(plan.keyPath) names \(noun) \(unreached.joined(separator: ", ")), which this authorisation does not reach; runs will be refused for it")
            return .authenticationFailed
        }
        let others = accounts.filter { !configured.contains($0.id) }
        if !others.isEmpty {
            output.line("Not in \(plan.keyPath) yet: \(others.map(\.id).joined(separator: ", ")) (add to read \(others.count == 1 ? "it" : "them")).")
        }
        return .success
    }

    // Swift 6.3's release optimiser crashed (signal 11, splitting the coroutine of `run`) while
    // all of this was one async function; the synchronous part now lives in `prepare`, and the
    // typed-throws calls go through these plain throwing helpers. `.ci/run` builds release too.

    private static func secret(_ reference: SecretReference?, key: String, keyPath: String, provider: String,
                               configuration: Configuration, variables: [String: String]) throws -> Secret {
        guard let reference else {
            throw ConfigError(file: configuration.file, issues: [ConfigIssue(path: "\(keyPath).\(key)", message: "is required to authorise \(provider)")])
        }
        return try reference.resolve(configPath: "\(keyPath).\(key)", environment: variables)
    }

    private static func listen(on port: Int?) throws -> CallbackListener? {
        guard let port else { return nil }
        return try CallbackListener(port: port)
    }

    private static func redirectParameters(_ flow: AuthorizationCodeFlow, _ redirect: String) throws -> [String: String] {
        try flow.redirectParameters(redirect)
    }

    private static func save(_ token: Secret, to path: String) throws {
        try SecretFile.write(token, to: path)
    }

    /// The source named `wanted`, or the only source of that kind.
    static func pick(_ wanted: String, from configuration: Configuration) throws -> SourceConfiguration {
        if let named = configuration.sources.first(where: { $0.name == wanted }) { return named }
        let ofKind = configuration.sources.filter { $0.kind == wanted }
        if ofKind.count == 1 { return ofKind[0] }
        let names = configuration.sources.map(\.name)
        if ofKind.count > 1 {
            throw UsageError(message: "several sources are of kind \(wanted) (\(ofKind.map(\.name).joined(separator: ", "))); name one", command: "auth")
        }
        throw UsageError(message: "no source named or of kind \"\(wanted)\" in \(configuration.file)\(Suggestion.didYouMean(wanted, in: names)); sources: \(names.joined(separator: ", "))", command: "auth")
    }
}
