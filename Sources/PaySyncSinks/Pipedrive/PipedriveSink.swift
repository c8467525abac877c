import Foundation
import PaySyncCore
import PaySyncHTTP

/// Writes to Pipedrive, which has no bulk update: one `PATCH /api/v2/{object}/{id}` per record.
/// A record is found once by its key (`GET /api/v2/{object}/search`, `exact_match`, the costliest
/// call), and its id kept in the ledger, so steady state costs one call per write and a search
/// only for keys never seen. Calls stay under the plan's per-2-second burst limit; when the
/// day's token budget is spent the rest of the writes are deferred, not failed. Activities and
/// notes for actions. See `docs/sinks/pipedrive.md`.
public struct PipedriveSink: Sink {
    public let name: String
    public let settings: PipedriveSettings
    public let mappings: [ObjectKind: CRMObjectMapping]
    private let tokens: any AccessTokenProvider
    private let recordIDs: any CRMRecordIDStore
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiter: RateLimiter
    /// Set once Pipedrive says the day's budget is spent: nothing more is sent this run.
    private let budgetSpent = Locked<String?>(nil)

    public var calls: CallCounter { client.counter }
    public var maxBatchSize: Int { 100 }

    public init(name: String, settings: PipedriveSettings, mappings: [ObjectKind: CRMObjectMapping], tokens: any AccessTokenProvider,
                recordIDs: any CRMRecordIDStore, client: HTTPClient) {
        self.name = name
        self.settings = settings
        self.mappings = mappings
        self.tokens = tokens
        self.recordIDs = recordIDs
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "Pipedrive", client: client, tokens: tokens, problem: PipedriveSink.problem,
                                       reauthorise: "check the API token (Personal preferences → API) or re-authorise the app")
        self.limiter = RateLimiter(limit: settings.requestsPer2Seconds, window: .seconds(2), concurrent: 1, environment: client.environment)
    }

    public func send(_ writes: [CoalescedWrite]) async throws -> [WriteOutcome] {
        try await CRMBatchRouting.send(writes, mappings: mappings, crm: "Pipedrive",
                                       fields: { try await update($0, mapping: $1) }, actions: { try await perform($0, mapping: $1) })
    }

    /// The search's answer for one key.
    enum Found: Equatable {
        case record(id: String, owner: String?)
        case none
        case several(Int)
    }

    func update(_ writes: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .delivered, count: writes.count)
        var known = try await recordIDs.crmRecordIDs(sink: name, object: mapping.object, keys: writes.map(\.recordKey))
        var found: [String: String] = [:]
        do {
            for (position, write) in writes.enumerated() {
                if let spent = budgetSpent.value {
                    outcomes[position] = .deferred(spent)
                    continue
                }
                let values = mapping.propertyValues(for: write.changes)
                guard !values.isEmpty else {
                    outcomes[position] = .notMapped
                    continue
                }
                let body = PipedriveSink.body(values)
                do {
                    outcomes[position] = try await writeRecord(body, key: write.recordKey, mapping: mapping, known: &known, found: &found)
                } catch let spent as BudgetSpent {
                    budgetSpent.withLock { $0 = spent.message }
                    outcomes[position] = .deferred(spent.message)
                }
            }
        } catch {
            // Ids found before the failure are kept all the same: the next run need not search again.
            try? await recordIDs.saveCRMRecordIDs(sink: name, object: mapping.object, found, now: client.environment.now())
            throw error
        }
        // One commit for the batch's new ids (they are a cache: losing them costs a search).
        try await recordIDs.saveCRMRecordIDs(sink: name, object: mapping.object, found, now: client.environment.now())
        return outcomes
    }

    /// Writes one record: by its kept id, else after a search (or a creation, when the mapping
    /// creates); a kept id Pipedrive no longer knows is forgotten and searched for again, once.
    private func writeRecord(_ body: JSONValue, key: String, mapping: CRMObjectMapping, known: inout [String: String],
                             found: inout [String: String]) async throws -> WriteOutcome {
        for attempt in 0..<2 {
            var id = known[key]
            if id == nil {
                switch try await search(key, mapping: mapping) {
                case .record(let found, _):
                    id = found
                case .several(let count):
                    return .rejected("Pipedrive: \(count) \(mapping.object) have \(mapping.idProperty) = \(key); make the field's values unique")
                case .none:
                    guard mapping.missingRecord == .create else {
                        return .noSuchRecord("Pipedrive: no \(mapping.object) with \(mapping.idProperty) = \(key)")
                    }
                    return try await create(body, key: key, mapping: mapping, known: &known, found: &found)
                }
                known[key] = id
                found[key] = id
            }
            let response = try await call("PATCH", "/api/v2/\(mapping.object)/\(id!)", body: body)
            switch response.status {
            case 200, 201:
                return .delivered
            case 404 where attempt == 0:
                // Deleted or merged since it was found: forget the id and look again.
                known[key] = nil
                found[key] = nil
                try await recordIDs.forgetCRMRecordID(sink: name, object: mapping.object, key: key)
            case 400, 404, 422:
                return .rejected("Pipedrive \(PipedriveSink.problem(response)?.description ?? "HTTP \(response.status)")")
            default:
                throw failure(response)
            }
        }
        return .noSuchRecord("Pipedrive: no \(mapping.object) with \(mapping.idProperty) = \(key)")
    }

    /// Creates the record (`missing_record: create`), with the key in its field.
    private func create(_ body: JSONValue, key: String, mapping: CRMObjectMapping, known: inout [String: String],
                        found: inout [String: String]) async throws -> WriteOutcome {
        var members = body.objectValue?.members ?? []
        if PipedriveSink.isCustomFieldKey(mapping.idProperty) {
            var custom = members.first { $0.key == "custom_fields" }?.value.objectValue?.members ?? []
            custom.append((mapping.idProperty, .string(key)))
            members.removeAll { $0.key == "custom_fields" }
            members.append(("custom_fields", .object(JSONObject(custom))))
        } else if !members.contains(where: { $0.key == mapping.idProperty }) {
            members.append((mapping.idProperty, .string(key)))
        }
        let nameField = mapping.object == "deals" ? "title" : "name"
        if !members.contains(where: { $0.key == nameField }) { members.append((nameField, .string(key))) }
        let response = try await call("POST", "/api/v2/\(mapping.object)", body: .object(JSONObject(members)))
        switch response.status {
        case 200, 201:
            if let id = (try? JSONParser.parse(response.body))?["data"]?["id"].map(PipedriveSink.idText) ?? nil {
                known[key] = id
                found[key] = id
            }
            return .delivered
        case 400, 422:
            return .rejected("Pipedrive \(PipedriveSink.problem(response)?.description ?? "HTTP \(response.status)")")
        default:
            throw failure(response)
        }
    }

    /// Finds a record by its key: an exact search in the key's field.
    func search(_ key: String, mapping: CRMObjectMapping) async throws -> Found {
        let field = PipedriveSink.isCustomFieldKey(mapping.idProperty) ? "custom_fields" : mapping.idProperty
        let query = [("term", key), ("fields", field), ("exact_match", "true"), ("limit", "2")]
        let response = try await call("GET", "/api/v2/\(mapping.object)/search?" + query.map { "\($0.0)=\(URLBuilder.encode($0.1))" }.joined(separator: "&"), body: nil)
        guard response.status == 200, let body = try? JSONParser.parse(response.body) else { throw failure(response) }
        let items = body["data"]?["items"]?.arrayValue ?? []
        switch items.count {
        case 0: return .none
        case 1:
            guard let id = items[0]["item"]?["id"].map(PipedriveSink.idText) ?? nil else { return .none }
            return .record(id: id, owner: items[0]["item"]?["owner"]?["id"].map(PipedriveSink.idText) ?? nil)
        default: return .several(items.count)
        }
    }

    // MARK: Actions

    /// Activities (tasks) and notes on records of one mapping, for the record's owner.
    func perform(_ actions: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .retryable("not sent"), count: actions.count)
        var known = try await recordIDs.crmRecordIDs(sink: name, object: mapping.object, keys: actions.map(\.recordKey))
        let link = ["deals": "deal_id", "persons": "person_id", "organizations": "org_id"][mapping.object] ?? "deal_id"
        let today = client.environment.now().utcDate.description
        for (index, action) in actions.enumerated() {
            if let spent = budgetSpent.value {
                outcomes[index] = .deferred(spent)
                continue
            }
            guard let payload = action.action else { continue }
            do {
                var id = known[action.recordKey]
                if id == nil, case .record(let found, _) = try await search(action.recordKey, mapping: mapping) {
                    id = found
                    known[action.recordKey] = found
                    try await recordIDs.saveCRMRecordIDs(sink: name, object: mapping.object, [action.recordKey: found], now: client.environment.now())
                }
                guard let id, let numeric = Int64(id) else {
                    outcomes[index] = .noSuchRecord("Pipedrive: no \(mapping.object) with \(mapping.idProperty) = \(action.recordKey) for this \(payload.kind)")
                    continue
                }
                let response: HTTPResponse
                if payload.kind == "task" {
                    // The activity is the record owner's: read it (a cheap single GET) to assign it.
                    let record = try await call("GET", "/api/v2/\(mapping.object)/\(id)", body: nil)
                    guard record.status == 200 else {
                        outcomes[index] = record.status == 404 ? .noSuchRecord("Pipedrive: \(mapping.object) \(id) no longer exists for this task") : .retryable("Pipedrive HTTP \(record.status)")
                        continue
                    }
                    var members: [(String, JSONValue)] = [("subject", .string(String((payload.subject ?? "").prefix(255)))), ("type", "task"),
                                                          (link, .number(String(numeric))), ("due_date", .string(today)), ("note", .string(payload.body ?? ""))]
                    if let owner = (try? JSONParser.parse(record.body))?["data"]?["owner_id"]?.numberText { members.append(("owner_id", .number(owner))) }
                    response = try await call("POST", "/api/v2/activities", body: .object(JSONObject(members)))
                } else {
                    response = try await call("POST", "/api/v1/notes", body: .object(JSONObject([("content", .string(payload.body ?? "")), (link, .number(String(numeric)))])))
                }
                switch response.status {
                case 200, 201: outcomes[index] = .delivered
                case 400, 404, 422: outcomes[index] = .rejected("Pipedrive \(PipedriveSink.problem(response)?.description ?? "HTTP \(response.status)")")
                default: throw failure(response)
                }
            } catch let spent as BudgetSpent {
                budgetSpent.withLock { $0 = spent.message }
                outcomes[index] = .deferred(spent.message)
            }
        }
        return outcomes
    }

    // MARK: Wire format

    /// Custom fields are addressed by their 40-character API key and travel in `custom_fields`;
    /// anything else is a standard field at the top level.
    static func isCustomFieldKey(_ name: String) -> Bool {
        name.count == 40 && name.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// The PATCH body for these values: standard fields at the top, custom ones in `custom_fields`.
    static func body(_ values: [(property: PropertyMapping, value: String?)]) -> JSONValue {
        var top: [(String, JSONValue)] = []
        var custom: [(String, JSONValue)] = []
        for (property, value) in values {
            let wire = CRMValueFormat.typedJSON(value, type: property.effectiveType)
            if isCustomFieldKey(property.name) { custom.append((property.name, wire)) } else { top.append((property.name, wire)) }
        }
        if !custom.isEmpty { top.append(("custom_fields", .object(JSONObject(custom)))) }
        return .object(JSONObject(top))
    }

    static func idText(_ value: JSONValue) -> String? { value.numberText ?? value.stringValue }

    // MARK: HTTP

    /// The day's token budget is spent: what is left waits for tomorrow.
    struct BudgetSpent: Error { var message: String }

    private func call(_ method: String, _ path: String, body: JSONValue?) async throws -> HTTPResponse {
        let response = try await sender.send(
            limiter: limiter,
            isRetryable: { !PipedriveSink.isDailyBudgetSpent($0) },
            defaultRetryAfter: { $0.status == 429 ? $0.headers["x-ratelimit-reset"].flatMap(Double.init) ?? 2 : nil }
        ) { token in
            let base = try await tokens.instance() ?? settings.baseURL
            guard let url = URL(string: base + path) else {
                throw SinkError(sink: name, message: "base_url \(base) does not make a valid URL", exitCode: .configuration)
            }
            var headers: HTTPHeaders = ["Accept": "application/json"]
            if body != nil { headers.set("Content-Type", "application/json") }
            let request = HTTPRequest(method: method, url: url, headers: headers, body: body.map { Data(JSONWriter.compact($0).utf8) })
            if case .apiToken = settings.authentication {
                var keyed = request
                keyed.headers.set("x-api-token", token.reveal())
                return keyed
            }
            return request.bearer(token)
        }
        if PipedriveSink.isDailyBudgetSpent(response) {
            throw BudgetSpent(message: "Pipedrive's daily API budget is spent (\(PipedriveSink.problem(response)?.description ?? "429")); it resets at midnight UTC")
        }
        return response
    }

    /// A 429 that says the company's daily budget, not the 2-second burst, is spent.
    static func isDailyBudgetSpent(_ response: HTTPResponse) -> Bool {
        response.status == 429 && (response.headers["x-daily-requests-left"] == "0" || response.headers["x-ratelimit-remaining"].map { $0 != "0" } == true)
    }

    /// Pipedrive's error body: `{"success": false, "error": "…", "error_info": "…", "code"|"errorCode": …}`.
    @Sendable static func problem(_ response: HTTPResponse) -> ProviderProblem? {
        guard let body = try? JSONParser.parse(response.body), body["success"]?.boolValue == false else { return nil }
        let code = body["code"]?.stringValue ?? body["errorCode"]?.numberText
        return ProviderProblem(code: code, message: body["error"]?.stringValue)
    }

    private func failure(_ response: HTTPResponse) -> any Error {
        sender.failure(response, call: "Pipedrive API", hint: response.status == 403 ? "the token's user cannot edit these records" : nil)
    }
}
