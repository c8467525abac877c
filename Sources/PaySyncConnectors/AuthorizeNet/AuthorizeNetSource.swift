import Foundation
import PaySyncCore
import PaySyncHTTP

/// Authorize.Net transactions through the Transaction Reporting API (`docs/connectors/authorize-net.md`).
/// Authorize.Net has no "changed since" filter; what changes is where a transaction is:
/// - **Settled batches** since the cursor less the overlap (`getSettledBatchListRequest`, both
///   dates given, at most 31 days a request), each batch's transactions
///   (`getTransactionListRequest`, 1,000 a page). Settlement is when a card payment becomes paid.
/// - **The unsettled list**, every run (`getUnsettledTransactionListRequest`, 1,000 a page):
///   what is authorised, captured, under review, voided or declined but not yet in a batch.
/// - **Refunds and chargebacks** name their original transaction only in their details
///   (`getTransactionDetailsRequest` → `refTransId`): one call each, so the parent moves.
/// Every call is one POST of JSON to one URL with the credentials in the body; answers start
/// with a byte-order mark, and refusals come with HTTP 200 and `resultCode` "Error".
public struct AuthorizeNetSource: Source {
    public let name: String
    public let settings: AuthorizeNetSettings
    private let client: HTTPClient
    private let login: Secret
    private let key: Secret
    private let limiters: RateLimiters

    /// Transactions a list page holds at most.
    static let pageSize = 1_000
    /// Days one settled-batch request may span.
    static let windowDays = 31

    public init(name: String, settings: AuthorizeNetSettings, client: HTTPClient, login: Secret, key: Secret) {
        self.name = name
        self.settings = settings
        self.client = client
        self.login = login
        self.key = key
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { AuthorizeNetMapping.provider }
    public var accounts: [String] { [AuthorizeNetSettings.account] }
    public var entities: [String] { [AuthorizeNetSettings.entity] }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public func kinds(of entity: String) -> [ObjectKind] { [.payment, .refund, .dispute] }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    private var currency: Currency { Currency(code: settings.currency) ?? Currency(code: "USD")! }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard entity == AuthorizeNetSettings.entity else { return }
        let started = client.environment.now()
        var from: Timestamp, until: Timestamp
        var unsettled = true
        switch mode {
        case .file: return
        case .incremental(let since):
            from = since ?? settings.startDate?.startOfDayUTC ?? started.adding(seconds: -90 * 86_400)
            until = started
        case .window(let start, let end):
            (from, until) = (start.startOfDayUTC, end.startOfDayUTC)
            unsettled = false
        }
        let moves: Bool = if case .incremental = mode { true } else { false }
        var number = 0
        var pages: [(observations: [Observation], rejects: [RejectedObject])] = []
        // Settled batches, window by window (both dates, at most 31 days each).
        var windowStart = from
        while windowStart < until {
            let windowEnd = min(until, windowStart.adding(seconds: Double(AuthorizeNetSource.windowDays) * 86_400))
            let body = try await call("getSettledBatchListRequest", [
                ("includeStatistics", false), ("firstSettlementDate", .string(AuthorizeNetSource.dateTime(windowStart))),
                ("lastSettlementDate", .string(AuthorizeNetSource.dateTime(windowEnd))),
            ])
            for batch in AuthorizeNetResponse.list(body["batchList"], item: "batch") {
                guard let batchID = batch["batchId"]?.stringValue ?? batch["batchId"]?.numberText else { continue }
                let settledAt = try? WireValues.isoTimestamp(batch["settlementTimeUTC"]?.stringValue, "batch \(batchID).settlementTimeUTC")
                try await eachPage(request: "getTransactionListRequest", fields: [("batchId", .string(batchID))]) { transactions in
                    pages.append(try await map(transactions, account: account, settledAt: settledAt ?? nil))
                }
            }
            windowStart = windowEnd
        }
        if unsettled {
            try await eachPage(request: "getUnsettledTransactionListRequest", fields: []) { transactions in
                pages.append(try await map(transactions, account: account, settledAt: nil))
            }
        }
        if pages.isEmpty { pages.append(([], [])) }
        for (index, page) in pages.enumerated() {
            number += 1
            let last = index == pages.count - 1
            try await consume(SourcePage(observations: page.observations, rejects: page.rejects, outOfScope: 0,
                                         lastUpdatedAt: moves && last ? started : nil, lastID: moves && last ? "" : nil,
                                         servedAt: nil, number: number, isLast: last))
        }
    }

