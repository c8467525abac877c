import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake Pipedrive company on 127.0.0.1: deals with custom fields addressed by their
/// 40-character keys (text, numeric, date, and single-option fields taking option ids), the v2
/// deal search (`term`, `fields`, `exact_match`; results as `data.items[].item` with the matched
/// custom field values), v2 deal update, creation and reading, v2 activities and v1 notes;
/// `x-api-token` authentication; the per-2-second burst limit (429 with `x-ratelimit-*`) and a
/// daily token budget priced per call (search 40, update or create 10, single read 2) that
/// answers 429 with `x-daily-requests-left: 0` once spent. Windows are measured on the clock the
/// test gives, so a run on a virtual clock is judged on it. Shapes from Pipedrive's v2 OpenAPI
/// models (`pipedrive/client-nodejs`: GetDealSearchResponse, UpdateDealRequest,
/// AddActivityRequest, AddNoteRequest) and `reference/crm-apis.md` §4, §8.2; error texts are
/// illustrative.
public final class FakePipedriveServer: Sendable {
    public enum FieldType: Sendable, Equatable { case varchar, double, date, enumeration([Int]) }

    struct State: Sendable {
        var fields: [String: FieldType] = [:]
        var deals: [Int: [String: JSONValue]] = [:]  // id → standard fields and "custom_fields"
        var activities: [[String: JSONValue]] = []
        var notes: [[String: JSONValue]] = []
        var nextID = 8_100
        var calls: [(method: String, path: String)] = []
        var recent: [Timestamp] = []
        var burst429 = 0
        var budget: Int
        var down = false
        var refreshTokens: Set<String> = ["pd-refresh-1"]
        var accessTokens: Set<String> = []
        var tokenRequests = 0
    }

    /// The OAuth app (its token endpoint is `/oauth/token` on this server, and the token
    /// response's `api_domain` names this server too).
    public let oauthClientID = "pd-client-id"
    public let oauthClientSecret = "pd-client-secret"
    public let oauthRefreshToken = "pd-refresh-1"
    public var tokenURL: String { server.baseURL + "/oauth/token" }
    public var tokenRequests: Int { state.value.tokenRequests }
    public func expireAccessTokens() { state.withLock { $0.accessTokens.removeAll() } }

    public static let invoiceNumberKey = "d4de1c1518b4531717c676029a45911c340390a6"
    public static let paymentStatusKey = "9fa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3"
    public static let amountPaidKey = "0b6e5f4d3c2b1a09f8e7d6c5b4a3928170f6e5d4"
    public static let lastPaymentDateKey = "5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29"
    /// Option ids of the single-option `Payment status` field.
    public static let statusOptions = [31, 32, 33, 34, 35, 36, 37, 38]

