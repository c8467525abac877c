import Foundation
import PaySyncCore
import PaySyncHTTP

/// GoCardless payments, refunds, subscriptions and mandates, read from its events (`docs/connectors/gocardless.md`):
/// - **Steady state**: `GET /events` created since the cursor (less `overlap_seconds`), every page.
///   Each event names the resource whose status changed; for each resource type that has events,
///   the same window is asked again with `resource_type` and `include`, which embeds each
///   resource's current state. Events are then applied oldest first (`ChangeFeed`). A run with no
///   change is one call.
/// - **First sync, or a cursor older than GoCardless keeps events (18 months)**: the resources
///   re-listed by `created_at`, the cursor moving only when the last list is read.
public struct GoCardlessSource: Source {
    public let name: String
    public let settings: GoCardlessSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiters: RateLimiters

    /// How long GoCardless keeps events (18 months), in days, rounded down.
    static let eventDays = 540
    /// GoCardless's largest page.
    static let pageSize = 500

    public init(name: String, settings: GoCardlessSettings, client: HTTPClient, token: Secret) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "GoCardless", client: client, tokens: StaticTokenProvider(token),
                                       problem: { GoCardlessSource.problem(in: $0) },
                                       reauthorise: "create a read-only access token in GoCardless (Developers → Create → Access token) and update the config's \"access_token\"")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { GoCardlessMapping.provider }
    public var accounts: [String] { [GoCardlessSettings.account] }
    public var entities: [String] { ["events"] }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public func kinds(of entity: String) -> [ObjectKind] { settings.resources.map(\.kind) }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        switch mode {
        case .file:
            return
        case .window(let from, let until):
            try await relist(account: account, from: from.startOfDayUTC, until: until.startOfDayUTC, cursorAt: nil, consume: consume)
        case .incremental(let since):
            let started = client.environment.now()
            if let since, ChangeFeed.reaches(since: since, now: started, days: GoCardlessSource.eventDays) {
                try await readEvents(account: account, since: since, started: started, consume: consume)
            } else {
                if let since {
                    client.logger.warning("\(name): the cursor (\(since.iso8601)) is older than GoCardless keeps events (18 months); re-listing every resource by creation date instead")
                }
                try await relist(account: account, from: settings.startDate?.startOfDayUTC, until: nil, cursorAt: started, consume: consume)
            }
        }
    }

    // MARK: Events

    func readEvents(account: String, since: Timestamp, started: Timestamp, consume: (SourcePage) async throws -> Void) async throws {
        let window = [("created_at[gt]", since.iso8601)]
        var events: [GoCardlessEvent] = []
        var rejects: [FeedEvent] = []
        _ = try await eventPages(window) { list in
            for (index, element) in list.events.enumerated() {
                switch element.result {
                case .success(let event): events.append(event)
                case .failure(let failure):
                    rejects.append(FeedEvent(id: failure.id ?? "events[\(index)]", at: started, observation: nil,
                                             reject: RejectedObject(entity: "events", externalID: failure.id, error: "event \(failure.id ?? "#\(index)"): \(failure.reason)")))
                }
            }
        }
        // The current state of each resource the events name, one include read per type.
        var states: [String: Result<Observation, ObjectRejection>] = [:]
        let wanted = Set(settings.resources.map(\.rawValue))
        for resource in settings.resources where events.contains(where: { $0.resourceType == resource.rawValue }) {
            _ = try await eventPages(window + [("resource_type", resource.rawValue), ("include", resource.include)]) { list in
                for element in list.linked?.payments ?? [] { states[element.id(or: "payment")] = GoCardlessSource.observe(element, account: account, at: started, GoCardlessMapping.payment) }
                for element in list.linked?.refunds ?? [] { states[element.id(or: "refund")] = GoCardlessSource.observe(element, account: account, at: started, GoCardlessMapping.refund) }
                for element in list.linked?.subscriptions ?? [] { states[element.id(or: "subscription")] = GoCardlessSource.observe(element, account: account, at: started, GoCardlessMapping.subscription) }
                for element in list.linked?.mandates ?? [] { states[element.id(or: "mandate")] = GoCardlessSource.observe(element, account: account, at: started, GoCardlessMapping.mandate) }
            }
        }
        var feed = rejects
        for event in events {
            guard let at = Timestamp(iso: event.createdAt) else {
                feed.append(FeedEvent(id: event.id, at: started, observation: nil,
                                      reject: RejectedObject(entity: "events", externalID: event.id, error: "event \(event.id).created_at: \"\(event.createdAt)\" is not a time")))
                continue
            }
            guard wanted.contains(event.resourceType), let id = event.links?.resource(event.resourceType) else {
                feed.append(FeedEvent(id: event.id, at: at, observation: nil, outOfScope: true))
                continue
            }
            switch states[id] {
            case .success(var observation)?:
                // The state read now, as of this event: the latest event about it wins.
                observation.updatedAt = at
                feed.append(FeedEvent(id: event.id, at: at, observation: observation))
            case .failure(let rejection)?:
                feed.append(FeedEvent(id: event.id, at: at, observation: nil, reject: RejectedObject(entity: "events", externalID: id, error: rejection.description)))
            case nil:
                feed.append(FeedEvent(id: event.id, at: at, observation: nil,
                                      reject: RejectedObject(entity: "events", externalID: id, error: "event \(event.id) names \(event.resourceType) \(id), which its include did not return")))
            }
        }
        for page in ChangeFeed.pages(feed, newestFirst: true, readStartedAt: started) {
            try await consume(page)
        }
    }

    static func observe<Element>(_ element: Lossy<Element>, account: String, at: Timestamp,
                                 _ map: (Element, String, Timestamp) throws(ObjectRejection) -> Observation) -> Result<Observation, ObjectRejection> {
        switch element.result {
        case .success(let wire):
            do throws(ObjectRejection) { return .success(try map(wire, account, at)) } catch { return .failure(error) }
        case .failure(let failure):
            return .failure(ObjectRejection(field: failure.id ?? "linked", text: "", reason: failure.reason))
        }
    }

    /// Every page of `/events` with these filters, handed to `each` in order.
    func eventPages(_ filters: [(String, String)], each: (GoCardlessEventList) throws -> Void) async throws -> Int {
        var after: String?
        var seen = Set<String>()
        var pages = 0
        while true {
            var query = [("limit", String(GoCardlessSource.pageSize))] + filters
            if let after { query.append(("after", after)) }
            let list = try await get("/events", query, as: GoCardlessEventList.self)
            try each(list)
            pages += 1
            guard let next = list.meta?.cursors?.after, !list.events.isEmpty else { return pages }
            guard seen.insert(next).inserted else {
                throw SourceError(source: name, message: "events: GoCardless's next cursor \(next) points back to a page already read; stopped", exitCode: .dataError)
            }
            after = next
        }
    }

    // MARK: Re-listing

    func relist(account: String, from: Timestamp?, until: Timestamp?, cursorAt: Timestamp?, consume: (SourcePage) async throws -> Void) async throws {
        let began = client.environment.now()
        let asOf = began.adding(milliseconds: -1_000)
        for (index, resource) in settings.resources.enumerated() {
            let last = index == settings.resources.count - 1
            try await PageLoop.run(.cursor, source: name, what: resource.rawValue) { position in
                var query: [(String, String)] = [("limit", String(GoCardlessSource.pageSize))]
                if let from { query.append(("created_at[gte]", from.iso8601)) }
                if let until { query.append(("created_at[lt]", until.iso8601)) }
                if case .cursor(let after)? = position { query.append(("after", after)) }
                var observations: [Observation] = [], rejects: [RejectedObject] = [], count = 0, next: String?
                func take<Element: GoCardlessResourceObject>(_ list: GoCardlessResourceList<Element>, _ map: (Element, String, Timestamp) throws(ObjectRejection) -> Observation) {
                    count = list.items.count
                    next = list.items.isEmpty ? nil : list.meta?.cursors?.after
                    for element in list.items {
                        switch GoCardlessSource.observe(element, account: account, at: asOf, map) {
                        case .success(let observation): observations.append(observation)
                        case .failure(let rejection): rejects.append(RejectedObject(entity: resource.rawValue, externalID: element.id(or: ""), error: rejection.description))
                        }
                    }
                }
                switch resource {
                case .payments: take(try await get("/payments", query, as: GoCardlessResourceList<GoCardlessPayment>.self), GoCardlessMapping.payment)
                case .refunds: take(try await get("/refunds", query, as: GoCardlessResourceList<GoCardlessRefund>.self), GoCardlessMapping.refund)
                case .subscriptions: take(try await get("/subscriptions", query, as: GoCardlessResourceList<GoCardlessSubscription>.self), GoCardlessMapping.subscription)
                case .mandates: take(try await get("/mandates", query, as: GoCardlessResourceList<GoCardlessMandate>.self), GoCardlessMapping.mandate)
                }
                let moves = last && next == nil && cursorAt != nil
                return FetchedPage(page: SourcePage(observations: observations, rejects: rejects, outOfScope: 0, lastUpdatedAt: moves ? cursorAt : nil,
                                                    lastID: moves ? "" : nil, servedAt: nil, number: 0, isLast: false),
                                   count: count, next: next.map(PagePosition.cursor))
            } consume: { page in
                try await consume(page)
            }
        }
    }

    // MARK: HTTP

    func get<Body: Decodable>(_ path: String, _ query: [(String, String)], as: Body.Type) async throws -> Body {
        guard let url = URLBuilder.url(settings.baseURL, path: path, query: query) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        let request = HTTPRequest(url: url, headers: ["Accept": "application/json", "GoCardless-Version": GoCardlessSettings.apiVersion])
        let environment = client.environment
        // GoCardless's 429 names no Retry-After; RateLimit-Reset says when the minute's budget returns.
        let response = try await sender.send(limiter: limiters.limiter(for: GoCardlessSettings.account),
                                             defaultRetryAfter: { RetryAfter.seconds($0.headers["RateLimit-Reset"], now: environment.now()) }) { request.bearer($0) }
        guard response.isSuccess else { throw sender.failure(response, call: request.summary) }
        do {
            return try JSONDecoder().decode(Body.self, from: response.body)
        } catch {
            throw SourceError.undecodable(response.body, source: name, at: path, shape: Lossy<GoCardlessEvent>.describe(error))
        }
    }

    /// GoCardless's own words: `{"error": {"type", "message", "errors": [{"reason", "message"}]}}`.
    static func problem(in response: HTTPResponse) -> ProviderProblem? {
        guard let error = (try? JSONParser.parse(response.body))?["error"] else { return nil }
        let reasons = (error["errors"]?.arrayValue ?? []).compactMap { item in
            let text = [item["reason"]?.stringValue, item["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            return text.isEmpty ? nil : text
        }
        let text = reasons.isEmpty ? [error["type"]?.stringValue, error["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ") : reasons.joined(separator: "; ")
        return text.isEmpty ? nil : ProviderProblem(message: text)
    }
}

extension GoCardlessEvent.Links {
    /// The id of the resource an event of `type` is about.
    func resource(_ type: String) -> String? {
        switch type {
        case "payments": payment
        case "refunds": refund
        case "subscriptions": subscription
        case "mandates": mandate
        default: nil
        }
    }
}

/// A GoCardless resource: each has an `id`.
protocol GoCardlessResourceObject: Decodable, Sendable { var id: String { get } }
extension GoCardlessPayment: GoCardlessResourceObject {}
extension GoCardlessRefund: GoCardlessResourceObject {}
extension GoCardlessSubscription: GoCardlessResourceObject {}
extension GoCardlessMandate: GoCardlessResourceObject {}

extension Lossy where Element: GoCardlessResourceObject {
    /// The element's id, decoded or not.
    func id(or fallback: String) -> String {
        switch result {
        case .success(let element): element.id
        case .failure(let failure): failure.id ?? fallback
        }
    }
}

extension GoCardlessSource {
    /// GoCardless in the registry: `"kind": "gocardless"`.
    public static let descriptor = SourceDescriptor(
        kind: "gocardless", keys: GoCardlessConfig.keys, documentation: "docs/connectors/gocardless.md",
        read: { object, path, reader in GoCardlessConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            GoCardlessSource(name: context.name, settings: settings, client: context.client,
                             token: try context.secret(settings.accessToken, key: "access_token", purpose: "to reach GoCardless"))
        }
    )
}
