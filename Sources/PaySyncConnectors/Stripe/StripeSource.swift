import Foundation
import PaySyncCore
import PaySyncHTTP

/// Stripe payments, refunds, disputes, invoices, subscriptions and Checkout Sessions, read from
/// Stripe's change feed (`docs/connectors/stripe.md`):
/// - **Steady state**: `GET /v1/events` created since the cursor (less `overlap_seconds`), every
///   page, then applied oldest first with each object's latest snapshot (`ChangeFeed`). A run with
///   no change is one call per account.
/// - **First sync, or a cursor older than Stripe keeps events (30 days)**: every configured list
///   re-read by `created` (from `start_date`). The cursor moves only when the last list is read,
///   to when the re-list began, so a re-list cut short is done again and nothing in the gap is
///   lost. A backfill or sweep re-reads the lists over its window the same way.
///
/// One entity, `events`, per account: `self` (the key's own account) or a connected account read
/// with `Stripe-Account`.
public struct StripeSource: Source {
    public let name: String
    public let settings: StripeSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiters: RateLimiters

    /// How long Stripe keeps events.
    static let eventDays = 30
    /// Stripe's largest page.
    static let pageSize = 100

    public init(name: String, settings: StripeSettings, client: HTTPClient, key: Secret) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "Stripe", client: client, tokens: StaticTokenProvider(key),
                                       problem: { StripeSource.problem(in: $0) },
                                       reauthorise: "create a restricted key with read access in the Stripe Dashboard (Developers → API keys) and update the config's \"secret_key\"")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { StripeMapping.provider }
    public var accounts: [String] { settings.accounts }
    public var entities: [String] { ["events"] }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public func kinds(of entity: String) -> [ObjectKind] { Array(Set(settings.objects.flatMap(\.kinds))).sorted { $0.rawValue < $1.rawValue } }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        switch mode {
        case .file:
            return
        case .window(let from, let until):
            try await relist(account: account, from: from.startOfDayUTC, until: until.startOfDayUTC, cursorAt: nil, consume: consume)
        case .incremental(let since):
            let started = client.environment.now()
            if let since, ChangeFeed.reaches(since: since, now: started, days: StripeSource.eventDays) {
                try await readEvents(account: account, since: since, started: started, consume: consume)
            } else {
                if let since {
                    client.logger.warning("\(name) account \(account): the cursor (\(since.iso8601)) is older than Stripe keeps events (\(StripeSource.eventDays) days); "
                                          + "re-listing every object by creation date instead, so no change is lost")
                }
                try await relist(account: account, from: settings.startDate?.startOfDayUTC, until: nil, cursorAt: started, consume: consume)
            }
        }
    }

    // MARK: The change feed

    func readEvents(account: String, since: Timestamp, started: Timestamp, consume: (SourcePage) async throws -> Void) async throws {
        let wanted = Set(settings.objects.map(\.eventObject))
        var events: [FeedEvent] = []
        var after: String?
        var seenCursors = Set<String>()
        while true {
            var query: [(String, String)] = [("limit", String(StripeSource.pageSize)), ("created[gt]", String(since.millisecondsSinceEpoch / 1000))]
            if let after { query.append(("starting_after", after)) }
            let list = try await get("/v1/events", query, account: account, as: StripeList<Lossy<StripeEvent>>.self)
            for (index, element) in list.data.enumerated() {
                switch element.result {
                case .success(let event):
                    events.append(feedEvent(event, account: account, wanted: wanted))
                case .failure(let failure):
                    events.append(FeedEvent(id: failure.id ?? "events[\(index)]", at: started, observation: nil,
                                            reject: RejectedObject(entity: "events", externalID: failure.id, error: "event \(failure.id ?? "#\(index)"): \(failure.reason)")))
                }
            }
            guard list.hasMore, let last = list.data.last, case .success(let event) = last.result else { break }
            guard seenCursors.insert(event.id).inserted else {
                throw SourceError(source: name, message: "events: Stripe's next page starts after \(event.id) again; stopped", exitCode: .dataError)
            }
            after = event.id
        }
        for page in ChangeFeed.pages(events, newestFirst: true, readStartedAt: started) {
            try await consume(page)
        }
    }

    func feedEvent(_ event: StripeEvent, account: String, wanted: Set<String>) -> FeedEvent {
        let at = Timestamp(millisecondsSinceEpoch: event.created * 1000)
        switch event.data.object.result {
        case .failure(let failure):
            return FeedEvent(id: event.id, at: at, observation: nil,
                             reject: RejectedObject(entity: "events", externalID: failure.id, error: "event \(event.id) (\(event.type)) data.object: \(failure.reason)"))
        case .success(let object):
            guard let list = StripeSource.list(of: object), wanted.contains(list) else { return FeedEvent(id: event.id, at: at, observation: nil, outOfScope: true) }
            do throws(ObjectRejection) {
                guard let observation = try StripeMapping.observation(of: object, account: account, at: at) else {
                    return FeedEvent(id: event.id, at: at, observation: nil, outOfScope: true)
                }
                return FeedEvent(id: event.id, at: at, observation: observation)
            } catch {
                return FeedEvent(id: event.id, at: at, observation: nil, reject: RejectedObject(entity: "events", externalID: StripeSource.id(of: object), error: error.description))
            }
        }
    }

    static func list(of object: StripeObject) -> String? {
        switch object {
        case .paymentIntent: "payment_intent"
        case .charge: "charge"
        case .refund: "refund"
        case .dispute: "dispute"
        case .invoice: "invoice"
        case .subscription: "subscription"
        case .checkoutSession: "checkout.session"
        case .other: nil
        }
    }

    static func id(of object: StripeObject) -> String? {
        switch object {
        case .paymentIntent(let wire): wire.id
        case .charge(let wire): wire.id
        case .refund(let wire): wire.id
        case .dispute(let wire): wire.id
        case .invoice(let wire): wire.id
        case .subscription(let wire): wire.id
        case .checkoutSession(let wire): wire.id
        case .other: nil
        }
    }

    // MARK: Re-listing

    /// Every configured list created in `[from, until)`, page by page. Observations carry the
    /// second before the re-list began: an event from then on is newer and wins.
    func relist(account: String, from: Timestamp?, until: Timestamp?, cursorAt: Timestamp?, consume: (SourcePage) async throws -> Void) async throws {
        let began = client.environment.now()
        let asOf = Timestamp(millisecondsSinceEpoch: (began.millisecondsSinceEpoch / 1000 - 1) * 1000)
        for (listIndex, list) in settings.objects.enumerated() {
            let lastList = listIndex == settings.objects.count - 1
            try await PageLoop.run(.cursor, source: name, what: "account \(account) \(list.rawValue)") { position in
                var query: [(String, String)] = [("limit", String(StripeSource.pageSize))] + list.filters
                if let from { query.append(("created[gte]", String(from.millisecondsSinceEpoch / 1000))) }
                if let until { query.append(("created[lt]", String(until.millisecondsSinceEpoch / 1000))) }
                if case .cursor(let after)? = position { query.append(("starting_after", after)) }
                let page = try await get(list.path, query, account: account, as: StripeList<Lossy<StripeObject>>.self)
                var observations: [Observation] = [], rejects: [RejectedObject] = [], outOfScope = 0
                var lastID: String?
                for (index, element) in page.data.enumerated() {
                    switch element.result {
                    case .success(let object):
                        lastID = StripeSource.id(of: object)
                        do throws(ObjectRejection) {
                            if let observation = try StripeMapping.observation(of: object, account: account, at: asOf) { observations.append(observation) } else { outOfScope += 1 }
                        } catch {
                            rejects.append(RejectedObject(entity: list.rawValue, externalID: lastID, error: error.description))
                        }
                    case .failure(let failure):
                        lastID = failure.id
                        rejects.append(RejectedObject(entity: list.rawValue, externalID: failure.id, error: "\(list.rawValue)[\(index)]: \(failure.reason)"))
                    }
                }
                let next: PagePosition? = page.hasMore ? lastID.map(PagePosition.cursor) : nil
                let moves = lastList && next == nil && cursorAt != nil
                return FetchedPage(page: SourcePage(observations: observations, rejects: rejects, outOfScope: outOfScope,
                                                    lastUpdatedAt: moves ? cursorAt : nil, lastID: moves ? "" : nil, servedAt: nil, number: 0, isLast: false),
                                   count: page.data.count, next: next)
            } consume: { page in
                try await consume(page)
            }
        }
    }

    // MARK: HTTP

    func get<Body: Decodable>(_ path: String, _ query: [(String, String)], account: String, as: Body.Type) async throws -> Body {
        guard let url = URLBuilder.url(settings.baseURL, path: path, query: query) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        var request = HTTPRequest(url: url, headers: ["Accept": "application/json", "Stripe-Version": StripeSettings.apiVersion])
        if account != StripeSettings.ownAccount { request.headers.set("Stripe-Account", account) }
        // Stripe-Should-Retry overrides the status: false means a retry would fail the same way.
        let response = try await sender.send(limiter: limiters.limiter(for: account),
                                             isRetryable: { $0.headers["Stripe-Should-Retry"]?.lowercased() != "false" }) { request.bearer($0) }
        guard response.isSuccess else { throw sender.failure(response, call: request.summary) }
        do {
            return try JSONDecoder().decode(Body.self, from: response.body)
        } catch {
            throw SourceError.undecodable(response.body, source: name, at: "account \(account) \(path)", shape: Lossy<StripeEvent>.describe(error))
        }
    }

    /// Stripe's own words from an error body: `{"error": {"type", "code", "message"}}`.
    static func problem(in response: HTTPResponse) -> ProviderProblem? {
        guard let error = (try? JSONParser.parse(response.body))?["error"] else { return nil }
        let code = error["code"]?.stringValue ?? error["type"]?.stringValue
        let text = [code, error["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        return text.isEmpty ? nil : ProviderProblem(message: text)
    }
}

extension StripeSource {
    /// Stripe in the registry: `"kind": "stripe"`.
    public static let descriptor = SourceDescriptor(
        kind: "stripe", keys: StripeConfig.keys, documentation: "docs/connectors/stripe.md",
        read: { object, path, reader in StripeConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            StripeSource(name: context.name, settings: settings, client: context.client,
                         key: try context.secret(settings.secretKey, key: "secret_key", purpose: "to reach Stripe"))
        }
    )
}
