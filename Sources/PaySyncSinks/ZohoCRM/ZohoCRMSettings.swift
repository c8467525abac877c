import PaySyncCore
import PaySyncHTTP

/// Zoho CRM's REST API (v8) with a self-client or server-based OAuth client
/// (`docs/sinks/zoho-crm.md`).
public struct ZohoCRMSettings: SinkSettings, Equatable {
    /// The accounts server of the org's data centre (US; `.eu`, `.in`, `.com.au`, `.jp`, `.com.cn`,
    /// `zohocloud.ca` elsewhere). API calls go to the `api_domain` its token response names.
    public static let defaultAccountsURL = "https://accounts.zoho.com"
    public static let defaultAPIVersion = "v8"

    public var accountsURL = ZohoCRMSettings.defaultAccountsURL
    public var clientID: SecretReference
    public var clientSecret: SecretReference
    public var refreshToken: SecretReference
    public var apiVersion = ZohoCRMSettings.defaultAPIVersion
    /// Calls in flight at once: the plan's concurrency limit per org and app (Free 5, Standard
    /// 10, Professional 15); paysync stays at or under it rather than earn 429s.
    public var concurrentCalls = 5
    /// Which automations a write may start (`workflow`, `approval`, `blueprint`,
    /// `orchestration`); nil leaves Zoho's default, an empty list starts none.
    public var triggers: [String]?

    public init(clientID: SecretReference, clientSecret: SecretReference, refreshToken: SecretReference) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
    }

    public var tokenURL: String { accountsURL + "/oauth/v2/token" }

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "client_id", reference: clientID, purpose: "to write to Zoho CRM"),
         SecretRequirement(key: "client_secret", reference: clientSecret, purpose: "to write to Zoho CRM"),
         SecretRequirement(key: "refresh_token", reference: refreshToken, purpose: "to write to Zoho CRM")]
    }

    static let keys = ["accounts_url", "client_id", "client_secret", "refresh_token", "api_version", "concurrent_calls", "triggers"]
    static let triggerNames = ["workflow", "approval", "blueprint", "orchestration"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> ZohoCRMSettings? {
        let clientID = reader.secret(object, "client_id", at: path)
        let clientSecret = reader.secret(object, "client_secret", at: path)
        let refreshToken = reader.secret(object, "refresh_token", at: path)
        for (key, what) in [("client_id", "the API console client's id"), ("client_secret", "the client's secret"),
                            ("refresh_token", "from the self-client's grant token, exchanged once (see docs/sinks/zoho-crm.md)")] where object[key] == nil {
            reader.fail("\(path).\(key)", "is required (\(what))")
        }
        // Every key is read (and its mistakes reported) before a missing one ends the reading.
        let accountsURL = reader.url(object, "accounts_url", at: path)
        var apiVersion: String?
        if let version = reader.string(object, "api_version", at: path) {
            if version.hasPrefix("v"), Int(version.dropFirst()).map({ $0 >= 2 }) == true { apiVersion = version }
            else { reader.fail("\(path).api_version", "\"\(version)\" is not an API version such as \"v8\"") }
        }
        let concurrentCalls = reader.integer(object, "concurrent_calls", at: path, range: 1...25)
        let triggers = reader.strings(object, "triggers", at: path)
        for (index, name) in (triggers ?? []).enumerated() where !triggerNames.contains(name) {
            reader.fail("\(path).triggers[\(index)]", "\"\(name)\" is not a trigger\(Suggestion.didYouMean(name, in: triggerNames)); triggers: \(triggerNames.joined(separator: ", "))")
        }
        guard let clientID, let clientSecret, let refreshToken else { return nil }
        var settings = ZohoCRMSettings(clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken)
        if let accountsURL { settings.accountsURL = accountsURL.hasSuffix("/") ? String(accountsURL.dropLast()) : accountsURL }
        if let apiVersion { settings.apiVersion = apiVersion }
        if let concurrentCalls { settings.concurrentCalls = concurrentCalls }
        settings.triggers = triggers
        return settings
    }
}

extension ZohoCRMSink {
    /// Zoho CRM in the registry: `"kind": "zoho-crm"`.
    public static let descriptor = SinkDescriptor(
        kind: "zoho-crm", keys: ZohoCRMSettings.keys, objects: .crm(extraKeys: []), documentation: "docs/sinks/zoho-crm.md",
        read: { object, path, reader in ZohoCRMSettings.read(object, at: path, reader: &reader) },
        make: { settings, objects, context in
            // Zoho allows ten access tokens per refresh token in ten minutes: the token (and the
            // api_domain it came with) is kept in the ledger for its hour, across runs.
            let tokens = try context.refreshTokenProvider(
                tokenURL: settings.tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret, refreshToken: settings.refreshToken,
                storeKey: "zoho-crm:\(context.name)", purpose: "to write to Zoho CRM", style: .formBody, refreshAheadSeconds: 120, instanceField: "api_domain")
            return ZohoCRMSink(name: context.name, settings: settings, mappings: objects.compactMapValues(\.crm), tokens: tokens, client: context.client)
        }
    )
}

extension SinkConfiguration {
    /// A Zoho CRM sink as the config would describe it (for tests that build configs in code).
    public static func zohoCRM(name: String, _ settings: ZohoCRMSettings, objects: [ObjectKind: ObjectMapping]) -> SinkConfiguration {
        SinkConfiguration(name: name, kind: ZohoCRMSink.descriptor.kind, settings: settings, objects: objects)
    }
}
