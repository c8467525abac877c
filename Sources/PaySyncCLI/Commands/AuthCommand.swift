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

    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let output = invocation.output
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
        func secret(_ reference: SecretReference?, _ key: String) throws -> Secret {
            guard let reference else {
                throw ConfigError(file: configuration.file, issues: [ConfigIssue(path: "\(keyPath).\(key)", message: "is required to authorise \(authorization.provider)")])
            }
            return try reference.resolve(configPath: "\(keyPath).\(key)", environment: invocation.variables)
        }
        let clientID = try secret(credentials.clientID, "client_id")
        let clientSecret = try secret(credentials.clientSecret, "client_secret")
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
        // Listen before the address is shown: the browser may come back at once.
        let listener = try port.map { try CallbackListener(port: $0) }

        output.line("Open this address in a browser, sign in to \(authorization.provider) and allow access:")
        output.line("")
        // Not scrubbed: the only configured value in it is the client id, which OAuth puts in
        // every authorisation address (it is not the client secret).
        output.standardOutput("  " + address.absoluteString)
        output.line("")
        let redirect: String
        if let listener {
            output.line("Waiting for the browser to come back to \(redirectURI) (10 minutes at most)…")
            redirect = try await listener.nextRedirect(timeout: 600)
        } else {
            output.line("The browser is then sent to \(redirectURI)…; the page may not load. Paste that whole address here:")
            guard let line = await invocation.input.readLine(), !line.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw UsageError(message: "no address was pasted; run `paysync auth \(wanted)` again", command: "auth")
            }
            redirect = line
        }
        let parameters = try flow.redirectParameters(redirect)
        let client = HTTPClient(transport: invocation.transport ?? URLSessionTransport(), environment: invocation.environment, logger: invocation.logger)
        let tokens = try await flow.exchange(code: parameters["code"] ?? "", tokenURL: tokenURL, clientSecret: clientSecret, client: client)
        try SecretFile.write(tokens.refreshToken, to: tokenFile)
        output.line("Saved the new refresh token to \(tokenFile) (mode 0600). The next run uses it.")

        let accounts = try await authorization.accounts(source.settings, accessToken: tokens.accessToken, redirect: parameters, client: client)
        let noun = authorization.accountNoun
        output.line("\(authorization.provider) \(noun == "company" ? "companies" : noun + "s") this authorisation reaches:")
        for account in accounts { output.line("  \(account.id)\(account.name.map { "  \($0)" } ?? "")") }
        if accounts.isEmpty { output.line("  (none)") }
        // A source that reads every account it reaches ("tenants": "all") has nothing to compare.
        guard let named = authorization.configuredAccounts(source.settings) else { return .success }
        let configured = named.filter { !$0.isEmpty }
        let unreached = configured.filter { id in !accounts.contains { $0.id == id } }
        if !unreached.isEmpty {
            output.warning("\(keyPath) names \(noun) \(unreached.joined(separator: ", ")), which this authorisation does not reach; runs will be refused for it")
            return .authenticationFailed
        }
        let others = accounts.filter { !configured.contains($0.id) }
        if !others.isEmpty {
            output.line("Not in \(keyPath) yet: \(others.map(\.id).joined(separator: ", ")) (add to read \(others.count == 1 ? "it" : "them")).")
        }
        return .success
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
