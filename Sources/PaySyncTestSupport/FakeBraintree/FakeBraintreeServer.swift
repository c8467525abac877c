import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake Braintree GraphQL API on 127.0.0.1: `search { transactions | refunds | disputes }`
/// with Relay paging (at most 50 a page), searches by `createdAt`, by one `statusTransition`
/// timestamp (`submittedForSettlementAt`, `settledAt`, `voidedAt`, `failedAt`) or, for disputes,
/// by `effectiveDate`; a search's results cut off at a cap as Braintree's are; Basic auth from an
/// API key pair and a required `Braintree-Version` date. Queries may select only fields
/// Braintree's `schema.graphql` defines for these types. Names and enums from
/// `braintree/graphql-api` (`schema.graphql`); `reference/payments-apis.md` §4.
public final class FakeBraintreeServer: Sendable {
    public struct Node: Sendable {
        public var id: String
        public var amount: String
        public var currency = "USD"
        public var orderId: String?
        public var parent: String?
        /// (status, when): the first is the creation.
        public var history: [(status: String, at: Timestamp)]
    }

    struct State: Sendable {
        var transactions: [Node] = []
        var refunds: [Node] = []
        var disputes: [Node] = []
        var received: [String] = []  // "transactions createdAt" …
        var cap = 20_000
        /// For each search begun (its first page asked for): the pages its results fill.
        var pagesNeeded = 0
    }

    public let publicKey = "fake7pub4key"
    public let privateKey = "fakeprivate0123456789abcdef"
    private let state = Locked(State())
    private let server: LoopbackHTTPServer
    public var url: String { server.baseURL + "/graphql" }

    public init() throws {
        let state = self.state
        let basic = "Basic " + Data("\(publicKey):\(privateKey)".utf8).base64EncodedString()
        server = try LoopbackHTTPServer { request in FakeBraintreeServer.handle(request, state: state, basic: basic) }
    }

    deinit { server.stop() }

    // MARK: What happens at the merchant

    public func transaction(_ id: String, amount: String, orderId: String? = nil, status: String = "AUTHORIZED", at time: Timestamp, currency: String = "USD") {
        state.withLock { $0.transactions.append(Node(id: id, amount: amount, currency: currency, orderId: orderId, parent: nil, history: [(status, time)])) }
    }

    /// The transaction (or refund) moves to `status` at `time`.
    public func move(_ id: String, to status: String, at time: Timestamp) {
        state.withLock { state in
            if let index = state.transactions.firstIndex(where: { $0.id == id }) { state.transactions[index].history.append((status, time)) }
            if let index = state.refunds.firstIndex(where: { $0.id == id }) { state.refunds[index].history.append((status, time)) }
            if let index = state.disputes.firstIndex(where: { $0.id == id }) { state.disputes[index].history.append((status, time)) }
        }
    }

    public func refund(_ id: String, of transaction: String, amount: String, status: String = "SUBMITTED_FOR_SETTLEMENT", at time: Timestamp) {
        state.withLock { $0.refunds.append(Node(id: id, amount: amount, orderId: nil, parent: transaction, history: [(status, time)])) }
    }

    public func dispute(_ id: String, of transaction: String, amount: String, status: String = "OPEN", at time: Timestamp) {
        state.withLock { $0.disputes.append(Node(id: id, amount: amount, orderId: nil, parent: transaction, history: [(status, time)])) }
    }

