import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake HubSpot CRM v3 objects API on 127.0.0.1, holding records in memory and answering in
/// HubSpot's documented shapes: batch update/upsert/read by a unique `idProperty` (200, or 207
/// Multi-Status with `errors[].context.ids`), property validation (unknown properties, enumeration
/// options, dates that are not midnight UTC), tasks and notes with associations, 401 for a wrong
/// token, and 429 with `policyName` when more than the configured requests arrive in 10 seconds.
public final class FakeHubSpotServer: Sendable {
    public enum PropertyKind: Sendable, Equatable {
        case string
        case number
        case date
        case enumeration([String])
    }

    public struct Record: Sendable, Equatable {
        public var id: String
        public var properties: [String: String]
    }

    public struct Engagement: Sendable, Equatable {
        public var kind: String
        public var properties: [String: String]
        public var associatedIDs: [String]
        public var associationTypeIDs: [Int]

        public init(kind: String, properties: [String: String], associatedIDs: [String], associationTypeIDs: [Int]) {
            self.kind = kind
            self.properties = properties
            self.associatedIDs = associatedIDs
            self.associationTypeIDs = associationTypeIDs
        }
    }

    struct State: Sendable {
        var schemas: [String: [String: PropertyKind]] = [:]
        var unique: [String: Set<String>] = [:]
        var records: [String: [String: Record]] = [:]
        /// object type → unique property → value → record id.
        var index: [String: [String: [String: String]]] = [:]
        var engagements: [Engagement] = []
        var nextID = 18_734_520_000
        var calls: [(path: String, inputs: Int)] = []
        var recent: [Date] = []
        var faults: [ServerReply] = []
        var down = false
        var tooManyRequests = 0
    }

    public let token: String
    public let requestsPer10Seconds: Int
    private let state = Locked(State())
    private let server: LoopbackHTTPServer

    public var baseURL: String { server.baseURL }

    public init(token: String = "pat-na1-fake-token", requestsPer10Seconds: Int = 100) throws {
        self.token = token
        self.requestsPer10Seconds = requestsPer10Seconds
        let state = self.state
        server = try LoopbackHTTPServer { request in
            FakeHubSpotServer.handle(request, state: state, token: token, limit: requestsPer10Seconds)
        }
    }

    deinit { server.stop() }

    /// Declares an object type's properties and which are unique (usable as `idProperty`).
    public func define(_ objectType: String, properties: [String: PropertyKind], unique: Set<String>) {
        state.withLock { state in
            state.schemas[objectType] = properties.merging(["hubspot_owner_id": .string, "hs_object_id": .string]) { $1 }
            state.unique[objectType] = unique
        }
    }

    /// The deals schema the tests and docs use: `invoice_number` unique, a `payment_status`
    /// enumeration, amounts, dates, stage.
    public func defineDeals(paymentStatusOptions: [String] = ["Awaiting payment", "Overdue", "Partially paid", "Paid", "Failed", "Refunded", "Voided", "Draft"]) {
        define("deals", properties: [
            "dealname": .string, "invoice_number": .string, "payment_status": .enumeration(paymentStatusOptions),
            "amount_paid": .number, "amount_due": .number, "amount": .number, "deal_currency_code": .string,
            "last_payment_date": .date, "payment_transaction_id": .string, "payment_provider": .string,
            "dealstage": .enumeration(["appointmentscheduled", "qualifiedtobuy", "contractsent", "closedwon", "closedlost"]),
        ], unique: ["invoice_number"])
    }

    /// Adds records (each a property map).
    public func seed(_ objectType: String, _ records: [[String: String]]) {
        state.withLock { state in
            for properties in records {
                state.nextID += 1
                let id = String(state.nextID)
                state.records[objectType, default: [:]][id] = Record(id: id, properties: properties.merging(["hs_object_id": id]) { $1 })
                for property in state.unique[objectType] ?? [] {
                    if let value = properties[property] { state.index[objectType, default: [:]][property, default: [:]][value] = id }
                }
            }
        }
    }

    public func record(_ objectType: String, where property: String, is value: String) -> Record? {
        state.withLock { state in
            if let id = state.index[objectType]?[property]?[value] { return state.records[objectType]?[id] }
            return state.records[objectType]?.values.first { $0.properties[property] == value }
        }
    }

