import Foundation
import PaySyncCore
import PaySyncHTTP

/// Writes to monday.com boards through its GraphQL API: items found by their key column with
/// `items_page_by_column_values` (many keys in one query) and their ids kept in the ledger, then
/// written with `change_multiple_column_values`, many aliased mutations per request. How many go
/// in one request is measured: each response's `complexity` says what the request cost and what
/// is left of the minute's budget, so requests stay under the per-query limit and the budget,
/// and wait for its refill instead of being refused. Status columns are set by label; notes and
/// tasks become updates (monday's comments) on the item. See `docs/sinks/monday.md`.
public struct MondaySink: Sink {
    public let name: String
    public let settings: MondaySettings
    public let mappings: [ObjectKind: CRMObjectMapping]
    private let recordIDs: any CRMRecordIDStore
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let state = Locked(State())

    /// monday's limit on one query's complexity.
    static let perQueryLimit = 5_000_000

    struct State: Sendable {
        var columnTypes: [String: [String: String]] = [:]  // board → column → type
        var costPerMutation: Int?
        var budgetLeft: Int?
        var budgetResetsAt: Timestamp?
        /// The minute's whole budget, as the largest `before` seen.
        var budgetCeiling: Int?
        var requests = 0
    }

    public var calls: CallCounter { client.counter }
    public var maxBatchSize: Int { 100 }

