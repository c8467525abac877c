import Foundation
import PaySyncCore
import PaySyncHTTP

/// FreshBooks invoices and payments (`docs/connectors/freshbooks.md`), for one business
/// (`account_id`) or every business the user's grant reaches (read from the identity endpoint
/// each run). Each list is read changed since the cursor (`search[updated_min]`, in the naive
/// New York time FreshBooks keeps), then again for deleted objects (`search[vis_state]=1`),
/// which the default list leaves out; the cursor moves to when the read began, with its last
/// page. FreshBooks rotates the refresh token on every refresh: the kit stores the new one
/// before the access token is used.
public struct FreshBooksSource: Source {
    public let name: String
    public let settings: FreshBooksSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiter: RateLimiter

    public init(name: String, settings: FreshBooksSettings, client: HTTPClient, tokens: any AccessTokenProvider) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "FreshBooks", client: client, tokens: tokens, problem: FreshBooksSource.problem,
                                       reauthorise: "authorise the app again in FreshBooks and update \"refresh_token\" with the new one")
        self.limiter = RateLimiter(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { FreshBooksMapping.provider }
    public var accounts: [String] { settings.accountID.map { [$0] } ?? [] }
    public var discoversAccounts: Bool { settings.accountID == nil }
    public var entities: [String] { settings.entities.map(\.rawValue) }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public func kinds(of entity: String) -> [ObjectKind] { FreshBooksEntity(rawValue: entity).map { [$0.kind] } ?? [] }
    public func today(account: String) -> CalendarDate { AccountCalendar.today(now: client.environment.now(), timeZone: settings.timeZone) }

    /// The businesses the user belongs to (`GET /auth/api/v1/users/me`), when no `account_id`
    /// names one.
    public func currentAccounts() async throws -> [String] {
        if let account = settings.accountID { return [account] }
        let path = "/auth/api/v1/users/me"
        let identity = try decode(FreshBooksIdentity.Envelope.self, try await get(path, query: []), key: "", at: path).response
        return identity.businessMemberships.compactMap(\.business.accountId)
    }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard let which = FreshBooksEntity(rawValue: entity) else { return }
        let started = client.environment.now()
        var filter: [(String, String)] = []
        var moves = false
        switch mode {
        case .incremental(let since):
            moves = true
            if let since { filter.append(("search[updated_min]", NaiveLocalTime.filterText(since: since, zone: FreshBooksMapping.zone))) }
            else if let start = settings.startDate { filter.append(("search[date_min]", start.description)) }
        case .window(let from, let until):
            filter += [("search[date_min]", from.description), ("search[date_max]", until.adding(days: -1).description)]
        case .file:
            throw SourceError(source: name, message: "FreshBooks is read from its API, not from files", exitCode: .usage)
        }
        // The live list, then the deleted one (incremental reads only: a window compares with the ledger).
        let passes: [[(String, String)]] = moves ? [filter, filter + [("search[vis_state]", "1")]] : [filter]
        for (index, pass) in passes.enumerated() {
            let final = index == passes.count - 1
            try await PageLoop.run(.pageNumber(first: 1, size: settings.pageSize), source: name, what: "account \(account) \(which.rawValue)") { position in
                guard case .number(let number)? = position else { throw SourceError(source: name, message: "page numbers expected", exitCode: .internalError) }
                return try await page(which, account: account, query: pass, number: number)
            } consume: { page in
                var page = page
                page.isLast = page.isLast && final
                if page.isLast && moves { (page.lastUpdatedAt, page.lastID) = (started, "") }
                try await consume(page)
            }
        }
    }

    func page(_ which: FreshBooksEntity, account: String, query: [(String, String)], number: Int) async throws -> FetchedPage {
        let answer = try await get(which.path(account: account), query: query + [("page", String(number)), ("per_page", String(settings.pageSize))])
        let mapped: (observations: [Observation], rejects: [RejectedObject])
        let count: Int, pages: Int
        let entity = which.rawValue
        switch which {
        case .invoices:
            let list = try decode(FreshBooksList<FreshBooksInvoice>.self, answer, key: "invoices", at: which.path(account: account))
            (count, pages) = (list.elements.count, list.pages)
            mapped = Lossy.map(list.elements, entity: entity, path: entity, id: { String($0.id) }) { invoice throws(ObjectRejection) in
                try FreshBooksMapping.invoice(invoice, account: account)
            }
        case .payments:
            let list = try decode(FreshBooksList<FreshBooksPayment>.self, answer, key: "payments", at: which.path(account: account))
            (count, pages) = (list.elements.count, list.pages)
            mapped = Lossy.map(list.elements, entity: entity, path: entity, id: { String($0.id) }) { payment throws(ObjectRejection) in
                try FreshBooksMapping.payment(payment, account: account)
            }
        }
        let page = SourcePage(observations: mapped.observations, rejects: mapped.rejects, outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil,
                              number: number, isLast: false)
        return FetchedPage(page: page, count: count, statedTotal: max(pages, 1))
    }

    // MARK: HTTP

    /// An answer, and the call that got it (for a failure's message).
    struct Answer {
        let response: HTTPResponse
        let call: String
    }

    /// Decodes an answer once; `{"response": {"errors": […]}}` is a failure whatever the HTTP
    /// status (`FreshBooksRefusal`, found while decoding).
    func decode<Body: Decodable>(_ type: Body.Type, _ answer: Answer, key: String, at path: String) throws -> Body {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.userInfo[FreshBooksList<FreshBooksInvoice>.keyInfo] = key
        do { return try decoder.decode(Body.self, from: answer.response.body) } catch is FreshBooksRefusal {
            throw sender.failure(answer.response, call: answer.call)
        } catch {
            throw SourceError.undecodable(answer.response.body, source: name, at: path, shape: Lossy<FreshBooksInvoice>.describe(error))
        }
    }

    /// A GET with the bearer token; a refused status is a failure here, refusals sent with 200
    /// where the answer is read (`decode`).
    func get(_ path: String, query: [(String, String)]) async throws -> Answer {
        guard let url = URLBuilder.url(settings.baseURL, path: path, query: query) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        let request = HTTPRequest(url: url, headers: ["Accept": "application/json", "Api-Version": "alpha"])
        let response = try await sender.send(limiter: limiter) { request.bearer($0) }
        guard response.isSuccess else { throw sender.failure(response, call: request.summary) }
        return Answer(response: response, call: request.summary)
    }

    /// FreshBooks' own words: `{"response": {"errors": [{"errno", "message"}]}}`, or an auth
    /// error's `{"error", "error_description"}`.
    @Sendable static func problem(_ response: HTTPResponse) -> ProviderProblem? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        if let first = body["response"]?["errors"]?.arrayValue?.first {
            return ProviderProblem(code: first["errno"].flatMap { $0.intValue.map(String.init) }, message: first["message"]?.stringValue)
        }
        if let error = body["error"]?.stringValue { return ProviderProblem(code: error, message: body["error_description"]?.stringValue) }
        return nil
    }
}

extension FreshBooksSource {
    /// FreshBooks in the registry: `"kind": "freshbooks"`.
    public static let descriptor = SourceDescriptor(
        kind: "freshbooks", keys: FreshBooksConfig.keys, documentation: "docs/connectors/freshbooks.md",
        read: { object, path, reader in FreshBooksConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            // A JSON token request carrying the redirect URI; every refresh rotates the refresh
            // token, which the kit stores before handing out the access token.
            let tokens = try context.refreshTokenProvider(
                tokenURL: settings.tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret, refreshToken: settings.refreshToken,
                storeKey: "freshbooks:\(context.name)", purpose: "to reach FreshBooks", style: .json, refreshAheadSeconds: 300,
                redirectURI: settings.redirectURI)
            return FreshBooksSource(name: context.name, settings: settings, client: context.client, tokens: tokens)
        }
    )
}
