import PaySyncCore
import PaySyncHTTP

/// Pipedrive's API (v2 for deals, persons, organizations and activities; v1 for notes) with an
/// API token or an OAuth app (`docs/sinks/pipedrive.md`).
public struct PipedriveSettings: SinkSettings, Equatable {
    public static let defaultBaseURL = "https://api.pipedrive.com"
    public static let defaultTokenURL = "https://oauth.pipedrive.com/oauth/token"

    public enum Authentication: Sendable, Equatable {
        /// A user's personal API token, sent as `x-api-token`.
        case apiToken(SecretReference)
        /// An OAuth app's refresh token (Basic client authentication; API calls go to the
        /// `api_domain` the token response names).
        case oauth(clientID: SecretReference, clientSecret: SecretReference, refreshToken: SecretReference)
    }

    public var authentication: Authentication
    public var baseURL = PipedriveSettings.defaultBaseURL
    public var tokenURL = PipedriveSettings.defaultTokenURL
    /// The plan's burst limit per rolling 2 seconds (API token: Lite 20, Growth 40, Premium 80,
    /// Ultimate 120; OAuth apps four times that).
    public var requestsPer2Seconds: Int

    public init(authentication: Authentication) {
        self.authentication = authentication
        if case .oauth = authentication { requestsPer2Seconds = 80 } else { requestsPer2Seconds = 20 }
    }

    public var secrets: [SecretRequirement] {
        switch authentication {
        case .apiToken(let token):
            [SecretRequirement(key: "api_token", reference: token, purpose: "to write to Pipedrive")]
        case .oauth(let id, let secret, let refresh):
            [SecretRequirement(key: "client_id", reference: id, purpose: "to write to Pipedrive"),
             SecretRequirement(key: "client_secret", reference: secret, purpose: "to write to Pipedrive"),
             SecretRequirement(key: "refresh_token", reference: refresh, purpose: "to write to Pipedrive")]
        }
    }

    static let keys = ["api_token", "client_id", "client_secret", "refresh_token", "base_url", "token_url", "requests_per_2_seconds"]
    /// The objects Pipedrive's sink writes, and the search fields each offers besides custom fields.
    static let objects: [String: Set<String>] = ["deals": ["title"], "persons": ["name", "email", "phone"], "organizations": ["name"]]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> PipedriveSettings? {
        let token = reader.secret(object, "api_token", at: path)
        let clientID = reader.secret(object, "client_id", at: path)
        let clientSecret = reader.secret(object, "client_secret", at: path)
        let refreshToken = reader.secret(object, "refresh_token", at: path)
        let baseURL = reader.url(object, "base_url", at: path)
        let tokenURL = reader.url(object, "token_url", at: path)
        let burst = reader.integer(object, "requests_per_2_seconds", at: path, range: 1...1_000)
        for (kind, mapping) in object["objects"]?.objectValue?.members ?? [] {
            guard let name = mapping["object"]?.stringValue, objects[name] == nil else { continue }
            reader.fail("\(path).objects.\(kind).object", "\"\(name)\" is not an object paysync writes in Pipedrive\(Suggestion.didYouMean(name, in: objects.keys.sorted())); objects: \(objects.keys.sorted().joined(separator: ", "))")
        }
        var authentication: Authentication?
        switch (object["api_token"] != nil, object["refresh_token"] != nil || object["client_id"] != nil) {
        case (true, true):
            reader.fail(path, "give either api_token or an OAuth app's client_id, client_secret and refresh_token, not both")
        case (true, false):
            authentication = token.map(Authentication.apiToken)
        case (false, true):
            for key in ["client_id", "client_secret", "refresh_token"] where object[key] == nil {
                reader.fail("\(path).\(key)", "is required for an OAuth app (or use api_token)")
            }
            if let clientID, let clientSecret, let refreshToken { authentication = .oauth(clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken) }
        case (false, false):
            reader.fail("\(path).api_token", "is required: a Pipedrive API token (Personal preferences → API), or an OAuth app's client_id, client_secret and refresh_token")
        }
        guard let authentication else { return nil }
        var settings = PipedriveSettings(authentication: authentication)
        if let baseURL { settings.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL }
        if let tokenURL { settings.tokenURL = tokenURL }
        if let burst { settings.requestsPer2Seconds = burst }
        return settings
    }
}

extension PipedriveSink {
    /// Pipedrive in the registry: `"kind": "pipedrive"`.
    public static let descriptor = SinkDescriptor(
        kind: "pipedrive", keys: PipedriveSettings.keys, objects: .crm(extraKeys: []), documentation: "docs/sinks/pipedrive.md",
        read: { object, path, reader in PipedriveSettings.read(object, at: path, reader: &reader) },
        make: { settings, objects, context in
            let tokens: any AccessTokenProvider
            switch settings.authentication {
            case .apiToken(let token):
                tokens = StaticTokenProvider(try context.secret(token, key: "api_token"))
            case .oauth(let clientID, let clientSecret, let refreshToken):
                tokens = try context.refreshTokenProvider(tokenURL: settings.tokenURL, clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken,
                                                          storeKey: "pipedrive:\(context.name)", purpose: "to write to Pipedrive", instanceField: "api_domain")
            }
            return PipedriveSink(name: context.name, settings: settings, mappings: objects.compactMapValues(\.crm), tokens: tokens,
                                 recordIDs: context.recordIDs, client: context.client)
        }
    )
}

extension SinkConfiguration {
    /// A Pipedrive sink as the config would describe it (for tests that build configs in code).
    public static func pipedrive(name: String, _ settings: PipedriveSettings, objects: [ObjectKind: ObjectMapping]) -> SinkConfiguration {
        SinkConfiguration(name: name, kind: PipedriveSink.descriptor.kind, settings: settings, objects: objects)
    }
}
