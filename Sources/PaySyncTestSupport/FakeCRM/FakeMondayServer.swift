import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake monday.com account on 127.0.0.1, answering the GraphQL documents the sink sends and
/// refusing any other: a board's columns; `items_page_by_column_values` (many values in one
/// column match any) with cursor paging through `next_items_page`; aliased
/// `change_multiple_column_values`, `create_item` and `create_update` mutations whose
/// `column_values` are JSON strings checked per column type (status by an existing label,
/// numbers as decimal strings, dates as `{"date": …}`), each alias failing on its own with
/// `errors[].path`; the token as `Authorization` without "Bearer" and a pinned `API-Version`;
/// complexity per query (5,000,000 at most) and a per-minute budget measured on the test's
/// clock, reported in `complexity { before after query reset_in_x_seconds }` and refused with
/// `COMPLEXITY_BUDGET_EXHAUSTED` and `retry_in_seconds` when overspent. Shapes from
/// `reference/crm-apis.md` §5 and §8.3; complexity prices are the fake's own.
public final class FakeMondayServer: Sendable {
    public struct Board: Sendable {
        public var columns: [String: String]  // id → type
        public var labels: [String: [String]]  // status column → labels
        public var items: [String: [String: JSONValue]] = [:]  // item id → column → value
    }

    struct State: Sendable {
        var boards: [String: Board] = [:]
        var updates: [(item: String, body: String)] = []
        var nextID = 1_111_000
        var requests: [String] = []  // the first word of each document's operation: columns, items, next, mutation
        var mutationsPerRequest: [Int] = []
        var budget: Int
        var budgetPerMinute: Int
        var windowStart: Timestamp?
        var exhausted = 0
        var oversize = 0
        var perQueryLimit = FakeMondayServer.perQueryLimit
        var down = false
        var faults: [ServerReply] = []
    }

    public static let changeCost = 20_000
    public static let createCost = 30_000
    public static let updateCost = 10_000
    public static let perQueryLimit = 5_000_000

    public let token = "eyJhbGciOiJIUzI1NiJ9.fake-monday-token"
    public let board = "9876543210"
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var apiURL: String { server.baseURL + "/v2" }

    /// - Parameters:
    ///   - budgetPerMinute: the account's complexity budget per minute.
    ///   - pageSize: items per page of a search, to exercise paging.
    public init(budgetPerMinute: Int = 10_000_000, pageSize: Int = 500, perQueryLimit: Int = FakeMondayServer.perQueryLimit,
                clock: @escaping @Sendable () -> Timestamp) throws {
        var initial = State(budget: budgetPerMinute, budgetPerMinute: budgetPerMinute)
        initial.perQueryLimit = perQueryLimit
        let state = Locked(initial)
        self.state = state
        let token = self.token
        server = try LoopbackHTTPServer { request in
            FakeMondayServer.handle(request, state: state, token: token, pageSize: pageSize, now: clock())
        }
        state.withLock {
            $0.boards[board] = Board(columns: ["name": "name", "text_invoice": "text", "status": "status", "numbers_paid": "numbers", "date4": "date"],
                                     labels: ["status": ["Awaiting payment", "Overdue", "Partially paid", "Paid", "Failed", "Refunded", "Voided", "Draft"]])
        }
    }

    deinit { server.stop() }

    @discardableResult
    public func seedItems(invoiceNumbers: [String]) -> [String] {
        state.withLock { state in
            invoiceNumbers.map { number in
                state.nextID += 1
                let id = String(state.nextID)
                state.boards[board]?.items[id] = ["name": .string("Deal \(number)"), "text_invoice": .string(number)]
                return id
            }
        }
    }

    public func item(invoiceNumber: String) -> [String: JSONValue]? {
        state.value.boards[board]?.items.values.first { $0["text_invoice"]?.stringValue == invoiceNumber }
    }

    public var itemCount: Int { state.value.boards[board]?.items.count ?? 0 }
    public var updates: [(item: String, body: String)] { state.value.updates }
    public var requests: [String] { state.value.requests }
    public var mutationsPerRequest: [Int] { state.value.mutationsPerRequest }
    public var budgetRefusals: Int { state.value.exhausted }
    public var oversizeRefusals: Int { state.value.oversize }
    public func clearCalls() { state.withLock { $0.requests.removeAll(); $0.mutationsPerRequest.removeAll() } }
    public func setDown(_ down: Bool) { state.withLock { $0.down = down } }
    public func inject(_ replies: ServerReply...) { state.withLock { $0.faults += replies } }

