import PaySyncCore

/// The Braintree searches a source runs.
public enum BraintreeEntity: String, CaseIterable, Sendable {
    case transactions, refunds, disputes

    var kind: ObjectKind {
        switch self {
        case .transactions: .payment
        case .refunds: .refund
        case .disputes: .dispute
        }
    }
}

/// A Braintree source's settings (`"kind": "braintree"`): an API key pair for the GraphQL API.
/// `docs/connectors/braintree.md`.
public struct BraintreeSettings: SourceSettings, Equatable {
    public static let defaultURL = "https://payments.braintree-api.com/graphql"
    /// The pinned API version (`Braintree-Version`), in one place.
    public static let apiVersion = "2024-08-01"
    public static let account = "merchant"

    public var publicKey: SecretReference?
    public var privateKey: SecretReference?
    public var url: String = BraintreeSettings.defaultURL
    public var entities: [BraintreeEntity] = BraintreeEntity.allCases
    public var overlapSeconds: Int = 600
    public var startDate: CalendarDate?
    /// Each search covers at most this many hours; a window whose results reach `resultCap` is
    /// split in halves and searched again.
    public var windowHours: Int = 24
    /// Braintree caps a search's results (20,000, as reported for its search API).
    public var resultCap: Int = 20_000
    public var rateLimit = RateLimitSettings(perMinute: 600, concurrent: 1)
    public var sweep: SweepSettings?

    public init() {}

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "public_key", reference: publicKey, purpose: "to reach Braintree (Settings → API → API Keys)"),
         SecretRequirement(key: "private_key", reference: privateKey, purpose: "to reach Braintree")]
    }
}

enum BraintreeConfig {
    static let keys = ["public_key", "private_key", "url", "entities", "overlap_seconds", "start_date", "window_hours", "result_cap", "rate_limit", "sweep"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> BraintreeSettings? {
        var settings = BraintreeSettings()
        settings.publicKey = reader.secret(object, "public_key", at: path)
        settings.privateKey = reader.secret(object, "private_key", at: path)
        if object["public_key"] == nil { reader.fail("\(path).public_key", "is required: the API key's public key, as {\"env\": …} or {\"file\": …}") }
        if object["private_key"] == nil { reader.fail("\(path).private_key", "is required: the API key's private key, as {\"env\": …} or {\"file\": …}") }
        if let url = reader.url(object, "url", at: path) { settings.url = url }
        if let entities: [BraintreeEntity] = PollingSourceConfig.entities(object, at: path, reader: &reader) { settings.entities = entities }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 0...604_800) { settings.overlapSeconds = overlap }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let hours = reader.integer(object, "window_hours", at: path, range: 1...744) { settings.windowHours = hours }
        if let cap = reader.integer(object, "result_cap", at: path, range: 2...1_000_000) { settings.resultCap = cap }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        return settings
    }
}
