import Foundation
import PaySyncCore
import PaySyncHTTP

/// Money received in accounts at a bank speaking Berlin Group NextGenPSD2 v1.3 (AIS): `GET
/// /v1/accounts`, then each account's `GET /v1/accounts/{id}/transactions?bookingStatus=booked&
/// dateFrom=…`, following `transactions._links.next.href`. Every call carries a fresh
/// `X-Request-ID` and the `Consent-ID`; no `PSU-IP-Address`, since these are unattended reads.
///
/// A consent allows `reads_per_day` unattended reads per account (4 unless agreed otherwise):
/// the ledger counts them, and a spent account is skipped with a note until the next day. The
/// bank's own `ACCESS_EXCEEDED` does the same, never retried. `CONSENT_EXPIRED`, `CONSENT_INVALID`
/// and `CONSENT_UNKNOWN` stop the run for this bank with exit 77.
public struct BerlinGroupSource: BankFeedSource {
    public let name: String
    public let settings: BerlinGroupSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let credentials: any CredentialStore
    private let limiters: RateLimiters

    public init(name: String, settings: BerlinGroupSettings, client: HTTPClient, tokens: any AccessTokenProvider, credentials: any CredentialStore) {
        self.name = name
        self.settings = settings
        self.client = client
        self.credentials = credentials
        self.sender = AuthorizedSender(label: name, provider: settings.aspsp, client: client, tokens: tokens,
                                       problem: { BerlinGroupSource.problem(in: $0).map { ProviderProblem(message: $0) } },
                                       reauthorise: "grant a new consent with \(settings.aspsp)")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { "berlin-group" }
    public var accounts: [String] { settings.accounts }
    public var discoversAccounts: Bool { settings.accounts.isEmpty }
    public var overlapDays: Int { settings.overlapDays }
    public var startDate: CalendarDate? { settings.startDate }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    public func currentAccounts() async throws -> [String] {
        try await checkConsent()
        guard settings.accounts.isEmpty else { return settings.accounts }
        let body = try await get(url(path: "/v1/accounts"), account: nil)
        return (body["accounts"]?.arrayValue ?? []).compactMap { $0["resourceId"]?.stringValue }
    }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        let now = client.environment.now()
        let from = try BankFeed.start(mode, startDate: settings.startDate, now: now, source: name, provider: settings.aspsp).utcDate
        try await checkConsent()
        try await countRead(account: account, day: now.utcDate)
        let first = url(path: "/v1/accounts/\(URLBuilder.encode(account))/transactions", query: [("bookingStatus", "booked"), ("dateFrom", from.description)])
        try await PageLoop.run(.nextLink, source: name, what: "\(settings.aspsp) account \(account) transactions") { position in
            var target = first
            if case .link(let href)? = position { target = try BankFeed.nextURL(href, base: settings.baseURL, source: name, provider: settings.aspsp) }
            let body = try await get(target, account: account)
            var observations: [Observation] = [], rejects: [RejectedObject] = [], outOfScope = 0
            for (index, element) in (body["transactions"]?["booked"]?.arrayValue ?? []).enumerated() {
                let path = "transactions.booked[\(index)]"
                do {
                    let entry = try JSONDecoder().decode(BerlinGroupTransaction.self, from: Data(JSONWriter.compact(element).utf8))
                    if let observation = try BerlinGroupMapping.observation(of: entry, account: account, path: path) { observations.append(observation) } else { outOfScope += 1 }
                } catch let rejection as ObjectRejection {
                    rejects.append(RejectedObject(entity: entity, externalID: element["transactionId"]?.stringValue, error: rejection.description))
                } catch {
                    rejects.append(RejectedObject(entity: entity, externalID: element["transactionId"]?.stringValue,
                                                  error: "\(path): \(Lossy<BerlinGroupTransaction>.describe(error))"))
                }
            }
            let next = body["transactions"]?["_links"]?["next"]?["href"]?.stringValue
            let page = SourcePage(observations: observations, rejects: rejects, outOfScope: outOfScope,
                                  lastUpdatedAt: next == nil ? now : nil, lastID: next == nil ? "" : nil, servedAt: now, number: 0, isLast: next == nil)
            return FetchedPage(page: page, count: observations.count + rejects.count + outOfScope, next: next.map { .link($0) })
        } consume: { try await consume($0) }
    }