    public func records(_ objectType: String) -> [Record] { Array(state.value.records[objectType]?.values ?? [:].values) }

    public var engagements: [Engagement] { state.value.engagements }

    /// Batch calls made, by path, with their input counts.
    public var calls: [(path: String, inputs: Int)] { state.value.calls }

    public func clearCalls() { state.withLock { $0.calls.removeAll() } }

    public func inject(_ reply: ServerReply) { state.withLock { $0.faults.append(reply) } }

    /// While down, every request gets 503.
    public func setDown(_ down: Bool) { state.withLock { $0.down = down } }

    /// How many 429s the rate limit produced.
    public var tooManyRequests: Int { state.value.tooManyRequests }

    // MARK: Handler

    static func error(_ status: Int, category: String, message: String, extra: [(String, JSONValue)] = []) -> ServerReply {
        var members: [(key: String, value: JSONValue)] = [("status", "error"), ("message", .string(message)),
                                                          ("correlationId", .string(UUID().uuidString.lowercased())), ("category", .string(category))]
        members += extra.map { (key: $0.0, value: $0.1) }
        return .json(status, JSONWriter.compact(.object(JSONObject(members))))
    }

    static func handle(_ request: ServerRequest, state: Locked<State>, token: String, limit: Int) -> ServerReply {
        let now = Date()
        let gate = state.withLock { state -> ServerReply? in
            if state.down { return .status(503, body: "Service Unavailable") }
            if !state.faults.isEmpty { return state.faults.removeFirst() }
            state.recent = state.recent.filter { now.timeIntervalSince($0) < 10 }
            if state.recent.count >= limit {
                state.tooManyRequests += 1
                return FakeHubSpotServer.error(429, category: "RATE_LIMITS", message: "You have reached your ten_secondly_rolling limit.",
                                               extra: [("errorType", "RATE_LIMIT"), ("policyName", "TEN_SECONDLY_ROLLING")])
            }
            state.recent.append(now)
            return nil
        }
        if let gate { return gate }
        guard request.headers["Authorization"] == "Bearer \(token)" else {
            return error(401, category: "INVALID_AUTHENTICATION", message: "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
        }
        let parts = request.path.split(separator: "/").map(String.init)  // crm v3 objects {type} batch {operation}
        guard request.method == "POST", parts.count == 6, parts[0] == "crm", parts[2] == "objects", parts[4] == "batch",
              let body = try? JSONParser.parse(request.body), let inputs = body["inputs"]?.arrayValue else {
            return error(404, category: "OBJECT_NOT_FOUND", message: "Unknown path \(request.path)")
        }
        let objectType = parts[3], operation = parts[5]
        state.withLock { $0.calls.append((request.path, inputs.count)) }
        // Strict as HubSpot: JSON only, the documented keys only, at most 100 inputs, no id twice,
        // and property values as strings (HubSpot takes numbers and dates as text).
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            return error(415, category: "VALIDATION_ERROR", message: "Content type '\(request.headers["Content-Type"] ?? "")' not supported")
        }
        guard inputs.count <= 100 else {
            return error(400, category: "VALIDATION_ERROR", message: "Batch input limit of 100 exceeded (\(inputs.count) inputs)")
        }
        let allowed: Set<String> = operation == "read" ? ["inputs", "properties", "idProperty", "propertiesWithHistory", "archived"] : ["inputs"]
        if let unknown = body.objectValue?.keys.first(where: { !allowed.contains($0) }) {
            return error(400, category: "VALIDATION_ERROR", message: "Invalid input JSON on line 1, column 2: Unrecognized field \"\(unknown)\"")
        }
        if operation == "update" || operation == "upsert" {
            let inputKeys: Set<String> = ["id", "idProperty", "properties", "objectWriteTraceId"]
            var seen: Set<String> = []
            var duplicates: [String] = []
            for input in inputs {
                if let unknown = input.objectValue?.keys.first(where: { !inputKeys.contains($0) }) {
                    return error(400, category: "VALIDATION_ERROR", message: "Invalid input JSON on line 1, column 2: Unrecognized field \"\(unknown)\"")
                }
                for (name, value) in input["properties"]?.objectValue?.members ?? [] where value.stringValue == nil && value != .null {
                    return error(400, category: "VALIDATION_ERROR", message: "Invalid input JSON: property \(name) must be a string, found \(value.typeDescription)")
                }
                let id = input["id"]?.stringValue ?? ""
                if !seen.insert(id).inserted { duplicates.append(id) }
            }
            if !duplicates.isEmpty {
                return error(400, category: "VALIDATION_ERROR", message: "Duplicate IDs found in batch input: [\(duplicates.joined(separator: ", "))]. IDs must be unique")
            }
        }
        switch (objectType, operation) {
        case ("tasks", "create"), ("notes", "create"):
            return createEngagements(objectType == "tasks" ? "task" : "note", inputs, state: state)
        case (_, "update"), (_, "upsert"):
            return write(objectType, inputs, upsert: operation == "upsert", state: state)
        case (_, "read"):
            return read(objectType, body, state: state)
        default:
            return error(404, category: "OBJECT_NOT_FOUND", message: "Unknown operation \(operation)")
        }
    }

