import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake Salesforce on 127.0.0.1: the OAuth token endpoint (refresh-token and client-credentials
/// grants, answering with `instance_url`), sObject Collections upsert by External ID (per-record
/// `success`/`errors[]`, `allOrNone: false`), create, a SOQL `SELECT … WHERE field IN (…)`, restricted
/// picklists, required fields on insert, `INVALID_SESSION_ID` for an expired session, and the
/// `Sforce-Limit-Info` header.
public final class FakeSalesforceServer: Sendable {
    public struct SObjectSchema: Sendable {
        public var fields: Set<String>
        public var externalIDs: Set<String>
        /// Required when a record is inserted (Opportunity: Name, StageName, CloseDate).
        public var requiredOnCreate: Set<String>
        /// Restricted picklists: field → allowed values.
        public var picklists: [String: Set<String>]
        public var idPrefix: String

        public init(fields: Set<String>, externalIDs: Set<String>, requiredOnCreate: Set<String>, picklists: [String: Set<String>], idPrefix: String) {
            self.fields = fields
            self.externalIDs = externalIDs
            self.requiredOnCreate = requiredOnCreate
            self.picklists = picklists
            self.idPrefix = idPrefix
        }
    }

    struct State: Sendable {
        var schemas: [String: SObjectSchema] = [:]
        var records: [String: [String: [String: JSONValue]]] = [:]  // object → id → fields
        var sessions: Set<String> = []
        var refreshTokens: Set<String>
        var nextID = 1
        var calls: [(method: String, path: String, records: Int)] = []
        var tokenRequests = 0
        var down = false
        /// Refresh token rotation (a connected-app setting): each refresh returns a new refresh
        /// token and retires the one used; reusing a retired one revokes the whole family.
        var rotateRefreshTokens = false
        var retiredRefreshTokens: Set<String> = []
        var familyRevoked = false
        /// The org's rolling 24-hour API request limit is reached: every REST call answers
        /// 403 REQUEST_LIMIT_EXCEEDED until it is lifted.
        var requestLimitExceeded = false
        var rotations = 0
    }

    public let clientID: String
    public let clientSecret: String
    private let state: Locked<State>
    private let server: LoopbackHTTPServer

    public var baseURL: String { server.baseURL }
    public var tokenURL: String { server.baseURL + "/services/oauth2/token" }

    public init(clientID: String = "3MVG9fake.consumer.key", clientSecret: String = "fake-consumer-secret", refreshToken: String = "5Aep861fake-refresh") throws {
        self.clientID = clientID
        self.clientSecret = clientSecret
        let state = Locked(State(refreshTokens: [refreshToken]))
        self.state = state
        let holder = Locked<String>("")
        server = try LoopbackHTTPServer { request in
            FakeSalesforceServer.handle(request, state: state, clientID: clientID, clientSecret: clientSecret, instance: holder.value)
        }
        holder.withLock { $0 = server.baseURL }
        define("Opportunity", SObjectSchema(
            fields: ["Id", "Name", "StageName", "CloseDate", "Amount", "OwnerId", "Invoice_Number__c", "Payment_Status__c", "Amount_Paid__c",
                     "Amount_Due__c", "Last_Payment_Date__c", "Payment_Transaction_Id__c", "Payment_Provider__c", "CurrencyIsoCode"],
            externalIDs: ["Invoice_Number__c"], requiredOnCreate: ["Name", "StageName", "CloseDate"],
            picklists: ["Payment_Status__c": ["Awaiting payment", "Overdue", "Partially paid", "Paid", "Failed", "Refunded", "Voided", "Draft"],
                        "StageName": ["Prospecting", "Negotiation/Review", "Closed Won", "Closed Lost"]],
            idPrefix: "006"
        ))
        define("Task", SObjectSchema(fields: ["Id", "Subject", "Description", "WhatId", "OwnerId", "Status", "Priority", "ActivityDate"],
                                     externalIDs: [], requiredOnCreate: ["Subject"], picklists: [:], idPrefix: "00T"))
        define("Note", SObjectSchema(fields: ["Id", "ParentId", "Title", "Body"], externalIDs: [], requiredOnCreate: ["ParentId", "Title"], picklists: [:], idPrefix: "002"))
    }

    deinit { server.stop() }

    public func define(_ object: String, _ schema: SObjectSchema) { state.withLock { $0.schemas[object] = schema } }

    public func seed(_ object: String, _ records: [[String: JSONValue]]) {
        state.withLock { state in
            for fields in records {
                state.nextID += 1
                let id = (state.schemas[object]?.idPrefix ?? "a00") + String(format: "5g00000%08d", state.nextID)
                state.records[object, default: [:]][id] = fields.merging(["Id": .string(id)]) { $1 }
            }
        }
    }

    public func record(_ object: String, where field: String, is value: String) -> [String: JSONValue]? {
        state.value.records[object]?.values.first { $0[field]?.stringValue == value }
    }

    public func records(_ object: String) -> [[String: JSONValue]] { Array(state.value.records[object]?.values ?? [:].values) }

    public var calls: [(method: String, path: String, records: Int)] { state.value.calls }
    public func clearCalls() { state.withLock { $0.calls.removeAll() } }
    public var tokenRequests: Int { state.value.tokenRequests }

    /// Makes every REST call answer 403 REQUEST_LIMIT_EXCEEDED (the org's daily limit), or stops.
    public func setRequestLimitExceeded(_ exceeded: Bool) { state.withLock { $0.requestLimitExceeded = exceeded } }

    /// Turns refresh-token rotation on (the connected app's "Refresh Token Rotation" setting).
    public func setRotation(_ rotate: Bool) { state.withLock { $0.rotateRefreshTokens = rotate } }

    /// Whether a rotated-out refresh token was reused, revoking every token of the family.
    public var isFamilyRevoked: Bool { state.value.familyRevoked }

    /// The refresh tokens the fake still accepts.
    public var validRefreshTokens: Set<String> { state.value.refreshTokens }

    /// Every session issued so far stops working (the org's session timeout passed).
    public func expireSessions() { state.withLock { $0.sessions.removeAll() } }
    public func setDown(_ down: Bool) { state.withLock { $0.down = down } }

    // MARK: Handler

    static func errors(_ status: Int, _ code: String, _ message: String) -> ServerReply {
        .json(status, JSONWriter.compact([["message": .string(message), "errorCode": .string(code)]]))
    }

    static func handle(_ request: ServerRequest, state: Locked<State>, clientID: String, clientSecret: String, instance: String) -> ServerReply {
        if state.value.down { return .status(503, body: "Service Unavailable") }
        if request.path == "/services/oauth2/token" {
            let form = request.formFields
            return state.withLock { state -> ServerReply in
                state.tokenRequests += 1
                guard form["client_id"] == clientID, form["client_secret"] == clientSecret else {
                    return .json(400, #"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#)
                }
                switch form["grant_type"] {
                case "refresh_token":
                    if let token = form["refresh_token"], state.retiredRefreshTokens.contains(token) {
                        // Salesforce treats a rotated-out token's reuse as theft: the family is revoked.
                        state.familyRevoked = true
                        state.refreshTokens.removeAll()
                    }
                    guard !state.familyRevoked, let token = form["refresh_token"], state.refreshTokens.contains(token) else {
                        return .json(400, #"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#)
                    }
                    if state.rotateRefreshTokens {
                        state.rotations += 1
                        let next = "5Aep861rotated-\(state.rotations)-\(UUID().uuidString.prefix(8))"
                        state.refreshTokens.remove(token)
                        state.retiredRefreshTokens.insert(token)
                        state.refreshTokens.insert(next)
                        let session = "00D5g000004XXXX!AQ\(UUID().uuidString.prefix(12))"
                        state.sessions.insert(session)
                        return .json(200, #"{"access_token":"\#(session)","refresh_token":"\#(next)","signature":"fake=","scope":"api refresh_token","instance_url":"\#(instance)","id":"\#(instance)/id/00D5g000004XXXX/0055g00000ABCDE","token_type":"Bearer","issued_at":"1714554764000"}"#)
                    }
                case "client_credentials":
                    break
                default:
                    return .json(400, #"{"error":"unsupported_grant_type","error_description":"grant type not supported"}"#)
                }
                let session = "00D5g000004XXXX!AQ\(UUID().uuidString.prefix(12))"
                state.sessions.insert(session)
                return .json(200, #"{"access_token":"\#(session)","signature":"fake=","scope":"api refresh_token","instance_url":"\#(instance)","id":"\#(instance)/id/00D5g000004XXXX/0055g00000ABCDE","token_type":"Bearer","issued_at":"1714554764000"}"#)
            }
        }
        if state.value.requestLimitExceeded {
            return errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        }
        let auth = request.headers["Authorization"] ?? ""
        guard auth.hasPrefix("Bearer "), state.value.sessions.contains(String(auth.dropFirst(7))) else {
            return errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
        }
        let usage = state.withLock { state -> Int in state.calls.count + 1 }
        var reply: ServerReply
        let parts = request.path.split(separator: "/").map(String.init)  // services data vXX.X …
        guard parts.count >= 4, parts[0] == "services", parts[1] == "data" else { return errors(404, "NOT_FOUND", "The requested resource does not exist") }
        let rest = Array(parts[3...])
        if rest.first == "query", request.method == "GET" {
            reply = query(request.queryValue("q") ?? "", state: state)
        } else if rest.count == 4, rest[0] == "composite", rest[1] == "sobjects", request.method == "PATCH" {
            reply = upsert(object: rest[2], externalID: rest[3], body: request.body, state: state)
        } else if rest == ["composite", "sobjects"], request.method == "POST" {
            reply = create(body: request.body, state: state)
        } else {
            reply = errors(404, "NOT_FOUND", "The requested resource does not exist")
        }
        state.withLock { $0.calls.append((request.method, request.path, ((try? JSONParser.parse(request.body))?["records"]?.arrayValue?.count) ?? 0)) }
        if case .response(var response) = reply {
            response.headers.set("Sforce-Limit-Info", "api-usage=\(usage)/15000")
            reply = .response(response)
        }
        return reply
    }

    static func validate(_ fields: [(key: String, value: JSONValue)], schema: SObjectSchema, object: String) -> (field: String, error: JSONValue)? {
        for (name, value) in fields where name != "attributes" {
            guard schema.fields.contains(name) else { return (name, ["statusCode": "INVALID_FIELD", "message": .string("No such column '\(name)' on sobject of type \(object)"), "fields": [.string(name)]]) }
            if let allowed = schema.picklists[name], let text = value.stringValue, !allowed.contains(text) {
                return (name, ["statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "message": .string("\(name): bad value for restricted picklist field: \(text)"), "fields": [.string(name)]])
            }
        }
        return nil
    }

    static func upsert(object: String, externalID: String, body: Data, state: Locked<State>) -> ServerReply {
        guard let document = try? JSONParser.parse(body), let records = document["records"]?.arrayValue else {
            return errors(400, "JSON_PARSER_ERROR", "Unexpected body")
        }
        guard records.count <= 200 else { return errors(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into this call") }
        return state.withLock { state -> ServerReply in
            guard let schema = state.schemas[object] else { return errors(404, "NOT_FOUND", "The requested resource does not exist") }
            guard schema.externalIDs.contains(externalID) else {
                return errors(400, "INVALID_FIELD", "Field name provided, \(externalID) is not an External ID or indexed field for \(object)")
            }
            var results: [JSONValue] = []
            for record in records {
                let fields = record.objectValue?.members ?? []
                guard record["attributes"]?["type"]?.stringValue == object else {
                    results.append(["success": false, "errors": [["statusCode": "INVALID_TYPE", "message": "attributes.type must match the URI's sObject", "fields": []]]])
                    continue
                }
                if let invalid = validate(fields, schema: schema, object: object) {
                    results.append(["success": false, "errors": [invalid.error]])
                    continue
                }
                let key = record[externalID]?.stringValue ?? ""
                if let (id, existing) = state.records[object]?.first(where: { $0.value[externalID]?.stringValue == key }) {
                    var updated = existing
                    for (name, value) in fields where name != "attributes" { updated[name] = value }
                    state.records[object]?[id] = updated
                    results.append(["id": .string(id), "success": true, "errors": [], "created": false])
                } else {
                    let missing = schema.requiredOnCreate.filter { field in !fields.contains { $0.key == field } }.sorted()
                    if !missing.isEmpty {
                        results.append(["success": false, "errors": [[
                            "statusCode": "REQUIRED_FIELD_MISSING", "message": .string("Required fields are missing: [\(missing.joined(separator: ", "))]"),
                            "fields": .array(missing.map { .string($0) }),
                        ]]])
                        continue
                    }
                    state.nextID += 1
                    let id = schema.idPrefix + String(format: "5g00000%08d", state.nextID)
                    var created: [String: JSONValue] = ["Id": .string(id)]
                    for (name, value) in fields where name != "attributes" { created[name] = value }
                    state.records[object, default: [:]][id] = created
                    results.append(["id": .string(id), "success": true, "errors": [], "created": true])
                }
            }
            return .json(200, JSONWriter.compact(.array(results)))
        }
    }

    static func create(body: Data, state: Locked<State>) -> ServerReply {
        guard let records = (try? JSONParser.parse(body))?["records"]?.arrayValue else { return errors(400, "JSON_PARSER_ERROR", "Unexpected body") }
        return state.withLock { state -> ServerReply in
            var results: [JSONValue] = []
            for record in records {
                guard let object = record["attributes"]?["type"]?.stringValue, let schema = state.schemas[object] else {
                    results.append(["success": false, "errors": [["statusCode": "INVALID_TYPE", "message": "sObject type is not supported", "fields": []]]])
                    continue
                }
                let fields = record.objectValue?.members ?? []
                if let invalid = validate(fields, schema: schema, object: object) {
                    results.append(["success": false, "errors": [invalid.error]])
                    continue
                }
                state.nextID += 1
                let id = schema.idPrefix + String(format: "5g00000%08d", state.nextID)
                var created: [String: JSONValue] = ["Id": .string(id)]
                for (name, value) in fields where name != "attributes" { created[name] = value }
                state.records[object, default: [:]][id] = created
                results.append(["id": .string(id), "success": true, "errors": []])
            }
            return .json(200, JSONWriter.compact(.array(results)))
        }
    }

    /// `SELECT a, b FROM Object WHERE field IN ('x','y')`, the only shape paysync sends.
    static func query(_ soql: String, state: Locked<State>) -> ServerReply {
        let pattern = #"^SELECT (.+) FROM (\w+) WHERE (\w+) IN \((.*)\)$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: soql, range: NSRange(soql.startIndex..., in: soql)),
              let select = Range(match.range(at: 1), in: soql), let object = Range(match.range(at: 2), in: soql),
              let field = Range(match.range(at: 3), in: soql), let list = Range(match.range(at: 4), in: soql) else {
            return errors(400, "MALFORMED_QUERY", "unexpected token in: \(soql)")
        }
        let columns = soql[select].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = Set(soql[list].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " '")) })
        let records = state.value.records[String(soql[object])]?.values.filter { values.contains($0[String(soql[field])]?.stringValue ?? "") } ?? []
        let rows: [JSONValue] = records.map { record in
            .object(JSONObject([("attributes", ["type": .string(String(soql[object]))])] + columns.map { ($0, record[$0] ?? .null) }))
        }
        return .json(200, JSONWriter.compact(["totalSize": .number(String(rows.count)), "done": true, "records": .array(rows)]))
    }
}
