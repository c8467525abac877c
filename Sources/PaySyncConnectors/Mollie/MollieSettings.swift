import PaySyncCore

/// The Mollie lists a source reads.
public enum MollieEntity: String, CaseIterable, Sendable {
    case payments, refunds, chargebacks

    var path: String { "/v2/\(rawValue)" }

    var kind: ObjectKind {
        switch self {
        case .payments: .payment
        case .refunds: .refund
        case .chargebacks: .dispute
        }
    }
}

/// A Mollie source's settings (`"kind": "mollie"`): a profile's API key. `docs/connectors/mollie.md`.
public struct MollieSettings: SourceSettings, Equatable {
    public static let defaultBaseURL = "https://api.mollie.com"
    /// The profile a key reads, in object keys.
    public static let account = "profile"

    public var apiKey: SecretReference?
    public var entities: [MollieEntity] = MollieEntity.allCases
    public var baseURL: String = MollieSettings.defaultBaseURL
    /// How far before the cursor each walk reads (Mollie lists newest first, by creation).
    public var overlapSeconds: Int = 3_600
    public var startDate: CalendarDate?
    public var rateLimit = RateLimitSettings(perMinute: 600, concurrent: 2)
    public var sweep: SweepSettings?

    public init() {}

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "api_key", reference: apiKey, purpose: "to reach Mollie (a profile's API key, live_… or test_…)")]
    }
}

enum MollieConfig {
    static let keys = ["api_key", "entities", "base_url", "overlap_seconds", "start_date", "rate_limit", "sweep"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> MollieSettings? {
        var settings = MollieSettings()
        settings.apiKey = reader.secret(object, "api_key", at: path)
        if object["api_key"] == nil { reader.fail("\(path).api_key", "is required: a Mollie profile API key, as {\"env\": …} or {\"file\": …}") }
        if let entities: [MollieEntity] = PollingSourceConfig.entities(object, at: path, reader: &reader) { settings.entities = entities }
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 1...604_800) { settings.overlapSeconds = overlap }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        return settings
    }
}
