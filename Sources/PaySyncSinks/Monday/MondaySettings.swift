import PaySyncCore
import PaySyncHTTP

/// monday.com's GraphQL API with a personal (or OAuth) token (`docs/sinks/monday.md`).
public struct MondaySettings: SinkSettings, Equatable {
    public static let defaultAPIURL = "https://api.monday.com/v2"
    /// The pinned API version (`API-Version` header).
    public static let defaultAPIVersion = "2025-04"

    public var token: SecretReference
    public var apiURL = MondaySettings.defaultAPIURL
    public var apiVersion = MondaySettings.defaultAPIVersion
    /// The most aliased mutations one request carries, whatever the complexity budget allows.
    public var maxMutationsPerRequest = 100

    public init(token: SecretReference) {
        self.token = token
    }

    public var secrets: [SecretRequirement] { [SecretRequirement(key: "token", reference: token, purpose: "to write to monday.com")] }

    static let keys = ["token", "api_url", "api_version", "max_mutations_per_request"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> MondaySettings? {
        let token = reader.secret(object, "token", at: path)
        if object["token"] == nil { reader.fail("\(path).token", "is required: an API token (profile picture → Developers → My access tokens), as {\"file\": \"PATH\"}") }
        let url = reader.url(object, "api_url", at: path)
        var version: String?
        if let text = reader.string(object, "api_version", at: path) {
            if text.count == 7, text.split(separator: "-").count == 2, text.split(separator: "-").allSatisfy({ Int($0) != nil }) { version = text }
            else { reader.fail("\(path).api_version", "\"\(text)\" is not an API version such as \"2025-04\"") }
        }
        let most = reader.integer(object, "max_mutations_per_request", at: path, range: 1...200)
        for (kind, mapping) in object["objects"]?.objectValue?.members ?? [] {
            guard let board = mapping["object"]?.stringValue, Int64(board) == nil else { continue }
            reader.fail("\(path).objects.\(kind).object", "\"\(board)\" is not a board id: use the number in the board's URL (…/boards/1234567890)")
        }
        guard let token else { return nil }
        var settings = MondaySettings(token: token)
        if let url { settings.apiURL = url }
        if let version { settings.apiVersion = version }
        if let most { settings.maxMutationsPerRequest = most }
        return settings
    }
}

extension MondaySink {
    /// monday.com in the registry: `"kind": "monday"`.
    public static let descriptor = SinkDescriptor(
        kind: "monday", keys: MondaySettings.keys, objects: .crm(extraKeys: []), documentation: "docs/sinks/monday.md",
        read: { object, path, reader in MondaySettings.read(object, at: path, reader: &reader) },
        make: { settings, objects, context in
            MondaySink(name: context.name, settings: settings, mappings: objects.compactMapValues(\.crm),
                       token: try context.secret(settings.token, key: "token"), recordIDs: context.recordIDs, client: context.client)
        }
    )
}

extension SinkConfiguration {
    /// A monday.com sink as the config would describe it (for tests that build configs in code).
    public static func monday(name: String, _ settings: MondaySettings, objects: [ObjectKind: ObjectMapping]) -> SinkConfiguration {
        SinkConfiguration(name: name, kind: MondaySink.descriptor.kind, settings: settings, objects: objects)
    }
}
