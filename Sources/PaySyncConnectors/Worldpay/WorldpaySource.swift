import Foundation
import PaySyncCore
import PaySyncHTTP

/// Access Worldpay card payments through Payment Queries (`docs/connectors/worldpay.md`). The
/// API finds payments by when they were made, never by when they changed, and its lists carry
/// no status; a payment's events come only from reading it by id. So:
/// - **New payments**: the window from the cursor to `lag_seconds` ago (newest first, 300 a
///   page, HAL `next` links), each payment then read by id. The cursor moves to the window's end
///   with its last page; a payment made before it cannot appear later.
/// - **Payments that can still change** (the engine hands them back, `refreshedStatuses`):
///   pending ones are read by id each run until they settle; paid and partly refunded ones are
///   read again only when a refund or reversal list (`receivedEvents`, over `refund_days`)
///   names them.
/// - A window reaching past the API's year (`startDateTooOld`) is cut there, and said once.
public struct WorldpaySource: Source {
    public static let mediaType = "application/vnd.worldpay.payment-queries-v1.hal+json"
    static let pageSize = 300
    /// The events that move a paid payment, one list each (the API names one event per filter
    /// in its examples' results; a list of several is not documented as "any of").
    static let refundEvents = ["refundRequestSubmitted", "reversalRequestSubmitted"]

    public let name: String
    public let settings: WorldpaySettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiters: RateLimiters
    /// The payments this run has read by id already: its refresh does not read them again.
    private let readThisRun = Locked(Set<String>())

