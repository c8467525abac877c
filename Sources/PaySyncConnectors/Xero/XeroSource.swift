import Foundation
import PaySyncCore
import PaySyncHTTP

/// Polls Xero's Accounting API for one or more tenants: sales invoices and customer payments,
/// incrementally with `If-Modified-Since`, oldest first, `pageSize` up to 1000, stopping at the
/// page `pagination.pageCount` names so no call is spent on an empty page.
public struct XeroSource: Source {
    public let name: String
    public let settings: XeroSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    /// One limiter per tenant: Xero's limits are per tenant (60 a minute, 5 at once).
    private let limiters: RateLimiters
    private let decoder: JSONDecoder

    public var provider: String { "xero" }
    public var accounts: [String] { settings.tenants }
    public var discoversAccounts: Bool { settings.allTenants }

    /// With `tenants: "all"`, the organisations `GET /connections` lists now.
    public func currentAccounts() async throws -> [String] {
        guard settings.allTenants else { return settings.tenants }
        let request = try XeroSource.connectionsRequest(settings: settings)
        let response = try await sender.send { request.bearer($0) }
        guard response.isSuccess else { throw sender.failure(response, call: request.summary) }
        return try XeroSource.parseConnections(response, call: request.summary).map(\.id)
    }
    public var entities: [String] { settings.entities.map(\.rawValue) }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }

    public func kinds(of entity: String) -> [ObjectKind] {
        switch XeroEntity(rawValue: entity) {
        case .invoices: [.invoice]
        case .payments: [.payment, .refund]
        case .creditNotes: [.creditNote]
        case .bankTransactions: [.bankTransaction]
        case nil: []
        }
    }

    public init(name: String, settings: XeroSettings, client: HTTPClient, tokens: any AccessTokenProvider) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "Xero", client: client, tokens: tokens,
                                       problem: { XeroSource.problem(in: $0).map { ProviderProblem(message: $0) } }, reauthorise: "re-authorise the app")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
        self.decoder = JSONDecoder()
    }

    public func today(account: String) -> CalendarDate {
        AccountCalendar.today(now: client.environment.now(), timeZone: settings.timeZone)
    }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard let which = XeroEntity(rawValue: entity) else {
            throw SourceError(source: name, message: "unknown entity \(entity)", exitCode: .internalError)
        }
        let today = today(account: account)
        try await PageLoop.run(.pageNumber(size: settings.pageSize), source: name, what: "tenant \(account) /\(which.resource)") { position in
            guard case .number(let page)? = position else { throw SourceError(source: name, message: "page-number paging expected", exitCode: .internalError) }
            let request = try await pageRequest(which, tenant: account, mode: mode, page: page)
            let response = try await send(request, tenant: account)
            return try decodePage(response.body, entity: which, tenant: account, page: page, today: today)
        } consume: { try await consume($0) }
    }

    /// The request for one page (without the bearer token, added at send time).
    func pageRequest(_ entity: XeroEntity, tenant: String, mode: ReadMode, page: Int) async throws -> HTTPRequest {
        var query: [(String, String)] = [("page", String(page)), ("pageSize", String(settings.pageSize)), ("order", "UpdatedDateUTC ASC")]
        var filters: [String] = []
        if entity == .invoices { filters.append(#"Type=="ACCREC""#) }
        if entity == .creditNotes { filters.append(#"Type=="ACCRECCREDIT""#) }
        var headers: HTTPHeaders = ["Accept": "application/json", "xero-tenant-id": tenant]
        switch mode {
        case .incremental(let since):
            if let since { headers.set("If-Modified-Since", XeroDate.ifModifiedSince(since)) }
        case .file:
            throw SourceError(source: name, message: "Xero is read from its API, not from files", exitCode: .usage)
        case .window(let from, let until):
            filters.append("Date>=DateTime(\(from.year),\(pad(from.month)),\(pad(from.day)))")
            filters.append("Date<DateTime(\(until.year),\(pad(until.month)),\(pad(until.day)))")
        }
        if !filters.isEmpty { query.append(("where", filters.joined(separator: "&&"))) }
        guard let url = URLBuilder.url(settings.baseURL, path: "/" + entity.resource, query: query) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        return HTTPRequest(url: url, headers: headers)
    }

    private func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

    /// Sends through the kit's authorised sender (a bearer token, one refresh on 401); reads
    /// Xero's own 403 and 429 wording, and leaves every other failure to the kit's classification.
    func send(_ request: HTTPRequest, tenant: String) async throws -> HTTPResponse {
        // Xero's daily limit is not worth retrying within a run; its minute limit is.
        let response = try await sender.send(limiter: limiters.limiter(for: tenant), isRetryable: { $0.headers["X-Rate-Limit-Problem"]?.lowercased() != "day" }) {
            request.bearer($0)
        }
        switch response.status {
        case 200..<300:
            return response
        case 403:
            throw AuthenticationError(label: name, message: "Xero refused tenant \(tenant) (403 \(XeroSource.problem(in: response) ?? "Forbidden")): the organisation is disconnected, the tenant id is wrong, or a scope is missing")
        case 429:
            let seconds = RetryAfter.seconds(response.headers["Retry-After"], now: client.environment.now())
            let problem = response.headers["X-Rate-Limit-Problem"] ?? "unknown"
            if problem.lowercased() == "day" {
                // Xero's 5,000 calls a day are per tenant: this one stops, the others carry on.
                throw AccountPaused(source: name, account: tenant,
                                    reason: "Xero's daily limit (5,000 calls) is spent for tenant \(tenant); it is read again after \(Int(seconds ?? 3600)) s, from where it stopped")
            }
            throw SourceError(source: name, message: "Xero \(problem) rate limit reached for tenant \(tenant); try again after \(Int(seconds ?? 60)) s", exitCode: .temporaryFailure)
        default:
            throw sender.failure(response, call: request.summary)
        }
    }

    /// Xero's own explanation from an error body: `Detail`, `Message`, validation messages.
    static func problem(in response: HTTPResponse) -> String? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        var parts: [String] = []
        for key in ["Title", "Detail", "Type", "Message"] {
            if let text = body[key]?.stringValue, !text.isEmpty, !parts.contains(text) { parts.append(text) }
        }
        for element in body["Elements"]?.arrayValue ?? [] {
            for error in element["ValidationErrors"]?.arrayValue ?? [] {
                if let message = error["Message"]?.stringValue { parts.append(message) }
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ": ")
    }

    /// Decodes and normalises one page.
    public func decodePage(_ body: Data, entity: XeroEntity, tenant: String, page: Int, today: CalendarDate) throws -> FetchedPage {
        let source = "tenant \(tenant) /\(entity.resource) page \(page)"
        switch entity {
        case .invoices:
            let envelope = try scan(body, source: source) { try XeroPageScanner.invoices($0) }
            return normalise(envelope, entity: entity, page: page, id: \.invoiceID, updated: \.updatedDateUTC) { invoice, path throws(ObjectRejection) in
                try XeroMapping.observation(of: invoice, tenant: tenant, today: today, path: path)
            }
        case .payments:
            let envelope = try scan(body, source: source) { try XeroPageScanner.payments($0) }
            return normalise(envelope, entity: entity, page: page, id: \.paymentID, updated: \.updatedDateUTC) { payment, path throws(ObjectRejection) in
                try XeroMapping.observation(of: payment, tenant: tenant, path: path)
            }
        case .creditNotes:
            let envelope = try scan(body, source: source) { try XeroSource.decodeWithJSONDecoder($0, resource: entity.resource, as: XeroCreditNote.self) }
            return normalise(envelope, entity: entity, page: page, id: \.creditNoteID, updated: \.updatedDateUTC) { note, path throws(ObjectRejection) in
                try XeroMapping.observation(of: note, tenant: tenant, path: path)
            }
        case .bankTransactions:
            // Few per organisation: Foundation's decoder (the scanner is for the high-volume lists).
            let envelope = try scan(body, source: source) { try XeroSource.decodeWithJSONDecoder($0, resource: entity.resource, as: XeroBankTransaction.self) }
            return normalise(envelope, entity: entity, page: page, id: \.bankTransactionID, updated: \.updatedDateUTC) { transaction, path throws(ObjectRejection) in
                try XeroMapping.observation(of: transaction, tenant: tenant, path: path)
            }
        }
    }

    /// Reads a page with `XeroPageScanner`; on a syntax error, our parser names the line and column.
    private func scan<Element>(_ body: Data, source: String, _ read: (Data) throws -> XeroPage<Element>) throws -> XeroPage<Element> {
        do {
            return try read(body)
        } catch {
            throw SourceError.undecodable(body, source: name, at: source,
                                          shape: (error as? JSONPullScanner.Failure)?.message ?? Lossy<XeroInvoice>.describe(error))
        }
    }

    /// The reference decoding of a page, with Foundation's `JSONDecoder` (tests and the benchmark
    /// compare `XeroPageScanner` with it).
    public static func decodeWithJSONDecoder<Element: Decodable & Sendable>(_ body: Data, resource: String, as: Element.Type) throws -> XeroPage<Element> {
        let decoder = JSONDecoder()
        decoder.userInfo[XeroPage<Element>.resourceKey] = resource
        return try decoder.decode(XeroPage<Element>.self, from: body)
    }

    private func normalise<Element>(
        _ envelope: XeroPage<Element>, entity: XeroEntity, page: Int,
        id: KeyPath<Element, String>, updated: KeyPath<Element, String>,
        map: (Element, String) throws(ObjectRejection) -> XeroMapping.Outcome
    ) -> FetchedPage {
        var observations: [Observation] = []
        observations.reserveCapacity(envelope.elements.count)
        var rejects: [RejectedObject] = []
        var outOfScope = 0
        var lastUpdated: Timestamp?
        var lastID: String?
        for (index, element) in envelope.elements.enumerated() {
            let path = "\(entity.resource)[\(index)]"
            switch element.result {
            case .success(let object):
                if let time = XeroDate.timestamp(object[keyPath: updated]) {
                    lastUpdated = time
                    lastID = object[keyPath: id]
                }
                do {
                    switch try map(object, path) {
                    case .observation(let observation): observations.append(observation)
                    case .outOfScope: outOfScope += 1
                    }
                } catch {
                    rejects.append(RejectedObject(entity: entity.rawValue, externalID: object[keyPath: id], error: error.description))
                }
            case .failure(let failure):
                rejects.append(RejectedObject(entity: entity.rawValue, externalID: failure.id, error: "\(path)\(failure.id.map { " (\($0))" } ?? ""): \(failure.reason)"))
            }
        }
        let page = SourcePage(
            observations: observations, rejects: rejects, outOfScope: outOfScope,
            lastUpdatedAt: lastUpdated, lastID: lastID,
            servedAt: envelope.dateTimeUTC.flatMap(XeroDate.timestamp),
            number: page, isLast: false
        )
        // Xero states its page count (`pagination.pageCount`), which spares the empty last page.
        return FetchedPage(page: page, count: envelope.elements.count, statedTotal: envelope.pagination?.pageCount)
    }
}
