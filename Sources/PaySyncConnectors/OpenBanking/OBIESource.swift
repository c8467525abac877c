import Foundation
import PaySyncCore
import PaySyncHTTP

/// Money received in UK bank accounts through Open Banking (Account and Transaction API v3.1):
/// `GET /accounts`, then each account's `GET /accounts/{id}/transactions?fromBookingDateTime=…`
/// from its cursor less `overlap_days`, following `Links.Next` to the end. Booked credits only.
/// Every call carries a fresh `x-fapi-interaction-id`; no `x-fapi-customer-ip-address`, since
/// these are unattended reads.
///
/// The consent is the person's permission, and it ends: past `consent_expires` (or when the bank
/// answers 403) the run stops for this bank with exit 77 and "consent for ASPSP X expired on DATE;
/// re-authorise"; within 7 days of it each run warns, and the expiry is kept with the
/// credentials, so `status`, the metrics and alerts show it.
public struct OBIESource: BankFeedSource {
    public let name: String
    public let settings: OBIESettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let credentials: any CredentialStore
    private let limiters: RateLimiters

    public init(name: String, settings: OBIESettings, client: HTTPClient, tokens: any AccessTokenProvider, credentials: any CredentialStore) {
        self.name = name
        self.settings = settings
        self.client = client
        self.credentials = credentials
        self.sender = AuthorizedSender(label: name, provider: settings.aspsp, client: client, tokens: tokens,
                                       problem: { OBIESource.problem(in: $0).map { ProviderProblem(message: $0) } },
                                       reauthorise: "re-authorise the consent with \(settings.aspsp)")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { "obie" }
    public var accounts: [String] { settings.accounts }
    public var discoversAccounts: Bool { settings.accounts.isEmpty }
    public var overlapDays: Int { settings.overlapDays }
    public var startDate: CalendarDate? { settings.startDate }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    public func currentAccounts() async throws -> [String] {
        try await checkConsent()
        guard settings.accounts.isEmpty else { return settings.accounts }
        let body = try await get(URLBuilder.url(settings.baseURL, path: "/accounts"), what: "accounts")
        return (body["Data"]?["Account"]?.arrayValue ?? []).compactMap { $0["AccountId"]?.stringValue }
    }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        let now = client.environment.now()
        let from = try BankFeed.start(mode, startDate: settings.startDate, now: now, source: name, provider: settings.aspsp)
        try await checkConsent()
        // OBIE reads these as UTC and ignores any zone, so none is sent.
        let first = URLBuilder.url(settings.baseURL, path: "/accounts/\(URLBuilder.encode(account))/transactions",
                                   query: [("fromBookingDateTime", String(from.iso8601.prefix(19)))])
        try await PageLoop.run(.nextLink, source: name, what: "\(settings.aspsp) account \(account) transactions") { position in
            let url: URL?
            if case .link(let next)? = position { url = try BankFeed.nextURL(next, base: settings.baseURL, source: name, provider: settings.aspsp) } else { url = first }
            let body = try await get(url, what: "account \(account) transactions")
            var observations: [Observation] = [], rejects: [RejectedObject] = [], outOfScope = 0
            for (index, element) in (body["Data"]?["Transaction"]?.arrayValue ?? []).enumerated() {
                let path = "Data.Transaction[\(index)]"
                do {
                    let line = try JSONDecoder().decode(OBIETransaction.self, from: Data(JSONWriter.compact(element).utf8))
                    if let observation = try OBIEMapping.observation(of: line, path: path) { observations.append(observation) } else { outOfScope += 1 }
                } catch let rejection as ObjectRejection {
                    rejects.append(RejectedObject(entity: entity, externalID: element["TransactionId"]?.stringValue, error: rejection.description))
                } catch {
                    rejects.append(RejectedObject(entity: entity, externalID: element["TransactionId"]?.stringValue,
                                                  error: "\(path): \(Lossy<OBIETransaction>.describe(error))"))
                }
            }
            let next = body["Links"]?["Next"]?.stringValue
            // The whole interval up to now is read once there is no next page: only then may the cursor move.
            let page = SourcePage(observations: observations, rejects: rejects, outOfScope: outOfScope,
                                  lastUpdatedAt: next == nil ? now : nil, lastID: next == nil ? "" : nil, servedAt: now, number: 0, isLast: next == nil)
            return FetchedPage(page: page, count: observations.count + rejects.count + outOfScope, next: next.map { .link($0) })
        } consume: { try await consume($0) }
    }

    /// The consent's end (`ConsentExpiry`): exit 77 past it, a warning within a week.
    func checkConsent() async throws {
        try await ConsentExpiry.check(source: name, kind: "obie", aspsp: settings.aspsp, consentID: settings.consentID, expires: settings.consentExpires,
                                      credentials: credentials, client: client, renew: "update consent_id, consent_expires and refresh_token")
    }

    func get(_ url: URL?, what: String) async throws -> JSONValue {
        guard let url else { throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration) }
        let request = HTTPRequest(url: url, headers: ["Accept": "application/json"])
        let response = try await sender.send(limiter: limiters.limiter(for: "bank")) { token in
            var call = request.bearer(token)
            call.headers.set("x-fapi-interaction-id", UUID().uuidString.lowercased())
            return call
        }
        let problem = OBIESource.problem(in: response)
        if response.status == 403 || (response.status == 400 && problem?.contains("UK.OBIE.Resource.InvalidConsentStatus") == true) {
            let when = settings.consentExpires.map { $0 <= client.environment.now() ? "expired on \($0.utcDate)" : "was revoked or ended early" } ?? "was revoked or has expired"
            throw AuthenticationError(label: name, message: "consent for ASPSP \(settings.aspsp) \(when) (\(problem ?? "HTTP \(response.status)")); re-authorise it with the bank")
        }
        guard response.isSuccess else { throw sender.failure(response, call: request.summary) }
        let body: JSONValue
        do { body = try JSONParser.parse(response.body, source: "\(settings.aspsp) \(what)") } catch { throw SourceError.malformedJSON(error, source: name) }
        return body
    }

    /// `OBErrorResponse1`: `{Code, Message, Errors: [{ErrorCode, Message}]}`.
    static func problem(in response: HTTPResponse) -> String? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        var parts = [body["Code"]?.stringValue, body["Message"]?.stringValue].compactMap { $0 }
        for error in body["Errors"]?.arrayValue ?? [] {
            parts.append([error["ErrorCode"]?.stringValue, error["Message"]?.stringValue].compactMap { $0 }.joined(separator: ": "))
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

extension OBIESource {
    /// UK Open Banking in the registry: `"kind": "obie"`.
    public static let descriptor = SourceDescriptor(
        kind: "obie", keys: OBIEConfig.keys, documentation: "docs/connectors/open-banking.md",
        read: { object, path, reader in OBIEConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            let tokens = try context.refreshTokenProvider(
                tokenURL: settings.tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret, refreshToken: settings.refreshToken,
                storeKey: "obie:\(context.name)", purpose: "to reach \(settings.aspsp)'s Open Banking API"
            )
            return OBIESource(name: context.name, settings: settings, client: context.client, tokens: tokens, credentials: context.credentials)
        }
    )
}
