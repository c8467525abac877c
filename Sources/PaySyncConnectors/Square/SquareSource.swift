import Foundation
import PaySyncCore
import PaySyncHTTP

/// Square payments, refunds, invoices and disputes, per location (`docs/connectors/square.md`):
/// - **Payments and refunds** are read incrementally: `updated_at_begin_time` (the cursor less the
///   overlap) sorted by `UPDATED_AT` ascending, with `begin_time` set to `start_date` or 1970 —
///   Square's lists otherwise cover only the last year, and an old payment refunded today would be
///   missed. Each page moves the cursor to its last object.
/// - **Invoices and disputes** have no change filter: each run lists them per location (200
///   invoices a call) and the ledger writes only what changed.
/// - **Locations**: every active location `GET /v2/locations` lists, each its own account, unless
///   the config names them.
public struct SquareSource: Source {
    public let name: String
    public let settings: SquareSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiters: RateLimiters

    /// Where Square's lists start when told to start at the beginning.
    static let beginningOfTime = "1970-01-01T00:00:00Z"

    public init(name: String, settings: SquareSettings, client: HTTPClient, tokens: any AccessTokenProvider) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "Square", client: client, tokens: tokens,
                                       problem: { SquareSource.problem(in: $0) },
                                       reauthorise: settings.usesOAuth ? "re-authorise the app in Square and update the config's \"refresh_token\""
                                           : "create a new personal access token in the Square Developer Console and update the config's \"access_token\"")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { SquareMapping.provider }
    public var accounts: [String] { settings.locations }
    public var discoversAccounts: Bool { settings.locations.isEmpty }
    public var entities: [String] { settings.entities.map(\.rawValue) }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public func kinds(of entity: String) -> [ObjectKind] { SquareEntity(rawValue: entity).map { [$0.kind] } ?? [] }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    /// Every active location, when the config names none.
    public func currentAccounts() async throws -> [String] {
        guard settings.locations.isEmpty else { return settings.locations }
        let list = try await get("/v2/locations", [], account: "locations", as: SquareList<SquareLocation>.self)
        return list.items.compactMap { try? $0.result.get() }.filter { ($0.status ?? "ACTIVE") == "ACTIVE" }.map(\.id)
    }

    public func read(account location: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard let entity = SquareEntity(rawValue: entity) else { return }
        if case .file = mode { return }
        switch entity {
        case .payments:
            try await readKeyset("/v2/payments", location: location, mode: mode, entity: entity, consume: consume, map: SquareMapping.payment)
        case .refunds:
            try await readKeyset("/v2/refunds", location: location, mode: mode, entity: entity, consume: consume, map: SquareMapping.refund)
        case .invoices:
            try await readAll("/v2/invoices", [("location_id", location), ("limit", "200")], location: location, entity: entity, consume: consume, map: SquareMapping.invoice)
        case .disputes:
            try await readAll("/v2/disputes", [("location_id", location)], location: location, entity: entity, consume: consume, map: SquareMapping.dispute)
        }
    }

    /// Payments or refunds changed since the cursor, oldest change first (or created in a window).
    func readKeyset<Element: Decodable & Sendable>(_ path: String, location: String, mode: ReadMode, entity: SquareEntity,
                                                   consume: (SourcePage) async throws -> Void,
                                                   map: @escaping (Element, String) throws(ObjectRejection) -> Observation) async throws {
        var filters: [(String, String)] = [("location_id", location), ("limit", "100")]
        switch mode {
        case .incremental(let since):
            filters += [("begin_time", settings.startDate?.startOfDayUTC.iso8601 ?? SquareSource.beginningOfTime), ("sort_field", "UPDATED_AT"), ("sort_order", "ASC")]
            if let since { filters.append(("updated_at_begin_time", since.iso8601)) }
        case .window(let from, let until):
            filters += [("begin_time", from.startOfDayUTC.iso8601), ("end_time", until.startOfDayUTC.iso8601), ("sort_field", "CREATED_AT"), ("sort_order", "ASC")]
        case .file:
            return
        }
        let moves: Bool = if case .incremental = mode { true } else { false }
        let started = client.environment.now()
        try await PageLoop.run(.cursor, source: name, what: "location \(location) \(entity.rawValue)") { position in
            var query = filters
            if case .cursor(let cursor)? = position { query.append(("cursor", cursor)) }
            let list = try await get(path, query, account: location, as: SquareList<Element>.self)
            let (observations, rejects) = SquareSource.observe(list.items, location: location, entity: entity, map: map)
            let last = observations.last
            // A location with nothing in the list yet keeps a cursor at when it was asked, so the
            // next run asks for changes since then rather than for everything again.
            return FetchedPage(page: SourcePage(observations: observations, rejects: rejects, outOfScope: 0,
                                                lastUpdatedAt: moves ? last?.updatedAt : nil, lastID: moves ? last?.key.externalID : nil,
                                                servedAt: list.items.isEmpty && position == nil ? started : nil, number: 0, isLast: false),
                               count: list.items.count, next: list.cursor.map(PagePosition.cursor))
        } consume: { page in
            try await consume(page)
        }
    }

    /// A whole list, every run: Square offers no change filter for it.
    func readAll<Element: Decodable & Sendable>(_ path: String, _ filters: [(String, String)], location: String, entity: SquareEntity,
                                                consume: (SourcePage) async throws -> Void,
                                                map: @escaping (Element, String) throws(ObjectRejection) -> Observation) async throws {
        try await PageLoop.run(.cursor, source: name, what: "location \(location) \(entity.rawValue)") { position in
            var query = filters
            if case .cursor(let cursor)? = position { query.append(("cursor", cursor)) }
            let list = try await get(path, query, account: location, as: SquareList<Element>.self)
            let (observations, rejects) = SquareSource.observe(list.items, location: location, entity: entity, map: map)
            return FetchedPage(page: SourcePage(observations: observations, rejects: rejects, outOfScope: 0, lastUpdatedAt: nil, lastID: nil,
                                                servedAt: nil, number: 0, isLast: false),
                               count: list.items.count, next: list.cursor.map(PagePosition.cursor))
        } consume: { page in
            try await consume(page)
        }
    }

    static func observe<Element>(_ items: [Lossy<Element>], location: String, entity: SquareEntity,
                                 map: (Element, String) throws(ObjectRejection) -> Observation) -> ([Observation], [RejectedObject]) {
        Lossy.map(items, entity: entity.rawValue, path: entity.rawValue, id: { _ in nil }) { wire throws(ObjectRejection) in try map(wire, location) }
    }

    // MARK: HTTP

    func get<Body: Decodable>(_ path: String, _ query: [(String, String)], account: String, as: Body.Type) async throws -> Body {
        guard let url = URLBuilder.url(settings.baseURL, path: path, query: query) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        let request = HTTPRequest(url: url, headers: ["Accept": "application/json", "Square-Version": SquareSettings.apiVersion])
        let response = try await sender.send(limiter: limiters.limiter(for: account)) { request.bearer($0) }
        guard response.isSuccess else { throw sender.failure(response, call: request.summary) }
        do {
            return try JSONDecoder().decode(Body.self, from: response.body)
        } catch {
            throw SourceError.undecodable(response.body, source: name, at: "location \(account) \(path)", shape: Lossy<SquarePayment>.describe(error))
        }
    }

    /// Square's own words: `{"errors": [{"category", "code", "detail", "field"}]}`.
    static func problem(in response: HTTPResponse) -> ProviderProblem? {
        guard let errors = (try? JSONParser.parse(response.body))?["errors"]?.arrayValue, !errors.isEmpty else { return nil }
        let text = errors.map { error in
            [error["code"]?.stringValue, error["detail"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        }.joined(separator: "; ")
        return text.isEmpty ? nil : ProviderProblem(message: text)
    }
}

extension SquareSource {
    /// Square in the registry: `"kind": "square"`.
    public static let descriptor = SourceDescriptor(
        kind: "square", keys: SquareConfig.keys, documentation: "docs/connectors/square.md",
        read: { object, path, reader in SquareConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            let tokens: any AccessTokenProvider
            if settings.usesOAuth {
                // Square's access tokens live 30 days; refreshed once fewer than 7 remain, as
                // Square advises, and a rotated refresh token is stored before use.
                tokens = try context.refreshTokenProvider(
                    tokenURL: settings.tokenURL ?? settings.baseURL + "/oauth2/token", clientID: settings.clientID, clientSecret: settings.clientSecret,
                    refreshToken: settings.refreshToken, storeKey: "square:\(context.name)", purpose: "to reach Square",
                    style: .json, refreshAheadSeconds: 7 * 86_400)
            } else {
                tokens = StaticTokenProvider(try context.secret(settings.accessToken, key: "access_token", purpose: "to reach Square"))
            }
            return SquareSource(name: context.name, settings: settings, client: context.client, tokens: tokens)
        }
    )
}
