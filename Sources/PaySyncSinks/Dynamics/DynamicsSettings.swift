import PaySyncCore
import PaySyncHTTP

/// Microsoft Dynamics 365 / Dataverse Web API v9.2 with an application user's client credentials
/// from Microsoft Entra ID (`docs/sinks/dynamics.md`).
public struct DynamicsSettings: SinkSettings, Equatable {
    public static let defaultAuthorityURL = "https://login.microsoftonline.com"
    public static let defaultAPIVersion = "v9.2"

    /// The environment (`https://contoso.crm4.dynamics.com`): API calls go to
    /// `{environment_url}/api/data/v9.2/`, and the token's scope is `{environment_url}/.default`.
    public var environmentURL: String
    public var tenantID: String
    public var clientID: SecretReference
    public var clientSecret: SecretReference
    public var authorityURL = DynamicsSettings.defaultAuthorityURL
    public var apiVersion = DynamicsSettings.defaultAPIVersion
    /// Per mapped entity set, its table's logical name where the config names it
    /// (`objects.KIND.logical_name`); otherwise the set name made singular.
    public var logicalNames: [String: String] = [:]

    public init(environmentURL: String, tenantID: String, clientID: SecretReference, clientSecret: SecretReference) {
        self.environmentURL = environmentURL
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public var tokenURL: String { "\(authorityURL)/\(tenantID)/oauth2/v2.0/token" }
    public var scope: String { environmentURL + "/.default" }

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "client_id", reference: clientID, purpose: "to write to Dynamics 365"),
         SecretRequirement(key: "client_secret", reference: clientSecret, purpose: "to write to Dynamics 365")]
    }

    /// A table's logical name: the config's, else the entity set name made singular
    /// (`opportunities` → `opportunity`, `contoso_invoices` → `contoso_invoice`).
    public func logicalName(of set: String) -> String {
        if let name = logicalNames[set] { return name }
        if set.hasSuffix("ies") { return String(set.dropLast(3)) + "y" }
        if set.hasSuffix("sses") || set.hasSuffix("xes") || set.hasSuffix("ches") || set.hasSuffix("shes") { return String(set.dropLast(2)) }
        if set.hasSuffix("s") { return String(set.dropLast()) }
        return set
    }

    static let keys = ["environment_url", "tenant_id", "client_id", "client_secret", "authority_url", "api_version"]
    static let objectKeys = ["logical_name"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> DynamicsSettings? {
        let environment = reader.url(object, "environment_url", at: path)
        if object["environment_url"] == nil { reader.fail("\(path).environment_url", "is required: the environment's URL, such as https://contoso.crm4.dynamics.com") }
        let tenant = reader.string(object, "tenant_id", at: path)
        if object["tenant_id"] == nil { reader.fail("\(path).tenant_id", "is required: the Microsoft Entra tenant (directory) id") }
        let clientID = reader.secret(object, "client_id", at: path)
        let clientSecret = reader.secret(object, "client_secret", at: path)
        if object["client_id"] == nil { reader.fail("\(path).client_id", "is required (the app registration's application id)") }
        if object["client_secret"] == nil { reader.fail("\(path).client_secret", "is required (a client secret of the app registration)") }
        let authority = reader.url(object, "authority_url", at: path)
        var version: String?
        if let text = reader.string(object, "api_version", at: path) {
            if text.hasPrefix("v"), Double(text.dropFirst()) != nil { version = text }
            else { reader.fail("\(path).api_version", "\"\(text)\" is not an API version such as \"v9.2\"") }
        }
        var logicalNames: [String: String] = [:]
        for (kind, mapping) in object["objects"]?.objectValue?.members ?? [] {
            guard let mapping = mapping.objectValue, let set = mapping["object"]?.stringValue,
                  let name = reader.string(mapping, "logical_name", at: "\(path).objects.\(kind)") else { continue }
            logicalNames[set] = name
        }
        guard let environment, let tenant, let clientID, let clientSecret else { return nil }
        var settings = DynamicsSettings(environmentURL: environment.hasSuffix("/") ? String(environment.dropLast()) : environment,
                                        tenantID: tenant, clientID: clientID, clientSecret: clientSecret)
        if let authority { settings.authorityURL = authority.hasSuffix("/") ? String(authority.dropLast()) : authority }
        if let version { settings.apiVersion = version }
        settings.logicalNames = logicalNames
        return settings
    }
}

extension DynamicsSink {
    /// Dynamics 365 in the registry: `"kind": "dynamics"`.
    public static let descriptor = SinkDescriptor(
        kind: "dynamics", keys: DynamicsSettings.keys, objects: .crm(extraKeys: DynamicsSettings.objectKeys), documentation: "docs/sinks/dynamics.md",
        read: { object, path, reader in DynamicsSettings.read(object, at: path, reader: &reader) },
        make: { settings, objects, context in
            let tokens = try context.clientCredentialsProvider(
                tokenURL: settings.tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret, storeKey: "dynamics:\(context.name)",
                purpose: "to write to Dynamics 365", scope: settings.scope, credentialsInBody: true)
            return DynamicsSink(name: context.name, settings: settings, mappings: objects.compactMapValues(\.crm), tokens: tokens, client: context.client)
        }
    )
}

extension SinkConfiguration {
    /// A Dynamics 365 sink as the config would describe it (for tests that build configs in code).
    public static func dynamics(name: String, _ settings: DynamicsSettings, objects: [ObjectKind: ObjectMapping]) -> SinkConfiguration {
        SinkConfiguration(name: name, kind: DynamicsSink.descriptor.kind, settings: settings, objects: objects)
    }
}
