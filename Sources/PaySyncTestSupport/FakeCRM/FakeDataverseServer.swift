import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake Dataverse (Dynamics 365) environment on 127.0.0.1, with its Microsoft Entra ID token
/// endpoint. Strict where the real service is: the client-credentials grant with the
/// environment's `/.default` scope and the credentials in the form body (AADSTS errors
/// otherwise); `$batch` as OData 4.0 multipart/mixed (each part `application/http` and
/// `binary`, at most 1,000, processing stopped at the first failure unless
/// `Prefer: odata.continue-on-error`); PATCH by a defined alternate key (`If-Match: *` → 404 when
/// the row is missing, no precondition → upsert); typed columns (choice values in range, money as
/// numbers, Date Only as `YYYY-MM-DD`); GET by key with `$select` and the lookup-logical-name
/// annotation; `tasks` and `annotations` bound to their record with `@odata.bind`. Shapes from
/// Microsoft's Web API docs (`reference/crm-apis.md` §3, §8.1).
public final class FakeDataverseServer: Sendable {
    public enum ColumnType: Sendable, Equatable { case string, money, date, choice([Int]), lookup }

    public struct Table: Sendable {
        public var logicalName: String
        public var columns: [String: ColumnType]
        public var alternateKeys: Set<String>

        public init(logicalName: String, columns: [String: ColumnType], alternateKeys: Set<String>) {
            self.logicalName = logicalName
            self.columns = columns
            self.alternateKeys = alternateKeys
        }
    }

    struct State: Sendable {
        var tables: [String: Table] = [:]
        var rows: [String: [String: [String: JSONValue]]] = [:]  // set → id → columns
        /// set → "column\u{1F}value" → id, built on first use and kept up to date by `put` (a
        /// 5,000-row table is otherwise scanned once per request of a 1,000-request batch).
        var keyIndex: [String: [String: String]]?

        mutating func put(_ set: String, _ id: String, _ row: [String: JSONValue]) {
            rows[set, default: [:]][id] = row
            guard keyIndex != nil else { return }
            for column in tables[set]?.alternateKeys ?? [] { if let text = row[column]?.stringValue { keyIndex![set, default: [:]][column + "\u{1F}" + text] = id } }
        }

        mutating func row(_ set: String, column: String, value: String) -> (key: String, value: [String: JSONValue])? {
            if keyIndex == nil {
                var index: [String: [String: String]] = [:]
                for (name, table) in tables {
                    for (id, row) in rows[name] ?? [:] {
                        for column in table.alternateKeys { if let text = row[column]?.stringValue { index[name, default: [:]][column + "\u{1F}" + text] = id } }
                    }
                }
                keyIndex = index
            }
            guard let id = keyIndex?[set]?[column + "\u{1F}" + value], let row = rows[set]?[id] else { return nil }
            return (id, row)
        }
        var tokens: Set<String> = []
        var tokenRequests = 0
        var batches: [(parts: Int, methods: [String])] = []
        var down = false
        var faults: [ServerReply] = []
        var nextID = 1
    }

    public let tenantID = "8c2f4a7e-0000-4000-a000-00000000e17a"
    public let clientID = "4f1d2c3b-aaaa-4bbb-8ccc-0123456789ab"
    public let clientSecret = "fake~dataverse~secret"
    public let owner = "c3f1d3f6-5a1e-ef11-8409-000d3a3b1b11"
    private let state = Locked(State())
    private let server: LoopbackHTTPServer

    /// The environment URL (this server).
    public var environmentURL: String { server.baseURL }
    /// The authority (this server too): tokens at `/{tenant}/oauth2/v2.0/token`.
    public var authorityURL: String { server.baseURL }

