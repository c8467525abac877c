import PaySyncCore

/// The GraphQL documents the monday.com sink sends and how their answers read (pure).
public enum MondayDocuments {
    /// A column value as monday wants it in `column_values`, by the column's type: a status by
    /// its label, a number as a decimal string, a date as `{"date": …}`.
    public static func columnValue(_ value: String?, columnType: String) -> JSONValue {
        guard let value else {
            return ["status", "date", "dropdown"].contains(columnType) ? .null : .string("")
        }
        switch columnType {
        case "status", "color": return ["label": .string(value)]
        case "date": return ["date": .string(value)]
        case "dropdown": return ["labels": [.string(value)]]
        default: return .string(value)  // text, numbers (a string), long_text …
        }
    }

    /// A GraphQL string literal.
    public static func quoted(_ text: String) -> String {
        var out = ""
        JSONWriter.appendQuoted(text, into: &out)
        return out
    }

    /// The board's columns and their types.
    public static let columnsQuery = "query ($b: [ID!]) { boards(ids: $b) { columns { id type } } }"

    /// Items whose key column holds one of `$k` (any of them), a page of up to 500.
    public static func itemsQuery(column: String) -> String {
        "query ($b: ID!, $k: [String]!) { complexity { before after query reset_in_x_seconds } items_page_by_column_values(limit: 500, board_id: $b, columns: [{column_id: \(quoted(column)), column_values: $k}]) { cursor items { id column_values(ids: [\(quoted(column))]) { id text } } } }"
    }

    /// The next page of the same search.
    public static func nextItemsQuery(column: String) -> String {
        "query ($c: String!) { complexity { before after query reset_in_x_seconds } next_items_page(limit: 500, cursor: $c) { cursor items { id column_values(ids: [\(quoted(column))]) { id text } } } }"
    }

    /// One mutation of a request: an alias, its GraphQL text, and its variables.
    public struct Mutation: Sendable, Equatable {
        public var alias: String
        public var text: String
        public var variables: [(name: String, type: String, value: JSONValue)]

        public static func == (a: Mutation, b: Mutation) -> Bool {
            a.alias == b.alias && a.text == b.text && a.variables.map(\.name) == b.variables.map(\.name) && a.variables.map(\.value) == b.variables.map(\.value)
        }
    }

    public static func change(alias: String, item: String, values: JSONValue) -> Mutation {
        Mutation(alias: alias, text: "\(alias): change_multiple_column_values(board_id: $b, item_id: \(item), column_values: $\(alias)v) { id }",
                 variables: [("\(alias)v", "JSON!", .string(JSONWriter.compact(values)))])
    }

    public static func create(alias: String, name: String, values: JSONValue) -> Mutation {
        Mutation(alias: alias, text: "\(alias): create_item(board_id: $b, item_name: $\(alias)n, column_values: $\(alias)v) { id }",
                 variables: [("\(alias)n", "String!", .string(name)), ("\(alias)v", "JSON!", .string(JSONWriter.compact(values)))])
    }

    public static func update(alias: String, item: String, body: String) -> Mutation {
        Mutation(alias: alias, text: "\(alias): create_update(item_id: \(item), body: $\(alias)b) { id }", variables: [("\(alias)b", "String!", .string(body))])
    }

    /// One request carrying `mutations` on board `board`, with the complexity it cost.
    public static func request(_ mutations: [Mutation], board: String) -> JSONValue {
        let declarations = (["$b: ID!"] + mutations.flatMap { $0.variables.map { "$\($0.name): \($0.type)" } }).joined(separator: ", ")
        let body = mutations.map(\.text).joined(separator: " ")
        var variables: [(String, JSONValue)] = [("b", .string(board))]
        for mutation in mutations { variables += mutation.variables.map { ($0.name, $0.value) } }
        return ["query": .string("mutation (\(declarations)) { complexity { before after query reset_in_x_seconds } \(body) }"),
                "variables": .object(JSONObject(variables))]
    }

    /// What a response says of the request's complexity: its cost, what is left of the minute's
    /// budget, and when it refills.
    public struct Complexity: Sendable, Equatable {
        public var before: Int
        public var query: Int
        public var after: Int
        public var resetInSeconds: Int
    }

    public static func complexity(_ body: JSONValue) -> Complexity? {
        guard let value = body["data"]?["complexity"], let query = value["query"]?.numberText.flatMap({ Int($0) }),
              let after = value["after"]?.numberText.flatMap({ Int($0) }) else { return nil }
        return Complexity(before: value["before"]?.numberText.flatMap { Int($0) } ?? after + query, query: query, after: after, resetInSeconds: value["reset_in_x_seconds"]?.numberText.flatMap { Int($0) } ?? 60)
    }

    /// Errors by the alias their `path` names; errors naming no alias apply to the request.
    public static func errors(_ body: JSONValue) -> (byAlias: [String: String], request: [(code: String?, message: String, retryIn: Int?)]) {
        var byAlias: [String: String] = [:]
        var request: [(String?, String, Int?)] = []
        for error in body["errors"]?.arrayValue ?? [] {
            let message = error["message"]?.stringValue ?? "error"
            let code = error["extensions"]?["code"]?.stringValue
            if let alias = error["path"]?.arrayValue?.first?.stringValue, alias != "complexity" {
                byAlias[alias] = "monday.com \(code ?? "error"): \(message)"
            } else {
                request.append((code, message, error["extensions"]?["retry_in_seconds"]?.numberText.flatMap { Int($0) }))
            }
        }
        // Older API versions: a top-level `error_code` (ComplexityException) beside `errors`.
        if let code = body["error_code"]?.stringValue {
            request.append((code, body["error_message"]?.stringValue ?? code, body["error_data"]?["retry_in_seconds"]?.numberText.flatMap { Int($0) }))
        }
        return (byAlias, request)
    }
}
