import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake Zoho CRM on 127.0.0.1: the accounts server (`FakeZohoAccounts`, its `api_domain`
/// naming this server), and the v8 API:
/// `POST /crm/v8/{Module}/upsert` (at most 100 records, `duplicate_check_fields` must be unique
/// fields, typed fields, restricted picklists, system-mandatory fields on insert, per-record
/// `code`/`status` in `data[]`), `GET …/search?criteria=` (at most ten criteria, 204 when nothing
/// matches), and Tasks and Notes creation. Only `Authorization: Zoho-oauthtoken` is accepted.
/// Shapes from Zoho's v8 reference (upsert-records, search-records, create-notes) and
/// `../shared/reference/crm-apis.md` §6 and §8.4.
public final class FakeZohoCRMServer: Sendable {
    public enum FieldType: Sendable { case text, double, date, picklist([String]), lookup }

    public struct Module: Sendable {
        public var fields: [String: FieldType]
        public var unique: Set<String>
        /// The system-mandatory name field and any others required on insert.
        public var mandatory: Set<String>
    }

    struct State: Sendable {
        var modules: [String: Module] = [:]
        var records: [String: [String: [String: JSONValue]]] = [:]  // module → id → fields
        var nextID = 5_725_767_000_000_524_000
        var calls: [(method: String, path: String, records: Int)] = []
        var down = false
        var faults: [ServerReply] = []
    }

    public let accounts = FakeZohoAccounts(scope: "ZohoCRM.modules.ALL")
    public var clientID: String { accounts.clientID }
    public var clientSecret: String { accounts.clientSecret }
    public var refreshToken: String { accounts.refreshToken }
    private let state = Locked(State())
    private let server: LoopbackHTTPServer

    public var baseURL: String { server.baseURL }

    public init() throws {
        let (state, accounts) = (self.state, self.accounts)
        let holder = Locked<String>("")
        server = try LoopbackHTTPServer { request in
            FakeZohoCRMServer.handle(request, state: state, accounts: accounts, domain: holder.value)
        }
        holder.withLock { $0 = server.baseURL }
        define("Deals", Module(fields: [
            "Deal_Name": .text, "Invoice_Number": .text, "Stage": .picklist(["Qualification", "Negotiation/Review", "Closed Won", "Closed Lost"]),
            "Payment_Status": .picklist(["Awaiting payment", "Overdue", "Partially paid", "Paid", "Failed", "Refunded", "Voided", "Draft"]),
            "Amount_Paid": .double, "Amount_Due": .double, "Amount": .double, "Last_Payment_Date": .date, "Payment_Provider": .text, "Owner": .lookup,
        ], unique: ["Invoice_Number"], mandatory: ["Deal_Name", "Stage"]))
        define("Tasks", Module(fields: ["Subject": .text, "Description": .text, "What_Id": .lookup, "$se_module": .text, "Status": .text,
                                        "Priority": .text, "Due_Date": .date, "Owner": .lookup], unique: [], mandatory: ["Subject"]))
        define("Notes", Module(fields: ["Note_Title": .text, "Note_Content": .text, "Parent_Id": .lookup], unique: [], mandatory: ["Note_Content", "Parent_Id"]))
    }

    deinit { server.stop() }

    public func define(_ module: String, _ definition: Module) { state.withLock { $0.modules[module] = definition } }

    public func seed(_ module: String, _ records: [[String: JSONValue]]) {
        state.withLock { state in
            for fields in records {
                state.nextID += 1
                let id = String(state.nextID)
                state.records[module, default: [:]][id] = fields.merging(["id": .string(id)]) { $1 }
            }
        }
    }

    public func record(_ module: String, where field: String, is value: String) -> [String: JSONValue]? {
        state.value.records[module]?.values.first { $0[field]?.stringValue == value }
    }

    public func records(_ module: String) -> [[String: JSONValue]] { Array(state.value.records[module]?.values ?? [:].values) }

    /// API calls (not token requests), with the records each carried.
    public var calls: [(method: String, path: String, records: Int)] { state.value.calls }
    public func clearCalls() { state.withLock { $0.calls.removeAll() } }
    public var tokenRequests: Int { accounts.tokenRequests }

    /// While down, every API call gets 503 (the accounts server still answers).
    public func setDown(_ down: Bool) { state.withLock { $0.down = down } }
    /// Answers the next API calls with these replies, in order.
    public func inject(_ replies: ServerReply...) { state.withLock { $0.faults += replies } }
    public func exhaustTokenAllowance() { accounts.exhaustTokenAllowance() }
    public func clearTokenAllowance() { accounts.clearTokenAllowance() }
    public func expireAccessTokens() { accounts.expireAccessTokens() }

    /// Zoho's answer to a concurrency or rate limit.
    public static let tooManyRequests = ServerReply.json(429, #"{"code":"TOO_MANY_REQUESTS","details":{},"message":"You have reached the maximum concurrency limit","status":"error"}"#)

    // MARK: Handler

    static func apiError(_ status: Int, _ code: String, _ message: String, details: JSONValue = [:]) -> ServerReply {
        .json(status, JSONWriter.compact(["code": .string(code), "details": details, "message": .string(message), "status": "error"]))
    }

    static func handle(_ request: ServerRequest, state: Locked<State>, accounts: FakeZohoAccounts, domain: String) -> ServerReply {
        if request.path == "/oauth/v2/token" { return accounts.token(request, domain: domain) }
        let gate = state.withLock { state -> ServerReply? in
            if state.down { return .status(503, body: "Service Unavailable") }
            if !state.faults.isEmpty { return state.faults.removeFirst() }
            return nil
        }
        if let gate { return gate }
        guard accounts.authorizes(request) else {
            return apiError(401, "INVALID_TOKEN", "invalid oauth token")
        }
        let parts = request.path.split(separator: "/").map(String.init)  // crm v8 Module [upsert|search]
        guard parts.count >= 3, parts[0] == "crm", parts[1] == "v8" else { return apiError(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one") }
        guard let module = state.value.modules[parts[2]] else {
            return apiError(400, "INVALID_MODULE", "the module name given seems to be invalid", details: ["resource_path_index": 0])
        }
        let reply: ServerReply
        switch (request.method, parts.count > 3 ? parts[3] : nil) {
        case ("POST", "upsert"?):
            reply = write(request, module: parts[2], definition: module, upsert: true, state: state)
        case ("POST", nil):
            reply = write(request, module: parts[2], definition: module, upsert: false, state: state)
        case ("GET", "search"?):
            reply = search(request.queryValue("criteria") ?? "", module: parts[2], state: state)
        default:
            reply = apiError(405, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one")
        }
        let count = (try? JSONParser.parse(request.body))?["data"]?.arrayValue?.count ?? 0
        state.withLock { $0.calls.append((request.method, request.path, count)) }
        return reply
    }

    /// Validates one record's fields against the module: unknown fields, types, picklists.
    static func invalid(_ fields: [(key: String, value: JSONValue)], _ definition: Module, index: Int) -> JSONValue? {
        for (name, value) in fields {
            guard let type = definition.fields[name] else {
                return ["code": "INVALID_DATA", "details": ["api_name": .string(name), "json_path": .string("$.data[\(index)].\(name)")], "message": "invalid data", "status": "error"]
            }
            func wrong(_ expected: String) -> JSONValue {
                ["code": "INVALID_DATA", "details": ["expected_data_type": .string(expected), "api_name": .string(name), "json_path": .string("$.data[\(index)].\(name)")],
                 "message": "invalid data", "status": "error"]
            }
            if case .null = value { continue }
            switch type {
            case .text: if value.stringValue == nil { return wrong("text") }
            case .double: if value.numberText == nil { return wrong("double") }
            case .date: if value.stringValue.flatMap(CalendarDate.init(iso:)) == nil { return wrong("date") }
            case .lookup: if value.objectValue == nil { return wrong("lookup") }
            case .picklist(let allowed):
                guard let text = value.stringValue, allowed.contains(text) else { return wrong("picklist") }
            }
        }
        return nil
    }

    static func write(_ request: ServerRequest, module: String, definition: Module, upsert: Bool, state: Locked<State>) -> ServerReply {
        guard request.headers["Content-Type"]?.hasPrefix("application/json") == true,
              let body = try? JSONParser.parse(request.body), let object = body.objectValue else {
            return apiError(400, "INVALID_DATA", "body is not JSON")
        }
        for key in object.keys where !["data", "duplicate_check_fields", "trigger"].contains(key) {
            return apiError(400, "INVALID_DATA", "invalid data", details: ["api_name": .string(key)])
        }
        guard let records = body["data"]?.arrayValue, !records.isEmpty else { return apiError(400, "MANDATORY_NOT_FOUND", "required field not found", details: ["api_name": "data"]) }
        guard records.count <= 100 else { return apiError(400, "LIMIT_EXCEEDED", "Maximum number of records exceeded", details: ["limit": 100]) }
        var checkFields: [String] = []
        if upsert {
            checkFields = body["duplicate_check_fields"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard !checkFields.isEmpty, checkFields.allSatisfy(definition.unique.contains) else {
                return apiError(400, "INVALID_DATA", "the given field is not unique", details: ["api_name": "duplicate_check_fields"])
            }
        }
        if let triggers = body["trigger"] {
            guard let list = triggers.arrayValue, list.allSatisfy({ ["workflow", "approval", "blueprint", "orchestration"].contains($0.stringValue ?? "") }) else {
                return apiError(400, "INVALID_DATA", "invalid data", details: ["api_name": "trigger"])
            }
        }
        return state.withLock { state -> ServerReply in
            var results: [JSONValue] = []
            var failed = false
            for (index, record) in records.enumerated() {
                let fields = record.objectValue?.members ?? []
                if let error = invalid(fields, definition, index: index) {
                    results.append(error)
                    failed = true
                    continue
                }
                let existing = checkFields.isEmpty ? nil : state.records[module]?.first { entry in
                    checkFields.contains { field in record[field]?.stringValue != nil && entry.value[field]?.stringValue == record[field]?.stringValue }
                }
                let stamp = JSONValue.string("2026-11-26T09:12:44+00:00")
                if let (id, current) = existing {
                    var updated = current
                    for (name, value) in fields { updated[name] = value }
                    state.records[module]?[id] = updated
                    results.append(["code": "SUCCESS", "duplicate_field": .string(checkFields[0]), "action": "update",
                                    "details": ["Modified_Time": stamp, "id": .string(id), "Modified_By": ["name": "paysync", "id": "5725767000000411001"]],
                                    "message": "record updated", "status": "success"])
                    continue
                }
                if let missing = definition.mandatory.sorted().first(where: { field in !fields.contains { $0.key == field } }) {
                    results.append(["code": "MANDATORY_NOT_FOUND", "details": ["api_name": .string(missing), "json_path": .string("$.data[\(index)].\(missing)")],
                                    "message": "required field not found", "status": "error"])
                    failed = true
                    continue
                }
                if let parent = record["What_Id"]?["id"]?.stringValue ?? record["Parent_Id"]?["id"]?.stringValue {
                    let parentModule = record["$se_module"]?.stringValue ?? record["Parent_Id"]?["module"]?["api_name"]?.stringValue ?? ""
                    guard state.records[parentModule]?[parent] != nil else {
                        results.append(["code": "INVALID_DATA", "details": ["api_name": record["What_Id"] != nil ? "What_Id" : "Parent_Id"], "message": "the related id given seems to be invalid", "status": "error"])
                        failed = true
                        continue
                    }
                }
                state.nextID += 1
                let id = String(state.nextID)
                var created: [String: JSONValue] = ["id": .string(id)]
                for (name, value) in fields { created[name] = value }
                state.records[module, default: [:]][id] = created
                results.append(["code": "SUCCESS", "action": "insert", "details": ["Created_Time": stamp, "id": .string(id)], "message": "record added", "status": "success"])
            }
            return .json(failed ? 202 : (upsert ? 200 : 201), JSONWriter.compact(["data": .array(results)]))
        }
    }

    /// `(F:equals:V)` or `((F:equals:V)or(F:equals:W)…)`, at most ten criteria; `\` escapes.
    static func search(_ criteria: String, module: String, state: Locked<State>) -> ServerReply {
        var terms: [(field: String, value: String)] = []
        var current = ""
        var escaped = false
        for character in criteria {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\": escaped = true
            case "(": current = ""  // what came between groups ("or") is not a term
            case ")":
                if !current.isEmpty {
                    let pieces = current.components(separatedBy: ":equals:")
                    guard pieces.count == 2 else { return apiError(400, "INVALID_QUERY", "invalid query formed", details: ["reason": "invalid operator found"]) }
                    terms.append((pieces[0], pieces[1]))
                }
                current = ""
            default: current.append(character)
            }
        }
        guard !terms.isEmpty else { return apiError(400, "INVALID_QUERY", "invalid query formed") }
        guard terms.count <= 10 else { return apiError(400, "LIMIT_REACHED", "maximum number of criteria reached", details: ["limit": 10]) }
        let matches = (state.value.records[module]?.values ?? [:].values).filter { record in
            terms.contains { record[$0.field]?.stringValue == $0.value }
        }
        guard !matches.isEmpty else { return .status(204) }
        return .json(200, JSONWriter.compact(["data": .array(matches.map { .object(JSONObject($0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })) }),
                                              "info": ["per_page": 200, "count": .number(String(matches.count)), "page": 1, "more_records": false]]))
    }
}
