import Foundation
import PaySyncCore
import PaySyncHTTP

/// POSTs each batch of writes as one signed JSON document to a URL (Zapier, n8n, Make, an
/// in-house service). A 2xx delivers the batch; any other answer leaves it queued for a later
/// attempt. Format and signature: `docs/sinks/webhook.md`.
public struct WebhookSink: Sink {
    public let name: String
    public let settings: WebhookSettings
    private let secret: Secret
    private let client: HTTPClient

    public var calls: CallCounter { client.counter }

    public var maxBatchSize: Int { settings.batchSize }

    public init(name: String, settings: WebhookSettings, secret: Secret, client: HTTPClient) {
        self.name = name
        self.settings = settings
        self.secret = secret
        self.client = client
    }

    /// The request body for a batch.
    public static func body(sink: String, writes: [CoalescedWrite], sentAt: Timestamp) -> JSONValue {
        .object(JSONObject([
            ("sink", .string(sink)),
            ("sent_at", .string(sentAt.iso8601)),
            ("writes", .array(writes.map { write in
                var members: [(key: String, value: JSONValue)] = [
                    ("idempotency_key", .string(WebhookSignature.idempotencyKey(writeKeys: write.writeKeys))),
                    ("record", .string(write.recordKey)), ("object", .string(write.objectKey.description)),
                    ("kind", .string(write.objectKey.kind.rawValue)), ("provider", .string(write.objectKey.provider)),
                    ("from", write.fromStatus.map { .string($0.rawValue) } ?? .null), ("to", .string(write.toStatus.rawValue)),
                    ("changes", .object(JSONObject(write.changes.map { change in
                        (change.field.rawValue, ["old": change.old.map(JSONValue.string) ?? .null, "new": change.new.map(JSONValue.string) ?? .null])
                    }))),
                ]
                if let action = write.action {
                    members.append(("action", ["kind": .string(action.kind), "subject": action.subject.map(JSONValue.string) ?? .null,
                                               "body": action.body.map(JSONValue.string) ?? .null]))
                }
                return .object(JSONObject(members))
            })),
        ]))
    }

    public func send(_ writes: [CoalescedWrite]) async throws -> [WriteOutcome] {
        guard let url = URL(string: settings.url) else {
            throw SinkError(sink: name, message: "url \(settings.url) is not a URL", exitCode: .configuration)
        }
        let now = client.environment.now()
        let body = Array(JSONWriter.compact(WebhookSink.body(sink: name, writes: writes, sentAt: now)).utf8)
        let keys = writes.map { WebhookSignature.idempotencyKey(writeKeys: $0.writeKeys) }
        let request = HTTPRequest(method: "POST", url: url, headers: [
            "Content-Type": "application/json",
            WebhookSignature.header: WebhookSignature.sign(body: body, timestamp: now.secondsSinceEpoch, secret: secret),
            "Idempotency-Key": String(HMACSHA256.hex(SHA256.hash(Array(keys.joined(separator: ",").utf8))).prefix(32)),
            "User-Agent": "paysync",
        ], body: Data(body))
        let response = try await client.send(request)
        if response.isSuccess { return writes.map { _ in .delivered } }
        let reason = "webhook answered HTTP \(response.status): \(Redaction.redactedJSONText(response.body, limit: 200))"
        return writes.map { _ in .retryable(reason) }
    }
}
