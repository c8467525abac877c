import Foundation
import PaySyncCore
import PaySyncHTTP

/// One Zoho Books organisation's invoices, customer payments and credit notes
/// (`docs/connectors/zoho-books.md`):
/// - **Invoices** changed since the cursor (`last_modified_time`), in creation order
///   (`sort_column=created_time`, ascending, so an invoice changed while the read pages cannot
///   push another off a page); the cursor moves to the read's start with its last page.
/// - **Customer payments** and **credit notes** by date (`date_start`), their lists having no
///   documented change filter; a credit note still open is read again when it leaves the open
///   list (used or refunded), and deletions are found by the sweep.
/// - **Viewed** does not change an invoice's `last_modified_time` (a customer opening it is not an
///   edit), so sent invoices are looked for each run in the viewed list, and viewed ones past
///   their due date in the overdue list (`refreshedStatuses`).
/// - The organisation's daily call cap, once spent, stops its reading with a note (exit 75 only
///   when nothing else could be read); the 100-a-minute limit is paced and its 429 retried.
public struct ZohoBooksSource: Source {
    public let name: String
    public let settings: ZohoBooksSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let tokens: any AccessTokenProvider
    private let limiter: RateLimiter
    /// The organisation's base currency, read once a run when a payment names none.
    private let baseCurrency = Locked<String?>(nil)

