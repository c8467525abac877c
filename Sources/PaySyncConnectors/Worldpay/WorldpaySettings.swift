import PaySyncCore

/// A Worldpay source's settings (`"kind": "worldpay"`): Access Worldpay's Payment Queries API with
/// a merchant's Basic-auth API credentials. `docs/connectors/worldpay.md`.
public struct WorldpaySettings: SourceSettings, Equatable {
    public static let defaultBaseURL = "https://access.worldpay.com"
    public static let entity = "payments"
    /// Payment Queries refuses a `startDate` more than a year back (`startDateTooOld`); paysync
    /// asks for a day less, so a slow run never crosses it.
    public static let horizonDays = 364
    /// The first day Payment Queries holds ("payments processed after 25 June 2024").
    public static let firstDay = CalendarDate(iso: "2024-06-25")!

    public var username: SecretReference?
    public var password: SecretReference?
    /// Only these merchant entities (`entityReferences`); all the credentials see when empty.
    public var entities: [String] = []
    public var baseURL: String = WorldpaySettings.defaultBaseURL
    /// How long after a payment paysync first asks for it: Payment Queries "may" take up to 60
    /// seconds to show one, so the window ends this long before now.
    public var lagSeconds: Int = 300
    /// A first sync's first day; 30 days back when not given (each new payment costs one read).
    public var startDate: CalendarDate?
    /// How far back refunds of paid payments are looked for (at most the API's year).
    public var refundDays: Int = WorldpaySettings.horizonDays
    /// Unpublished by Worldpay: a polite default.
    public var rateLimit = RateLimitSettings(perMinute: 300, concurrent: 2)
    public var sweep: SweepSettings?

    public init() {}

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "username", reference: username, purpose: "to reach Access Worldpay (the API username from the Worldpay Dashboard)"),
         SecretRequirement(key: "password", reference: password, purpose: "to reach Access Worldpay (the API password)")]
    }
}

enum WorldpayConfig {
    static let keys = ["username", "password", "entities", "base_url", "lag_seconds", "start_date", "refund_days", "rate_limit", "sweep"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> WorldpaySettings? {
        var settings = WorldpaySettings()
        settings.username = reader.secret(object, "username", at: path)
        settings.password = reader.secret(object, "password", at: path)
        if object["username"] == nil { reader.fail("\(path).username", "is required: the Access Worldpay API username, as {\"env\": …} or {\"file\": …}") }
        if object["password"] == nil { reader.fail("\(path).password", "is required: the Access Worldpay API password, as {\"env\": …} or {\"file\": …}") }
        if let entities = reader.strings(object, "entities", at: path) { settings.entities = entities }
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url }
        if let lag = reader.integer(object, "lag_seconds", at: path, range: 60...86_400) { settings.lagSeconds = lag }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let days = reader.integer(object, "refund_days", at: path, range: 1...WorldpaySettings.horizonDays) { settings.refundDays = days }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        return settings
    }
}