    func checkConsent() async throws {
        try await ConsentExpiry.check(source: name, kind: "berlin-group", aspsp: settings.aspsp, consentID: settings.consentID,
                                      expires: settings.consentValidUntil.map { $0.adding(days: 1).startOfDayUTC }, credentials: credentials, client: client,
                                      renew: "update consent_id and consent_valid_until")
    }

    /// Counts one unattended read of an account for today, in the ledger; a spent account is
    /// skipped with a note (the run goes on with the others).
    func countRead(account: String, day: CalendarDate) async throws {
        let key = "berlin-group:\(name):\(account):unattended-reads:\(day)"
        let used = Int((try await credentials.load(key))?.value.reveal() ?? "0") ?? 0
        guard used < settings.readsPerDay else {
            throw AccountPaused(source: name, account: account,
                                reason: "the consent's \(settings.readsPerDay) unattended reads for \(day) are spent for \(settings.aspsp) account \(account); it is read again tomorrow")
        }
        try await credentials.save(key, StoredToken(value: Secret(String(used + 1))))
    }

    func url(path: String, query: [(String, String)] = []) -> URL? { URLBuilder.url(settings.baseURL, path: path, query: query) }

    func get(_ url: URL?, account: String?) async throws -> JSONValue {
        guard let url else { throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration) }
        let request = HTTPRequest(url: url, headers: ["Accept": "application/json", "Consent-ID": settings.consentID])
        // ACCESS_EXCEEDED waits for tomorrow: never retried.
        let response = try await sender.send(limiter: limiters.limiter(for: "bank"), isRetryable: { !(BerlinGroupSource.codes(in: $0).contains("ACCESS_EXCEEDED")) }) { token in
            var call = token.reveal().isEmpty ? request : request.bearer(token)
            call.headers.set("X-Request-ID", UUID().uuidString.lowercased())
            return call
        }
        let codes = BerlinGroupSource.codes(in: response)
        if !codes.isDisjoint(with: ["CONSENT_EXPIRED", "CONSENT_INVALID", "CONSENT_UNKNOWN"]) {
            throw AuthenticationError(label: name, message: "consent for ASPSP \(settings.aspsp) is no longer valid (\(BerlinGroupSource.problem(in: response) ?? codes.sorted().joined(separator: ", "))); grant a new consent and update consent_id and consent_valid_until")
        }
        if codes.contains("ACCESS_EXCEEDED"), let account {
            throw AccountPaused(source: name, account: account, reason: "\(settings.aspsp) says the consent's reads for today are spent (ACCESS_EXCEEDED) for account \(account); it is read again tomorrow")
        }
        guard response.isSuccess else { throw sender.failure(response, call: request.summary) }
        let body: JSONValue
        do { body = try JSONParser.parse(response.body, source: "\(settings.aspsp) \(url.path)") } catch { throw SourceError.malformedJSON(error, source: name) }
        return body
    }

    /// The error codes of `{tppMessages: [{category, code, text}]}` (or RFC 7807's `code`).
    static func codes(in response: HTTPResponse) -> Set<String> {
        guard response.status >= 400, let body = try? JSONParser.parse(response.body) else { return [] }
        var codes = Set((body["tppMessages"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue })
        if let code = body["code"]?.stringValue { codes.insert(code) }
        return codes
    }

    static func problem(in response: HTTPResponse) -> String? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        let messages = (body["tppMessages"]?.arrayValue ?? []).map { message in
            [message["code"]?.stringValue, message["text"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        }
        if !messages.isEmpty { return messages.joined(separator: "; ") }
        let text = [body["title"]?.stringValue, body["detail"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        return text.isEmpty ? nil : text
    }
}

extension BerlinGroupSource {
    /// Berlin Group NextGenPSD2 in the registry: `"kind": "berlin-group"`.
    public static let descriptor = SourceDescriptor(
        kind: "berlin-group", keys: BerlinGroupConfig.keys, documentation: "docs/connectors/berlin-group.md",
        read: { object, path, reader in BerlinGroupConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            let tokens: any AccessTokenProvider = try settings.tokenURL.map { tokenURL in
                try context.refreshTokenProvider(tokenURL: tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret,
                                                 refreshToken: settings.refreshToken, storeKey: "berlin-group:\(context.name)",
                                                 purpose: "to reach \(settings.aspsp)'s PSD2 API")
            } ?? StaticTokenProvider(Secret(""))
            return BerlinGroupSource(name: context.name, settings: settings, client: context.client, tokens: tokens, credentials: context.credentials)
        }
    )
}
