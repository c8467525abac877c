import PaySyncCore

/// A Wise source's settings (`"kind": "wise"`): an API token and the profiles to read (all the
/// token reaches, by default). `docs/connectors/wise.md`.
public struct WiseSettings: SourceSettings, Equatable {
    public static let defaultBaseURL = "https://api.wise.com"

    public var token: SecretReference?
    /// Profile ids; empty: every profile `GET /v2/profiles` lists.
    public var profiles: [String] = []
    public var baseURL: String = WiseSettings.defaultBaseURL
    /// How far back each run reads again before its cursor (late and back-dated bookings).
    public var overlapDays: Int = 3
    /// The first run reads from this day (default: 90 days back).
    public var startDate: CalendarDate?
    /// Wise publishes no numeric limit; it answers 429 with `Retry-After`, which the kit honours.
    public var rateLimit = RateLimitSettings(perMinute: 60, concurrent: 2)

    public init() {}

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "token", reference: token, purpose: "to reach Wise (an API token from Settings → API tokens)")]
    }
}

/// Reads a Wise source's keys.
enum WiseConfig {
    static let keys = ["token", "profiles", "base_url", "overlap_days", "start_date", "rate_limit"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> WiseSettings? {
        var settings = WiseSettings()
        settings.token = reader.secret(object, "token", at: path)
        if object["token"] == nil { reader.fail("\(path).token", "is required: a Wise API token, as {\"env\": …} or {\"file\": …}") }
        if let profiles = reader.strings(object, "profiles", at: path) {
            for (index, profile) in profiles.enumerated() where !profile.allSatisfy(\.isNumber) {
                reader.fail("\(path).profiles[\(index)]", "a Wise profile id is digits only")
            }
            settings.profiles = profiles
        }
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let days = reader.integer(object, "overlap_days", at: path, range: 0...30) { settings.overlapDays = days }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        return settings
    }
}