    public init() throws {
        let state = self.state
        let (tenant, clientID, clientSecret) = (tenantID, self.clientID, self.clientSecret)
        let holder = Locked<String>("")
        server = try LoopbackHTTPServer { request in
            FakeDataverseServer.handle(request, state: state, tenant: tenant, clientID: clientID, clientSecret: clientSecret, base: holder.value)
        }
        holder.withLock { $0 = server.baseURL }
        define("contoso_invoices", Table(logicalName: "contoso_invoice", columns: [
            "contoso_name": .string, "contoso_invoicenumber": .string,
            "contoso_paymentstatus": .choice(Array(100_000_000...100_000_007)),
            "contoso_amountpaid": .money, "contoso_amountdue": .money, "contoso_lastpaymentdate": .date, "_ownerid_value": .lookup,
        ], alternateKeys: ["contoso_invoicenumber"]))
        define("tasks", Table(logicalName: "task", columns: ["subject": .string, "description": .string, "prioritycode": .choice([0, 1, 2]),
                                                             "scheduledend": .string], alternateKeys: []))
        define("annotations", Table(logicalName: "annotation", columns: ["subject": .string, "notetext": .string], alternateKeys: []))
    }

    deinit { server.stop() }

    public func define(_ set: String, _ table: Table) { state.withLock { $0.tables[set] = table } }

    public func seed(_ set: String, _ rows: [[String: JSONValue]]) {
        state.withLock { state in
            for columns in rows {
                let id = FakeDataverseServer.guid(state.nextID)
                state.nextID += 1
                state.put(set, id, columns.merging(["_ownerid_value": .string(owner)]) { old, _ in old })
            }
        }
    }

    public func row(_ set: String, where column: String, is value: String) -> (id: String, columns: [String: JSONValue])? {
        state.value.rows[set]?.first { $0.value[column]?.stringValue == value }.map { ($0.key, $0.value) }
    }

    public func rows(_ set: String) -> [[String: JSONValue]] { Array(state.value.rows[set]?.values ?? [:].values) }

    /// `$batch` calls made, with their part counts and methods.
    public var batches: [(parts: Int, methods: [String])] { state.value.batches }
    public func clearCalls() { state.withLock { $0.batches.removeAll() } }
    public var tokenRequests: Int { state.value.tokenRequests }
    public func setDown(_ down: Bool) { state.withLock { $0.down = down } }
    /// Answers the next API calls with these replies, in order.
    public func inject(_ replies: ServerReply...) { state.withLock { $0.faults += replies } }
    public func expireTokens() { state.withLock { $0.tokens.removeAll() } }

    /// Service protection: the per-user request limit, with `Retry-After` in seconds.
    public static func serviceProtection(retryAfter seconds: Int) -> ServerReply {
        .json(429, #"{"error":{"code":"0x80072322","message":"Number of requests exceeded the limit of 6000 over time window of 300 seconds."}}"#,
              headers: ["Retry-After": String(seconds)])
    }

    static func guid(_ number: Int) -> String { String(format: "5b0e%04x-1a2b-ef11-8409-%012x", number % 0xffff, number) }

    static func error(_ status: Int, _ code: String, _ message: String) -> (Int, [String: String], String) {
        (status, ["Content-Type": "application/json; odata.metadata=minimal"], JSONWriter.compact(["error": ["code": .string(code), "message": .string(message)]]))
    }

    // MARK: Handler

    static func handle(_ request: ServerRequest, state: Locked<State>, tenant: String, clientID: String, clientSecret: String, base: String) -> ServerReply {
        if request.path == "/\(tenant)/oauth2/v2.0/token" { return token(request, state: state, clientID: clientID, clientSecret: clientSecret, base: base) }
        let gate = state.withLock { state -> ServerReply? in
            if state.down { return .status(503, body: "Service Unavailable") }
            if !state.faults.isEmpty { return state.faults.removeFirst() }
            return nil
        }
        if let gate { return gate }
        let auth = request.headers["Authorization"] ?? ""
        guard auth.hasPrefix("Bearer "), state.value.tokens.contains(String(auth.dropFirst(7))) else {
            return .status(401, headers: ["WWW-Authenticate": "Bearer error=invalid_token, authorization_uri=https://login.microsoftonline.com/\(tenant)/oauth2/authorize"])
        }
        guard request.method == "POST", request.path == "/api/data/v9.2/$batch" else {
            let (status, _, body) = error(404, "0x80060888", "Resource not found for the segment '\(request.path)'.")
            return .json(status, body)
        }
        return batch(request, state: state, base: base)
    }

