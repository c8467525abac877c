import Foundation
import PaySyncCore
import PaySyncHTTP

/// Posts a message to a Slack channel (an incoming webhook) for each transition its route names,
/// through the outbox like any sink: once per transition, never for the history a first sync
/// imports, and never twice after a crash beyond the batch in flight. A batch with more messages
/// than `digest_after` is posted as one digest ("12 updates: …, and 2 more") so a busy run never
/// floods the channel. Slack's 429 is waited out as its `Retry-After` says.
public struct SlackSink: Sink {
    public let name: String
    public let settings: SlackSettings
    private let url: Secret
    private let client: HTTPClient

    public var calls: CallCounter { client.counter }
    public var maxBatchSize: Int { settings.batchSize }

    public init(name: String, settings: SlackSettings, url: Secret, client: HTTPClient) {
        self.name = name
        self.settings = settings
        self.url = url
        self.client = client
    }

    /// The digest of many messages: how many, up to `limit` of them, and how many more.
    public static func digest(_ messages: [String], limit: Int) -> String {
        var lines = ["\(messages.count) payment updates:"]
        lines += messages.prefix(limit).map { "• " + $0 }
        if messages.count > limit { lines.append("…and \(messages.count - limit) more") }
        return lines.joined(separator: "\n")
    }

    public func send(_ writes: [CoalescedWrite]) async throws -> [WriteOutcome] {
        // Field changes carry no message: a route's messages are its actions.
        let messageIndexes = writes.indices.filter { writes[$0].action?.body != nil }
        var outcomes = writes.map { _ in WriteOutcome.notMapped }
        guard !messageIndexes.isEmpty else { return outcomes }
        let texts = messageIndexes.map { writes[$0].action?.body ?? "" }
        if texts.count > settings.digestAfter {
            try await post(SlackSink.digest(texts, limit: settings.digestAfter))
            for index in messageIndexes { outcomes[index] = .delivered }
            return outcomes
        }
        for (position, index) in messageIndexes.enumerated() {
            do {
                try await post(texts[position])
                outcomes[index] = .delivered
            } catch {
                // What was posted stays posted; the rest wait for the next run. The first
                // failure of a batch ends it, as for a sink that takes a batch in one call.
                if position == 0 { throw error }
                for rest in messageIndexes[position...] { outcomes[rest] = .retryable("\(error)") }
                return outcomes
            }
        }
        return outcomes
    }

    func post(_ text: String) async throws {
        guard let target = URL(string: url.reveal()) else {
            throw SinkError(sink: name, message: "webhook_url is not a URL", exitCode: .configuration)
        }
        let body = Data(JSONWriter.compact(.object(JSONObject([("text", .string(text))]))).utf8)
        let response = try await client.send(HTTPRequest(method: "POST", url: target, headers: ["Content-Type": "application/json"], body: body,
                                                                 pathIsSecret: true))
        guard response.isSuccess else {
            // Slack answers in a word: no_service (the webhook was removed), channel_is_archived,
            // action_prohibited, invalid_payload.
            let word = String(decoding: response.body.prefix(80), as: UTF8.self)
            let exit: ExitCode = [403, 404, 410].contains(response.status) ? .authenticationFailed : .unavailable
            throw SinkError(sink: name, message: "Slack answered HTTP \(response.status) (\(word)); the messages stay queued"
                            + (exit == .authenticationFailed ? ": create a new incoming webhook for the channel and update webhook_url" : ""),
                            exitCode: exit)
        }
    }
}

extension SlackSink {
    /// Slack in the registry: `"kind": "slack"`.
    public static let descriptor = SinkDescriptor(
        kind: "slack", keys: ["webhook_url", "digest_after", "batch_size"], objects: .messages, documentation: "docs/sinks/slack.md",
        read: { object, path, reader in SlackSettings.read(object, at: path, reader: &reader) },
        make: { settings, _, context in
            SlackSink(name: context.name, settings: settings, url: try context.secret(settings.webhookURL, key: "webhook_url"), client: context.client)
        }
    )
}