    public func setCap(_ cap: Int) { state.withLock { $0.cap = cap } }
    public var received: [String] { state.value.received }
    /// The fewest requests for the searches begun so far: each search's results at 50 a page
    /// (one request for an empty one).
    public var pagesNeeded: Int { state.value.pagesNeeded }
    /// Many settled transactions at once (benchmarks): `perDay` a day from `start`.
    public func settled(count: Int, perDay: Int, from start: Timestamp) {
        state.withLock { state in
            for index in 0..<count {
                let time = start.adding(seconds: Double(index / perDay) * 86_400 + Double(index % perDay) * (80_000 / Double(perDay)))
                state.transactions.append(Node(id: "bulk\(index)", amount: "\(10 + index % 900).00", orderId: "INV-\(index)", parent: nil,
                                               history: [("SUBMITTED_FOR_SETTLEMENT", time), ("SETTLED", time.adding(seconds: 60))]))
            }
        }
    }
    public func clearReceived() { state.withLock { $0.received.removeAll() } }

    // MARK: Handler

    static func error(_ message: String, _ errorClass: String, status: Int = 200) -> ServerReply {
        .json(status, JSONWriter.compact(["errors": [["message": .string(message), "extensions": ["errorClass": .string(errorClass)]]], "extensions": ["requestId": "fake"]]))
    }

    /// Words a query may use: GraphQL's, the types', and the fields `schema.graphql` defines for
    /// Search, the connections, Transaction, Refund, Dispute, MonetaryAmount, Customer and the
    /// status events.
    static let vocabulary: Set<String> = [
        "query", "Transactions", "Refunds", "Disputes", "input", "after", "first", "TransactionSearchInput", "RefundSearchInput", "DisputeSearchInput", "String",
        "search", "transactions", "refunds", "disputes", "pageInfo", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "edges", "cursor", "node",
        "id", "legacyId", "createdAt", "orderId", "status", "amount", "value", "currencyCode", "customer", "email", "firstName", "lastName", "company",
        "statusHistory", "timestamp", "refundedTransaction", "receivedDate", "caseNumber", "amountDisputed", "transaction", "effectiveDate",
    ]

