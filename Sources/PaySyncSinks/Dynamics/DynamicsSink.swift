import Foundation
import PaySyncCore
import PaySyncHTTP

/// Writes to Dataverse (Dynamics 365) through `$batch`: one PATCH per record, addressed by the
/// mapping's alternate key, up to 1,000 in one call with `Prefer: odata.continue-on-error`, so a
/// record Dataverse lacks (404 under `If-Match: *`) does not sink the rest and every record gets
/// its own outcome. Tasks and notes (`annotations`) for actions are created regarding the record,
/// for its owner: one `$batch` reads the records' ids and owners, one creates the activities.
/// See `docs/sinks/dynamics.md`.
public struct DynamicsSink: Sink {
    public let name: String
    public let settings: DynamicsSettings
    public let mappings: [ObjectKind: CRMObjectMapping]
    private let client: HTTPClient
    private let sender: AuthorizedSender

    public var calls: CallCounter { client.counter }
    /// Dataverse takes at most 1,000 requests in one `$batch`.
    public var maxBatchSize: Int { 1000 }

    public init(name: String, settings: DynamicsSettings, mappings: [ObjectKind: CRMObjectMapping], tokens: any AccessTokenProvider, client: HTTPClient) {
        self.name = name
        self.settings = settings
        self.mappings = mappings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "Dataverse", client: client, tokens: tokens, problem: DynamicsSink.problem,
                                       reauthorise: "check that the app registration is an application user of the environment with a security role")
    }

    private var apiPath: String { "/api/data/\(settings.apiVersion)" }

    public func send(_ writes: [CoalescedWrite]) async throws -> [WriteOutcome] {
        try await CRMBatchRouting.send(writes, mappings: mappings, crm: "Dynamics 365",
                                       fields: { try await update($0, mapping: $1) }, actions: { try await perform($0, mapping: $1) })
    }

    func update(_ writes: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .delivered, count: writes.count)
        var requests: [DataverseBatch.Request] = []
        var positions: [Int] = []
        let updateOnly = mapping.missingRecord == .skip
        for (position, write) in writes.enumerated() {
            let values = mapping.propertyValues(for: write.changes)
            guard !values.isEmpty else {
                outcomes[position] = .notMapped
                continue
            }
            let body = JSONWriter.compact(.object(JSONObject(values.map { ($0.property.name, CRMValueFormat.typedJSON($0.value, type: $0.property.effectiveType)) })))
            // `If-Match: *` makes the PATCH an update only: a record Dataverse lacks answers 404
            // instead of being created (and a deleted one is not brought back).
            requests.append(DataverseBatch.Request(method: "PATCH", path: "\(apiPath)/\(DataverseBatch.keyed(mapping.object, key: mapping.idProperty, value: write.recordKey))",
                                                   headers: updateOnly ? [("If-Match", "*")] : [], body: body))
            positions.append(position)
        }
        guard !requests.isEmpty else { return outcomes }
        let responses = try await batch(requests)
        for (index, position) in positions.enumerated() {
            outcomes[position] = outcome(index < responses.count ? responses[index] : nil) {
                "no \(mapping.object) with \(mapping.idProperty) = \(writes[position].recordKey)"
            }
        }
        return outcomes
    }

    /// One part's outcome.
    func outcome(_ response: DataverseBatch.Response?, missing: () -> String) -> WriteOutcome {
        guard let response else { return .retryable("Dataverse returned no response for this record") }
        let (code, message) = response.error
        let detail = "Dataverse \(code ?? "HTTP \(response.status)"): \(message ?? "no message")"
        switch response.status {
        case 200..<300: return .delivered
        case 404: return .noSuchRecord("Dataverse: \(missing()) (\(detail))")
        case 408, 429, 500..<600: return .retryable(detail)
        default: return .rejected(detail)
        }
    }

    // MARK: Actions

    /// Performs actions (tasks, notes) on records of one mapping: the records' ids and owners in
    /// one `$batch`, the activities in another.
    func perform(_ actions: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .retryable("not sent"), count: actions.count)
        let logical = settings.logicalName(of: mapping.object)
        let keys = Array(Set(actions.map(\.recordKey))).sorted()
        let reads = keys.map { key in
            DataverseBatch.Request(method: "GET", path: "\(apiPath)/\(DataverseBatch.keyed(mapping.object, key: mapping.idProperty, value: key))?$select=\(logical)id,_ownerid_value",
                                   headers: [("Accept", "application/json"), ("Prefer", "odata.include-annotations=\"Microsoft.Dynamics.CRM.lookuplogicalname\"")])
        }
        var records: [String: (id: String, owner: String?)] = [:]
        for (key, response) in zip(keys, try await batch(reads)) where response.status == 200 {
            guard let body = try? JSONParser.parse(response.body), let id = body["\(logical)id"]?.stringValue else { continue }
            let owner = body["_ownerid_value"]?.stringValue.map { guid in
                (body["_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]?.stringValue == "team" ? "/teams(" : "/systemusers(") + guid + ")"
            }
            records[key] = (id, owner)
        }
        let today = client.environment.now().utcDate.description
        var creates: [DataverseBatch.Request] = []
        var positions: [Int] = []
        for (index, action) in actions.enumerated() {
            guard let payload = action.action, let record = records[action.recordKey] else {
                outcomes[index] = .noSuchRecord("Dataverse: no \(mapping.object) with \(mapping.idProperty) = \(action.recordKey) for this \(action.action?.kind ?? "action")")
                continue
            }
            let regarding = JSONValue.string("/\(mapping.object)(\(record.id))")
            let body: JSONValue
            if payload.kind == "task" {
                var members: [(String, JSONValue)] = [("subject", .string(String((payload.subject ?? "").prefix(200)))), ("description", .string(payload.body ?? "")),
                                                      ("prioritycode", 2), ("scheduledend", .string(today + "T00:00:00Z")),
                                                      ("regardingobjectid_\(logical)_task@odata.bind", regarding)]
                if let owner = record.owner { members.append(("ownerid@odata.bind", .string(owner))) }
                body = .object(JSONObject(members))
            } else {
                let text = payload.body ?? ""
                body = .object(JSONObject([("subject", .string(String((text.split(separator: "\n").first.map(String.init) ?? "paysync").prefix(200)))),
                                           ("notetext", .string(text)), ("objectid_\(logical)@odata.bind", regarding)]))
            }
            creates.append(DataverseBatch.Request(method: "POST", path: "\(apiPath)/\(payload.kind == "task" ? "tasks" : "annotations")", body: JSONWriter.compact(body)))
            positions.append(index)
        }
        guard !creates.isEmpty else { return outcomes }
        let responses = try await batch(creates)
        for (number, index) in positions.enumerated() {
            outcomes[index] = outcome(number < responses.count ? responses[number] : nil) { "the \(mapping.object) record of this \(actions[index].action?.kind ?? "action")" }
        }
        return outcomes
    }

    // MARK: HTTP

    /// Sends one `$batch` and reads its parts. Service protection's 429 (with `Retry-After`) is
    /// waited out by the client; a 401 renews the token once.
    private func batch(_ requests: [DataverseBatch.Request]) async throws -> [DataverseBatch.Response] {
        guard let url = URL(string: settings.environmentURL + apiPath + "/$batch") else {
            throw SinkError(sink: name, message: "environment_url \(settings.environmentURL) does not make a valid URL", exitCode: .configuration)
        }
        let boundary = "batch_" + UUID().uuidString.lowercased()
        let request = HTTPRequest(method: "POST", url: url, headers: [
            "Content-Type": "multipart/mixed; boundary=\(boundary)", "Accept": "application/json",
            "OData-MaxVersion": "4.0", "OData-Version": "4.0", "Prefer": "odata.continue-on-error",
        ], body: Data(DataverseBatch.body(requests, boundary: boundary).utf8))
        let response = try await sender.send { request.bearer($0) }
        guard response.status == 200 else { throw failure(response) }
        guard let responseBoundary = response.headers["Content-Type"].flatMap(DataverseBatch.boundary(of:)),
              let parts = DataverseBatch.responses(Array(response.body)[...], boundary: responseBoundary) else {
            throw SinkError(sink: name, message: "Dataverse answered $batch with a body that is not a batch response", exitCode: .unavailable)
        }
        return parts
    }

    /// Dataverse's error body: `{"error": {"code": "0x80072322", "message": "…"}}`.
    @Sendable static func problem(_ response: HTTPResponse) -> ProviderProblem? {
        guard let error = (try? JSONParser.parse(response.body))?["error"] else { return nil }
        return ProviderProblem(code: error["code"]?.stringValue, message: error["message"]?.stringValue)
    }

    private func failure(_ response: HTTPResponse) -> any Error {
        sender.failure(response, call: "POST \(URL(string: settings.environmentURL)?.host ?? settings.environmentURL)\(apiPath)/$batch",
                       hint: response.status == 403 ? "the application user needs a security role with write access to the table" : nil)
    }
}