    public init(name: String, settings: MondaySettings, mappings: [ObjectKind: CRMObjectMapping], token: Secret, recordIDs: any CRMRecordIDStore, client: HTTPClient) {
        self.name = name
        self.settings = settings
        self.mappings = mappings
        self.recordIDs = recordIDs
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "monday.com", client: client, tokens: StaticTokenProvider(token), problem: MondaySink.problem,
                                       reauthorise: "check the API token (it is regenerated when its user changes it)")
    }

    public func send(_ writes: [CoalescedWrite]) async throws -> [WriteOutcome] {
        try await CRMBatchRouting.send(writes, mappings: mappings, crm: "monday.com",
                                       fields: { try await update($0, mapping: $1) }, actions: { try await perform($0, mapping: $1) })
    }

    func update(_ writes: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .delivered, count: writes.count)
        let board = mapping.object
        let types = try await columnTypes(board: board)
        for property in mapping.properties where types[property.name] == nil {
            return writes.map { _ in .rejected("monday.com: board \(board) has no column \(property.name); see the column ids in docs/sinks/monday.md") }
        }
        let ids = try await itemIDs(Array(Set(writes.map(\.recordKey))), mapping: mapping)
        var mutations: [(position: Int, mutation: MondayDocuments.Mutation)] = []
        for (position, write) in writes.enumerated() {
            let values = mapping.propertyValues(for: write.changes)
            guard !values.isEmpty else {
                outcomes[position] = .notMapped
                continue
            }
            var columns: [(String, JSONValue)] = values.map { ($0.property.name, MondayDocuments.columnValue($0.value, columnType: types[$0.property.name] ?? "text")) }
            let alias = "m\(position)"
            if let item = ids[write.recordKey] {
                mutations.append((position, MondayDocuments.change(alias: alias, item: item, values: .object(JSONObject(columns)))))
            } else if mapping.missingRecord == .create {
                columns.append((mapping.idProperty, MondayDocuments.columnValue(write.recordKey, columnType: types[mapping.idProperty] ?? "text")))
                mutations.append((position, MondayDocuments.create(alias: alias, name: write.recordKey, values: .object(JSONObject(columns)))))
            } else {
                outcomes[position] = .noSuchRecord("monday.com: no item on board \(board) with \(mapping.idProperty) = \(write.recordKey)")
            }
        }
        let results = try await run(mutations.map(\.mutation), board: board)
        var created: [String: String] = [:]
        for (position, mutation) in mutations {
            switch results[mutation.alias] ?? .failure("monday.com returned no result for this item") {
            case .success(let id):
                outcomes[position] = .delivered
                if mutation.text.contains("create_item"), let id { created[writes[position].recordKey] = id }
            case .failure(let message):
                outcomes[position] = .rejected(message)
            case .retry(let message):
                outcomes[position] = .retryable(message)
            }
        }
        try await recordIDs.saveCRMRecordIDs(sink: name, object: board, created, now: client.environment.now())
        return outcomes
    }

    /// Notes and tasks become updates on the item (monday has no tasks of its own).
    func perform(_ actions: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .retryable("not sent"), count: actions.count)
        let ids = try await itemIDs(Array(Set(actions.map(\.recordKey))), mapping: mapping)
        var mutations: [(position: Int, mutation: MondayDocuments.Mutation)] = []
        for (position, action) in actions.enumerated() {
            guard let payload = action.action, let item = ids[action.recordKey] else {
                outcomes[position] = .noSuchRecord("monday.com: no item on board \(mapping.object) with \(mapping.idProperty) = \(action.recordKey) for this \(action.action?.kind ?? "action")")
                continue
            }
            let body = payload.kind == "task" ? "Task: \(payload.subject ?? "")" + ((payload.body ?? "").isEmpty ? "" : "\n\(payload.body!)") : (payload.body ?? "")
            mutations.append((position, MondayDocuments.update(alias: "u\(position)", item: item, body: body)))
        }
        let results = try await run(mutations.map(\.mutation), board: mapping.object)
        for (position, mutation) in mutations {
            switch results[mutation.alias] ?? .failure("monday.com returned no result for this update") {
            case .success: outcomes[position] = .delivered
            case .failure(let message): outcomes[position] = .rejected(message)
            case .retry(let message): outcomes[position] = .retryable(message)
            }
        }
        return outcomes
    }

    // MARK: Finding items

    /// The board's column types, read once per run.
    private func columnTypes(board: String) async throws -> [String: String] {
        if let known = state.value.columnTypes[board] { return known }
        let body = try await post(["query": .string(MondayDocuments.columnsQuery), "variables": ["b": [.string(board)]]])
        guard let columns = body["data"]?["boards"]?.arrayValue?.first?["columns"]?.arrayValue else {
            throw SinkError(sink: name, message: "monday.com has no board \(board) this token can read; check the mapping's object (the board id)", exitCode: .configuration)
        }
        var types: [String: String] = [:]
        for column in columns { if let id = column["id"]?.stringValue { types[id] = column["type"]?.stringValue ?? "text" } }
        state.withLock { $0.columnTypes[board] = types }
        return types
    }

    /// Item ids for keys: those kept in the ledger, the rest looked up in one search (all the
    /// keys in one `column_values` list), then kept.
    private func itemIDs(_ keys: [String], mapping: CRMObjectMapping) async throws -> [String: String] {
        var ids = try await recordIDs.crmRecordIDs(sink: name, object: mapping.object, keys: keys)
        let unseen = keys.filter { ids[$0] == nil }.sorted()
        guard !unseen.isEmpty else { return ids }
        var found: [String: String] = [:]
        var body = try await post(["query": .string(MondayDocuments.itemsQuery(column: mapping.idProperty)),
                                   "variables": ["b": .string(mapping.object), "k": .array(unseen.map(JSONValue.string))]])
        var page = body["data"]?["items_page_by_column_values"]
        while let current = page {
            for item in current["items"]?.arrayValue ?? [] {
                guard let id = item["id"]?.stringValue,
                      let key = item["column_values"]?.arrayValue?.first(where: { $0["id"]?.stringValue == mapping.idProperty })?["text"]?.stringValue,
                      unseen.contains(key) else { continue }
                found[key] = id
            }
            guard let cursor = current["cursor"]?.stringValue else { break }
            body = try await post(["query": .string(MondayDocuments.nextItemsQuery(column: mapping.idProperty)), "variables": ["c": .string(cursor)]])
            page = body["data"]?["next_items_page"]
        }
        try await recordIDs.saveCRMRecordIDs(sink: name, object: mapping.object, found, now: client.environment.now())
        ids.merge(found) { $1 }
        return ids
    }

    // MARK: Mutations within the complexity budget

    enum AliasResult: Equatable {
        case success(String?)
        case failure(String)
        case retry(String)
    }

    /// Sends `mutations` in as few requests as the complexity limits allow, and reads each
    /// alias's result.
    private func run(_ mutations: [MondayDocuments.Mutation], board: String) async throws -> [String: AliasResult] {
        var results: [String: AliasResult] = [:]
        var remaining = mutations[...]
        var cap = Int.max  // lowered when a request is refused before anything was measured
        var refusals = 0
        while !remaining.isEmpty {
            let size = min(cap, try await chunkSize(limit: remaining.count))
            let chunk = Array(remaining.prefix(size))
            let body = try await post(MondayDocuments.request(chunk, board: board), waitOutRefusals: false)
            let (byAlias, requestErrors) = MondayDocuments.errors(body)
            if let refusal = requestErrors.first(where: { MondaySink.budgetCodes.contains($0.code ?? "") }) {
                // Refused whole, nothing written. Unmeasured, the request may cost more than a
                // whole minute's budget: send half. Then wait as monday says.
                refusals += 1
                guard refusals <= 3 else {
                    throw SinkError(sink: name, message: "monday.com kept refusing requests (\(refusal.code ?? ""): \(refusal.message))", exitCode: .temporaryFailure)
                }
                if state.value.costPerMutation == nil { cap = max(1, chunk.count / 2) }
                try await waitOut(refusal)
                continue
            }
            refusals = 0
            if let complexity = MondayDocuments.complexity(body), !chunk.isEmpty {
                state.withLock { $0.costPerMutation = max($0.costPerMutation ?? 0, complexity.query / chunk.count) }
            }
            if requestErrors.contains(where: { $0.code == "maxComplexityExceeded" }), chunk.count > 1 {
                // Too costly for one query (nothing was written): half as many, measured so.
                state.withLock { $0.costPerMutation = max($0.costPerMutation ?? 1, MondaySink.perQueryLimit / max(1, chunk.count / 2)) }
                continue
            }
            if let other = requestErrors.first {
                for mutation in chunk { results[mutation.alias] = .failure("monday.com \(other.code ?? "error"): \(other.message)") }
            } else {
                for mutation in chunk {
                    if let message = byAlias[mutation.alias] {
                        results[mutation.alias] = .failure(message)
                    } else if let data = body["data"]?[mutation.alias], data != .null {
                        results[mutation.alias] = .success(data["id"]?.stringValue)
                    } else {
                        results[mutation.alias] = .retry("monday.com returned no result for this item")
                    }
                }
            }
            remaining = remaining.dropFirst(chunk.count)
        }
        return results
    }

    /// How many mutations the next request may carry: as many as the per-query limit and what
    /// is left of the minute's budget allow, as measured. When the
    /// budget cannot pay for one, wait for its refill.
    private func chunkSize(limit: Int) async throws -> Int {
        let known = state.value
        // Before anything is measured, a full request: one over the per-query limit is refused
        // whole (nothing written) and halved, so guessing high costs a call, never a write.
        guard let cost = known.costPerMutation, cost > 0 else { return min(limit, settings.maxMutationsPerRequest) }
        var size = min(limit, settings.maxMutationsPerRequest, max(1, MondaySink.perQueryLimit / cost))
        if let left = known.budgetLeft {
            // Keep 10 % back for the complexity query itself and other clients of the token.
            let affordable = left * 9 / 10 / cost
            if affordable < 1, let resetsAt = known.budgetResetsAt {
                let now = client.environment.now()
                if resetsAt > now {
                    client.logger.info("\(name): monday.com's complexity budget is spent; waiting for its refill")
                    try await client.environment.sleep(resetsAt.duration(since: now))
                }
                // A new minute: the whole budget again, as far as it is known.
                let ceiling = state.withLock { state -> Int? in
                    state.budgetLeft = state.budgetCeiling
                    state.budgetResetsAt = nil
                    return state.budgetCeiling
                }
                return ceiling.map { min(size, max(1, $0 * 9 / 10 / cost)) } ?? size
            }
            size = min(size, max(1, affordable))
        }
        return size
    }

    /// What a response says of the minute's budget.
    private func record(_ complexity: MondayDocuments.Complexity) {
        let now = client.environment.now()
        state.withLock { state in
            state.budgetLeft = complexity.after
            state.budgetResetsAt = now.adding(seconds: Double(complexity.resetInSeconds))
            state.budgetCeiling = max(state.budgetCeiling ?? 0, complexity.before)
        }
    }

    // MARK: HTTP

    /// One GraphQL request; monday's token goes in `Authorization` as it is. A request refused
    /// whole for the complexity budget or a rate limit wrote nothing: it waits as monday says
    /// (`retry_in_seconds`) and is sent again, up to three times.
    private func post(_ document: JSONValue, waitOutRefusals: Bool = true) async throws -> JSONValue {
        guard let url = URL(string: settings.apiURL) else {
            throw SinkError(sink: name, message: "api_url \(settings.apiURL) is not a URL", exitCode: .configuration)
        }
        for attempt in 1...4 {
            let response = try await sender.send(defaultRetryAfter: { MondaySink.retryIn($0) }) { token in
                HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/json", "Accept": "application/json",
                                                                "API-Version": settings.apiVersion, "Authorization": token.reveal()],
                            body: Data(JSONWriter.compact(document).utf8))
            }
            guard response.status == 200, let body = try? JSONParser.parse(response.body) else {
                throw sender.failure(response, call: "POST \(url.host ?? settings.apiURL)\(url.path)")
            }
            if let complexity = MondayDocuments.complexity(body) { record(complexity) }
            guard waitOutRefusals, let refusal = MondayDocuments.errors(body).request.first(where: { MondaySink.budgetCodes.contains($0.code ?? "") }) else { return body }
            guard attempt < 4 else {
                throw SinkError(sink: name, message: "monday.com kept refusing requests (\(refusal.code ?? ""): \(refusal.message))", exitCode: .temporaryFailure)
            }
            try await waitOut(refusal)
        }
        throw SinkError(sink: name, message: "monday.com kept refusing requests", exitCode: .temporaryFailure)
    }

    /// Waits as a refusal says (`retry_in_seconds`, a minute when it says nothing).
    private func waitOut(_ refusal: (code: String?, message: String, retryIn: Int?)) async throws {
        let wait = Double(refusal.retryIn ?? 60)
        client.logger.info("\(name): monday.com refused a request (\(refusal.code ?? "")); waiting \(Int(wait)) s")
        state.withLock { $0.budgetLeft = 0; $0.budgetResetsAt = client.environment.now().adding(seconds: wait) }
        try await client.environment.sleep(.milliseconds(Int64(wait * 1000)))
    }

    static let budgetCodes: Set<String> = ["COMPLEXITY_BUDGET_EXHAUSTED", "ComplexityException", "RATE_LIMIT_EXCEEDED", "maxConcurrencyExceeded"]

    /// `retry_in_seconds` of a refused request's first error.
    static func retryIn(_ response: HTTPResponse) -> Double? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        return MondayDocuments.errors(body).request.compactMap(\.retryIn).first.map(Double.init)
    }

    /// monday's error body: `{"errors": [{"message", "extensions": {"code"}}]}`, or the older
    /// `{"error_code", "error_message"}`.
    @Sendable static func problem(_ response: HTTPResponse) -> ProviderProblem? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        if let first = body["errors"]?.arrayValue?.first {
            return ProviderProblem(code: first["extensions"]?["code"]?.stringValue, message: first["message"]?.stringValue)
        }
        if let code = body["error_code"]?.stringValue { return ProviderProblem(code: code, message: body["error_message"]?.stringValue) }
        return nil
    }
}