    /// A list request's pages: 1,000 transactions each (`paging.offset` is the page number),
    /// oldest first, until a page holds fewer.
    private func eachPage(request: String, fields: [(String, JSONValue)], _ page: ([JSONValue]) async throws -> Void) async throws {
        var offset = 1
        while true {
            let body = try await call(request, fields + [
                ("sorting", ["orderBy": "submitTimeUTC", "orderDescending": false]),
                ("paging", ["limit": .number(String(AuthorizeNetSource.pageSize)), "offset": .number(String(offset))]),
            ])
            let transactions = AuthorizeNetResponse.list(body["transactions"], item: "transaction")
            try await page(transactions)
            // `totalNumInResultSet` says whether another page exists: a full last page costs no
            // empty call after it.
            let total = body["totalNumInResultSet"]?.numberText.flatMap { Int($0) }
            guard transactions.count == AuthorizeNetSource.pageSize, total.map({ offset * AuthorizeNetSource.pageSize < $0 }) ?? true else { return }
            offset += 1
        }
    }

    /// Maps a list's transactions; a refund's or chargeback's parent is read from its details.
    private func map(_ transactions: [JSONValue], account: String, settledAt: Timestamp?) async throws -> ([Observation], [RejectedObject]) {
        var observations: [Observation] = [], rejects: [RejectedObject] = []
        for (index, wire) in transactions.enumerated() {
            var parent: String?
            if let status = wire["transactionStatus"]?.stringValue, AuthorizeNetMapping.kind(of: status) != .payment,
               let id = wire["transId"]?.stringValue ?? wire["transId"]?.numberText {
                let details = try await call("getTransactionDetailsRequest", [("transId", .string(id))])
                parent = details["transaction"]?["refTransId"]?.stringValue ?? details["transaction"]?["refTransId"]?.numberText
            }
            do throws(ObjectRejection) {
                observations.append(try AuthorizeNetMapping.transaction(wire, account: account, currency: currency, settledAt: settledAt, parent: parent))
            } catch {
                rejects.append(RejectedObject(entity: AuthorizeNetSettings.entity, externalID: wire["transId"]?.stringValue,
                                              error: "transactions[\(index)]: \(error.description)"))
            }
        }
        return (observations, rejects)
    }

    /// `2025-04-01T00:00:00Z`.
    static func dateTime(_ time: Timestamp) -> String {
        let iso = time.iso8601
        return iso.count > 20 ? String(iso.prefix(19)) + "Z" : iso
    }

    // MARK: HTTP

    /// One API call: `{"<request>": {"merchantAuthentication": …, <fields in the schema's order>}}`.
    func call(_ request: String, _ fields: [(String, JSONValue)]) async throws -> JSONValue {
        guard let url = URL(string: settings.url) else {
            throw SourceError(source: name, message: "url \(settings.url) is not a URL", exitCode: .configuration)
        }
        let document: JSONValue = .object(JSONObject([(request, .object(JSONObject(
            [("merchantAuthentication", ["name": .string(login.reveal()), "transactionKey": .string(key.reveal())])] + fields
        )))]))
        let http = HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/json", "Accept": "application/json"],
                               body: Data(JSONWriter.compact(document).utf8))
        let limiter = limiters.limiter(for: AuthorizeNetSettings.account)
        let response = try await client.send(http, limiter: limiter)
        guard response.isSuccess else {
            throw HTTPFailure.error(response, call: "POST \(url.host ?? "")\(url.path) \(request)", label: name, provider: "Authorize.Net", problem: nil, hint: nil)
        }
        let body: JSONValue
        do { body = try AuthorizeNetResponse.parse(response.body) } catch {
            throw SourceError.undecodable(response.body, source: name, at: request, shape: "not JSON")
        }
        if let (code, text) = AuthorizeNetResponse.error(body) {
            switch code {
            case "E00007", "E00008", "E00124":  // authentication failed, account inactive, invalid access token
                throw AuthenticationError(label: name, message: "Authorize.Net refused the API login id or transaction key (\(code): \(text)); check them under Account → Settings → API Credentials & Keys")
            case "E00011":  // access denied: the Transaction Details API is off
                throw SourceError(source: name, message: "Authorize.Net \(request): \(code) \(text); turn on the Transaction Details API (Account → Settings → Transaction Details API)", exitCode: .configuration)
            default:
                throw SourceError(source: name, message: "Authorize.Net \(request): \(code) \(text)", exitCode: .dataError)
            }
        }
        return body
    }
}

extension AuthorizeNetSource {
    /// Authorize.Net in the registry: `"kind": "authorize-net"`.
    public static let descriptor = SourceDescriptor(
        kind: "authorize-net", keys: AuthorizeNetConfig.keys, documentation: "docs/connectors/authorize-net.md",
        read: { object, path, reader in AuthorizeNetConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            AuthorizeNetSource(name: context.name, settings: settings, client: context.client,
                               login: try context.secret(settings.apiLoginID, key: "api_login_id", purpose: "to reach Authorize.Net"),
                               key: try context.secret(settings.transactionKey, key: "transaction_key", purpose: "to reach Authorize.Net"))
        }
    )
}
