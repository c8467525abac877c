import Foundation
import PaySyncCore

/// What a descriptor gets to build its source or sink: the HTTP client (retries, limits, the
/// transport), the credential store, the environment's variables, and the rules for when no
/// credential is needed (a fixture replay for sources, a dry run for sinks).
public struct BuildContext: Sendable {
    /// The config name of the source or sink (`xero-uk`), used as its label in logs and errors.
    public let name: String
    /// The config key path errors name (`sources[xero-uk]`).
    public let configPath: String
    /// The config file, for `ConfigError`s.
    public let configFile: String
    public let client: HTTPClient
    /// Where OAuth tokens persist (the ledger's credentials table).
    public let credentials: any CredentialStore
    /// Where a sink keeps the CRM's ids of record keys it has found (the ledger's
    /// `crm_record_ids`).
    public let recordIDs: any CRMRecordIDStore
    /// Where `{"env": "NAME"}` references are looked up.
    public let variables: [String: String]
    /// True when this component will make no authenticated call (fixtures replayed, or a dry
    /// run that never calls a sink): secrets are then neither required nor read.
    public let needsNoCredentials: Bool

    public init(name: String, configPath: String, configFile: String, client: HTTPClient, credentials: any CredentialStore,
                recordIDs: any CRMRecordIDStore = InMemoryCRMRecordIDStore(), variables: [String: String], needsNoCredentials: Bool) {
        self.name = name
        self.configPath = configPath
        self.configFile = configFile
        self.client = client
        self.credentials = credentials
        self.recordIDs = recordIDs
        self.variables = variables
        self.needsNoCredentials = needsNoCredentials
    }

    /// Reads a secret the component needs. A missing reference is a config error naming the key
    /// and `purpose` ("is required to reach Xero"); when no credential is needed, a placeholder
    /// that is never sent.
    public func secret(_ reference: SecretReference?, key: String, purpose: String = "") throws -> Secret {
        if needsNoCredentials { return Secret("unused-\(key)") }
        guard let reference else {
            throw ConfigError(file: configFile, issues: [ConfigIssue(path: "\(configPath).\(key)", message: "is required" + (purpose.isEmpty ? "" : " \(purpose)"))])
        }
        return try reference.resolve(configPath: "\(configPath).\(key)", environment: variables)
    }

    /// A URL from the config, or a config error naming the key.
    public func url(_ text: String, key: String) throws -> URL {
        guard let url = URL(string: text) else {
            throw ConfigError(file: configFile, issues: [ConfigIssue(path: "\(configPath).\(key)", message: "is not a URL")])
        }
        return url
    }

    /// Bearer tokens from an OAuth 2.0 refresh-token grant whose rotated refresh tokens are
    /// stored before use (under `storeKey`); a fixed placeholder when no credential is needed
    /// (recordings never hold tokens).
    public func refreshTokenProvider(tokenURL: String, clientID: SecretReference?, clientSecret: SecretReference?,
                                     refreshToken: SecretReference?, storeKey: String, purpose: String,
                                     style: OAuth2RefreshTokenProvider.TokenRequestStyle = .form, refreshAheadSeconds: Double = 60,
                                     instanceField: String? = nil, redirectURI: String? = nil) throws -> any AccessTokenProvider {
        if needsNoCredentials { return StaticTokenProvider(Secret("fixture-replay")) }
        let url = try url(tokenURL, key: "token_url")
        return OAuth2RefreshTokenProvider(
            configuration: .init(
                label: name, tokenURL: url,
                clientID: try secret(clientID, key: "client_id", purpose: purpose),
                clientSecret: try secret(clientSecret, key: "client_secret", purpose: purpose),
                seedRefreshToken: try secret(refreshToken, key: "refresh_token", purpose: purpose), storeKey: storeKey,
                style: style, refreshAheadSeconds: refreshAheadSeconds, instanceField: instanceField, redirectURI: redirectURI
            ),
            store: credentials,
            client: client
        )
    }

    /// Bearer tokens from an OAuth 2.0 client-credentials grant, cached in the credential store
    /// until they expire; a fixed placeholder when no credential is needed.
    public func clientCredentialsProvider(tokenURL: String, clientID: SecretReference?, clientSecret: SecretReference?, storeKey: String,
                                          purpose: String, scope: String? = nil, credentialsInBody: Bool = false) throws -> any AccessTokenProvider {
        if needsNoCredentials { return StaticTokenProvider(Secret("fixture-replay")) }
        return ClientCredentialsTokenProvider(
            configuration: .init(label: name, tokenURL: try url(tokenURL, key: "token_url"),
                                 clientID: try secret(clientID, key: "client_id", purpose: purpose),
                                 clientSecret: try secret(clientSecret, key: "client_secret", purpose: purpose), storeKey: storeKey,
                                 scope: scope, credentialsInBody: credentialsInBody),
            store: credentials, client: client)
    }
}
