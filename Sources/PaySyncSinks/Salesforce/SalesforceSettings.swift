import PaySyncCore
import PaySyncHTTP

/// Salesforce REST API (sObject Collections) with OAuth 2.0 (`docs/sinks/salesforce.md`).
public struct SalesforceSettings: SinkSettings, Equatable {
    public static let defaultTokenURL = "https://login.salesforce.com/services/oauth2/token"
    /// The pinned REST API version (Winter '25).
    public static let defaultAPIVersion = "v62.0"

    public enum Grant: String, Sendable, CaseIterable {
        case refreshToken = "refresh_token"
        case clientCredentials = "client_credentials"
    }

    public var tokenURL = SalesforceSettings.defaultTokenURL
    public var grant: Grant
    public var clientID: SecretReference
    public var clientSecret: SecretReference
    public var refreshToken: SecretReference?
    public var apiVersion = SalesforceSettings.defaultAPIVersion

    public init(grant: Grant, clientID: SecretReference, clientSecret: SecretReference, refreshToken: SecretReference?) {
        self.grant = grant
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
    }

    public var secrets: [SecretRequirement] {
        var list = [SecretRequirement(key: "client_id", reference: clientID, purpose: "to write to Salesforce"),
                    SecretRequirement(key: "client_secret", reference: clientSecret, purpose: "to write to Salesforce")]
        if grant == .refreshToken { list.append(SecretRequirement(key: "refresh_token", reference: refreshToken, purpose: "for grant \"refresh_token\"")) }
        return list
    }

    static let keys = ["token_url", "grant", "client_id", "client_secret", "refresh_token", "api_version"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> SalesforceSettings? {
        let grantName = reader.string(object, "grant", at: path) ?? "refresh_token"
        let grants = Dictionary(uniqueKeysWithValues: Grant.allCases.map { ($0.rawValue, $0) })
        let grant = reader.choice(grantName, at: "\(path).grant", from: grants, noun: "grant")
        let clientID = reader.secret(object, "client_id", at: path)
        let clientSecret = reader.secret(object, "client_secret", at: path)
        let refreshToken = reader.secret(object, "refresh_token", at: path)
        if object["client_id"] == nil { reader.fail("\(path).client_id", "is required (the connected app's consumer key)") }
        if object["client_secret"] == nil { reader.fail("\(path).client_secret", "is required (the connected app's consumer secret)") }
        if grant == .refreshToken && object["refresh_token"] == nil {
            reader.fail("\(path).refresh_token", "is required for grant \"refresh_token\" (or use \"grant\": \"client_credentials\")")
        }
        guard let grant, let clientID, let clientSecret else { return nil }
        var settings = SalesforceSettings(grant: grant, clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken)
        if let url = reader.url(object, "token_url", at: path) { settings.tokenURL = url }
        if let version = reader.string(object, "api_version", at: path) {
            if version.hasPrefix("v"), Double(version.dropFirst()) != nil { settings.apiVersion = version }
            else { reader.fail("\(path).api_version", "\"\(version)\" is not an API version such as \"v62.0\"") }
        }
        return settings
    }
}

extension SalesforceSink {
    /// Salesforce in the registry: `"kind": "salesforce"`.
    public static let descriptor = SinkDescriptor(
        kind: "salesforce", keys: SalesforceSettings.keys, objects: .crm(extraKeys: []), documentation: "docs/sinks/salesforce.md",
        read: { object, path, reader in SalesforceSettings.read(object, at: path, reader: &reader) },
        make: { settings, objects, context in
            let client = context.client
            let session = SalesforceSession(credentials: .init(
                label: context.name, tokenURL: try context.url(settings.tokenURL, key: "token_url"), grant: settings.grant,
                clientID: try context.secret(settings.clientID, key: "client_id"),
                clientSecret: try context.secret(settings.clientSecret, key: "client_secret"),
                refreshToken: settings.grant == .refreshToken ? try context.secret(settings.refreshToken, key: "refresh_token") : nil
            ), client: HTTPClient(transport: client.transport, policy: client.policy, environment: client.environment, logger: client.logger),
               store: context.credentials, storeKey: "salesforce:\(context.name)")
            // The session's token calls are counted apart from the data calls.
            return SalesforceSink(name: context.name, settings: settings, mappings: objects.compactMapValues(\.crm), session: session, client: client)
        }
    )
}

extension SinkConfiguration {
    /// A Salesforce sink as the config would describe it (for tests that build configs in code).
    public static func salesforce(name: String, _ settings: SalesforceSettings, objects: [ObjectKind: ObjectMapping]) -> SinkConfiguration {
        SinkConfiguration(name: name, kind: SalesforceSink.descriptor.kind, settings: settings, objects: objects)
    }
}
