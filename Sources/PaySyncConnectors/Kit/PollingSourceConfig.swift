import PaySyncCore

/// The settings every OAuth-authorised polling source has, whatever its provider: credentials,
/// endpoints, paging, the overlap, the account's time zone, limits, the sweep and a start date.
public protocol PollingSourceSettings: SourceSettings {
    var clientID: SecretReference? { get set }
    var clientSecret: SecretReference? { get set }
    var refreshToken: SecretReference? { get set }
    var baseURL: String { get set }
    var tokenURL: String { get set }
    var authorizeURL: String { get set }
    var pageSize: Int { get set }
    var overlapSeconds: Int { get set }
    var timeZone: String { get set }
    var rateLimit: RateLimitSettings { get set }
    var sweep: SweepSettings? { get set }
    var startDate: CalendarDate? { get set }
}

/// Reads those keys the same way for every provider, so they mean the same thing everywhere
/// (`docs/configuration.md`).
public enum PollingSourceConfig {
    /// The keys read here.
    public static let keys = [
        "client_id", "client_secret", "refresh_token", "base_url", "token_url", "authorize_url",
        "page_size", "overlap_seconds", "timezone", "rate_limit", "sweep", "start_date",
    ]

    public static func read<Settings: PollingSourceSettings>(_ object: JSONObject, at path: String, reader: inout ConfigReader,
                                                             into settings: inout Settings, maximumPageSize: Int) {
        settings.clientID = reader.secret(object, "client_id", at: path)
        settings.clientSecret = reader.secret(object, "client_secret", at: path)
        settings.refreshToken = reader.secret(object, "refresh_token", at: path)
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let url = reader.url(object, "token_url", at: path) { settings.tokenURL = url }
        if let url = reader.url(object, "authorize_url", at: path) { settings.authorizeURL = url }
        if let size = reader.integer(object, "page_size", at: path, range: 1...maximumPageSize) { settings.pageSize = size }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 1...86400) { settings.overlapSeconds = overlap }
        if let zone = reader.timeZone(object, "timezone", at: path) { settings.timeZone = zone }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
    }

    /// `entities`: names from the provider's entity enum, each checked with a suggestion.
    public static func entities<Entity: RawRepresentable & CaseIterable>(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> [Entity]?
    where Entity.RawValue == String {
        guard let names = reader.strings(object, "entities", at: path) else { return nil }
        let options = Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0.rawValue, $0) })
        return names.enumerated().compactMap { index, name in
            reader.choice(name, at: "\(path).entities[\(index)]", from: options, noun: "entity")
        }
    }
}