    static func token(_ request: ServerRequest, state: Locked<State>, clientID: String, clientSecret: String, base: String) -> ServerReply {
        state.withLock { $0.tokenRequests += 1 }
        let form = request.formFields
        guard form["grant_type"] == "client_credentials" else {
            return .json(400, #"{"error":"unsupported_grant_type","error_description":"AADSTS70003: The app requested an unsupported grant type.","error_codes":[70003]}"#)
        }
        guard form["client_id"] == clientID, form["client_secret"] == clientSecret else {
            return .json(401, #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\#(clientID)'.","error_codes":[7000215]}"#)
        }
        guard form["scope"] == base + "/.default" else {
            return .json(400, #"{"error":"invalid_scope","error_description":"AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).","error_codes":[1002012]}"#)
        }
        let token = "eyJ0eXAiOiJKV1Qi.fake.\(UUID().uuidString.prefix(12))"
        state.withLock { $0.tokens.insert(token) }
        return .json(200, #"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"\#(token)"}"#)
    }

    static func batch(_ request: ServerRequest, state: Locked<State>, base: String) -> ServerReply {
        func refuse(_ code: String, _ message: String) -> ServerReply {
            .json(400, JSONWriter.compact(["error": ["code": .string(code), "message": .string(message)]]))
        }
        guard request.headers["OData-Version"] == nil || request.headers["OData-Version"] == "4.0" else { return refuse("0x80060888", "Unsupported OData-Version") }
        guard let contentType = request.headers["Content-Type"], contentType.hasPrefix("multipart/mixed"), let boundary = boundary(of: contentType) else {
            return refuse("0x80048d19", "The content type of a batch request must be multipart/mixed with a boundary.")
        }
        let text = request.bodyText
        guard text.hasSuffix("--\(boundary)--\r\n") || text.hasSuffix("--\(boundary)--") else { return refuse("0x80048d19", "The batch request is missing its closing boundary.") }
        let parts = text.components(separatedBy: "--\(boundary)").dropFirst().filter { !$0.hasPrefix("--") }
        guard parts.count <= 1000 else { return refuse("0x8006088a", "The number of requests in a batch exceeds the limit of 1000.") }
        let continueOnError = (request.headers["Prefer"] ?? "").contains("odata.continue-on-error")
        var responses: [(Int, [String: String], String)] = []
        var methods: [String] = []
        for part in parts {
            let trimmed = part.hasPrefix("\r\n") ? String(part.dropFirst()) : part  // "\r\n" is one Character
            guard let split = trimmed.range(of: "\r\n\r\n") else { return refuse("0x80048d19", "A batch part has no headers.") }
            let partHeaders = trimmed[..<split.lowerBound].components(separatedBy: "\r\n")
            guard partHeaders.contains(where: { $0.lowercased() == "content-type: application/http" }),
                  partHeaders.contains(where: { $0.lowercased() == "content-transfer-encoding: binary" }) else {
                return refuse("0x80048d19", "Each batch part must be Content-Type: application/http with Content-Transfer-Encoding: binary.")
            }
            let inner = String(trimmed[split.upperBound...])
            guard let head = inner.range(of: "\r\n\r\n") else { return refuse("0x80048d19", "A batch part's request has no header end.") }
            var lines = inner[..<head.lowerBound].components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ")
            guard requestLine.count == 3, requestLine[2] == "HTTP/1.1" else { return refuse("0x80048d19", "A batch part's request line is malformed.") }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let body = String(inner[head.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
            methods.append(String(requestLine[0]))
            let response = state.withLock { state in
                perform(String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body, state: &state, base: base)
            }
            responses.append(response)
            if response.0 >= 400 && !continueOnError {
                state.withLock { $0.batches.append((parts.count, methods)) }
                return .json(response.0, response.2)
            }
        }
        state.withLock { $0.batches.append((parts.count, methods)) }
        let responseBoundary = "batchresponse_\(UUID().uuidString.lowercased())"
        var out = ""
        for (status, headers, body) in responses {
            out += "--\(responseBoundary)\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            out += "HTTP/1.1 \(status) \(reason(status))\r\nOData-Version: 4.0\r\n"
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { out += "\(name): \(value)\r\n" }
            out += "\r\n\(body)\r\n"
        }
        out += "--\(responseBoundary)--\r\n"
        return .response(HTTPResponse(status: 200, headers: ["Content-Type": "multipart/mixed; boundary=\(responseBoundary)", "OData-Version": "4.0"], body: Data(out.utf8)))
    }

    static func reason(_ status: Int) -> String {
        [200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found", 412: "Precondition Failed"][status] ?? "Error"
    }

    static func boundary(of contentType: String) -> String? {
        contentType.components(separatedBy: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("boundary=") }.map { String($0.dropFirst(9)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
    }

    /// One request of a batch: (status, headers, body).
    static func perform(_ method: String, target: String, headers: [String: String], body: String, state: inout State, base: String) -> (Int, [String: String], String) {
        let rawPath = target.hasPrefix(base) ? String(target.dropFirst(base.count)) : target
        let pathAndQuery = rawPath.split(separator: "?", maxSplits: 1).map(String.init)
        guard let path = pathAndQuery[0].removingPercentEncoding, path.hasPrefix("/api/data/v9.2/") else {
            return error(404, "0x80060888", "Resource not found for the segment '\(rawPath)'.")
        }
        let resource = String(path.dropFirst("/api/data/v9.2/".count))
        // `set(key='value')` or `set`.
        var set = resource
        var key: (column: String, value: String)?
        if let open = resource.firstIndex(of: "("), resource.hasSuffix(")") {
            set = String(resource[..<open])
            let inside = resource[resource.index(after: open)..<resource.index(before: resource.endIndex)]
            guard let equals = inside.firstIndex(of: "="), inside[inside.index(after: equals)...].hasPrefix("'"), inside.hasSuffix("'") else {
                return error(400, "0x80060888", "Bad Request - Error in query syntax.")
            }
            let quoted = inside[inside.index(equals, offsetBy: 2)..<inside.index(before: inside.endIndex)]
            key = (String(inside[..<equals]), quoted.replacingOccurrences(of: "''", with: "'"))
        }
        guard let table = state.tables[set] else { return error(404, "0x80060888", "Resource not found for the segment '\(set)'.") }
        if let key, !table.alternateKeys.contains(key.column) {
            return error(400, "0x80060888", "The key used in the request is not defined as an alternate key on \(table.logicalName): \(key.column).")
        }
        let existing = key.flatMap { key in state.row(set, column: key.column, value: key.value) }
        switch (method, key) {
        case ("PATCH", let key?):
            guard let document = try? JSONParser.parse(body), let columns = document.objectValue else {
                return error(400, "0x80048d19", "Error identified in Payload provided by the user for Entity :'\(set)'.")
            }
            if let problem = validate(columns.members, table: table) { return problem }
            if existing == nil && headers["if-match"] == "*" {
                return error(404, "0x80040217", "\(table.logicalName) With Ids = \(key.column):\(key.value) Does Not Exist")
            }
            if existing != nil && headers["if-none-match"] == "*" {
                return error(412, "0x80060882", "A record with matching key values already exists.")
            }
            let id = existing?.key ?? guid(state.nextID)
            if existing == nil { state.nextID += 1 }
            var row = existing?.value ?? [key.column: .string(key.value), "_ownerid_value": "c3f1d3f6-5a1e-ef11-8409-000d3a3b1b11"]
            for (name, value) in columns.members { row[name] = value }
            state.put(set, id, row)
            return (204, ["OData-EntityId": "\(base)/api/data/v9.2/\(set)(\(id))"], "")
        case ("GET", _?):
            guard let (id, row) = existing else { return error(404, "0x80040217", "\(table.logicalName) With Ids = \(key!.column):\(key!.value) Does Not Exist") }
            let select = pathAndQuery.count > 1 ? (URLBuilder.queryItems(of: URL(string: "http://x/?" + pathAndQuery[1])!).first { $0.0 == "$select" }?.1 ?? "") : ""
            var members: [(String, JSONValue)] = [("@odata.context", .string("\(base)/api/data/v9.2/$metadata#\(set)(\(select))/$entity")), ("@odata.etag", "W/\"4711\"")]
            for column in select.split(separator: ",").map(String.init) {
                if column == "\(table.logicalName)id" { members.append((column, .string(id))); continue }
                guard column == "_ownerid_value" || table.columns[column] != nil else {
                    return error(400, "0x80060888", "Could not find a property named '\(column)' on type 'Microsoft.Dynamics.CRM.\(table.logicalName)'.")
                }
                members.append((column, row[column] ?? .null))
                if column == "_ownerid_value", headers["prefer"]?.contains("Microsoft.Dynamics.CRM.lookuplogicalname") == true {
                    members.append(("_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname", "systemuser"))
                }
            }
            return (200, ["Content-Type": "application/json; odata.metadata=minimal"], JSONWriter.compact(.object(JSONObject(members))))
        case ("POST", nil):
            guard let document = try? JSONParser.parse(body), let columns = document.objectValue else {
                return error(400, "0x80048d19", "Error identified in Payload provided by the user for Entity :'\(set)'.")
            }
            var row: [String: JSONValue] = [:]
            var plain: [(key: String, value: JSONValue)] = []
            for (name, value) in columns.members {
                guard name.hasSuffix("@odata.bind") else { plain.append((name, value)); continue }
                let property = String(name.dropLast("@odata.bind".count))
                let allowed = set == "tasks" ? (property.hasPrefix("regardingobjectid_") && property.hasSuffix("_task")) || property == "ownerid"
                                             : property.hasPrefix("objectid_")
                guard allowed, let reference = value.stringValue, reference.hasPrefix("/"), let open = reference.firstIndex(of: "("), reference.hasSuffix(")") else {
                    return error(400, "0x80060888", "An undeclared property '\(property)' which only has property annotations in the payload but no property value was found in the payload.")
                }
                let targetSet = String(reference[reference.index(after: reference.startIndex)..<open])
                let targetID = String(reference[reference.index(after: open)..<reference.index(before: reference.endIndex)])
                if property == "ownerid" {
                    guard targetSet == "systemusers" || targetSet == "teams" else { return error(400, "0x80060888", "ownerid must bind a systemuser or a team.") }
                } else {
                    let logical = state.tables[targetSet]?.logicalName ?? ""
                    guard property == (set == "tasks" ? "regardingobjectid_\(logical)_task" : "objectid_\(logical)") else {
                        return error(400, "0x80060888", "An undeclared property '\(property)' which only has property annotations in the payload but no property value was found in the payload.")
                    }
                    guard state.rows[targetSet]?[targetID] != nil else {
                        return error(404, "0x80040217", "\(logical) With Id = \(targetID) Does Not Exist")
                    }
                }
                row[property] = .string(reference)
            }
            if let problem = validate(plain, table: table) { return problem }
            for (name, value) in plain { row[name] = value }
            let id = guid(state.nextID)
            state.nextID += 1
            state.put(set, id, row)
            return (204, ["OData-EntityId": "\(base)/api/data/v9.2/\(set)(\(id))"], "")
        default:
            return error(405, "0x80060888", "The HTTP method '\(method)' is not allowed here.")
        }
    }

    static func validate(_ columns: [(key: String, value: JSONValue)], table: Table) -> (Int, [String: String], String)? {
        for (name, value) in columns {
            guard let type = table.columns[name] else {
                return error(400, "0x80060888", "The property '\(name)' does not exist on type 'Microsoft.Dynamics.CRM.\(table.logicalName)'. Make sure to only use property names that are defined by the type.")
            }
            if case .null = value { continue }
            switch type {
            case .string:
                if value.stringValue == nil { return error(400, "0x80048d19", "Cannot convert a primitive value to the expected type 'Edm.String'.") }
            case .money:
                if value.numberText == nil { return error(400, "0x80048d19", "Cannot convert the literal '\(value.stringValue ?? "")' to the expected type 'Edm.Decimal'.") }
            case .date:
                if value.stringValue.flatMap(CalendarDate.init(iso:)) == nil { return error(400, "0x80048d19", "Cannot convert the literal to the expected type 'Edm.Date'.") }
            case .choice(let options):
                guard let text = value.numberText, let number = Int(text) else {
                    return error(400, "0x80048d19", "Cannot convert the literal '\(value.stringValue ?? "")' to the expected type 'Edm.Int32'.")
                }
                if !options.contains(number) {
                    return error(400, "0x8004431a", "A validation error occurred. The value \(number) of '\(name)' on record of type '\(table.logicalName)' is outside the valid range. Accepted Values: \(options.map(String.init).joined(separator: ","))")
                }
            case .lookup:
                return error(400, "0x80060888", "A lookup is set with @odata.bind, not '\(name)'.")
            }
        }
        return nil
    }
}