    public let token = "fake-pipedrive-api-token-0123456789abcdef"
    public let owner = 13_579
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }

    /// - Parameters:
    ///   - burstLimit: requests per rolling 2 seconds (the plan's API-token limit).
    ///   - dailyBudget: the company's tokens for the day.
    ///   - clock: the time windows are measured on.
    public init(burstLimit: Int = 20, dailyBudget: Int = 1_000_000, clock: @escaping @Sendable () -> Timestamp) throws {
        let state = Locked(State(budget: dailyBudget))
        self.state = state
        let token = self.token
        let basic = "Basic " + Data("pd-client-id:pd-client-secret".utf8).base64EncodedString()
        let holder = Locked("")
        server = try LoopbackHTTPServer { request in
            if request.path == "/oauth/token" { return FakePipedriveServer.oauth(request, state: state, basic: basic, domain: holder.value) }
            return FakePipedriveServer.handle(request, state: state, token: token, burstLimit: burstLimit, now: clock())
        }
        holder.withLock { $0 = server.baseURL }
        state.withLock {
            $0.fields = [FakePipedriveServer.invoiceNumberKey: .varchar, FakePipedriveServer.paymentStatusKey: .enumeration(FakePipedriveServer.statusOptions),
                         FakePipedriveServer.amountPaidKey: .double, FakePipedriveServer.lastPaymentDateKey: .date]
        }
    }

    deinit { server.stop() }

    /// Adds deals with these invoice numbers; returns their ids.
    @discardableResult
    public func seedDeals(invoiceNumbers: [String]) -> [Int] {
        state.withLock { state in
            invoiceNumbers.map { number in
                state.nextID += 1
                state.deals[state.nextID] = ["id": .number(String(state.nextID)), "title": .string("Deal \(number)"), "status": "open",
                                             "owner_id": .number(String(owner)), "custom_fields": [FakePipedriveServer.invoiceNumberKey: .string(number)]]
                return state.nextID
            }
        }
    }

    public func deal(invoiceNumber: String) -> [String: JSONValue]? {
        state.value.deals.values.first { $0["custom_fields"]?[FakePipedriveServer.invoiceNumberKey]?.stringValue == invoiceNumber }
    }

    public func deleteDeal(invoiceNumber: String) {
        state.withLock { state in
            if let id = state.deals.first(where: { $0.value["custom_fields"]?[FakePipedriveServer.invoiceNumberKey]?.stringValue == invoiceNumber })?.key {
                state.deals[id] = nil
            }
        }
    }

    public var dealCount: Int { state.value.deals.count }
    public var activities: [[String: JSONValue]] { state.value.activities }
    public var notes: [[String: JSONValue]] { state.value.notes }
    public var calls: [(method: String, path: String)] { state.value.calls }
    public func clearCalls() { state.withLock { $0.calls.removeAll() } }
    public func count(_ method: String, _ suffix: String) -> Int { calls.filter { $0.method == method && $0.path.hasSuffix(suffix) }.count }
    public var searches: Int { calls.filter { $0.path.hasSuffix("/search") }.count }
    public var updates: Int { calls.filter { $0.method == "PATCH" }.count }
    public var burstRefusals: Int { state.value.burst429 }
    public var budgetLeft: Int { state.value.budget }
    public func setBudget(_ tokens: Int) { state.withLock { $0.budget = tokens } }
    public func setDown(_ down: Bool) { state.withLock { $0.down = down } }

    // MARK: Handler

    static func failure(_ status: Int, _ error: String, code: String) -> ServerReply {
        .json(status, JSONWriter.compact(["success": false, "error": .string(error), "code": .string(code)]))
    }

    /// `POST /oauth/token`: the refresh-token grant with the app's credentials in HTTP Basic; a
    /// new refresh token each time (the old one retired), and `api_domain`.
    static func oauth(_ request: ServerRequest, state: Locked<State>, basic: String, domain: String) -> ServerReply {
        state.withLock { state -> ServerReply in
            state.tokenRequests += 1
            guard request.headers["Authorization"] == basic else { return .json(401, #"{"success":false,"message":"Invalid client credentials"}"#) }
            let form = request.formFields
            guard form["grant_type"] == "refresh_token", let refresh = form["refresh_token"], state.refreshTokens.contains(refresh) else {
                return .json(400, #"{"success":false,"message":"Invalid grant: refresh token is invalid"}"#)
            }
            let number = state.tokenRequests
            state.refreshTokens = ["pd-refresh-\(number + 1)"]
            let access = "pd-access-\(number)-\(UUID().uuidString.prefix(8))"
            state.accessTokens.insert(access)
            return .json(200, #"{"access_token":"\#(access)","token_type":"Bearer","refresh_token":"pd-refresh-\#(number + 1)","scope":"deals:full,activities:full","expires_in":3599,"api_domain":"\#(domain)"}"#)
        }
    }

    static func cost(_ method: String, _ path: String) -> Int {
        if path.hasSuffix("/search") { return 40 }
        return method == "GET" ? 2 : 10
    }

    static func handle(_ request: ServerRequest, state: Locked<State>, token: String, burstLimit: Int, now: Timestamp) -> ServerReply {
        if state.value.down { return .status(503, body: "Service Unavailable") }
        let bearer = request.headers["Authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let oauth = bearer.map { state.value.accessTokens.contains($0) } ?? false
        guard request.headers["x-api-token"] == token || oauth, request.queryValue("api_token") == nil else {
            return .json(401, #"{"success":false,"error":"unauthorized access","errorCode":401,"error_info":"Please check developers.pipedrive.com for more information about Pipedrive API."}"#)
        }
        // The burst window, then the day's budget.
        let gate = state.withLock { state -> ServerReply? in
            state.recent.removeAll { now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch >= 2_000 }
            if state.recent.count >= burstLimit {
                state.burst429 += 1
                return .json(429, #"{"success":false,"error":"Request over limit","errorCode":429}"#,
                             headers: ["x-ratelimit-limit": String(burstLimit), "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2"])
            }
            let price = cost(request.method, request.path)
            if state.budget < price {
                return .json(429, #"{"success":false,"error":"Daily API token budget exceeded","errorCode":429}"#,
                             headers: ["x-ratelimit-limit": String(burstLimit), "x-ratelimit-remaining": String(burstLimit - state.recent.count), "x-daily-requests-left": "0"])
            }
            state.recent.append(now)
            state.budget -= price
            state.calls.append((request.method, request.path))
            return nil
        }
        if let gate { return gate }
        var reply = route(request, state: state)
        if case .response(var response) = reply {
            let remaining = state.withLock { (burstLimit - $0.recent.count, $0.budget) }
            response.headers.set("x-ratelimit-limit", String(burstLimit))
            response.headers.set("x-ratelimit-remaining", String(max(0, remaining.0)))
            response.headers.set("x-ratelimit-reset", "2")
            response.headers.set("x-daily-requests-left", String(remaining.1 / 10))
            reply = .response(response)
        }
        return reply
    }

    static func route(_ request: ServerRequest, state: Locked<State>) -> ServerReply {
        let parts = request.path.split(separator: "/").map(String.init)  // api v2 deals [id|search]
        guard parts.count >= 3, parts[0] == "api" else { return failure(404, "Unknown method .", code: "ERR_NOT_FOUND") }
        switch (request.method, parts[1], parts[2], parts.count > 3 ? parts[3] : nil) {
        case ("GET", "v2", "deals", "search"?): return search(request, state: state)
        case ("PATCH", "v2", "deals", let id?): return update(Int(id), body: request.body, state: state)
        case ("GET", "v2", "deals", let id?):
            guard let id = Int(id), let deal = state.value.deals[id] else { return failure(404, "Deal not found", code: "ERR_NOT_FOUND") }
            return .json(200, JSONWriter.compact(["success": true, "data": .object(JSONObject(deal.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))]))
        case ("POST", "v2", "deals", nil): return create(body: request.body, state: state)
        case ("POST", "v2", "activities", nil): return activity(body: request.body, state: state)
        case ("POST", "v1", "notes", nil): return note(body: request.body, state: state)
        default: return failure(404, "Unknown method .", code: "ERR_NOT_FOUND")
        }
    }

    static func search(_ request: ServerRequest, state: Locked<State>) -> ServerReply {
        guard let term = request.queryValue("term"), !term.isEmpty else { return failure(400, "term is required", code: "ERR_SCHEMA_VALIDATION_FAILED") }
        let fields = (request.queryValue("fields") ?? "custom_fields,notes,title").split(separator: ",").map(String.init)
        guard fields.allSatisfy(["custom_fields", "notes", "title"].contains) else { return failure(400, "fields must be one of custom_fields, notes, title", code: "ERR_SCHEMA_VALIDATION_FAILED") }
        let exact = request.queryValue("exact_match") == "true"
        guard exact || term.count >= 2 else { return failure(400, "term must be at least 2 characters", code: "ERR_SCHEMA_VALIDATION_FAILED") }
        let limit = Int(request.queryValue("limit") ?? "100") ?? 100
        guard (1...500).contains(limit) else { return failure(400, "limit must be between 1 and 500", code: "ERR_SCHEMA_VALIDATION_FAILED") }
        let fieldTypes = state.value.fields
        func matches(_ text: String) -> Bool { exact ? text.lowercased() == term.lowercased() : text.lowercased().contains(term.lowercased()) }
        // An exact search looks the term up in an index of searchable values (as Pipedrive's
        // search service does); a partial one scans.
        let snapshot = state.value
        let candidates: [[String: JSONValue]]
        if exact {
            candidates = snapshot.deals.values.filter { deal in
                (deal["custom_fields"]?.objectValue?.members ?? []).contains { ($0.value.stringValue ?? $0.value.numberText)?.lowercased() == term.lowercased() }
                    || deal["title"]?.stringValue?.lowercased() == term.lowercased()
            }
        } else {
            candidates = Array(snapshot.deals.values)
        }
        let found = candidates.sorted { ($0["id"]?.numberText ?? "") < ($1["id"]?.numberText ?? "") }.compactMap { deal -> JSONValue? in
            let custom = (deal["custom_fields"]?.objectValue?.members ?? []).filter { key, value in
                guard let type = fieldTypes[key], type == .varchar || type == .double else { return false }  // searchable types
                return (value.stringValue ?? value.numberText).map(matches) ?? false
            }.compactMap { $0.value.stringValue ?? $0.value.numberText }
            let titleMatch = fields.contains("title") && (deal["title"]?.stringValue.map(matches) ?? false)
            guard (fields.contains("custom_fields") && !custom.isEmpty) || titleMatch else { return nil }
            return ["result_score": .number("1.2"), "item": [
                "id": deal["id"] ?? .null, "type": "deal", "title": deal["title"] ?? .null, "value": 0, "currency": "EUR", "status": deal["status"] ?? "open",
                "visible_to": 3, "owner": ["id": deal["owner_id"] ?? .null], "stage": ["id": 1, "name": "Qualified"], "person": .null, "organization": .null,
                "custom_fields": .array(custom.map(JSONValue.string)), "notes": [], "is_archived": false,
            ]]
        }
        return .json(200, JSONWriter.compact(["success": true, "data": ["items": .array(Array(found.prefix(limit)))], "additional_data": ["next_cursor": .null]]))
    }

    static let updateKeys: Set<String> = ["title", "owner_id", "person_id", "org_id", "pipeline_id", "stage_id", "value", "currency", "is_deleted", "is_archived",
                                          "archive_time", "status", "probability", "lost_reason", "visible_to", "close_time", "won_time", "lost_time",
                                          "expected_close_date", "label_ids", "custom_fields"]

    /// Checks a deal body against UpdateDealRequest and the custom fields' types.
    static func invalid(_ body: JSONObject, fields: [String: FieldType]) -> ServerReply? {
        for (key, value) in body.members {
            guard updateKeys.contains(key) else { return failure(400, "Validation failed: \(key): Parameter is not allowed for this request", code: "ERR_SCHEMA_VALIDATION_FAILED") }
            if key == "status", let status = value.stringValue, !["open", "won", "lost"].contains(status) {
                return failure(400, "Validation failed: status: Parameter must be one of: open, won, lost", code: "ERR_SCHEMA_VALIDATION_FAILED")
            }
            if key == "value", value.numberText == nil { return failure(400, "Validation failed: value: Parameter must be a number", code: "ERR_SCHEMA_VALIDATION_FAILED") }
        }
        for (key, value) in body["custom_fields"]?.objectValue?.members ?? [] {
            guard let type = fields[key] else { return failure(400, "Validation failed: custom_fields.\(key): Field does not exist", code: "ERR_SCHEMA_VALIDATION_FAILED") }
            if case .null = value { continue }
            let fine: Bool
            switch type {
            case .varchar: fine = value.stringValue != nil
            case .double: fine = value.numberText != nil  // v2 does not coerce strings to numbers
            case .date: fine = value.stringValue.flatMap(CalendarDate.init(iso:)) != nil
            case .enumeration(let options): fine = value.numberText.flatMap { Int($0) }.map(options.contains) ?? false
            }
            if !fine { return failure(400, "Validation failed: custom_fields.\(key): Invalid value for the field's type", code: "ERR_SCHEMA_VALIDATION_FAILED") }
        }
        return nil
    }

    static func update(_ id: Int?, body: Data, state: Locked<State>) -> ServerReply {
        guard let object = (try? JSONParser.parse(body))?.objectValue else { return failure(400, "Invalid JSON", code: "ERR_SCHEMA_VALIDATION_FAILED") }
        return state.withLock { state -> ServerReply in
            if let problem = invalid(object, fields: state.fields) { return problem }
            guard let id, var deal = state.deals[id] else { return failure(404, "Deal not found", code: "ERR_NOT_FOUND") }
            for (key, value) in object.members where key != "custom_fields" { deal[key] = value }
            var custom = deal["custom_fields"]?.objectValue?.members ?? []
            for (key, value) in object["custom_fields"]?.objectValue?.members ?? [] {
                custom.removeAll { $0.key == key }
                custom.append((key, value))
            }
            deal["custom_fields"] = .object(JSONObject(custom))
            state.deals[id] = deal
            return .json(200, JSONWriter.compact(["success": true, "data": .object(JSONObject(deal.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))]))
        }
    }

    static func create(body: Data, state: Locked<State>) -> ServerReply {
        guard let object = (try? JSONParser.parse(body))?.objectValue else { return failure(400, "Invalid JSON", code: "ERR_SCHEMA_VALIDATION_FAILED") }
        return state.withLock { state -> ServerReply in
            if let problem = invalid(object, fields: state.fields) { return problem }
            guard object["title"]?.stringValue?.isEmpty == false else { return failure(400, "Validation failed: title: Parameter is required", code: "ERR_SCHEMA_VALIDATION_FAILED") }
            state.nextID += 1
            var deal: [String: JSONValue] = ["id": .number(String(state.nextID)), "status": "open", "owner_id": 13579]
            for (key, value) in object.members { deal[key] = value }
            state.deals[state.nextID] = deal
            return .json(201, JSONWriter.compact(["success": true, "data": .object(JSONObject(deal.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))]))
        }
    }

    static let activityKeys: Set<String> = ["subject", "type", "owner_id", "deal_id", "lead_id", "person_id", "org_id", "project_id", "due_date", "due_time",
                                            "duration", "busy", "done", "location", "participants", "attendees", "public_description", "priority", "note"]

    static func activity(body: Data, state: Locked<State>) -> ServerReply {
        guard let object = (try? JSONParser.parse(body))?.objectValue else { return failure(400, "Invalid JSON", code: "ERR_SCHEMA_VALIDATION_FAILED") }
        return state.withLock { state -> ServerReply in
            for key in object.keys where !activityKeys.contains(key) {
                return failure(400, "Validation failed: \(key): Parameter is not allowed for this request", code: "ERR_SCHEMA_VALIDATION_FAILED")
            }
            guard let deal = object["deal_id"]?.numberText.flatMap({ Int($0) }), state.deals[deal] != nil else {
                return failure(400, "Validation failed: deal_id: Deal not found", code: "ERR_SCHEMA_VALIDATION_FAILED")
            }
            if let due = object["due_date"], due.stringValue.flatMap(CalendarDate.init(iso:)) == nil {
                return failure(400, "Validation failed: due_date: Invalid date", code: "ERR_SCHEMA_VALIDATION_FAILED")
            }
            state.activities.append(Dictionary(uniqueKeysWithValues: object.members.map { ($0.key, $0.value) }))
            return .json(201, #"{"success":true,"data":{"id":\#(state.activities.count)}}"#)
        }
    }

    static func note(body: Data, state: Locked<State>) -> ServerReply {
        guard let object = (try? JSONParser.parse(body))?.objectValue else { return failure(400, "Invalid JSON", code: "ERR_SCHEMA_VALIDATION_FAILED") }
        return state.withLock { state -> ServerReply in
            guard object["content"]?.stringValue?.isEmpty == false else { return .json(400, #"{"success":false,"error":"Content is required","error_info":"Please check developers.pipedrive.com for more information about Pipedrive API.","data":null,"additional_data":null}"#) }
            guard let deal = object["deal_id"]?.numberText.flatMap({ Int($0) }), state.deals[deal] != nil else {
                return .json(400, #"{"success":false,"error":"Deal not found","error_info":"Please check developers.pipedrive.com for more information about Pipedrive API.","data":null,"additional_data":null}"#)
            }
            state.notes.append(Dictionary(uniqueKeysWithValues: object.members.map { ($0.key, $0.value) }))
            return .json(201, #"{"success":true,"data":{"id":\#(state.notes.count),"content":"…","deal_id":\#(deal)}}"#)
        }
    }
}
