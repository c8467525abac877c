import Foundation
import PaySyncCore
import PaySyncHTTP

/// Money received in Wise balances: for each profile, its STANDARD balances, and for each the
/// balance statement over an interval (`statement.json`, `COMPACT`): from the cursor, less
/// `overlap_days` for late bookings, to now, in windows of at most 469 days (Wise's limit).
/// Lines are deduplicated by `referenceNumber` (the object key). Only the read's last page moves
/// the cursor, to the interval's end, so a run that stops between balances reads them all again.
///
/// Strong customer authentication: where Wise asks for it (`403` with `x-2fa-approval`), the run
/// stops for that profile with exit 77 and says what to do; it never retries.
public struct WiseSource: BankFeedSource {
    public let name: String
    public let settings: WiseSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiters: RateLimiters

    /// Wise's longest statement interval.
    static let maximumIntervalDays = 469

    public init(name: String, settings: WiseSettings, client: HTTPClient, token: Secret) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "Wise", client: client, tokens: StaticTokenProvider(token),
                                       problem: { WiseSource.problem(in: $0).map { ProviderProblem(message: $0) } },
                                       reauthorise: "create a new API token in Wise (Settings → API tokens) and update the config's \"token\"")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { "wise" }
    public var accounts: [String] { settings.profiles }
    public var discoversAccounts: Bool { settings.profiles.isEmpty }
    public var overlapDays: Int { settings.overlapDays }
    public var startDate: CalendarDate? { settings.startDate }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    /// Every profile the token reaches (`GET /v2/profiles`), when the config names none.
    public func currentAccounts() async throws -> [String] {
        guard settings.profiles.isEmpty else { return settings.profiles }
        let profiles: [WiseProfile] = try await get("/v2/profiles", [], account: "profiles", as: [WiseProfile].self)
        return profiles.map { String($0.id) }
    }

    public func read(account profile: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        let now = client.environment.now()
        let from = try BankFeed.start(mode, startDate: settings.startDate, now: now, source: name, provider: "Wise")
        var until = now
        if case .window(_, let end) = mode { until = min(end.startOfDayUTC, now) }
        let balances = try await get("/v4/profiles/\(profile)/balances", [("types", "STANDARD")], account: profile, as: [WiseBalance].self)
        let windows = WiseSource.windows(from: from, until: until)
        var number = 0
        for (balanceIndex, balance) in balances.enumerated() {
            for (windowIndex, window) in windows.enumerated() {
                number += 1
                let isLast = balanceIndex == balances.count - 1 && windowIndex == windows.count - 1
                let statement = try await statement(profile: profile, balance: balance, from: window.from, until: window.until)
                var observations: [Observation] = [], rejects: [RejectedObject] = [], outOfScope = 0
                for (index, element) in statement.transactions.enumerated() {
                    let path = "balance \(balance.id) transactions[\(index)]"
                    switch element.result {
                    case .success(let line):
                        do throws(ObjectRejection) {
                            if let observation = try WiseMapping.observation(of: line, profile: profile, path: path) { observations.append(observation) } else { outOfScope += 1 }
                        } catch {
                            rejects.append(RejectedObject(entity: entity, externalID: line.referenceNumber, error: error.description))
                        }
                    case .failure(let failure):
                        rejects.append(RejectedObject(entity: entity, externalID: failure.id, error: "\(path): \(failure.reason)"))
                    }
                }
                // The whole interval is read once the last statement is in: only then may the cursor move.
                try await consume(SourcePage(observations: observations, rejects: rejects, outOfScope: outOfScope,
                                             lastUpdatedAt: isLast ? until : nil, lastID: isLast ? "" : nil, servedAt: until, number: number, isLast: isLast))
            }
        }
    }

    /// `[from, until)` in windows Wise accepts.
    static func windows(from: Timestamp, until: Timestamp) -> [(from: Timestamp, until: Timestamp)] {
        var windows: [(from: Timestamp, until: Timestamp)] = []
        var start = from
        let step = Int64(maximumIntervalDays) * 86_400_000
        repeat {
            let end = min(until, start.adding(milliseconds: step))
            windows.append((start, end))
            start = end
        } while start < until
        return windows
    }

    func statement(profile: String, balance: WiseBalance, from: Timestamp, until: Timestamp) async throws -> WiseStatement {
        try await get("/v1/profiles/\(profile)/balance-statements/\(balance.id)/statement.json",
                      [("currency", balance.currency), ("intervalStart", from.iso8601), ("intervalEnd", until.iso8601), ("type", "COMPACT")],
                      account: profile, as: WiseStatement.self, balance: balance.id)
    }

    func get<Body: Decodable>(_ path: String, _ query: [(String, String)], account: String, as: Body.Type, balance: Int64? = nil) async throws -> Body {
        guard let url = URLBuilder.url(settings.baseURL, path: path, query: query) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        let request = HTTPRequest(url: url, headers: ["Accept": "application/json"])
        let response = try await sender.send(limiter: limiters.limiter(for: account)) { request.bearer($0) }
        if response.status == 403, response.headers["x-2fa-approval"] != nil {
            let place = balance.map { "profile \(account) balance \($0)" } ?? "profile \(account)"
            throw AuthenticationError(label: name, message: "Wise asks for strong customer authentication to read statements of \(place) "
                + "(x-2fa-approval\(response.headers["x-trace-id"].map { ", trace \($0)" } ?? "")): open a statement of that balance once in the Wise app or website, "
                + "use a business account's OAuth token, or download the statement (camt.053) and run `paysync import-statement`")
        }
        guard response.isSuccess else { throw sender.failure(response, call: request.summary) }
        do {
            return try JSONDecoder().decode(Body.self, from: response.body)
        } catch {
            throw SourceError.undecodable(response.body, source: name, at: "profile \(account) \(path)", shape: Lossy<WiseProfile>.describe(error))
        }
    }

    /// Wise's own words from an error body: `{"errors": [{"code", "message"}]}` or `{"error", "message"}`.
    static func problem(in response: HTTPResponse) -> String? {
        guard let body = try? JSONParser.parse(response.body) else { return nil }
        if let errors = body["errors"]?.arrayValue, !errors.isEmpty {
            return errors.compactMap { error in
                [error["code"]?.stringValue, error["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            }.joined(separator: "; ")
        }
        let text = [body["error"]?.stringValue, body["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        return text.isEmpty ? nil : text
    }
}

extension WiseSource {
    /// Wise in the registry: `"kind": "wise"`.
    public static let descriptor = SourceDescriptor(
        kind: "wise", keys: WiseConfig.keys, documentation: "docs/connectors/wise.md",
        read: { object, path, reader in WiseConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            WiseSource(name: context.name, settings: settings, client: context.client,
                       token: try context.secret(settings.token, key: "token", purpose: "to reach Wise"))
        }
    )
}