    public init(name: String, settings: ZohoBooksSettings, client: HTTPClient, tokens: any AccessTokenProvider) {
        self.name = name
        self.settings = settings
        self.client = client
        self.tokens = tokens
        self.sender = AuthorizedSender(label: name, provider: "Zoho Books", client: client, tokens: tokens, problem: ZohoBooksSource.problem,
                                       reauthorise: "generate a new refresh token for the Zoho API console client (scope ZohoBooks.fullaccess.READ or the modules' READ) and update \"refresh_token\"")
        self.limiter = RateLimiter(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { ZohoBooksMapping.provider }
    public var accounts: [String] { [settings.organizationID] }
    public var entities: [String] { settings.entities.map(\.rawValue) }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public var deletionsVanish: Bool { true }
    public func kinds(of entity: String) -> [ObjectKind] { ZohoBooksEntity(rawValue: entity).map { [$0.kind] } ?? [] }
    public func today(account: String) -> CalendarDate { AccountCalendar.today(now: client.environment.now(), timeZone: settings.timeZone) }

    /// `2023-11-18T02:02:51+0000`: the form Zoho's `last_modified_time` filter takes.
    static func zohoTime(_ instant: Timestamp) -> String {
        String(instant.iso8601.prefix(19)) + "+0000"
    }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard let which = ZohoBooksEntity(rawValue: entity) else { return }
        if case .file = mode { throw SourceError(source: name, message: "Zoho Books is read from its API, not from files", exitCode: .usage) }
        let started = client.environment.now()
        var filter: [(String, String)] = [("sort_column", "created_time")]
        if which != .payments { filter.append(("sort_order", "A")) }
        var moves = false
        switch mode {
        case .incremental(let since):
            moves = true
            if which == .invoices, let since {
                filter.append(("last_modified_time", ZohoBooksSource.zohoTime(since)))
            } else if let day = since?.utcDate.adding(days: -1) ?? settings.startDate {
                filter.append(("date_start", day.description))
            }
        case .window(let from, let until):
            filter += [("date_start", from.description), ("date_end", until.adding(days: -1).description)]
        case .file:
            return
        }
        try await PageLoop.run(.pageNumber(first: 1, size: settings.pageSize), source: name, what: "organization \(account) \(which.rawValue)") { position in
            guard case .number(let number)? = position else { throw SourceError(source: name, message: "page numbers expected", exitCode: .internalError) }
            var fetched = try await page(which, query: filter, number: number)
            if fetched.statedTotal != nil && moves {
                fetched.page.lastUpdatedAt = started
                fetched.page.lastID = ""
            }
            return fetched
        } consume: { try await consume($0) }
    }

    /// One page of a list, normalised; `statedTotal` is set on the last (`has_more_page` false).
    func page(_ which: ZohoBooksEntity, query: [(String, String)], number: Int) async throws -> FetchedPage {
        let response = try await get(which.path, query: query + [("page", String(number)), ("per_page", String(settings.pageSize))])
        let mapped: (observations: [Observation], rejects: [RejectedObject])
        let count: Int, more: Bool
        let entity = which.rawValue
        switch which {
        case .invoices:
            let list = try decode(ZohoBooksList<ZohoBooksInvoice>.self, from: response, keys: which.listKeys, at: which.path)
            (count, more) = (list.elements.count, list.hasMorePage)
            mapped = Lossy.map(list.elements, entity: entity, path: entity, id: \.invoiceId) { invoice throws(ObjectRejection) in
                try ZohoBooksMapping.invoice(invoice, organization: settings.organizationID)
            }
        case .payments:
            let list = try decode(ZohoBooksList<ZohoBooksPayment>.self, from: response, keys: which.listKeys, at: which.path)
            (count, more) = (list.elements.count, list.hasMorePage)
            let base = list.elements.contains { (try? $0.result.get())?.currencyCode == nil } ? try await organizationCurrency() : nil
            mapped = Lossy.map(list.elements, entity: entity, path: entity, id: \.paymentId) { payment throws(ObjectRejection) in
                try ZohoBooksMapping.payment(payment, organization: settings.organizationID, baseCurrency: base)
            }
        case .creditNotes:
            let list = try decode(ZohoBooksList<ZohoBooksCreditNote>.self, from: response, keys: which.listKeys, at: which.path)
            (count, more) = (list.elements.count, list.hasMorePage)
            mapped = Lossy.map(list.elements, entity: entity, path: entity, id: \.creditnoteId) { note throws(ObjectRejection) in
                try ZohoBooksMapping.creditNote(note, organization: settings.organizationID)
            }
        }
        let page = SourcePage(observations: mapped.observations, rejects: mapped.rejects, outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil,
                              number: number, isLast: !more)
        return FetchedPage(page: page, count: count, statedTotal: more ? nil : number)
    }

    /// Every page of a list with these filters, as observations.
    func all(_ which: ZohoBooksEntity, query: [(String, String)]) async throws -> [Observation] {
        var result: [Observation] = []
        try await PageLoop.run(.pageNumber(first: 1, size: settings.pageSize), source: name, what: "organization \(settings.organizationID) \(which.rawValue)") { position in
            guard case .number(let number)? = position else { throw SourceError(source: name, message: "page numbers expected", exitCode: .internalError) }
            return try await page(which, query: query, number: number)
        } consume: { result += $0.observations }
        return result
    }

    func organizationCurrency() async throws -> String? {
        if let known = baseCurrency.value { return known }
        let path = "/organizations/" + URLBuilder.encode(settings.organizationID)
        let response = try await get(path, query: [])
        let body = try? JSONParser.parse(response.body)
        if let answer = body?["code"]?.intValue, answer != 0 { throw sender.failure(response, call: "GET /books/v3\(path)") }
        let code = body?["organization"]?["currency_code"]?.stringValue
        baseCurrency.withLock { $0 = code }
        return code
    }

    // MARK: Objects the lists cannot show changing

    public func refreshedStatuses(of entity: String) -> [PaymentStatus] {
        switch ZohoBooksEntity(rawValue: entity) {
        case .invoices?: [.sent, .viewed]
        case .creditNotes?: [.sent]
        default: []
        }
    }

    public func refresh(account: String, entity: String, objects: [Observation], consume: (SourcePage) async throws -> Void) async throws {
        let ids = Set(objects.map(\.key.externalID))
        var observations: [Observation] = []
        switch ZohoBooksEntity(rawValue: entity) {
        case .invoices?:
            let today = today(account: account)
            if objects.contains(where: { $0.status == .sent }) {
                observations += try await all(.invoices, query: [("status", "viewed")]).filter { ids.contains($0.key.externalID) }
            }
            if objects.contains(where: { $0.status == .viewed && ($0.dueDate.map { $0 < today } ?? false) }) {
                observations += try await all(.invoices, query: [("status", "overdue")]).filter { ids.contains($0.key.externalID) }
            }
        case .creditNotes?:
            let open = Set(try await all(.creditNotes, query: [("status", "open")]).map(\.key.externalID))
            for id in ids.subtracting(open).sorted() {
                let path = "/creditnotes/" + URLBuilder.encode(id)
                guard let wire = try decode(Single<ZohoBooksCreditNote>.self, from: try await get(path, query: []), keys: ["creditnote"], at: path).element else { continue }
                do throws(ObjectRejection) { observations.append(try ZohoBooksMapping.creditNote(wire, organization: settings.organizationID)) } catch {
                    try await consume(SourcePage(observations: [], rejects: [RejectedObject(entity: entity, externalID: id, error: error.description)], outOfScope: 0,
                                                 lastUpdatedAt: nil, lastID: nil, servedAt: nil, number: 1, isLast: false))
                }
            }
        default:
            return
        }
        try await consume(SourcePage(observations: observations, rejects: [], outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil, number: 1, isLast: true))
    }

    /// `{"code": 0, "creditnote": {…}}`.
    struct Single<Element: Decodable & Sendable>: Decodable, Sendable, ZohoBooksCoded {
        let element: Element?
        let code: Int?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: NamedKey.self)
            code = try container.decodeIfPresent(Int.self, forKey: NamedKey("code"))
            let key = ((decoder.userInfo[ZohoBooksList<Element>.keyInfo] as? [String]) ?? []).first ?? ""
            element = try container.decodeIfPresent(Element.self, forKey: NamedKey(key))
        }
    }

    // MARK: HTTP

    /// Decodes an answer once. Zoho's `code` other than 0 is a failure whatever the HTTP status:
    /// read from the decoded answer, or, when the answer is not the shape asked for (an error
    /// body), from Zoho's own words.
    func decode<Body: Decodable>(_ type: Body.Type, from response: HTTPResponse, keys: [String], at path: String) throws -> Body {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.userInfo[ZohoBooksList<ZohoBooksInvoice>.keyInfo] = keys
        let decoded: Body
        do { decoded = try decoder.decode(Body.self, from: response.body) } catch {
            if ZohoBooksSource.problem(response) != nil { throw sender.failure(response, call: "GET /books/v3\(path)") }
            throw SourceError.undecodable(response.body, source: name, at: path, shape: Lossy<ZohoBooksInvoice>.describe(error))
        }
        if let code = (decoded as? any ZohoBooksCoded)?.code, code != 0 { throw sender.failure(response, call: "GET /books/v3\(path)") }
        return decoded
    }

    /// A GET on the organisation's API host, `organization_id` first; a refused status is a
    /// failure here, a refusing `code` where the answer is read (`decode`).
    func get(_ path: String, query: [(String, String)]) async throws -> HTTPResponse {
        let organization = settings.organizationID
        let response = try await sender.send(limiter: limiter, isRetryable: { !ZohoBooksSource.isDailyCap($0) }) { token in
            let host = settings.baseURL.isEmpty ? (try await tokens.instance() ?? "https://www.zohoapis.com") : settings.baseURL
            guard let url = URLBuilder.url(host, path: "/books/v3" + path, query: [("organization_id", organization)] + query) else {
                throw SourceError(source: name, message: "API host \(host) does not make a valid URL", exitCode: .configuration)
            }
            return HTTPRequest(url: url, headers: ["Accept": "application/json", "Authorization": "Zoho-oauthtoken \(token.reveal())"])
        }
        if ZohoBooksSource.isDailyCap(response) {
            throw AccountPaused(source: name, account: organization,
                                reason: "Zoho Books organisation \(organization)'s API calls for today are spent (\(ZohoBooksSource.problem(response)?.description ?? "429")); it is read again tomorrow")
        }
        guard response.isSuccess else { throw sender.failure(response, call: "GET /books/v3\(path)") }
        return response
    }

    /// A 429 for the plan's daily cap rather than the minute's pace: never retried. Zoho's wording
    /// of it is not published in full; paysync takes a 429 that speaks of the day as it.
    static func isDailyCap(_ response: HTTPResponse) -> Bool {
        guard response.status == 429, let problem = problem(response) else { return false }
        return problem.code == "45" || (problem.message ?? "").lowercased().contains("day")
    }

    /// Zoho's own words: `{"code", "message"}`.
    @Sendable static func problem(_ response: HTTPResponse) -> ProviderProblem? {
        guard let body = try? JSONParser.parse(response.body), let code = body["code"]?.intValue, code != 0 else { return nil }
        return ProviderProblem(code: String(code), message: body["message"]?.stringValue)
    }
}

extension ZohoBooksSource {
    /// Zoho Books in the registry: `"kind": "zoho-books"`.
    public static let descriptor = SourceDescriptor(
        kind: "zoho-books", keys: ZohoBooksConfig.keys, documentation: "docs/connectors/zoho-books.md",
        read: { object, path, reader in ZohoBooksConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            // Zoho takes the client's credentials in the form body, names the data centre's API
            // host in the token response, and refuses a grant with HTTP 200.
            let tokens = try context.refreshTokenProvider(
                tokenURL: settings.tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret, refreshToken: settings.refreshToken,
                storeKey: "zoho-books:\(context.name):\(settings.organizationID)", purpose: "to reach Zoho Books", style: .formBody,
                refreshAheadSeconds: 120, instanceField: "api_domain")
            return ZohoBooksSource(name: context.name, settings: settings, client: context.client, tokens: tokens)
        }
    )
}
