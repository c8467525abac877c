import Foundation
import PaySyncCore
import PaySyncHTTP

/// Polls one QuickBooks Online company (realm): invoices and customer payments through the
/// query endpoint, changed since the cursor (`MetaData.LastUpdatedTime >= …`), oldest first,
/// `MAXRESULTS` up to 1000, until a page comes back short.
///
/// Why the query endpoint and not change data capture: CDC sees 30 days back at most and stops
/// at 1,000 objects per call, so a first sync, a company not synced for a month, or a busy day
/// needs the query endpoint anyway; the query endpoint alone costs ceil(N / 1000) calls per
/// entity, the same as CDC for N ≤ 1000, and has one code path (docs/connectors/quickbooks.md).
public struct QuickBooksSource: Source {
    public let name: String
    public let settings: QuickBooksSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiter: RateLimiter

    public var provider: String { "quickbooks" }
    public var accounts: [String] { [settings.realmID] }
    public var entities: [String] { settings.entities.map(\.rawValue) }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }

    public func kinds(of entity: String) -> [ObjectKind] {
        QuickBooksEntity(rawValue: entity).map { [$0.kind] } ?? []
    }

    public init(name: String, settings: QuickBooksSettings, client: HTTPClient, tokens: any AccessTokenProvider) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "QuickBooks", client: client, tokens: tokens,
                                       problem: QuickBooksProblem.read,
                                       reauthorise: "QuickBooks company \(settings.realmID): refresh token expired or revoked; run `paysync auth quickbooks`")
        self.limiter = RateLimiter(settings.rateLimit, environment: client.environment)
    }

    public func today(account: String) -> CalendarDate {
        AccountCalendar.today(now: client.environment.now(), timeZone: settings.timeZone)
    }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        if case .file = mode { throw SourceError(source: name, message: "QuickBooks is read from its API, not from files", exitCode: .usage) }
        guard let which = QuickBooksEntity(rawValue: entity) else {
            throw SourceError(source: name, message: "unknown entity \(entity)", exitCode: .internalError)
        }
        let today = today(account: account)
        try await PageLoop.run(.offset(first: 1, size: settings.pageSize), source: name, what: "company \(account) \(which.table)") { position in
            guard case .offset(let start)? = position else { throw SourceError(source: name, message: "offset paging expected", exitCode: .internalError) }
            let request = try pageRequest(which, mode: mode, startPosition: start)
            let response = try await send(request)
            return try decodePage(response.body, entity: which, startPosition: start, today: today)
        } consume: { try await consume($0) }
    }

    /// Deleted objects vanish from the query endpoint; only change data capture names them.
    public var deletionsVanish: Bool { true }

    /// How far back change data capture sees (Intuit: 30 days).
    static let changeDataCaptureReach: Int64 = 30 * 86_400_000

    /// The entity's objects deleted since `since`, from change data capture (`GET /cdc`), which
    /// lists a deleted object as `{"status": "Deleted", "Id": …}`. Nil when `since` lies beyond
    /// CDC's 30 days; when the answer reaches CDC's 1,000-object cap, the deletions it holds and a
    /// warning. What CDC cannot show, the scheduled sweep finds by comparing a window with the
    /// ledger (`deletionsVanish`).
    public func deletions(account: String, entity: String, since: Timestamp) async throws -> [Deletion]? {
        guard let which = QuickBooksEntity(rawValue: entity) else { return nil }
        let now = client.environment.now()
        guard since.millisecondsSinceEpoch > now.millisecondsSinceEpoch - QuickBooksSource.changeDataCaptureReach else { return nil }
        guard let url = URLBuilder.url(settings.baseURL, path: "/v3/company/\(settings.realmID)/cdc", query: [
            ("entities", which.table), ("changedSince", QuickBooksSource.wholeSecondDown(since).iso8601),
            ("minorversion", String(QuickBooksSettings.minorVersion)),
        ]) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        let response = try await send(HTTPRequest(url: url, headers: ["Accept": "application/json"]))
        let source = "company \(settings.realmID) \(which.table) changes since \(since.iso8601)"
        let body: JSONValue
        do { body = try JSONParser.parse(response.body, source: source) } catch { throw SourceError.malformedJSON(error, source: name) }
        if body["Fault"] != nil {
            throw SourceError(source: name, message: "\(source): QuickBooks answered with a fault (\(QuickBooksProblem.read(response)?.description ?? "no detail"))", exitCode: .dataError)
        }
        guard let responses = body["CDCResponse"]?.arrayValue else {
            throw SourceError(source: name, message: "\(source): unexpected response shape: no CDCResponse", exitCode: .dataError)
        }
        var deletions: [Deletion] = []
        var objects = 0
        let kind = which.kind
        for response in responses {
            for query in response["QueryResponse"]?.arrayValue ?? [] {
                for object in query[which.table]?.arrayValue ?? [] {
                    objects += 1
                    guard object["status"]?.stringValue == "Deleted", let id = object["Id"]?.stringValue else { continue }
                    let deletedAt = object["MetaData"]?["LastUpdatedTime"]?.stringValue.flatMap { Timestamp(iso: $0) }
                    deletions.append(Deletion(key: ObjectKey(provider: provider, account: settings.realmID, kind: kind, externalID: id), deletedAt: deletedAt))
                }
            }
        }
        if objects >= 1000 {
            client.logger.warning("\(name): company \(settings.realmID) \(which.table): 1,000 or more changes since \(since.iso8601), CDC's cap; deletions it left out are found by the next sweep")
        }
        return deletions
    }

    /// QuickBooks compares times in whole seconds: a cursor is rounded down, so nothing is skipped.
    static func wholeSecondDown(_ instant: Timestamp) -> Timestamp {
        let milliseconds = instant.millisecondsSinceEpoch
        return Timestamp(millisecondsSinceEpoch: milliseconds - ((milliseconds % 1000) + 1000) % 1000)
    }

    /// The request for one page (without the bearer token, added at send time).
    func pageRequest(_ entity: QuickBooksEntity, mode: ReadMode, startPosition: Int) throws -> HTTPRequest {
        var mode = mode
        if case .incremental(let since?) = mode { mode = .incremental(since: QuickBooksSource.wholeSecondDown(since)) }
        let query = QuickBooksQuery.page(entity, mode: mode, startPosition: startPosition, maxResults: settings.pageSize)
        guard let url = URLBuilder.url(settings.baseURL, path: "/v3/company/\(settings.realmID)/query",
                                       query: [("query", query), ("minorversion", String(QuickBooksSettings.minorVersion))]) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        return HTTPRequest(url: url, headers: ["Accept": "application/json"])
    }

    /// Sends through the kit's authorised sender. A throttled call is retried after Intuit's
    /// advised 60 s (it gives no `Retry-After`); what still fails is classified by the kit, in
    /// Intuit's own words (code and message), including its XML throttling answer.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await sender.send(limiter: limiter, defaultRetryAfter: { $0.status == 429 ? 60 : nil }) { request.bearer($0) }
        switch response.status {
        case 200..<300:
            return response
        case 403:
            throw AuthenticationError(label: name, message: "QuickBooks refused company \(settings.realmID) (403 \(QuickBooksProblem.read(response)?.description ?? "Forbidden")): the app was disconnected from the company or the user lacks access; run `paysync auth quickbooks`")
        case 429:
            throw SourceError(source: name, message: "QuickBooks throttled company \(settings.realmID) (\(QuickBooksProblem.read(response)?.description ?? "429")); try again in a minute", exitCode: .temporaryFailure)
        default:
            throw sender.failure(response, call: request.summary)
        }
    }

    /// Decodes and normalises one page. A `Fault` in a 200 answer is a failed call, not an empty page.
    public func decodePage(_ body: Data, entity: QuickBooksEntity, startPosition: Int, today: CalendarDate) throws -> FetchedPage {
        let source = "company \(settings.realmID) \(entity.table) from \(startPosition)"
        switch entity {
        case .invoices:
            let response = try decode(body, as: QuickBooksInvoice.self, table: entity.table, source: source)
            return normalise(response, entity: entity, id: \.id, updated: \.metaData.lastUpdatedTime) { invoice, path throws(ObjectRejection) in
                try QuickBooksMapping.observation(of: invoice, realm: settings.realmID, today: today, path: path)
            }
        case .payments:
            let response = try decode(body, as: QuickBooksPayment.self, table: entity.table, source: source)
            return normalise(response, entity: entity, id: \.id, updated: \.metaData.lastUpdatedTime) { payment, path throws(ObjectRejection) in
                try QuickBooksMapping.observation(of: payment, realm: settings.realmID, path: path)
            }
        case .creditMemos:
            let response = try decode(body, as: QuickBooksCreditMemo.self, table: entity.table, source: source)
            return normalise(response, entity: entity, id: \.id, updated: \.metaData.lastUpdatedTime) { memo, path throws(ObjectRejection) in
                try QuickBooksMapping.observation(of: memo, realm: settings.realmID, path: path)
            }
        case .refundReceipts:
            let response = try decode(body, as: QuickBooksRefundReceipt.self, table: entity.table, source: source)
            return normalise(response, entity: entity, id: \.id, updated: \.metaData.lastUpdatedTime) { refund, path throws(ObjectRejection) in
                try QuickBooksMapping.observation(of: refund, realm: settings.realmID, path: path)
            }
        }
    }

    private func decode<Element: Decodable & Sendable>(_ body: Data, as: Element.Type, table: String, source: String) throws -> QuickBooksQueryResponse<Element> {
        let decoder = JSONDecoder()
        decoder.userInfo[QuickBooksQueryResponse<Element>.tableKey] = table
        let response: QuickBooksQueryResponse<Element>
        do {
            response = try decoder.decode(QuickBooksQueryResponse<Element>.self, from: body)
        } catch {
            throw SourceError.undecodable(body, source: name, at: source, shape: Lossy<Element>.describe(error))
        }
        if let fault = response.fault {
            throw SourceError(source: name, message: "\(source): QuickBooks answered with a fault (\(QuickBooksProblem.describe(fault)))", exitCode: .dataError)
        }
        return response
    }

    private func normalise<Element>(
        _ response: QuickBooksQueryResponse<Element>, entity: QuickBooksEntity,
        id: KeyPath<Element, String>, updated: KeyPath<Element, String?>,
        map: (Element, String) throws(ObjectRejection) -> Observation
    ) -> FetchedPage {
        var observations: [Observation] = []
        observations.reserveCapacity(response.elements.count)
        var rejects: [RejectedObject] = []
        var lastUpdated: Timestamp?
        var lastID: String?
        for (index, element) in response.elements.enumerated() {
            let path = "\(entity.table)[\(index)]"
            switch element.result {
            case .success(let object):
                if let time = object[keyPath: updated].flatMap({ Timestamp(iso: $0) }) {
                    lastUpdated = time
                    lastID = object[keyPath: id]
                }
                do { observations.append(try map(object, path)) } catch {
                    rejects.append(RejectedObject(entity: entity.rawValue, externalID: object[keyPath: id], error: error.description))
                }
            case .failure(let failure):
                rejects.append(RejectedObject(entity: entity.rawValue, externalID: failure.id, error: "\(path)\(failure.id.map { " (Id \($0))" } ?? ""): \(failure.reason)"))
            }
        }
        let page = SourcePage(observations: observations, rejects: rejects, outOfScope: 0, lastUpdatedAt: lastUpdated, lastID: lastID,
                              servedAt: response.time.flatMap { Timestamp(iso: $0) }, number: 0, isLast: false)
        return FetchedPage(page: page, count: response.elements.count, statedTotal: response.totalCount)
    }
}
