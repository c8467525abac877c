import Foundation
import PaySyncCore
import PaySyncHTTP

/// Adyen through its reports (`docs/connectors/adyen.md`). Adyen has no API that lists
/// payments: a merchant learns of them by webhooks or by reports. paysync reads the daily
/// **payment accounting report** of each day since the cursor, once: the cursor moves to the day
/// after each report read (in that report's commit), and a report not generated yet (404) ends
/// the run's reading until the next run.
public struct AdyenSource: Source {
    public let name: String
    public let settings: AdyenSettings
    private let client: HTTPClient
    private let sender: AuthorizedSender
    private let limiters: RateLimiters

    public init(name: String, settings: AdyenSettings, client: HTTPClient, user: Secret, password: Secret) {
        self.name = name
        self.settings = settings
        self.client = client
        let basic = Secret.basic(user: user, password: password)
        self.sender = AuthorizedSender(label: name, provider: "Adyen", client: client, tokens: StaticTokenProvider(basic), problem: { _ in nil },
                                       reauthorise: "check the report user's name and password (Customer Area → Developers → API credentials), and that it has the Merchant report download role")
        self.limiters = RateLimiters(settings.rateLimit, environment: client.environment)
    }

    public var provider: String { AdyenReport.provider }
    public var accounts: [String] { [settings.merchantAccount] }
    public var entities: [String] { [AdyenSettings.entity] }
    /// Each report is read once: no overlap.
    public var overlap: Duration { .zero }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public func kinds(of entity: String) -> [ObjectKind] { [.payment, .refund, .dispute] }
    public func today(account: String) -> CalendarDate { client.environment.now().utcDate }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard entity == AdyenSettings.entity else { return }
        let today = client.environment.now().utcDate
        var day: CalendarDate, last: CalendarDate
        let moves: Bool
        switch mode {
        case .file: return
        case .incremental(let since):
            day = since?.utcDate ?? settings.startDate ?? today.adding(days: -7)
            last = today.adding(days: -1)  // a day's report exists once the day is over
            moves = true
        case .window(let from, let until):
            (day, last) = (from, min(until.adding(days: -1), today.adding(days: -1)))
            moves = false
        }
        var number = 0
        while day <= last {
            let file = AdyenSettings.fileName(for: day)
            guard let text = try await download(file) else {
                client.logger.info("\(name): Adyen has not generated \(file) yet; the next run reads it")
                break
            }
            number += 1
            let (observations, rejects): ([Observation], [RejectedObject])
            do { (observations, rejects) = try AdyenReport.observations(text, account: account, file: file) } catch {
                throw SourceError(source: name, message: error.message, exitCode: .dataError)
            }
            let next = day.adding(days: 1)
            try await consume(SourcePage(observations: observations, rejects: rejects, outOfScope: 0,
                                         lastUpdatedAt: moves ? next.startOfDayUTC : nil, lastID: moves ? file : nil,
                                         servedAt: nil, number: number, isLast: false))
            day = next
        }
        try await consume(SourcePage(observations: [], rejects: [], outOfScope: 0, lastUpdatedAt: moves ? day.startOfDayUTC : nil,
                                     lastID: moves ? "" : nil, servedAt: nil, number: number + 1, isLast: true))
    }

    /// A report's text, or nil when Adyen has not generated it (404).
    private func download(_ file: String) async throws -> String? {
        let path = "/reports/download/MerchantAccount/\(URLBuilder.encode(settings.merchantAccount))/\(file)"
        guard let url = URL(string: settings.baseURL + path) else {
            throw SourceError(source: name, message: "base_url \(settings.baseURL) does not make a valid URL", exitCode: .configuration)
        }
        let request = HTTPRequest(url: url, headers: ["Accept": "text/csv"])
        let response = try await sender.send(limiter: limiters.limiter(for: settings.merchantAccount)) { request.basic($0) }
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw sender.failure(response, call: "GET \(url.host ?? "")\(path)") }
        return String(decoding: response.body, as: UTF8.self)
    }
}

extension AdyenSource {
    /// Adyen in the registry: `"kind": "adyen"`.
    public static let descriptor = SourceDescriptor(
        kind: "adyen", keys: AdyenConfig.keys, documentation: "docs/connectors/adyen.md",
        read: { object, path, reader in AdyenConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            AdyenSource(name: context.name, settings: settings, client: context.client,
                        user: try context.secret(settings.reportUser, key: "report_user", purpose: "to download Adyen reports"),
                        password: try context.secret(settings.reportPassword, key: "report_password", purpose: "to download Adyen reports"))
        }
    )
}