    static func write(_ objectType: String, _ inputs: [JSONValue], upsert: Bool, state: Locked<State>) -> ServerReply {
        state.withLock { state -> ServerReply in
            guard let schema = state.schemas[objectType] else {
                return error(400, category: "OBJECT_NOT_FOUND", message: "Unable to infer object type from: \(objectType)")
            }
            var results: [JSONValue] = []
            var errors: [JSONValue] = []
            // HubSpot validates every input's properties before writing any: one invalid value
            // refuses the whole batch (400 VALIDATION_ERROR, naming the property, not the input).
            var invalidValues: [String] = []
            for input in inputs {
                guard let idProperty = input["idProperty"]?.stringValue, state.unique[objectType]?.contains(idProperty) == true else {
                    return error(400, category: "VALIDATION_ERROR", message: "Unable to perform update/upsert by non-unique \(objectType) property \(input["idProperty"]?.stringValue ?? "(none)")")
                }
                for (name, value) in input["properties"]?.objectValue?.members ?? [] {
                    if let problem = invalidValue(name: name, value: value.stringValue ?? "", schema: schema) { invalidValues.append(problem) }
                }
            }
            if !invalidValues.isEmpty {
                return error(400, category: "VALIDATION_ERROR", message: "Property values were not valid: [\(invalidValues.joined(separator: ","))]")
            }
            for input in inputs {
                let id = input["id"]?.stringValue ?? ""
                let trace = input["objectWriteTraceId"]
                let idProperty = input["idProperty"]?.stringValue ?? ""
                let properties = input["properties"]?.objectValue?.members ?? []
                var existing = state.index[objectType]?[idProperty]?[id].flatMap { state.records[objectType]?[$0] }
                var isNew = false
                if existing == nil {
                    guard upsert else {
                        errors.append(.object(JSONObject([("status", "error"), ("category", "OBJECT_NOT_FOUND"),
                            ("message", .string("Could not get some \(objectType.uppercased().dropLast()) objects, they may be deleted or not exist. Check that ids are valid.")),
                            ("context", ["ids": [.string(id)]])])))
                        continue
                    }
                    state.nextID += 1
                    existing = Record(id: String(state.nextID), properties: [idProperty: id, "hs_object_id": String(state.nextID)])
                    isNew = true
                }
                var record = existing!
                for (name, value) in properties { record.properties[name] = value.stringValue ?? "" }
                state.records[objectType, default: [:]][record.id] = record
                if isNew { state.index[objectType, default: [:]][idProperty, default: [:]][id] = record.id }
                var result: [(key: String, value: JSONValue)] = [
                    ("id", .string(record.id)), ("properties", .object(JSONObject(properties.map { ($0.key, $0.value) } + [("hs_lastmodifieddate", "2025-05-02T09:00:00.000Z")]))),
                    ("createdAt", "2024-03-02T10:00:00.000Z"), ("updatedAt", "2025-05-02T09:00:00.000Z"), ("archived", false),
                ]
                if upsert { result.append(("new", .bool(isNew))) }
                // HubSpot does not promise to echo objectWriteTraceId; paysync must not depend on it.
                _ = trace
                results.append(.object(JSONObject(result)))
            }
            var body: [(key: String, value: JSONValue)] = [("status", "COMPLETE"), ("results", .array(results))]
            if !errors.isEmpty {
                body.append(("numErrors", .number(String(errors.count))))
                body.append(("errors", .array(errors)))
            }
            body += [("requestedAt", "2025-05-02T09:00:00.000Z"), ("startedAt", "2025-05-02T09:00:00.010Z"), ("completedAt", "2025-05-02T09:00:00.120Z")]
            return .json(errors.isEmpty ? 200 : 207, JSONWriter.compact(.object(JSONObject(body))))
        }
    }

