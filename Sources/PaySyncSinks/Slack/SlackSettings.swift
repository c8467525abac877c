import PaySyncCore

/// A Slack route's settings (`"kind": "slack"`): an incoming webhook (its URL is the secret), and
/// how many messages one batch may post before they become one digest. `docs/sinks/slack.md`.
public struct SlackSettings: SinkSettings, Equatable {
    public var webhookURL: SecretReference
    /// More messages than this in one batch are posted as one digest listing this many.
    public var digestAfter = 10
    /// Writes handed over at once (the digest counts within one of these).
    public var batchSize = 500

    public init(webhookURL: SecretReference) {
        self.webhookURL = webhookURL
    }

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "webhook_url", reference: webhookURL, purpose: "to post to Slack (the incoming webhook's URL is its secret)")]
    }

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> SlackSettings? {
        let url = reader.secret(object, "webhook_url", at: path)
        if object["webhook_url"] == nil {
            reader.fail("\(path).webhook_url", "is required: the incoming webhook's URL, as {\"env\": …} or {\"file\": …} (it is a secret)")
        }
        guard let url else { return nil }
        var settings = SlackSettings(webhookURL: url)
        if let limit = reader.integer(object, "digest_after", at: path, range: 1...100) { settings.digestAfter = limit }
        if let size = reader.integer(object, "batch_size", at: path, range: 1...1000) { settings.batchSize = size }
        return settings
    }
}
