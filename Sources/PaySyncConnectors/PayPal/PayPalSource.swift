import Foundation
import PaySyncCore
import PaySyncHTTP

/// PayPal payments and refunds (Transaction Search), disputes and invoices (`docs/connectors/paypal.md`):
/// - **Transactions**: `GET /v1/reporting/transactions` from the cursor, less the overlap, to now,
///   in windows of at most 31 days (PayPal's limit), 500 rows a page. PayPal's data lags (up to
///   three hours and more); the cursor moves only when the last window is read, and only to the
///   response's `last_refreshed_datetime` — the time up to which PayPal says its data is complete —
///   so a late transaction is always read by a later run. A cursor older than the three years
///   PayPal keeps is warned about and the read starts at that limit.
/// - **Disputes**: those updated since the cursor (`update_time_after`), each read by id for the
///   transaction it disputes, applied oldest change first.
/// - **Invoices** (v2): no change filter exists; every run lists them (100 a page).
public struct PayPalSource: Source {
    public let name: String
    public let settings: PayPalSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiters: RateLimiters

    /// PayPal's longest Transaction Search window, and how far back it keeps transactions.
    static let windowDays = 31
    static let historyDays = 3 * 365

    public init(name: String, settings: PayPalSettings, client: HTTPClient, tokens: any AccessTokenProvider) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "PayPal", client: client, tokens: tokens, problem: { PayPalSource.problem(in: $0) },
                                       reauthorise: "check the REST app's client id and secret in the PayPal Developer Dashboard, and that Transaction Search is enabled for it")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { PayPalMapping.provider }
    public var accounts: [String] { [PayPalSettings.account] }
    public var entities: [String] { settings.entities.map(\.rawValue) }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public func kinds(of entity: String) -> [ObjectKind] {
        switch PayPalEntity(rawValue: entity) {
        case .transactions?: [.payment, .refund]
        case .disputes?: [.dispute]
        case .invoices?: [.invoice]
        case nil: []
        }
    }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard let entity = PayPalEntity(rawValue: entity) else { return }
        let now = client.environment.now()
        let horizon = now.adding(milliseconds: -Int64(PayPalSource.historyDays) * 86_400_000)
        var from: Timestamp, until = now
        switch mode {
        case .file: return
        case .window(let start, let end):
            from = start.startOfDayUTC
            until = min(end.startOfDayUTC, now)
        case .incremental(let since):
            from = since ?? settings.startDate?.startOfDayUTC ?? horizon
        }
        if from < horizon {
            client.logger.warning("\(name) \(entity.rawValue): the read would start at \(from.iso8601), before the three years PayPal keeps; "
                                  + "reading from \(horizon.iso8601) (anything older cannot be read)")
            from = horizon
        }
        let incremental: Bool = if case .incremental = mode { true } else { false }
        switch entity {
        case .transactions: try await readTransactions(account: account, from: from, until: until, movesCursor: incremental, consume: consume)
        case .disputes: try await readDisputes(account: account, since: from, started: now, movesCursor: incremental, consume: consume)
        case .invoices: try await readInvoices(account: account, consume: consume)
        }
    }

    // MARK: Transactions

    static func windows(from: Timestamp, until: Timestamp) -> [(from: Timestamp, until: Timestamp)] {
        var windows: [(from: Timestamp, until: Timestamp)] = []
        var start = from
        let step = Int64(windowDays) * 86_400_000
        repeat {
            let end = min(until, start.adding(milliseconds: step))
            windows.append((start, end))
            start = end
        } while start < until
        return windows
    }

    func readTransactions(account: String, from: Timestamp, until: Timestamp, movesCursor: Bool, consume: (SourcePage) async throws -> Void) async throws {
        let windows = PayPalSource.windows(from: from, until: until)
        var refreshed: Timestamp?
        for (index, window) in windows.enumerated() {
            let lastWindow = index == windows.count - 1
            try await PageLoop.run(.pageNumber(first: 1, size: 500), source: name, what: "transactions \(window.from.iso8601)–\(window.until.iso8601)") { position in
                guard case .number(let number)? = position else { throw SourceError(source: name, message: "transactions: no page number", exitCode: .internalError) }
                let search = try await get("/v1/reporting/transactions", [
                    ("start_date", window.from.iso8601), ("end_date", window.until.iso8601), ("fields", "all"), ("page_size", "500"), ("page", String(number)),
                ], as: PayPalTransactionSearch.self)
                if let text = search.lastRefreshedDatetime, let time = Timestamp(iso: text) { refreshed = min(refreshed ?? time, time) }
                var latest: [String: Observation] = [:]
                var order: [String] = [], rejects: [RejectedObject] = [], outOfScope = 0
                for (row, element) in (search.transactionDetails ?? []).enumerated() {
                    switch element.result {
                    case .success(let detail):
                        do throws(ObjectRejection) {
                            guard let observation = try PayPalMapping.transaction(detail, account: account) else { outOfScope += 1; continue }
                            // A transaction id can appear on more than one row: its latest wins.
                            let id = observation.key.description
                            if let seen = latest[id] {
                                if (observation.updatedAt ?? Timestamp(millisecondsSinceEpoch: 0)) >= (seen.updatedAt ?? Timestamp(millisecondsSinceEpoch: 0)) { latest[id] = observation }
                            } else {
                                latest[id] = observation
                                order.append(id)
                            }
                        } catch {
                            rejects.append(RejectedObject(entity: "transactions", externalID: detail.transactionInfo.transactionID, error: error.description))
                        }
                    case .failure(let failure):
                        rejects.append(RejectedObject(entity: "transactions", externalID: failure.id, error: "transaction_details[\(row)]: \(failure.reason)"))
                    }
                }
                let isLastPage = number >= (search.totalPages ?? 1)
                // Complete up to PayPal's refresh time (never later than the window's end).
                let cursor = movesCursor && lastWindow && isLastPage ? min(refreshed ?? until.adding(milliseconds: -3 * 3_600_000), until) : nil
                return FetchedPage(page: SourcePage(observations: order.compactMap { latest[$0] }, rejects: rejects, outOfScope: outOfScope,
                                                    lastUpdatedAt: cursor, lastID: cursor == nil ? nil : "", servedAt: nil, number: 0, isLast: false),
                                   count: search.transactionDetails?.count ?? 0, statedTotal: max(search.totalPages ?? 1, 1))
            } consume: { page in
                try await consume(page)
            }
        }
    }

    /// Transaction Search finds rows by transaction date only: a payment pending for a week (an
    /// eCheck) never reappears in a window from the cursor. Each one the ledger holds as pending
    /// is asked for by id, in the 31 days from its date.
    public func refreshedStatuses(of entity: String) -> [PaymentStatus] {
        entity == PayPalEntity.transactions.rawValue ? [.pending] : []
    }

    public func refresh(account: String, entity: String, objects: [Observation], consume: (SourcePage) async throws -> Void) async throws {
        let now = client.environment.now()
        let horizon = now.adding(milliseconds: -Int64(PayPalSource.historyDays) * 86_400_000)
        var observations: [Observation] = [], rejects: [RejectedObject] = []
        for object in objects {
            let day = object.documentDate?.startOfDayUTC ?? now.adding(milliseconds: -30 * 86_400_000)
            let from = max(horizon, day.adding(milliseconds: -86_400_000))
            let until = min(now, from.adding(milliseconds: Int64(PayPalSource.windowDays) * 86_400_000))
            guard from < until else { continue }
            let search = try await get("/v1/reporting/transactions", [
                ("transaction_id", object.key.externalID), ("start_date", from.iso8601), ("end_date", until.iso8601), ("fields", "all"), ("page_size", "500"),
            ], as: PayPalTransactionSearch.self)
            var latest: Observation?
            for element in search.transactionDetails ?? [] {
                guard case .success(let detail) = element.result else { continue }
                do throws(ObjectRejection) {
                    guard let observation = try PayPalMapping.transaction(detail, account: account), observation.key == object.key else { continue }
                    if latest == nil || (observation.updatedAt ?? now) >= (latest?.updatedAt ?? now) { latest = observation }
                } catch {
                    rejects.append(RejectedObject(entity: entity, externalID: object.key.externalID, error: error.description))
                }
            }
            if let latest { observations.append(latest) }
        }
        try await consume(SourcePage(observations: observations, rejects: rejects, outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil,
                                     number: 1, isLast: true))
    }

    // MARK: Disputes

    func readDisputes(account: String, since: Timestamp, started: Timestamp, movesCursor: Bool, consume: (SourcePage) async throws -> Void) async throws {
        var summaries: [PayPalDisputeList.Summary] = []
        var next: String? = URLBuilder.url(settings.baseURL, path: "/v1/customer/disputes", query: [("update_time_after", since.iso8601), ("page_size", "50")])?.absoluteString
        var seen = Set<String>()
        while let link = next {
            guard seen.insert(link).inserted, let url = URL(string: link) else {
                throw SourceError(source: name, message: "disputes: PayPal's next link points back to a page already read; stopped", exitCode: .dataError)
            }
            let list = try await send(url, as: PayPalDisputeList.self)
            summaries += list.items ?? []
            next = list.links?.first { $0.rel == "next" }?.href
        }
        var events: [FeedEvent] = []
        for summary in summaries {
            let dispute = try await get("/v1/customer/disputes/\(summary.disputeID)", [], as: PayPalDispute.self)
            let at = dispute.updateTime.flatMap(Timestamp.init(iso:)) ?? started
            do throws(ObjectRejection) {
                events.append(FeedEvent(id: "\(dispute.disputeID)@\(at.millisecondsSinceEpoch)", at: at, observation: try PayPalMapping.dispute(dispute, account: account)))
            } catch {
                events.append(FeedEvent(id: dispute.disputeID, at: at, observation: nil, reject: RejectedObject(entity: "disputes", externalID: dispute.disputeID, error: error.description)))
            }
        }
        for var page in ChangeFeed.pages(events, newestFirst: false, readStartedAt: started) {
            if !movesCursor { page.lastUpdatedAt = nil; page.lastID = nil }
            try await consume(page)
        }
    }

    // MARK: Invoices

    func readInvoices(account: String, consume: (SourcePage) async throws -> Void) async throws {
        try await PageLoop.run(.pageNumber(first: 1, size: 100), source: name, what: "invoices") { position in
            guard case .number(let number)? = position else { throw SourceError(source: name, message: "invoices: no page number", exitCode: .internalError) }
            let list = try await get("/v2/invoicing/invoices", [("page", String(number)), ("page_size", "100"), ("total_required", "true")], as: PayPalInvoiceList.self)
            let (observations, rejects) = Lossy.map(list.items ?? [], entity: "invoices", path: "items", id: \.id) { invoice throws(ObjectRejection) in
                try PayPalMapping.invoice(invoice, account: account)
            }
            return FetchedPage(page: SourcePage(observations: observations, rejects: rejects, outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil,
                                                number: 0, isLast: false),
                               count: list.items?.count ?? 0, statedTotal: list.totalPages.map { max($0, 1) })
        } consume: { page in
            try await consume(page)
        }
    }

    // MARK: HTTP

    func get<Body: Decodable>(_ path: String, _ query: [(String, String)], as: Body.Type) async throws -> Body {
        guard let url = URLBuilder.url(settings.baseURL, path: path, query: query) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        return try await send(url, as: Body.self)
    }

    func send<Body: Decodable>(_ url: URL, as: Body.Type) async throws -> Body {
        let request = HTTPRequest(url: url, headers: ["Accept": "application/json"])
        let response = try await sender.send(limiter: limiters.limiter(for: PayPalSettings.account)) { request.bearer($0) }
        guard response.isSuccess else { throw sender.failure(response, call: request.summary) }
        do {
            return try JSONDecoder().decode(Body.self, from: response.body)
        } catch {
            throw SourceError.undecodable(response.body, source: name, at: url.path, shape: Lossy<PayPalInvoice>.describe(error))
        }
    }

    /// PayPal's own words: `{"name", "message", "details": [{"issue", "description"}]}`.
    static func problem(in response: HTTPResponse) -> ProviderProblem? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        var parts = [body["name"]?.stringValue, body["message"]?.stringValue].compactMap { $0 }
        for detail in body["details"]?.arrayValue ?? [] {
            if let issue = detail["issue"]?.stringValue { parts.append(issue + (detail["description"]?.stringValue.map { " (\($0))" } ?? "")) }
        }
        let text = parts.joined(separator: ": ")
        return text.isEmpty ? nil : ProviderProblem(message: text)
    }
}

extension PayPalSource {
    /// PayPal in the registry: `"kind": "paypal"`.
    public static let descriptor = SourceDescriptor(
        kind: "paypal", keys: PayPalConfig.keys, documentation: "docs/connectors/paypal.md",
        read: { object, path, reader in PayPalConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            let tokens = try context.clientCredentialsProvider(tokenURL: settings.tokenURL ?? settings.baseURL + "/v1/oauth2/token", clientID: settings.clientID,
                                                               clientSecret: settings.clientSecret, storeKey: "paypal:\(context.name)", purpose: "to reach PayPal")
            return PayPalSource(name: context.name, settings: settings, client: context.client, tokens: tokens)
        }
    )
}