    /// HubSpot's validation of one property value, as its error entry; nil when valid.
    static func invalidValue(name: String, value text: String, schema: [String: PropertyKind]) -> String? {
        switch schema[name] {
        case nil:
            #"{"isValid":false,"message":"Property \"\#(name)\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"\#(name)"}"#
        case .enumeration(let options) where !text.isEmpty && !options.contains(text):
            #"{"isValid":false,"message":"\#(text) was not one of the allowed options: [\#(options.joined(separator: ", "))]","error":"INVALID_OPTION","name":"\#(name)"}"#
        case .number where !text.isEmpty && Double(text) == nil:
            #"{"isValid":false,"message":"\#(text) is not a valid number","error":"INVALID_INTEGER","name":"\#(name)"}"#
        case .date where !text.isEmpty && (Int64(text).map { $0 % 86_400_000 != 0 } ?? true):
            #"{"isValid":false,"message":"\#(text) is not a valid date: dates are epoch milliseconds at midnight UTC","error":"INVALID_DATE","name":"\#(name)"}"#
        default:
            nil
        }
    }

    static func read(_ objectType: String, _ body: JSONValue, state: Locked<State>) -> ServerReply {
        state.withLock { state -> ServerReply in
            let idProperty = body["idProperty"]?.stringValue
            let wanted = body["properties"]?.arrayValue?.compactMap(\.stringValue) ?? []
            var results: [JSONValue] = []
            var missing: [JSONValue] = []
            for input in body["inputs"]?.arrayValue ?? [] {
                let id = input["id"]?.stringValue ?? ""
                let record = idProperty.map { property in state.index[objectType]?[property]?[id].flatMap { state.records[objectType]?[$0] } } ?? state.records[objectType]?[id]
                guard let record else { missing.append(.string(id)); continue }
                let properties = JSONObject(wanted.compactMap { name in record.properties[name].map { (name, JSONValue.string($0)) } })
                results.append(.object(JSONObject([("id", .string(record.id)), ("properties", .object(properties)), ("archived", false)])))
            }
            var response: [(key: String, value: JSONValue)] = [("status", "COMPLETE"), ("results", .array(results))]
            if !missing.isEmpty {
                response.append(("numErrors", 1))
                response.append(("errors", [["status": "error", "category": "OBJECT_NOT_FOUND", "message": "Could not get some objects, they may be deleted or not exist.", "context": ["ids": .array(missing)]]]))
            }
            return .json(missing.isEmpty ? 200 : 207, JSONWriter.compact(.object(JSONObject(response))))
        }
    }

    static func createEngagements(_ kind: String, _ inputs: [JSONValue], state: Locked<State>) -> ServerReply {
        state.withLock { state -> ServerReply in
            var results: [JSONValue] = []
            for input in inputs {
                let properties = Dictionary((input["properties"]?.objectValue?.members ?? []).map { ($0.key, $0.value.stringValue ?? "") }, uniquingKeysWith: { $1 })
                guard properties["hs_timestamp"] != nil else {
                    return error(400, category: "VALIDATION_ERROR", message: "Property values were not valid: hs_timestamp is required")
                }
                let associations = input["associations"]?.arrayValue ?? []
                state.engagements.append(Engagement(
                    kind: kind, properties: properties,
                    associatedIDs: associations.compactMap { $0["to"]?["id"]?.stringValue },
                    associationTypeIDs: associations.flatMap { $0["types"]?.arrayValue ?? [] }.compactMap { $0["associationTypeId"]?.intValue }
                ))
                state.nextID += 1
                var result: [(key: String, value: JSONValue)] = [("id", .string(String(state.nextID))), ("properties", input["properties"] ?? [:]), ("archived", false)]
                if let trace = input["objectWriteTraceId"] { result.append(("objectWriteTraceId", trace)) }
                results.append(.object(JSONObject(result)))
            }
            return .json(201, JSONWriter.compact(["status": "COMPLETE", "results": .array(results)]))
        }
    }
}
