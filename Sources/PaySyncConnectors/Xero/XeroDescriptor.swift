import PaySyncCore
import PaySyncHTTP

extension XeroSource {
    /// Xero in the registry: `"kind": "xero"`.
    public static let descriptor = SourceDescriptor(
        kind: "xero", keys: XeroConfig.keys, documentation: "docs/connectors/xero.md",
        read: { object, path, reader in XeroConfig.read(object, at: path, reader: &reader) },
        authorization: SourceAuthorization(
            XeroSettings.self, provider: "Xero", scopes: ["offline_access", "accounting.transactions.read", "accounting.contacts.read"],
            pkce: true, accountNoun: "tenant",
            credentials: { OAuthCredentials(authorizeURL: $0.authorizeURL, tokenURL: $0.tokenURL, clientID: $0.clientID, clientSecret: $0.clientSecret, refreshToken: $0.refreshToken) },
            configured: { $0.allTenants ? nil : $0.tenants },
            accounts: { settings, token, _, client in try await XeroSource.connections(settings: settings, accessToken: token, client: client) }
        ),
        make: { settings, context in
            let tokens = try context.refreshTokenProvider(
                tokenURL: settings.tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret,
                refreshToken: settings.refreshToken, storeKey: "xero:\(context.name)",
                purpose: "to reach Xero (or run with --fixtures DIR)"
            )
            return XeroSource(name: context.name, settings: settings, client: context.client, tokens: tokens)
        }
    )
}

extension SourceConfiguration {
    /// A Xero source as the config would describe it (for tests and tools that build configs in code).
    public static func xero(name: String, _ settings: XeroSettings) -> SourceConfiguration {
        SourceConfiguration(name: name, kind: XeroSource.descriptor.kind, settings: settings)
    }
}

extension XeroSource {
    /// The organisations an access token reaches: `GET https://api.xero.com/connections` (beside
    /// the Accounting API's base URL), as `[{"tenantId", "tenantName", "tenantType"}]`.
    static func connections(settings: XeroSettings, accessToken: Secret, client: HTTPClient) async throws -> [AuthorizedAccount] {
        let request = try connectionsRequest(settings: settings)
        let response = try await client.send(request.bearer(accessToken))
        guard response.isSuccess else {
            throw HTTPFailure.error(response, call: request.summary, label: "auth", provider: "Xero", problem: nil, hint: nil)
        }
        return try parseConnections(response, call: request.summary)
    }

    static func connectionsRequest(settings: XeroSettings) throws -> HTTPRequest {
        var base = settings.baseURL
        if base.hasSuffix("/api.xro/2.0") { base.removeLast("/api.xro/2.0".count) }
        guard let url = URLBuilder.url(base, path: "/connections") else {
            throw SourceError(source: "xero", message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        return HTTPRequest(url: url, headers: ["Accept": "application/json"])
    }

    static func parseConnections(_ response: HTTPResponse, call: String) throws -> [AuthorizedAccount] {
        guard let list = (try? JSONParser.parse(response.body))?.arrayValue else {
            throw SourceError(source: "xero", message: "\(call): expected a list of connections", exitCode: .dataError)
        }
        return list.compactMap { connection in
            guard connection["tenantType"]?.stringValue ?? "ORGANISATION" == "ORGANISATION", let id = connection["tenantId"]?.stringValue else { return nil }
            return AuthorizedAccount(id: id, name: connection["tenantName"]?.stringValue)
        }
    }
}
