import PaySyncCore
import PaySyncHTTP

/// Where a source's OAuth credentials live in its settings.
public struct OAuthCredentials: Sendable {
    public var authorizeURL: String
    public var tokenURL: String
    public var clientID: SecretReference?
    public var clientSecret: SecretReference?
    public var refreshToken: SecretReference?

    public init(authorizeURL: String, tokenURL: String, clientID: SecretReference?, clientSecret: SecretReference?, refreshToken: SecretReference?) {
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
    }
}

/// An account (tenant, company) a new authorisation can reach.
public struct AuthorizedAccount: Sendable, Equatable {
    public var id: String
    public var name: String?

    public init(id: String, name: String?) {
        self.id = id
        self.name = name
    }
}

/// How `paysync auth` connects a source of this kind: the provider's consent screen (name,
/// scopes, PKCE), where its credentials sit in the settings, which accounts the config names, and
/// how to list the accounts a new authorisation reaches. Exported by the provider's descriptor.
public struct SourceAuthorization: Sendable {
    public let provider: String
    public let scopes: [String]
    public let pkce: Bool
    /// What an account is called (`tenant`, `company`).
    public let accountNoun: String
    let readCredentials: @Sendable (any SourceSettings) -> OAuthCredentials?
    let readConfigured: @Sendable (any SourceSettings) -> [String]?
    let listAccounts: @Sendable (any SourceSettings, Secret, [String: String], HTTPClient) async throws -> [AuthorizedAccount]

    /// - Parameters:
    ///   - accounts: given the new access token and the redirect's parameters, the accounts it
    ///     reaches (an API call, or a redirect parameter such as `realmId`).
    public init<Settings: SourceSettings>(
        _ settings: Settings.Type, provider: String, scopes: [String], pkce: Bool, accountNoun: String,
        credentials: @escaping @Sendable (Settings) -> OAuthCredentials,
        configured: @escaping @Sendable (Settings) -> [String]?,
        accounts: @escaping @Sendable (Settings, Secret, [String: String], HTTPClient) async throws -> [AuthorizedAccount]
    ) {
        self.provider = provider
        self.scopes = scopes
        self.pkce = pkce
        self.accountNoun = accountNoun
        readCredentials = { ($0 as? Settings).map(credentials) }
        readConfigured = { ($0 as? Settings).flatMap(configured) }
        listAccounts = { settings, token, parameters, client in
            guard let typed = settings as? Settings else { return [] }
            return try await accounts(typed, token, parameters, client)
        }
    }

    public func credentials(_ settings: any SourceSettings) -> OAuthCredentials? { readCredentials(settings) }
    /// The accounts the config names; nil when it reads every account the authorisation reaches.
    public func configuredAccounts(_ settings: any SourceSettings) -> [String]? { readConfigured(settings) }
    public func accounts(_ settings: any SourceSettings, accessToken: Secret, redirect: [String: String], client: HTTPClient) async throws -> [AuthorizedAccount] {
        try await listAccounts(settings, accessToken, redirect, client)
    }
}
