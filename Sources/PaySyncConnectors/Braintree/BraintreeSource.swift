import Foundation
import PaySyncCore
import PaySyncHTTP

/// Braintree through its GraphQL API (`docs/connectors/braintree.md`). Braintree has no
/// "updated since" filter; a transaction's changes are each a timestamp of its own:
/// - **Transactions and refunds**: one search per status-transition timestamp since the cursor
///   less the overlap (`createdAt`, then `statusTransition` `submittedForSettlementAt`,
///   `settledAt`, `voidedAt`, `failedAt`), Relay paging 50 at a time. Whatever moved is found by
///   the timestamp of its move.
/// - **Disputes**: searched apart by `effectiveDate` (a dispute never touches a transaction's
///   search fields), so a chargeback moves its transaction.
/// - **Windows**: each search covers at most `window_hours`; a window whose results reach
///   Braintree's cap is split in halves and searched again, so nothing is cut off.
public struct BraintreeSource: Source {
    public let name: String
    public let settings: BraintreeSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiters: RateLimiters

    static let pageSize = 50
    static let transactionTimestamps = ["submittedForSettlementAt", "settledAt", "voidedAt", "failedAt"]

    public init(name: String, settings: BraintreeSettings, client: HTTPClient, publicKey: Secret, privateKey: Secret) {
        self.name = name
        self.settings = settings
        self.client = client
        let basic = Secret.basic(user: publicKey, password: privateKey)
        self.sender = AuthorizedSender(label: name, provider: "Braintree", client: client, tokens: StaticTokenProvider(basic),
                                       problem: { BraintreeSource.problem(in: $0) },
                                       reauthorise: "check the API key pair (Settings → API → API Keys) and update \"public_key\" and \"private_key\"")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { BraintreeMapping.provider }
    public var accounts: [String] { [BraintreeSettings.account] }
    public var entities: [String] { settings.entities.map(\.rawValue) }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public func kinds(of entity: String) -> [ObjectKind] { BraintreeEntity(rawValue: entity).map { [$0.kind] } ?? [] }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard let entity = BraintreeEntity(rawValue: entity) else { return }
        let started = client.environment.now()
        let from: Timestamp, until: Timestamp
        switch mode {
        case .file: return
        case .incremental(let since): (from, until) = (since ?? settings.startDate?.startOfDayUTC ?? started.adding(seconds: -90 * 86_400), started)
        case .window(let start, let end): (from, until) = (start.startOfDayUTC, end.startOfDayUTC)
        }
        let moves: Bool = if case .incremental = mode { true } else { false }
        var nodes: [String: JSONValue] = [:]  // by id: an object several searches find is observed once
        var order: [String] = []
        func keep(_ found: [JSONValue]) {
            for node in found {
                guard let id = node["id"]?.stringValue else { continue }
                if nodes[id] == nil { order.append(id) }
                nodes[id] = node
            }
        }
        switch entity {
        case .transactions, .refunds:
            for filter in ["createdAt"] + BraintreeSource.transactionTimestamps {
                keep(try await search(entity, filter: filter, from: from, until: until))
            }
        case .disputes:
            keep(try await search(entity, filter: "effectiveDate", from: from, until: until))
        }
        var observations: [Observation] = [], rejects: [RejectedObject] = []
        for id in order {
            let node = nodes[id]!
            do throws(ObjectRejection) {
                switch entity {
                case .transactions: observations.append(try BraintreeMapping.transaction(node, account: account))
                case .refunds: observations.append(try BraintreeMapping.refund(node, account: account))
                case .disputes: observations.append(try BraintreeMapping.dispute(node, account: account))
                }
            } catch {
                rejects.append(RejectedObject(entity: entity.rawValue, externalID: id, error: error.description))
            }
        }
        try await consume(SourcePage(observations: observations, rejects: rejects, outOfScope: 0,
                                     lastUpdatedAt: moves ? started : nil, lastID: moves ? "" : nil, servedAt: nil, number: 1, isLast: true))
    }

    /// Every node one filter finds in `[from, until]`, window by window; a window whose results
    /// reach the cap is split in halves and searched again.
    private func search(_ entity: BraintreeEntity, filter: String, from: Timestamp, until: Timestamp) async throws -> [JSONValue] {
        var found: [JSONValue] = []
        var windows: [(Timestamp, Timestamp)] = []
        var start = from
        let span = Double(settings.windowHours) * 3_600
        while start < until {
            let end = min(until, start.adding(seconds: span))
            windows.append((start, end))
            start = end
        }
        while !windows.isEmpty {
            let (start, end) = windows.removeFirst()
            let nodes = try await pages(entity, filter: filter, from: start, until: end)
            if nodes.count >= settings.resultCap, end.millisecondsSinceEpoch - start.millisecondsSinceEpoch > 60_000 {
                let middle = Timestamp(millisecondsSinceEpoch: (start.millisecondsSinceEpoch + end.millisecondsSinceEpoch) / 2)
                client.logger.info("\(name): a Braintree \(entity.rawValue) search by \(filter) reached \(nodes.count) results; searching \(start.iso8601)…\(end.iso8601) in halves")
                windows.insert(contentsOf: [(start, middle), (middle, end)], at: 0)
                continue
            }
            found += nodes
        }
        return found
    }