    static func handle(_ request: ServerRequest, state: Locked<State>, basic: String) -> ServerReply {
        guard request.method == "POST", request.path == "/graphql" else { return .status(404) }
        guard request.headers["Authorization"] == basic else { return error("Authentication credentials are invalid", "AUTHENTICATION", status: 401) }
        guard let version = request.headers["Braintree-Version"], version.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else {
            return error("Braintree-Version header is required and must be a date (YYYY-MM-DD)", "VALIDATION", status: 400)
        }
        guard let body = try? JSONParser.parse(request.body), let query = body["query"]?.stringValue else { return error("A query is required", "VALIDATION", status: 400) }
        for word in query.split(whereSeparator: { !$0.isLetter }) where !vocabulary.contains(String(word)) {
            return error("Field '\(word)' doesn't exist on the selected type", "VALIDATION")
        }
        guard let regex = try? NSRegularExpression(pattern: #"search \{ (transactions|refunds|disputes)\(input: \$input, first: (\d+), after: \$after\)"#),
              let match = regex.firstMatch(in: query, range: NSRange(query.startIndex..., in: query)),
              let kindRange = Range(match.range(at: 1), in: query), let firstRange = Range(match.range(at: 2), in: query), let first = Int(query[firstRange]) else {
            return error("The fake answers only search queries", "VALIDATION")
        }
        guard (1...50).contains(first) else { return error("first must be between 1 and 50", "VALIDATION") }
        let kind = String(query[kindRange])
        let input = body["variables"]?["input"] ?? .null
        let offset = body["variables"]?["after"]?.stringValue.flatMap { Data(base64Encoded: $0) }.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
        // Which timestamp, and its range.
        var filter: String
        var range: JSONValue
        if kind == "disputes" {
            guard let value = input["effectiveDate"], input.objectValue?.members.count == 1 else { return error("Variable 'input' must search disputes by effectiveDate", "VALIDATION") }
            (filter, range) = ("effectiveDate", value)
        } else if let value = input["createdAt"], input.objectValue?.members.count == 1 {
            (filter, range) = ("createdAt", value)
        } else if let transition = input["statusTransition"]?.objectValue, transition.members.count == 1, let (name, value) = transition.members.first,
                  ["submittedForSettlementAt", "settledAt", "voidedAt", "failedAt"].contains(name) {
            (filter, range) = (name, value)
        } else {
            return error("Variable 'input' has an invalid value", "VALIDATION")
        }
        guard range.objectValue?.keys.allSatisfy({ ["greaterThanOrEqualTo", "lessThanOrEqualTo"].contains($0) }) == true else {
            return error("Variable 'input' has an invalid value for \(filter)", "VALIDATION")
        }
        let low = range["greaterThanOrEqualTo"]?.stringValue, high = range["lessThanOrEqualTo"]?.stringValue
        let dates = kind == "disputes"
        func within(_ time: Timestamp) -> Bool {
            if dates {
                let day = time.utcDate.description
                return (low.map { day >= $0 } ?? true) && (high.map { day <= $0 } ?? true)
            }
            return (low.flatMap(Timestamp.init(iso:)).map { time >= $0 } ?? true) && (high.flatMap(Timestamp.init(iso:)).map { time <= $0 } ?? true)
        }
        let status = ["submittedForSettlementAt": "SUBMITTED_FOR_SETTLEMENT", "settledAt": "SETTLED", "voidedAt": "VOIDED", "failedAt": "FAILED"][filter]
        let snapshot = state.value
        state.withLock { $0.received.append("\(kind) \(filter)") }
        let all = kind == "transactions" ? snapshot.transactions : kind == "refunds" ? snapshot.refunds : snapshot.disputes
        let matching = all.filter { node in
            switch filter {
            case "createdAt": within(node.history[0].at)
            case "effectiveDate": node.history.contains { within($0.at) }
            default: node.history.contains { $0.status == status && within($0.at) }
            }
        }
        let capped = Array(matching.prefix(snapshot.cap))  // Braintree cuts a search's results off
        if offset == 0 { state.withLock { $0.pagesNeeded += max(1, (capped.count + first - 1) / first) } }
        let page = Array(capped.dropFirst(offset).prefix(first))
        let more = offset + page.count < capped.count
        let edges: [JSONValue] = page.map { node in ["cursor": .string(node.id), "node": render(node, kind: kind)] }
        let connection: JSONValue = ["pageInfo": ["hasNextPage": .bool(more), "endCursor": more ? .string(Data(String(offset + page.count).utf8).base64EncodedString()) : .null],
                                     "edges": .array(edges)]
        return .json(200, JSONWriter.compact(["data": ["search": .object(JSONObject([(kind, connection)]))], "extensions": ["requestId": "fake"]]))
    }

    static func render(_ node: Node, kind: String) -> JSONValue {
        let money: JSONValue = ["value": .string(node.amount), "currencyCode": .string(node.currency)]
        let history: JSONValue = .array(node.history.map { ["status": .string($0.status), "timestamp": .string($0.at.iso8601)] })
        var members: [(String, JSONValue)] = [("id", .string(node.id)), ("legacyId", .string(String(node.id.suffix(8)))), ("createdAt", .string(node.history[0].at.iso8601)),
                                              ("status", .string(node.history.last!.status)), ("statusHistory", history)]
        switch kind {
        case "transactions":
            members += [("orderId", node.orderId.map(JSONValue.string) ?? .null), ("amount", money),
                        ("customer", ["id": "Y3VzdG9tZXJfMTIz", "email": "ap@acme.example", "firstName": "Ada", "lastName": "Lovelace", "company": .null])]
        case "refunds":
            members += [("orderId", .null), ("amount", money), ("refundedTransaction", node.parent.map { ["id": .string($0)] } ?? .null)]
        default:
            members += [("receivedDate", .string(node.history[0].at.utcDate.description)), ("caseNumber", .string("CB-\(node.id.suffix(4))")),
                        ("amountDisputed", money), ("transaction", node.parent.map { ["id": .string($0)] } ?? .null)]
        }
        return .object(JSONObject(members))
    }
}
