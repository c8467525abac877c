import PaySyncCore

/// HubSpot CRM v3 objects API with a private-app (or OAuth) bearer token (`docs/sinks/hubspot.md`).
public struct HubSpotSettings: SinkSettings, Equatable {
    public static let defaultBaseURL = "https://api.hubapi.com"

    public var token: SecretReference
    public var baseURL = HubSpotSettings.defaultBaseURL
    /// The objects API prefix (`/crm/v3/objects`, or a date-versioned `/crm/objects/2026-03`).
    public var objectsPath = "/crm/v3/objects"
    /// The account's burst limit: requests per rolling 10 seconds (Free/Starter 100, Professional
    /// and Enterprise 190).
    public var requestsPer10Seconds = 100
    /// Association type ids for tasks and notes, by CRM object, where the config names them
    /// (`objects.KIND.task_association_type_id`); HubSpot's defaults otherwise.
    public var associationTypes: [String: AssociationTypes] = [:]

    /// HubSpot association type ids (task → object, note → object).
    public struct AssociationTypes: Sendable, Equatable {
        public var task: Int?
        public var note: Int?

        public init(task: Int? = nil, note: Int? = nil) {
            self.task = task
            self.note = note
        }
    }

    public init(token: SecretReference) {
        self.token = token
    }

    public var secrets: [SecretRequirement] { [SecretRequirement(key: "token", reference: token, purpose: "to write to HubSpot")] }

    static let keys = ["token", "base_url", "objects_path", "requests_per_10_seconds"]
    /// Per-object keys HubSpot reads besides the shared CRM mapping's.
    static let objectKeys = ["task_association_type_id", "note_association_type_id"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> HubSpotSettings? {
        guard let token = reader.secret(object, "token", at: path) else {
            if object["token"] == nil { reader.fail("\(path).token", "is required: a private-app token, as {\"env\": \"HUBSPOT_TOKEN\"} or {\"file\": \"PATH\"}") }
            return nil
        }
        var settings = HubSpotSettings(token: token)
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let prefix = reader.string(object, "objects_path", at: path) {
            settings.objectsPath = prefix.hasPrefix("/") ? String(prefix.reversed().drop { $0 == "/" }.reversed()) : "/" + prefix
        }
        if let limit = reader.integer(object, "requests_per_10_seconds", at: path, range: 1...10_000) { settings.requestsPer10Seconds = limit }
        for (kind, mapping) in object["objects"]?.objectValue?.members ?? [] {
            guard let mapping = mapping.objectValue, let crmObject = mapping["object"]?.stringValue else { continue }
            let mappingPath = "\(path).objects.\(kind)"
            let task = reader.integer(mapping, "task_association_type_id", at: mappingPath, range: 1...1_000_000)
            let note = reader.integer(mapping, "note_association_type_id", at: mappingPath, range: 1...1_000_000)
            if task != nil || note != nil { settings.associationTypes[crmObject] = AssociationTypes(task: task, note: note) }
        }
        return settings
    }
}

extension HubSpotSink {
    /// HubSpot in the registry: `"kind": "hubspot"`.
    public static let descriptor = SinkDescriptor(
        kind: "hubspot", keys: HubSpotSettings.keys, objects: .crm(extraKeys: HubSpotSettings.objectKeys), documentation: "docs/sinks/hubspot.md",
        read: { object, path, reader in HubSpotSettings.read(object, at: path, reader: &reader) },
        make: { settings, objects, context in
            HubSpotSink(name: context.name, settings: settings, mappings: objects.compactMapValues(\.crm),
                        token: try context.secret(settings.token, key: "token"), client: context.client)
        }
    )
}

extension SinkConfiguration {
    /// A HubSpot sink as the config would describe it (for tests that build configs in code).
    public static func hubspot(name: String, _ settings: HubSpotSettings, objects: [ObjectKind: ObjectMapping]) -> SinkConfiguration {
        SinkConfiguration(name: name, kind: HubSpotSink.descriptor.kind, settings: settings, objects: objects)
    }
}
