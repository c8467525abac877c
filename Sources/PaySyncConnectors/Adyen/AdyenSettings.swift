import PaySyncCore

/// An Adyen source's settings (`"kind": "adyen"`): a merchant account's daily payment
/// accounting reports, downloaded with a report user's credentials. `docs/connectors/adyen.md`.
public struct AdyenSettings: SourceSettings, Equatable {
    public static let defaultBaseURL = "https://ca-live.adyen.com"
    public static let entity = "payments"

    public var merchantAccount: String
    public var reportUser: SecretReference?
    public var reportPassword: SecretReference?
    public var baseURL: String = AdyenSettings.defaultBaseURL
    /// The first day whose report a first sync reads; 7 days back when not given.
    public var startDate: CalendarDate?
    public var rateLimit = RateLimitSettings(perMinute: 60, concurrent: 1)
    public var sweep: SweepSettings?

    public init(merchantAccount: String) {
        self.merchantAccount = merchantAccount
    }

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "report_user", reference: reportUser, purpose: "to download Adyen reports (a report user, ws… or report@Company.…)"),
         SecretRequirement(key: "report_password", reference: reportPassword, purpose: "to download Adyen reports")]
    }

    /// The daily report's file name for a day.
    public static func fileName(for day: CalendarDate) -> String {
        "payments_accounting_report_" + day.description.replacingOccurrences(of: "-", with: "_") + ".csv"
    }
}

enum AdyenConfig {
    static let keys = ["merchant_account", "report_user", "report_password", "base_url", "start_date", "rate_limit", "sweep"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> AdyenSettings? {
        let account = reader.string(object, "merchant_account", at: path, required: true)
        let user = reader.secret(object, "report_user", at: path)
        let password = reader.secret(object, "report_password", at: path)
        if object["report_user"] == nil { reader.fail("\(path).report_user", "is required: the report user's name, as {\"env\": …} or {\"file\": …}") }
        if object["report_password"] == nil { reader.fail("\(path).report_password", "is required: the report user's password, as {\"env\": …} or {\"file\": …}") }
        guard let account else { return nil }
        var settings = AdyenSettings(merchantAccount: account)
        settings.reportUser = user
        settings.reportPassword = password
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        return settings
    }
}