    public static func budgetExhausted(retryIn seconds: Int) -> ServerReply {
        .json(200, #"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":\#(seconds)}}],"extensions":{"request_id":"fake"}}"#)
    }

    // MARK: Handler

    static func graphQLError(_ message: String, code: String, status: Int = 200) -> ServerReply {
        .json(status, JSONWriter.compact(["errors": [["message": .string(message), "extensions": ["code": .string(code), "status_code": .number(String(status))]]],
                                          "extensions": ["request_id": "fake"]]))
    }

    static func handle(_ request: ServerRequest, state: Locked<State>, token: String, pageSize: Int, now: Timestamp) -> ServerReply {
        let gate = state.withLock { state -> ServerReply? in
            if state.down { return .status(503, body: "Service Unavailable") }
            if !state.faults.isEmpty { return state.faults.removeFirst() }
            return nil
        }
        if let gate { return gate }
        guard request.method == "POST", request.path == "/v2" else { return .status(404) }
        guard request.headers["Authorization"] == token else { return graphQLError("Not Authenticated", code: "USER_UNAUTHORIZED", status: 401) }
        guard let version = request.headers["API-Version"], version.range(of: #"^\d{4}-\d{2}$"#, options: .regularExpression) != nil else {
            return graphQLError("API-Version header missing or malformed", code: "InvalidVersionException", status: 400)
        }
        guard request.headers["Content-Type"]?.hasPrefix("application/json") == true, let body = try? JSONParser.parse(request.body),
              let query = body["query"]?.stringValue, let variables = body["variables"]?.objectValue else {
            return graphQLError("No query string was present", code: "BadRequest", status: 400)
        }
        let vars = Dictionary(uniqueKeysWithValues: variables.members.map { ($0.key, $0.value) })
        if query == "query ($b: [ID!]) { boards(ids: $b) { columns { id type } } }" {
            state.withLock { $0.requests.append("columns") }
            let ids = vars["b"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let boards: [JSONValue] = ids.compactMap { id in
                state.value.boards[id].map { board in ["columns": .array(board.columns.sorted { $0.key < $1.key }.map { ["id": .string($0.key), "type": .string($0.value)] })] }
            }
            return .json(200, JSONWriter.compact(["data": ["boards": .array(boards)], "extensions": ["request_id": "fake"]]))
        }
        if query.hasPrefix("query ") { return search(query, vars: vars, state: state, pageSize: pageSize, now: now) }
        if query.hasPrefix("mutation ") { return mutate(query, vars: vars, state: state, now: now) }
        return graphQLError("Parse error on \"\(query.prefix(20))\"", code: "GRAPHQL_PARSE_FAILED", status: 400)
    }

    /// Charges `cost` against the per-query limit and the minute's budget; the complexity object,
    /// or the refusal.
    static func charge(_ cost: Int, state: inout State, now: Timestamp) -> Result<JSONValue, ServerReplyBox> {
        if let start = state.windowStart, now.millisecondsSinceEpoch - start.millisecondsSinceEpoch >= 60_000 { state.windowStart = nil }
        if state.windowStart == nil { state.windowStart = now; state.budget = state.budgetPerMinute }
        let reset = max(1, 60 - Int((now.millisecondsSinceEpoch - state.windowStart!.millisecondsSinceEpoch) / 1000))
        if cost > state.perQueryLimit {
            state.oversize += 1
            return .failure(ServerReplyBox(graphQLError("Query has complexity of \(cost), which exceeds max complexity of \(state.perQueryLimit)", code: "maxComplexityExceeded")))
        }
        if cost > state.budget {
            state.exhausted += 1
            return .failure(ServerReplyBox(.json(200, #"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":\#(reset)}}],"extensions":{"request_id":"fake"}}"#)))
        }
        let before = state.budget
        state.budget -= cost
        return .success(["before": .number(String(before)), "after": .number(String(state.budget)), "query": .number(String(cost)), "reset_in_x_seconds": .number(String(reset))])
    }

    public struct ServerReplyBox: Error, Sendable { let reply: ServerReply; init(_ reply: ServerReply) { self.reply = reply } }

    static func search(_ query: String, vars: [String: JSONValue], state: Locked<State>, pageSize: Int, now: Timestamp) -> ServerReply {
        let first = #"^query \(\$b: ID!, \$k: \[String\]!\) \{ complexity \{ before after query reset_in_x_seconds \} items_page_by_column_values\(limit: (\d+), board_id: \$b, columns: \[\{column_id: "([^"]+)", column_values: \$k\}\]\) \{ cursor items \{ id column_values\(ids: \["([^"]+)"\]\) \{ id text \} \} \} \}$"#
        let next = #"^query \(\$c: String!\) \{ complexity \{ before after query reset_in_x_seconds \} next_items_page\(limit: (\d+), cursor: \$c\) \{ cursor items \{ id column_values\(ids: \["([^"]+)"\]\) \{ id text \} \} \} \}$"#
        var column: String
        var keys: [String]
        var offset = 0
        var field: String
        if let match = groups(first, in: query) {
            guard let limit = Int(match[0]), limit <= 500 else { return graphQLError("limit must be at most 500", code: "InvalidArgumentException") }
            column = match[1]
            field = "items_page_by_column_values"
            guard vars["b"]?.stringValue != nil, let values = vars["k"]?.arrayValue?.compactMap(\.stringValue) else {
                return graphQLError("Variable $k of type [String]! was provided invalid value", code: "INVALID_ARGUMENT")
            }
            keys = values
            state.withLock { $0.requests.append("items") }
        } else if let match = groups(next, in: query) {
            column = match[1]
            field = "next_items_page"
            guard let cursor = vars["c"]?.stringValue, let decoded = Data(base64Encoded: cursor).flatMap({ try? JSONParser.parse($0) }),
                  let start = decoded["offset"]?.numberText.flatMap({ Int($0) }), let saved = decoded["keys"]?.arrayValue?.compactMap(\.stringValue),
                  let savedColumn = decoded["column"]?.stringValue else {
                return graphQLError("CursorException: cursor has expired or is invalid", code: "CursorException")
            }
            column = savedColumn
            keys = saved
            offset = start
            state.withLock { $0.requests.append("next") }
        } else {
            return graphQLError("Parse error: the fake knows only the sink's queries", code: "GRAPHQL_PARSE_FAILED", status: 400)
        }
        return state.withLock { state -> ServerReply in
            let complexity: JSONValue
            switch charge(1_000 + 10 * keys.count, state: &state, now: now) {
            case .success(let value): complexity = value
            case .failure(let box): return box.reply
            }
            let board = state.boards.values.first!
            let matching = board.items.filter { keys.contains($0.value[column]?.stringValue ?? "\u{0}") }.sorted { $0.key < $1.key }
            let page = Array(matching.dropFirst(offset).prefix(pageSize))
            let more = offset + page.count < matching.count
            let cursor: JSONValue = more ? .string(Data(JSONWriter.compact(["offset": .number(String(offset + page.count)), "keys": .array(keys.map(JSONValue.string)),
                                                                            "column": .string(column)]).utf8).base64EncodedString()) : .null
            let items: [JSONValue] = page.map { ["id": .string($0.key), "column_values": [["id": .string(column), "text": $0.value[column] ?? .null]]] }
            return .json(200, JSONWriter.compact(["data": ["complexity": complexity, .init(stringLiteral: field): ["cursor": cursor, "items": .array(items)]],
                                                  "extensions": ["request_id": "fake"]]))
        }
    }

    static func groups(_ pattern: String, in text: String) -> [String]? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<match.numberOfRanges).compactMap { Range(match.range(at: $0), in: text).map { String(text[$0]) } }
    }

    static func mutate(_ query: String, vars: [String: JSONValue], state: Locked<State>, now: Timestamp) -> ServerReply {
        guard let header = groups(#"^mutation \(([^)]*)\) \{ complexity \{ before after query reset_in_x_seconds \} (.*) \}$"#, in: query) else {
            return graphQLError("Parse error on mutation", code: "GRAPHQL_PARSE_FAILED", status: 400)
        }
        var declared: [String: String] = [:]
        for declaration in header[0].components(separatedBy: ", ") {
            let parts = declaration.components(separatedBy: ": ")
            guard parts.count == 2, parts[0].hasPrefix("$") else { return graphQLError("Parse error on variable declaration", code: "GRAPHQL_PARSE_FAILED", status: 400) }
            declared[String(parts[0].dropFirst())] = parts[1]
        }
        guard declared["b"] == "ID!", let boardID = vars["b"]?.stringValue else { return graphQLError("Variable $b of type ID! was not provided", code: "INVALID_ARGUMENT") }
        // Each field of the body must be one of the three mutations.
        let field = #"(\w+): (?:change_multiple_column_values\(board_id: \$b, item_id: (\d+), column_values: \$(\w+)\)|create_item\(board_id: \$b, item_name: \$(\w+), column_values: \$(\w+)\)|create_update\(item_id: (\d+), body: \$(\w+)\)) \{ id \}"#
        guard let regex = try? NSRegularExpression(pattern: field) else { return .status(500) }
        let body = header[1]
        let matches = regex.matches(in: body, range: NSRange(body.startIndex..., in: body))
        let covered = matches.reduce(0) { $0 + $1.range.length } + max(0, matches.count - 1)
        guard !matches.isEmpty, covered == (body as NSString).length else { return graphQLError("Parse error: unknown field in mutation", code: "GRAPHQL_PARSE_FAILED", status: 400) }
        func group(_ match: NSTextCheckingResult, _ index: Int) -> String? { Range(match.range(at: index), in: body).map { String(body[$0]) } }
        func variable(_ name: String?, type: String) -> JSONValue? {
            guard let name, declared[name] == type else { return nil }
            return vars[name]
        }
        return state.withLock { state -> ServerReply in
            guard var board = state.boards[boardID] else { return graphQLError("Board not found", code: "ResourceNotFoundException") }
            var cost = 0
            for match in matches {
                cost += group(match, 2) != nil ? changeCost : group(match, 4) != nil ? createCost : updateCost
            }
            let complexity: JSONValue
            switch charge(cost, state: &state, now: now) {
            case .success(let value): complexity = value
            case .failure(let box): return box.reply
            }
            state.requests.append("mutation")
            state.mutationsPerRequest.append(matches.count)
            var data: [(String, JSONValue)] = [("complexity", complexity)]
            var errors: [JSONValue] = []
            for match in matches {
                let alias = group(match, 1)!
                func fail(_ message: String, _ code: String) {
                    data.append((alias, .null))
                    errors.append(["message": .string(message), "path": [.string(alias)], "extensions": ["code": .string(code), "status_code": 200]])
                }
                if let item = group(match, 2) {
                    guard let text = variable(group(match, 3), type: "JSON!")?.stringValue, let values = try? JSONParser.parse(text), let object = values.objectValue else {
                        fail("column_values must be a JSON string", "InvalidArgumentException"); continue
                    }
                    guard board.items[item] != nil else { fail("Item not found in board", "ResourceNotFoundException"); continue }
                    if let problem = invalid(object, board: board) { fail(problem, "ColumnValueException"); continue }
                    for (column, value) in object.members { board.items[item]?[column] = stored(value, type: board.columns[column]!) }
                    data.append((alias, ["id": .string(item)]))
                } else if let nameVariable = group(match, 4) {
                    guard let name = variable(nameVariable, type: "String!")?.stringValue, let text = variable(group(match, 5), type: "JSON!")?.stringValue,
                          let object = (try? JSONParser.parse(text))?.objectValue else { fail("invalid arguments", "InvalidArgumentException"); continue }
                    if let problem = invalid(object, board: board) { fail(problem, "ColumnValueException"); continue }
                    state.nextID += 1
                    let id = String(state.nextID)
                    var item: [String: JSONValue] = ["name": .string(name)]
                    for (column, value) in object.members { item[column] = stored(value, type: board.columns[column]!) }
                    board.items[id] = item
                    data.append((alias, ["id": .string(id)]))
                } else {
                    let item = group(match, 6)!
                    guard let text = variable(group(match, 7), type: "String!")?.stringValue, !text.isEmpty else { fail("body must not be empty", "InvalidArgumentException"); continue }
                    guard board.items[item] != nil else { fail("Item not found", "ResourceNotFoundException"); continue }
                    state.nextID += 1
                    state.updates.append((item, text))
                    data.append((alias, ["id": .string(String(state.nextID))]))
                }
            }
            state.boards[boardID] = board
            var response: [(String, JSONValue)] = [("data", .object(JSONObject(data)))]
            if !errors.isEmpty { response.append(("errors", .array(errors))) }
            response.append(("extensions", ["request_id": "fake"]))
            return .json(200, JSONWriter.compact(.object(JSONObject(response))))
        }
    }

    /// Why these column values cannot be written, if they cannot.
    static func invalid(_ values: JSONObject, board: Board) -> String? {
        for (column, value) in values.members {
            guard let type = board.columns[column] else { return "This column ID doesn't exist for the board: \(column)" }
            if case .null = value { continue }
            switch type {
            case "status":
                guard let label = value["label"]?.stringValue else { return "Status column value must be {\"label\": …} or {\"index\": …}" }
                let labels = board.labels[column] ?? []
                if !labels.contains(label) {
                    return "This status label doesn't exist, possible statuses are: {\(labels.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: ", "))}"
                }
            case "numbers":
                guard let text = value.stringValue, text.isEmpty || Decimal(string: text) != nil else { return "Numbers column value must be a number as a string" }
            case "date":
                guard value["date"]?.stringValue.flatMap(CalendarDate.init(iso:)) != nil else { return "Date column value must be {\"date\": \"YYYY-MM-DD\"}" }
            default:
                if value.stringValue == nil { return "Text column value must be a string" }
            }
        }
        return nil
    }

    /// What the board keeps of a value: a status's label, a date's date, the text otherwise.
    static func stored(_ value: JSONValue, type: String) -> JSONValue {
        switch type {
        case "status": value["label"] ?? .null
        case "date": value["date"] ?? .null
        default: value
        }
    }
}