    /// One search's pages (Relay: `first`, `after`, `pageInfo`).
    private func pages(_ entity: BraintreeEntity, filter: String, from: Timestamp, until: Timestamp) async throws -> [JSONValue] {
        var input: JSONValue
        if entity == .disputes {
            input = ["effectiveDate": ["greaterThanOrEqualTo": .string(from.utcDate.description), "lessThanOrEqualTo": .string(until.utcDate.description)]]
        } else {
            let range: JSONValue = ["greaterThanOrEqualTo": .string(from.iso8601), "lessThanOrEqualTo": .string(until.iso8601)]
            input = filter == "createdAt" ? ["createdAt": range] : ["statusTransition": .object(JSONObject([(filter, range)]))]
        }
        var after: JSONValue = .null
        var nodes: [JSONValue] = []
        while true {
            let body = try await post(BraintreeSource.query(entity), variables: ["input": input, "after": after])
            guard let connection = body["data"]?["search"]?[entity.rawValue] else {
                throw SourceError(source: name, message: "Braintree's \(entity.rawValue) search answered without data.search.\(entity.rawValue)", exitCode: .dataError)
            }
            nodes += (connection["edges"]?.arrayValue ?? []).compactMap { $0["node"] }
            guard connection["pageInfo"]?["hasNextPage"]?.boolValue == true, let cursor = connection["pageInfo"]?["endCursor"]?.stringValue else { break }
            after = .string(cursor)
        }
        return nodes
    }

    /// The search document for an entity: the fields the mapping reads, nothing more.
    static func query(_ entity: BraintreeEntity) -> String {
        switch entity {
        case .transactions:
            "query Transactions($input: TransactionSearchInput!, $after: String) { search { transactions(input: $input, first: \(pageSize), after: $after) { pageInfo { hasNextPage endCursor } edges { node { id legacyId createdAt orderId status amount { value currencyCode } customer { id email firstName lastName company } statusHistory { status timestamp } } } } } }"
        case .refunds:
            "query Refunds($input: RefundSearchInput!, $after: String) { search { refunds(input: $input, first: \(pageSize), after: $after) { pageInfo { hasNextPage endCursor } edges { node { id legacyId createdAt orderId status amount { value currencyCode } refundedTransaction { id } statusHistory { status timestamp } } } } } }"
        case .disputes:
            "query Disputes($input: DisputeSearchInput!, $after: String) { search { disputes(input: $input, first: \(pageSize), after: $after) { pageInfo { hasNextPage endCursor } edges { node { id legacyId createdAt receivedDate caseNumber status amountDisputed { value currencyCode } transaction { id } statusHistory { status timestamp } } } } } }"
        }
    }

    // MARK: HTTP

    private func post(_ query: String, variables: JSONValue) async throws -> JSONValue {
        guard let url = URL(string: settings.url) else {
            throw SourceError(source: name, message: "url \(settings.url) is not a URL", exitCode: .configuration)
        }
        let request = HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/json", "Accept": "application/json",
                                                                      "Braintree-Version": BraintreeSettings.apiVersion],
                                  body: Data(JSONWriter.compact(["query": .string(query), "variables": variables]).utf8))
        let response = try await sender.send(limiter: limiters.limiter(for: BraintreeSettings.account)) { request.basic($0) }
        guard response.isSuccess, let body = try? JSONParser.parse(response.body) else {
            throw sender.failure(response, call: "POST \(url.host ?? "")\(url.path)")
        }
        // GraphQL errors beside (or instead of) data: a search that failed is a failed read.
        if let first = body["errors"]?.arrayValue?.first {
            let code = first["extensions"]?["errorClass"]?.stringValue ?? first["extensions"]?["code"]?.stringValue ?? "error"
            let message = first["message"]?.stringValue ?? "no message"
            if code == "AUTHENTICATION" || code == "AUTHORIZATION" {
                throw AuthenticationError(label: name, message: "Braintree refused the API key (\(code): \(message)); check \"public_key\" and \"private_key\"")
            }
            throw SourceError(source: name, message: "Braintree \(code): \(message)", exitCode: code == "VALIDATION" ? .dataError : .unavailable)
        }
        return body
    }

    /// Braintree's own words: the first GraphQL error's message and class.
    static func problem(in response: HTTPResponse) -> ProviderProblem? {
        guard let first = (try? JSONParser.parse(response.body))?["errors"]?.arrayValue?.first else { return nil }
        return ProviderProblem(code: first["extensions"]?["errorClass"]?.stringValue, message: first["message"]?.stringValue)
    }
}

extension BraintreeSource {
    /// Braintree in the registry: `"kind": "braintree"`.
    public static let descriptor = SourceDescriptor(
        kind: "braintree", keys: BraintreeConfig.keys, documentation: "docs/connectors/braintree.md",
        read: { object, path, reader in BraintreeConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            BraintreeSource(name: context.name, settings: settings, client: context.client,
                            publicKey: try context.secret(settings.publicKey, key: "public_key", purpose: "to reach Braintree"),
                            privateKey: try context.secret(settings.privateKey, key: "private_key", purpose: "to reach Braintree"))
        }
    )
}
