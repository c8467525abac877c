import PaySyncCore

/// A webhook sink's settings (`docs/sinks/webhook.md`).
public struct WebhookSettings: SinkSettings, Equatable {
    public var url: String
    /// The HMAC-SHA256 key that signs every request.
    public var secret: SecretReference
    /// Writes per request.
    public var batchSize = 100

    public init(url: String, secret: SecretReference) {
        self.url = url
        self.secret = secret
    }

    public var secrets: [SecretRequirement] { [SecretRequirement(key: "secret", reference: secret, purpose: "to sign requests")] }

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> WebhookSettings? {
        let url = reader.url(object, "url", at: path)
        if object["url"] == nil { reader.fail("\(path).url", "is required") }
        let secret = reader.secret(object, "secret", at: path)
        if object["secret"] == nil { reader.fail("\(path).secret", "is required: the key that signs each request, as {\"env\": …} or {\"file\": …}") }
        guard let url, let secret else { return nil }
        var settings = WebhookSettings(url: url, secret: secret)
        if let size = reader.integer(object, "batch_size", at: path, range: 1...1000) { settings.batchSize = size }
        return settings
    }
}

extension WebhookSink {
    /// The webhook sink in the registry: `"kind": "webhook"`.
    public static let descriptor = SinkDescriptor(
        kind: "webhook", keys: ["url", "secret", "batch_size"], objects: .fields(defaults: FieldMappingDefaults.objects),
        documentation: "docs/sinks/webhook.md",
        read: { object, path, reader in WebhookSettings.read(object, at: path, reader: &reader) },
        make: { settings, _, context in
            WebhookSink(name: context.name, settings: settings, secret: try context.secret(settings.secret, key: "secret"), client: context.client)
        }
    )
}
