import Foundation
import PaySyncCore
import PaySyncHTTP

/// Mollie payments, refunds and chargebacks (`docs/connectors/mollie.md`). Mollie's lists have no
/// "changed since" filter and run newest first:
/// - **New objects**: each list walked newest first (250 a page, `_links.next`) until past the
///   cursor less the overlap (or `start_date` on a first sync). The cursor moves only when the
///   walk is done, to when it began, so a walk cut short is walked again.
/// - **Objects that can still change** are read again by id each run until they settle: payments
///   still open or pending, refunds on their way, chargebacks not reversed (the engine hands them
///   back: `refreshedStatuses`).
public struct MollieSource: Source {
    public let name: String
    public let settings: MollieSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiters: RateLimiters

    public init(name: String, settings: MollieSettings, client: HTTPClient, key: Secret) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "Mollie", client: client, tokens: StaticTokenProvider(key),
                                       problem: { MollieSource.problem(in: $0) },
                                       reauthorise: "copy the profile's API key again from the Mollie Dashboard (Developers → API keys) and update the config's \"api_key\"")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { MollieMapping.provider }
    public var accounts: [String] { [MollieSettings.account] }
    public var entities: [String] { settings.entities.map(\.rawValue) }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public func kinds(of entity: String) -> [ObjectKind] { MollieEntity(rawValue: entity).map { [$0.kind] } ?? [] }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard let entity = MollieEntity(rawValue: entity) else { return }
        let started = client.environment.now()
        var from: Timestamp?, until: Timestamp?
        switch mode {
        case .file: return
        case .incremental(let since): from = since
        case .window(let start, let end): (from, until) = (start.startOfDayUTC, end.startOfDayUTC)
        }
        let moves: Bool = if case .incremental = mode { true } else { false }
        var next = URLBuilder.url(settings.baseURL, path: entity.path, query: [("limit", "250")])
        var seen = Set<String>()
        var number = 0
        while let url = next {
            guard seen.insert(url.absoluteString).inserted else {
                throw SourceError(source: name, message: "\(entity.rawValue): Mollie's next link points back to a page already read; stopped", exitCode: .dataError)
            }
            number += 1
            var observations: [Observation] = [], rejects: [RejectedObject] = []
            var oldest: Timestamp?
            let count: Int
            switch entity {
            case .payments:
                let list = try await send(url, as: MollieList<MolliePayment>.self)
                count = list.items.count
                next = list.next.flatMap(URL.init(string:))
                MollieSource.collect(list.items, entity: entity, into: &observations, rejects: &rejects, oldest: &oldest, created: \.createdAt) { (wire: MolliePayment) throws(ObjectRejection) in try MollieMapping.payment(wire, account: account) }
            case .refunds:
                let list = try await send(url, as: MollieList<MollieRefund>.self)
                count = list.items.count
                next = list.next.flatMap(URL.init(string:))
                MollieSource.collect(list.items, entity: entity, into: &observations, rejects: &rejects, oldest: &oldest, created: \.createdAt) { (wire: MollieRefund) throws(ObjectRejection) in try MollieMapping.refund(wire, account: account) }
            case .chargebacks:
                let list = try await send(url, as: MollieList<MollieChargeback>.self)
                count = list.items.count
                next = list.next.flatMap(URL.init(string:))
                MollieSource.collect(list.items, entity: entity, into: &observations, rejects: &rejects, oldest: &oldest, created: \.createdAt) { (wire: MollieChargeback) throws(ObjectRejection) in try MollieMapping.chargeback(wire, account: account) }
            }
            if let until { observations = observations.filter { ($0.documentDate?.startOfDayUTC ?? until) < until } }
            // Newest first: once a page reaches past the cursor, everything after it is known.
            if let from, let oldest, oldest < from { next = nil }
            if count == 0 { next = nil }
            let last = next == nil
            try await consume(SourcePage(observations: observations, rejects: rejects, outOfScope: 0,
                                         lastUpdatedAt: moves && last ? started : nil, lastID: moves && last ? "" : nil,
                                         servedAt: nil, number: number, isLast: last))
        }
    }

    /// Maps a page's elements, and keeps the oldest creation time it holds (to the millisecond:
    /// the walk stops by it, and a day would stop it too soon).
    static func collect<Element>(_ items: [Lossy<Element>], entity: MollieEntity, into observations: inout [Observation], rejects: inout [RejectedObject],
                                 oldest: inout Timestamp?, created: (Element) -> String, map: (Element) throws(ObjectRejection) -> Observation) {
        for case .success(let wire) in items.map(\.result) {
            if let time = Timestamp(iso: created(wire)) { oldest = min(oldest ?? time, time) }
        }
        let mapped = Lossy.map(items, entity: entity.rawValue, path: entity.rawValue, id: { _ in nil }, map)
        observations += mapped.observations
        rejects += mapped.rejects
    }

    // MARK: Objects that can still change

    public func refreshedStatuses(of entity: String) -> [PaymentStatus] {
        switch MollieEntity(rawValue: entity) {
        case .payments?, .refunds?: [.pending]
        case .chargebacks?: [.disputed]
        case nil: []
        }
    }

    public func refresh(account: String, entity: String, objects: [Observation], consume: (SourcePage) async throws -> Void) async throws {
        guard let entity = MollieEntity(rawValue: entity) else { return }
        var observations: [Observation] = [], rejects: [RejectedObject] = []
        for object in objects {
            let id = object.key.externalID
            let payment = object.lastPaymentID ?? ""
            let path: String
            switch entity {
            case .payments: path = "/v2/payments/\(id)"
            case .refunds: path = "/v2/payments/\(payment)/refunds/\(id)"
            case .chargebacks: path = "/v2/payments/\(payment)/chargebacks/\(id)"
            }
            guard entity == .payments || !payment.isEmpty, let url = URLBuilder.url(settings.baseURL, path: path, query: []) else { continue }
            // A network or API failure ends the read, as any read's does; a wrong shape rejects the object.
            let mapped: Result<Observation, ObjectRejection>
            switch entity {
            case .payments:
                let wire = try await send(url, as: MolliePayment.self)
                mapped = Result { () throws(ObjectRejection) in try MollieMapping.payment(wire, account: account) }
            case .refunds:
                let wire = try await send(url, as: MollieRefund.self)
                mapped = Result { () throws(ObjectRejection) in try MollieMapping.refund(wire, account: account) }
            case .chargebacks:
                let wire = try await send(url, as: MollieChargeback.self)
                mapped = Result { () throws(ObjectRejection) in try MollieMapping.chargeback(wire, account: account) }
            }
            switch mapped {
            case .success(let observation): observations.append(observation)
            case .failure(let rejection): rejects.append(RejectedObject(entity: entity.rawValue, externalID: id, error: rejection.description))
            }
        }
        try await consume(SourcePage(observations: observations, rejects: rejects, outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil,
                                     number: 1, isLast: true))
    }

    // MARK: HTTP

    func send<Body: Decodable>(_ url: URL, as: Body.Type) async throws -> Body {
        let request = HTTPRequest(url: url, headers: ["Accept": "application/hal+json"])
        let response = try await sender.send(limiter: limiters.limiter(for: MollieSettings.account)) { request.bearer($0) }
        guard response.isSuccess else { throw sender.failure(response, call: request.summary) }
        do {
            return try JSONDecoder().decode(Body.self, from: response.body)
        } catch {
            throw SourceError.undecodable(response.body, source: name, at: url.path, shape: Lossy<MolliePayment>.describe(error))
        }
    }

    /// Mollie's own words: `{"status", "title", "detail", "field"}`.
    static func problem(in response: HTTPResponse) -> ProviderProblem? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        let text = [body["title"]?.stringValue, body["detail"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        return text.isEmpty ? nil : ProviderProblem(message: text)
    }
}

extension MollieSource {
    /// Mollie in the registry: `"kind": "mollie"`.
    public static let descriptor = SourceDescriptor(
        kind: "mollie", keys: MollieConfig.keys, documentation: "docs/connectors/mollie.md",
        read: { object, path, reader in MollieConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            MollieSource(name: context.name, settings: settings, client: context.client,
                         key: try context.secret(settings.apiKey, key: "api_key", purpose: "to reach Mollie"))
        }
    )
}
