import Foundation
import PaySyncCore
import PaySyncHTTP

/// Writes to Zoho CRM: `POST /crm/v8/{Module}/upsert` with the mapping's `id_property` as the one
/// duplicate-check field, up to 100 records a call (one API credit), one outcome per record from
/// `data[]`. Tasks and notes for actions go to the Tasks and Notes modules, on the record's owner,
/// after a search for the records' ids (ten keys a search, Zoho's criteria limit). Calls go to the
/// `api_domain` the token came with. See `docs/sinks/zoho-crm.md`.
public struct ZohoCRMSink: Sink {
    public let name: String
    public let settings: ZohoCRMSettings
    public let mappings: [ObjectKind: CRMObjectMapping]
    private let tokens: any AccessTokenProvider
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiter: RateLimiter

    public var calls: CallCounter { client.counter }
    public var maxBatchSize: Int { 100 }

    public init(name: String, settings: ZohoCRMSettings, mappings: [ObjectKind: CRMObjectMapping], tokens: any AccessTokenProvider, client: HTTPClient) {
        self.name = name
        self.settings = settings
        self.mappings = mappings
        self.tokens = tokens
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "Zoho CRM", client: client, tokens: tokens, problem: ZohoCRMSink.problem,
                                       reauthorise: "check the client's scopes (ZohoCRM.modules.ALL) and re-authorise")
        // The plan's concurrency limit is a count of calls in flight, not a rate.
        self.limiter = RateLimiter(concurrent: settings.concurrentCalls, environment: client.environment)
    }

    public func send(_ writes: [CoalescedWrite]) async throws -> [WriteOutcome] {
        try await CRMBatchRouting.send(writes, mappings: mappings, crm: "Zoho CRM",
                                       fields: { try await upsert($0, mapping: $1) }, actions: { try await perform($0, mapping: $1) })
    }

    func upsert(_ writes: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .delivered, count: writes.count)
        var records: [JSONValue] = []
        var positions: [Int] = []
        for (position, write) in writes.enumerated() {
            let values = mapping.propertyValues(for: write.changes)
            guard !values.isEmpty else {
                outcomes[position] = .notMapped
                continue
            }
            var members: [(key: String, value: JSONValue)] = [(mapping.idProperty, .string(write.recordKey))]
            for (property, value) in values { members.append((property.name, CRMValueFormat.typedJSON(value, type: property.effectiveType))) }
            records.append(.object(JSONObject(members)))
            positions.append(position)
        }
        guard !records.isEmpty else { return outcomes }
        var body: [(key: String, value: JSONValue)] = [("data", .array(records)), ("duplicate_check_fields", [.string(mapping.idProperty)])]
        if let triggers = settings.triggers { body.append(("trigger", .array(triggers.map(JSONValue.string)))) }
        let response = try await call("POST", "/\(URLBuilder.encode(mapping.object))/upsert", body: .object(JSONObject(body)))
        guard [200, 201, 202].contains(response.status), let parsed = try? JSONParser.parse(response.body) else { throw failure(response) }
        let results = ZohoCRMRecordResults.outcomes(count: records.count, body: parsed, createsAllowed: mapping.missingRecord == .create) { index in
            "no \(mapping.object) record with \(mapping.idProperty) = \(writes[positions[index]].recordKey)"
        }
        for (position, outcome) in zip(positions, results) { outcomes[position] = outcome }
        return outcomes
    }

    // MARK: Actions

    /// Performs actions (tasks, notes) on records of one mapping.
    func perform(_ actions: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .retryable("not sent"), count: actions.count)
        var records: [String: (id: String, owner: String?)] = [:]
        let keys = Array(Set(actions.map(\.recordKey))).sorted()
        for start in stride(from: 0, to: keys.count, by: 10) {
            let criteria = keys[start..<min(start + 10, keys.count)].map { "(\(mapping.idProperty):equals:\(ZohoCRMSink.escapeCriterion($0)))" }
            let text = criteria.count == 1 ? criteria[0] : "(" + criteria.joined(separator: "or") + ")"
            let found = try await call("GET", "/\(URLBuilder.encode(mapping.object))/search?criteria=" + URLBuilder.encode(text), body: nil)
            if found.status == 204 { continue }  // nothing matched
            guard found.status == 200, let body = try? JSONParser.parse(found.body) else { throw failure(found) }
            for record in body["data"]?.arrayValue ?? [] {
                if let id = record["id"]?.stringValue, let key = record[mapping.idProperty]?.stringValue {
                    records[key] = (id, record["Owner"]?["id"]?.stringValue)
                }
            }
        }
        let today = client.environment.now().utcDate.description
        for kind in ["task", "note"] {
            var creates: [JSONValue] = []
            var positions: [Int] = []
            for index in actions.indices where actions[index].action?.kind == kind {
                let action = actions[index]
                guard let payload = action.action, let record = records[action.recordKey] else {
                    outcomes[index] = .noSuchRecord("Zoho CRM: no \(mapping.object) record with \(mapping.idProperty) = \(action.recordKey) for this \(kind)")
                    continue
                }
                if kind == "task" {
                    var members: [(key: String, value: JSONValue)] = [
                        ("Subject", .string(String((payload.subject ?? "").prefix(255)))), ("Description", .string(payload.body ?? "")),
                        ("What_Id", ["id": .string(record.id)]), ("$se_module", .string(mapping.object)),
                        ("Status", "Not Started"), ("Priority", "High"), ("Due_Date", .string(today)),
                    ]
                    if let owner = record.owner { members.append(("Owner", ["id": .string(owner)])) }
                    creates.append(.object(JSONObject(members)))
                } else {
                    let body = payload.body ?? ""
                    let title = String((body.split(separator: "\n").first.map(String.init) ?? "paysync").prefix(120))
                    creates.append(.object(JSONObject([("Note_Title", .string(title)), ("Note_Content", .string(body)),
                                                       ("Parent_Id", ["module": ["api_name": .string(mapping.object)], "id": .string(record.id)])])))
                }
                positions.append(index)
            }
            guard !creates.isEmpty else { continue }
            let response = try await call("POST", kind == "task" ? "/Tasks" : "/Notes", body: ["data": .array(creates)])
            guard [200, 201, 202].contains(response.status), let body = try? JSONParser.parse(response.body) else { throw failure(response) }
            let results = ZohoCRMRecordResults.outcomes(count: creates.count, body: body, createsAllowed: true) { _ in "" }
            for (index, outcome) in zip(positions, results) { outcomes[index] = outcome }
        }
        return outcomes
    }

    /// Zoho's criteria syntax gives `(`, `)` and `,` meaning: a value escapes them with `\`.
    static func escapeCriterion(_ value: String) -> String {
        var escaped = ""
        for character in value {
            if character == "(" || character == ")" || character == "," || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    // MARK: HTTP

    /// Calls the API on the token's `api_domain`, with Zoho's own authorisation scheme; a 401
    /// (`INVALID_TOKEN`) renews the token once.
    private func call(_ method: String, _ path: String, body: JSONValue?) async throws -> HTTPResponse {
        try await sender.send(limiter: limiter) { token in
            let domain = try await tokens.instance() ?? "https://www.zohoapis.com"
            guard let url = URL(string: domain + "/crm/" + settings.apiVersion + path) else {
                throw SinkError(sink: name, message: "api_domain \(domain) does not make a valid URL", exitCode: .unavailable)
            }
            var headers: HTTPHeaders = ["Accept": "application/json", "Authorization": "Zoho-oauthtoken \(token.reveal())"]
            if body != nil { headers.set("Content-Type", "application/json") }
            return HTTPRequest(method: method, url: url, headers: headers, body: body.map { Data(JSONWriter.compact($0).utf8) })
        }
    }

    /// Zoho's error body: `{"code", "details", "message", "status": "error"}`.
    @Sendable static func problem(_ response: HTTPResponse) -> ProviderProblem? {
        guard let body = try? JSONParser.parse(response.body), let code = body["code"]?.stringValue else { return nil }
        return ProviderProblem(code: code, message: body["message"]?.stringValue)
    }

    private func failure(_ response: HTTPResponse) -> any Error {
        let problem = ZohoCRMSink.problem(response)
        if response.status == 429 || problem?.code == "TOO_MANY_REQUESTS" {
            return SinkError(sink: name, message: "Zoho CRM is refusing calls for now (\(problem?.description ?? "429")); writes stay queued", exitCode: .temporaryFailure)
        }
        if problem?.code == "OAUTH_SCOPE_MISMATCH" || problem?.code == "NO_PERMISSION" {
            return AuthenticationError(label: name, message: "Zoho CRM \(problem!.description); give the client the scope ZohoCRM.modules.ALL (or the modules' WRITE and CREATE) and re-authorise")
        }
        return sender.failure(response, call: "Zoho CRM \(settings.apiVersion) API", hint: problem?.code == "INVALID_MODULE" ? "check the mapping's object (the module's API name, such as Deals)" : nil)
    }
}
