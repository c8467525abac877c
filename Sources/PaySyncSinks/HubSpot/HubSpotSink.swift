import Foundation
import PaySyncCore
import PaySyncHTTP

/// Writes to HubSpot's CRM v3 objects API: batch update (or upsert, when the mapping creates
/// missing records) by a unique `idProperty`, up to 100 inputs a call, with per-record results
/// from 200 and 207 responses. Tasks and notes for actions are created in batches too, on the
/// record's owner. See `docs/sinks/hubspot.md`.
public struct HubSpotSink: Sink {
    public let name: String
    public let settings: HubSpotSettings
    public let mappings: [ObjectKind: CRMObjectMapping]
    private let client: HTTPClient
    private let sender: AuthorizedSender

    public var calls: CallCounter { client.counter }
    private let limiter: RateLimiter

    public var maxBatchSize: Int { 100 }

    public init(name: String, settings: HubSpotSettings, mappings: [ObjectKind: CRMObjectMapping], token: Secret, client: HTTPClient) {
        self.name = name
        self.settings = settings
        self.mappings = mappings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "HubSpot", client: client, tokens: StaticTokenProvider(token),
                                       problem: HubSpotSink.problem, reauthorise: "check the private-app token")
        // HubSpot counts requests per rolling 10 seconds; stay under it rather than earn 429s.
        self.limiter = RateLimiter(limit: settings.requestsPer10Seconds, window: .seconds(10), concurrent: 4, environment: client.environment)
    }

    public func send(_ writes: [CoalescedWrite]) async throws -> [WriteOutcome] {
        try await CRMBatchRouting.send(writes, mappings: mappings, crm: "HubSpot",
                                       fields: { try await update($0, mapping: $1) }, actions: { try await perform($0, mapping: $1) })
    }

    // MARK: Field writes

    /// One input of a batch: where its write sits, how its result is matched, and where its
    /// JSON sits in the batch body (kept to resend a part of the batch when HubSpot refuses it).
    struct BatchInput {
        var position: Int
        var input: HubSpotBatchResponse.Input
        var json: Range<Int>  // UTF-8 offsets in the body
    }

    func update(_ writes: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var inputs: [BatchInput] = []
        var outcomes = [WriteOutcome](repeating: .delivered, count: writes.count)
        // The body is written as text directly: this runs for every write.
        var body = "{\"inputs\":["
        body.reserveCapacity(writes.count * 160)
        for (position, write) in writes.enumerated() {
            let values = mapping.propertyValues(for: write.changes)
            // Nothing this CRM maps changed in a way it is told about (a status with no label):
            // nothing is sent, and the run counts it as skipped by mapping, not as written.
            guard !values.isEmpty else {
                outcomes[position] = .notMapped
                continue
            }
            let trace = write.rowIDs.count == 1 ? String(write.rowIDs[0]) : write.rowIDs.map(String.init).joined(separator: ",")
            if !inputs.isEmpty { body += "," }
            let start = body.utf8.count
            body += "{\"idProperty\":"
            JSONWriter.appendQuoted(mapping.idProperty, into: &body)
            body += ",\"id\":"
            JSONWriter.appendQuoted(write.recordKey, into: &body)
            body += ",\"properties\":{"
            for (index, value) in values.enumerated() {
                if index > 0 { body += "," }
                JSONWriter.appendQuoted(value.property.name, into: &body)
                body += ":"
                JSONWriter.appendQuoted(CRMValueFormat.hubSpot(value.value, type: value.property.effectiveType), into: &body)
            }
            body += "},\"objectWriteTraceId\":"
            JSONWriter.appendQuoted(trace, into: &body)
            body += "}"
            inputs.append(BatchInput(position: position, input: .init(id: write.recordKey, traceID: trace), json: start..<body.utf8.count))
        }
        guard !inputs.isEmpty else { return outcomes }
        body += "]}"
        let operation = mapping.missingRecord == .create ? "upsert" : "update"
        // A refused batch is split to find its culprits: at most about two calls per input.
        var budget = 2 * inputs.count
        let results = try await send(inputs, of: body, whole: true, path: "/\(mapping.object)/batch/\(operation)", budget: &budget)
        for (entry, outcome) in zip(inputs, results) { outcomes[entry.position] = outcome }
        return outcomes
    }

    /// Sends one batch (`whole`: `body` is exactly these inputs; otherwise their JSON is taken
    /// from `body` to make a smaller one). HubSpot refuses a whole batch (400, nothing written)
    /// when one input's value is invalid, and its error names the property, not the input: the
    /// batch is then split in halves, down to single inputs, so the valid writes are delivered
    /// and only the culprit is refused with HubSpot's message. Inputs an error names are refused
    /// at once, the rest resent. When `budget` calls are spent, what is left stays queued.
    private func send(_ inputs: [BatchInput], of body: String, whole: Bool, path: String, budget: inout Int) async throws -> [WriteOutcome] {
        var text = body
        if !whole {
            let bytes = Array(body.utf8)
            var part: [UInt8] = Array("{\"inputs\":[".utf8)
            for (index, entry) in inputs.enumerated() {
                if index > 0 { part.append(UInt8(ascii: ",")) }
                part += bytes[entry.json]
            }
            part += Array("]}".utf8)
            text = String(decoding: part, as: UTF8.self)
        }
        budget -= 1
        let response = try await post(path, text: text)
        switch response.status {
        case 200, 207:
            guard let parsed = HubSpotBatchResponse.outcomes(for: inputs.map(\.input), data: response.body) else {
                throw SinkError(sink: name, message: "HubSpot answered \(response.status) with a body that is not JSON", exitCode: .unavailable)
            }
            return parsed
        case 400, 409, 422:
            let error = (try? JSONParser.parse(response.body)) ?? .null
            let message = "HubSpot \(error["category"]?.stringValue ?? "HTTP \(response.status)"): \(error["message"]?.stringValue ?? response.bodyExcerpt())"
            let unnamed = WriteOutcome.retryable("HubSpot returned no result for this record")
            var results = HubSpotBatchResponse.outcomes(for: inputs.map(\.input), body: ["errors": [error]])
            let others = results.indices.filter { results[$0] == unnamed }
            if others.count < inputs.count {
                // The error names its culprits; the others were refused only with them.
                guard !others.isEmpty else { return results }
                guard budget > 0 else { return results.map { $0 == unnamed ? .retryable(message) : $0 } }
                let resent = try await send(others.map { inputs[$0] }, of: body, whole: false, path: path, budget: &budget)
                for (index, outcome) in zip(others, resent) { results[index] = outcome }
                return results
            }
            guard inputs.count > 1 else { return [.rejected(message)] }
            guard budget > 0 else { return inputs.map { _ in .retryable(message) } }
            let half = inputs.count / 2
            let first = try await send(Array(inputs[..<half]), of: body, whole: false, path: path, budget: &budget)
            let second = try await send(Array(inputs[half...]), of: body, whole: false, path: path, budget: &budget)
            return first + second
        default:
            throw failure(response)
        }
    }

    // MARK: Actions

    /// Performs actions (tasks, notes) on records of one mapping.
    func perform(_ actions: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .retryable("not sent"), count: actions.count)
        // Find each record's HubSpot id and owner.
        let keys = Array(Set(actions.map(\.recordKey))).sorted()
        let read = try await post("/\(mapping.object)/batch/read", body: [
            "idProperty": .string(mapping.idProperty), "properties": [.string("hubspot_owner_id"), .string(mapping.idProperty)],
            "inputs": .array(keys.map { ["id": .string($0)] }),
        ])
        guard read.status == 200 || read.status == 207, let body = try? JSONParser.parse(read.body) else { throw failure(read) }
        var records: [String: (id: String, owner: String?)] = [:]
        for result in body["results"]?.arrayValue ?? [] {
            guard let id = result["id"]?.stringValue, let key = result["properties"]?[mapping.idProperty]?.stringValue else { continue }
            records[key] = (id, result["properties"]?["hubspot_owner_id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
        }
        for kind in ["task", "note"] {
            let members = actions.indices.filter { actions[$0].action?.kind == kind }
            var inputs: [JSONValue] = []
            var positions: [Int] = []
            for index in members {
                let action = actions[index]
                guard let record = records[action.recordKey] else {
                    outcomes[index] = .noSuchRecord("HubSpot OBJECT_NOT_FOUND: no \(mapping.object) record with \(mapping.idProperty) = \(action.recordKey) for this \(kind)")
                    continue
                }
                inputs.append(actionInput(action.action!, record: record, mapping: mapping, trace: action.rowIDs.map(String.init).joined(separator: ",")))
                positions.append(index)
            }
            guard !inputs.isEmpty else { continue }
            let created = try await post("/\(kind)s/batch/create", body: ["inputs": .array(inputs)])
            switch created.status {
            case 200, 201, 207:
                let body = (try? JSONParser.parse(created.body)) ?? .null
                let results = HubSpotBatchResponse.outcomes(
                    for: positions.map { .init(id: actions[$0].recordKey, traceID: actions[$0].rowIDs.map(String.init).joined(separator: ",")) },
                    body: body
                )
                for (index, outcome) in zip(positions, results) { outcomes[index] = outcome }
            case 400, 409, 422:
                let body = (try? JSONParser.parse(created.body)) ?? .null
                for index in positions {
                    outcomes[index] = .rejected("HubSpot \(body["category"]?.stringValue ?? "HTTP \(created.status)"): \(body["message"]?.stringValue ?? created.bodyExcerpt())")
                }
            default:
                throw failure(created)
            }
        }
        return outcomes
    }

    private func actionInput(_ action: ActionPayload, record: (id: String, owner: String?), mapping: CRMObjectMapping, trace: String) -> JSONValue {
        let now = String(client.environment.now().millisecondsSinceEpoch)
        var properties: [(key: String, value: JSONValue)]
        let associationType: Int
        if action.kind == "task" {
            properties = [("hs_task_subject", .string(action.subject ?? "")), ("hs_task_body", .string(action.body ?? "")),
                          ("hs_task_status", "NOT_STARTED"), ("hs_task_priority", "HIGH"), ("hs_task_type", "TODO"), ("hs_timestamp", .string(now))]
            if let owner = record.owner { properties.append(("hubspot_owner_id", .string(owner))) }
            associationType = settings.associationTypes[mapping.object]?.task ?? HubSpotSink.defaultAssociation(mapping.object).task
        } else {
            properties = [("hs_note_body", .string(action.body ?? "")), ("hs_timestamp", .string(now))]
            if let owner = record.owner { properties.append(("hubspot_owner_id", .string(owner))) }
            associationType = settings.associationTypes[mapping.object]?.note ?? HubSpotSink.defaultAssociation(mapping.object).note
        }
        return .object(JSONObject([
            ("properties", .object(JSONObject(properties))),
            ("associations", [["to": ["id": .string(record.id)], "types": [["associationCategory": "HUBSPOT_DEFINED", "associationTypeId": .number(String(associationType))]]]]),
            ("objectWriteTraceId", .string(trace)),
        ]))
    }

    /// HubSpot-defined association type ids (task→object, note→object).
    static func defaultAssociation(_ object: String) -> (task: Int, note: Int) {
        switch object {
        case "contacts", "0-1": (204, 202)
        case "companies", "0-2": (192, 190)
        default: (216, 214)  // deals
        }
    }

    // MARK: HTTP

    private func post(_ path: String, body: JSONValue) async throws -> HTTPResponse {
        try await post(path, text: JSONWriter.compact(body))
    }

    private func post(_ path: String, text: String) async throws -> HTTPResponse {
        guard let url = URL(string: settings.baseURL + settings.objectsPath + path) else {
            throw SinkError(sink: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        let request = HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/json", "Accept": "application/json"], body: Data(text.utf8))
        let response = try await sender.send(
            limiter: limiter,
            isRetryable: { HubSpotSink.policy(of: $0) != "DAILY" },
            defaultRetryAfter: { HubSpotSink.policy(of: $0) == "TEN_SECONDLY_ROLLING" ? 10 : nil }
        ) { request.bearer($0) }
        if let remaining = response.headers["X-HubSpot-RateLimit-Remaining"] {
            client.logger.debug("\(name): HubSpot rate limit remaining \(remaining) in this 10-second window")
        }
        return response
    }

    /// The `policyName` of a 429 body (`TEN_SECONDLY_ROLLING`, `DAILY`).
    static func policy(of response: HTTPResponse) -> String? {
        guard response.status == 429 else { return nil }
        return (try? JSONParser.parse(response.body))?["policyName"]?.stringValue
    }

    /// HubSpot's error body: `category`, `message` and `correlationId` (quoted for support).
    @Sendable static func problem(_ response: HTTPResponse) -> ProviderProblem? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        let message = [body["message"]?.stringValue, body["correlationId"]?.stringValue.map { "(correlationId \($0))" }].compactMap { $0 }.joined(separator: " ")
        let problem = ProviderProblem(code: body["category"]?.stringValue, message: message.isEmpty ? nil : message)
        return problem.description.isEmpty ? nil : problem
    }

    private func failure(_ response: HTTPResponse) -> any Error {
        switch response.status {
        case 403:
            return sender.failure(response, call: "HubSpot", hint: "the token lacks a scope such as crm.objects.deals.write")
        case 429:
            return SinkError(sink: name, message: "HubSpot's daily API limit is reached (\(HubSpotSink.problem(response)?.description ?? "429")); writes stay queued until it resets", exitCode: .temporaryFailure)
        default:
            return sender.failure(response, call: "POST \(URL(string: settings.baseURL)?.host ?? settings.baseURL)\(settings.objectsPath)")
        }
    }
}