    public init(name: String, settings: WorldpaySettings, client: HTTPClient, username: Secret, password: Secret) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "Worldpay", client: client,
                                       tokens: StaticTokenProvider(Secret.basic(user: username, password: password)),
                                       problem: { WorldpaySource.problem(in: $0) },
                                       reauthorise: "check the API username and password in the Worldpay Dashboard (Developer tools → API credentials) and update the config's \"username\" and \"password\"")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { WorldpayMapping.provider }
    public var accounts: [String] { [WorldpayMapping.account] }
    public var entities: [String] { [WorldpaySettings.entity] }
    /// Payments are found by when they were made, which never changes: the lag is the margin.
    public var overlap: Duration { .zero }
    public var startDate: CalendarDate? { settings.startDate ?? client.environment.now().utcDate.adding(days: -30) }
    public var sweep: SweepSettings? { settings.sweep }
    public func kinds(of entity: String) -> [ObjectKind] { [.payment] }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    /// The earliest instant a query may start at now.
    func horizon(_ now: Timestamp) -> Timestamp {
        max(now.utcDate.adding(days: -WorldpaySettings.horizonDays).startOfDayUTC.adding(milliseconds: 86_400_000), WorldpaySettings.firstDay.startOfDayUTC)
    }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard entity == WorldpaySettings.entity else { return }
        let now = client.environment.now()
        let end = now.adding(milliseconds: -Int64(settings.lagSeconds) * 1000)
        var start: Timestamp, until: Timestamp
        let moves: Bool
        switch mode {
        case .file: return
        case .incremental(let since):
            (start, until, moves) = (since ?? horizon(now), end, true)
        case .window(let from, let to):
            (start, until, moves) = (from.startOfDayUTC, min(to.startOfDayUTC, end), false)
        }
        let earliest = horizon(now)
        if start < earliest {
            client.logger.warning("\(name): payments made before \(earliest.iso8601) are past Payment Queries' one-year window and are not read (Worldpay's historical payments query holds them); reading from there")
            start = earliest
        }
        guard start < until else {
            try await consume(SourcePage(observations: [], rejects: [], outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil, number: 1, isLast: true))
            return
        }
        var number = 0
        try await list(from: start, until: until, events: nil) { summaries, last in
            number += 1
            var observations: [Observation] = [], rejects: [RejectedObject] = []
            var listed: [WorldpayPaymentSummary] = []
            for (index, element) in summaries.enumerated() {
                switch element.result {
                case .success(let summary): listed.append(summary)
                case .failure(let failure):
                    rejects.append(RejectedObject(entity: entity, externalID: failure.id, error: "payments[\(index)]: \(failure.reason)"))
                }
            }
            for (summary, read) in zip(listed, try await payments(listed.map(\.paymentId))) {
                switch read {
                case .success(let observation)?: observations.append(observation)
                case .failure(let rejection)?: rejects.append(RejectedObject(entity: entity, externalID: summary.paymentId, error: rejection.description))
                case nil:
                    // Listed but not yet readable by id: pending, read again next run.
                    do throws(ObjectRejection) { observations.append(try WorldpaySource.unpublished(summary)) } catch {
                        rejects.append(RejectedObject(entity: entity, externalID: summary.paymentId, error: error.description))
                    }
                }
            }
            try await consume(SourcePage(observations: observations, rejects: rejects, outOfScope: 0,
                                         lastUpdatedAt: moves && last ? until : nil, lastID: moves && last ? "" : nil,
                                         servedAt: nil, number: number, isLast: last))
        }
    }

    /// Every page of a date-range query (newest first), handed over in order; `events` filters
    /// by `receivedEvents`.
    func list(from start: Timestamp, until end: Timestamp, events: String?,
              page: ([Lossy<WorldpayPaymentSummary>], Bool) async throws -> Void) async throws {
        var query = [("startDate", start.iso8601), ("endDate", end.iso8601), ("pageSize", String(WorldpaySource.pageSize))]
        if !settings.entities.isEmpty { query.append(("entityReferences", settings.entities.joined(separator: ","))) }
        if let events { query.append(("receivedEvents", events)) }
        guard let base = URL(string: settings.baseURL + "/"), var next = URLBuilder.url(settings.baseURL, path: "/paymentQueries/payments", query: query) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) is not a URL", exitCode: .configuration)
        }
        var seen = Set<String>()
        while true {
            guard seen.insert(next.absoluteString).inserted else {
                throw SourceError(source: name, message: "payments: Worldpay's next link points back to a page already read; stopped", exitCode: .dataError)
            }
            let list = try await send(next, as: WorldpayPaymentList.self, notFound: false)!
            let following = list.payments.isEmpty ? nil : list.next.flatMap { URL(string: $0, relativeTo: base)?.absoluteURL }
            try await page(list.payments, following == nil)
            guard let following else { return }
            next = following
        }
    }

    /// Payments by id, in the order given, up to the rate limit's `concurrent` at once (a first
    /// sync reads every payment this way).
    func payments(_ ids: [String]) async throws -> [Result<Observation, ObjectRejection>?] {
        var results = [Result<Observation, ObjectRejection>?](repeating: nil, count: ids.count)
        let width = max(1, settings.rateLimit.concurrent)
        try await withThrowingTaskGroup(of: (Int, Result<Observation, ObjectRejection>?).self) { group in
            var next = 0
            func add() {
                guard next < ids.count else { return }
                let index = next, id = ids[index]
                group.addTask { (index, try await self.payment(id)) }
                next += 1
            }
            for _ in 0..<width { add() }
            while let (index, result) = try await group.next() {
                results[index] = result
                add()
            }
        }
        return results
    }

    /// A payment by id, mapped; nil when Worldpay does not have it (yet).
    func payment(_ id: String) async throws -> Result<Observation, ObjectRejection>? {
        guard let url = URLBuilder.url(settings.baseURL, path: "/paymentQueries/payments/" + URLBuilder.encode(id)) else { return nil }
        guard let wire = try await send(url, as: WorldpayPayment?.self, notFound: true), let wire else { return nil }
        readThisRun.withLock { _ = $0.insert(id) }
        return Result { () throws(ObjectRejection) in try WorldpayMapping.payment(wire) }
    }

    /// A listed payment whose history cannot be read yet: pending, so it is read again.
    static func unpublished(_ summary: WorldpayPaymentSummary) throws(ObjectRejection) -> Observation {
        try WorldpayMapping.payment(WorldpayPayment(paymentId: summary.paymentId, timestamp: summary.timestamp, transactionReference: summary.transactionReference,
                                                    transactionType: nil, entity: nil, lastEvent: nil,
                                                    value: summary.value ?? WorldpayValue(amount: 0, currency: "GBP"), events: nil, narrative: nil))
    }

    // MARK: Payments that can still change

    public func refreshedStatuses(of entity: String) -> [PaymentStatus] {
        entity == WorldpaySettings.entity ? [.pending, .paid, .partiallyRefunded] : []
    }

    public func refresh(account: String, entity: String, objects: [Observation], consume: (SourcePage) async throws -> Void) async throws {
        guard entity == WorldpaySettings.entity else { return }
        let now = client.environment.now()
        let end = now.adding(milliseconds: -Int64(settings.lagSeconds) * 1000)
        let lookback = max(horizon(now), now.utcDate.adding(days: -settings.refundDays).startOfDayUTC)
        var reread = objects.filter { $0.status == .pending }.map(\.key.externalID)
        let settled = objects.filter { $0.status != .pending && ($0.documentDate?.startOfDayUTC ?? now) >= lookback.utcDate.startOfDayUTC }
        if !settled.isEmpty {
            let oldest = max(lookback, settled.compactMap { $0.documentDate?.startOfDayUTC }.min() ?? lookback)
            let candidates = Set(settled.map(\.key.externalID))
            var named = Set<String>()
            for event in WorldpaySource.refundEvents {
                try await list(from: oldest, until: end, events: event) { summaries, _ in
                    for case .success(let summary) in summaries.map(\.result) where candidates.contains(summary.paymentId) { named.insert(summary.paymentId) }
                }
            }
            reread += settled.map(\.key.externalID).filter(named.contains)
        }
        var observations: [Observation] = [], rejects: [RejectedObject] = []
        let done = readThisRun.value
        let ids = reread.filter { !done.contains($0) }
        for (id, read) in zip(ids, try await payments(ids)) {
            switch read {
            case .success(let observation)?: observations.append(observation)
            case .failure(let rejection)?: rejects.append(RejectedObject(entity: entity, externalID: id, error: rejection.description))
            case nil: break
            }
        }
        try await consume(SourcePage(observations: observations, rejects: rejects, outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil,
                                     number: 1, isLast: true))
    }

    // MARK: HTTP

    /// A GET with the versioned media type. `notFound`: a 404 (`paymentNotFound`) is nil, as is
    /// the empty answer the guide says an unknown id may get.
    func send<Body: Decodable>(_ url: URL, as: Body.Type, notFound: Bool) async throws -> Body? {
        let request = HTTPRequest(url: url, headers: ["Accept": WorldpaySource.mediaType])
        let response = try await sender.send(limiter: limiters.limiter(for: WorldpayMapping.account)) { request.basic($0) }
        if notFound, response.status == 404 || (response.isSuccess && response.body.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) })) { return nil }
        guard response.isSuccess else {
            let hint = WorldpaySource.problem(in: response)?.message?.contains("startDateTooOld") == true
                ? "Payment Queries reads one year back at most; set start_date within it" : nil
            throw sender.failure(response, call: request.summary, hint: hint)
        }
        do {
            return try JSONDecoder().decode(Body.self, from: response.body)
        } catch {
            throw SourceError.undecodable(response.body, source: name, at: url.path, shape: Lossy<WorldpayPayment>.describe(error))
        }
    }

    /// Worldpay's own words: `{"errorName", "message"}`.
    static func problem(in response: HTTPResponse) -> ProviderProblem? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        let text = [body["errorName"]?.stringValue, body["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        return text.isEmpty ? nil : ProviderProblem(message: text)
    }
}

extension WorldpaySource {
    /// Worldpay in the registry: `"kind": "worldpay"`.
    public static let descriptor = SourceDescriptor(
        kind: "worldpay", keys: WorldpayConfig.keys, documentation: "docs/connectors/worldpay.md",
        read: { object, path, reader in WorldpayConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            WorldpaySource(name: context.name, settings: settings, client: context.client,
                           username: try context.secret(settings.username, key: "username", purpose: "to reach Access Worldpay"),
                           password: try context.secret(settings.password, key: "password", purpose: "to reach Access Worldpay"))
        }
    )
}
