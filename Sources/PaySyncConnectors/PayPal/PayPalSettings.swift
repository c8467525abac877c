import PaySyncCore

/// The PayPal lists a source reads.
public enum PayPalEntity: String, CaseIterable, Sendable {
    case transactions, disputes, invoices
}

/// A PayPal source's settings (`"kind": "paypal"`): a REST app's client id and secret (OAuth
/// client credentials). `docs/connectors/paypal.md`.
public struct PayPalSettings: SourceSettings, Equatable {
    public static let defaultBaseURL = "https://api-m.paypal.com"
    /// The merchant account an app's credentials read, in object keys.
    public static let account = "merchant"

    public var clientID: SecretReference?
    public var clientSecret: SecretReference?
    public var entities: [PayPalEntity] = PayPalEntity.allCases
    public var baseURL: String = PayPalSettings.defaultBaseURL
    /// Default: `{base_url}/v1/oauth2/token`.
    public var tokenURL: String?
    /// Read again before the cursor (the cursor is already PayPal's own "complete up to" time).
    public var overlapSeconds: Int = 900
    /// A first sync reads from this day (default: the three years PayPal keeps).
    public var startDate: CalendarDate?
    /// PayPal publishes no limits (about 50 a minute is reported); its 429 is retried with backoff.
    public var rateLimit = RateLimitSettings(perMinute: 40, concurrent: 2)
    public var sweep: SweepSettings?

    public init() {}

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "client_id", reference: clientID, purpose: "to reach PayPal (a REST app's client id)"),
         SecretRequirement(key: "client_secret", reference: clientSecret, purpose: "to reach PayPal (the app's secret)")]
    }
}

enum PayPalConfig {
    static let keys = ["client_id", "client_secret", "entities", "base_url", "token_url", "overlap_seconds", "start_date", "rate_limit", "sweep"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> PayPalSettings? {
        var settings = PayPalSettings()
        settings.clientID = reader.secret(object, "client_id", at: path)
        settings.clientSecret = reader.secret(object, "client_secret", at: path)
        for key in ["client_id", "client_secret"] where object[key] == nil {
            reader.fail("\(path).\(key)", "is required: the PayPal REST app's \(key == "client_id" ? "client id" : "secret"), as {\"env\": …} or {\"file\": …}")
        }
        if let entities: [PayPalEntity] = PollingSourceConfig.entities(object, at: path, reader: &reader) { settings.entities = entities }
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let url = reader.url(object, "token_url", at: path) { settings.tokenURL = url }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 1...86_400) { settings.overlapSeconds = overlap }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        return settings
    }
}
