import PaySyncCore

/// The Square lists a source reads (one entity each, per location).
public enum SquareEntity: String, CaseIterable, Sendable {
    case payments, refunds, invoices, disputes

    var kind: ObjectKind {
        switch self {
        case .payments: .payment
        case .refunds: .refund
        case .invoices: .invoice
        case .disputes: .dispute
        }
    }
}

/// A Square source's settings (`"kind": "square"`): a personal access token, or OAuth (client id,
/// secret and refresh token). `docs/connectors/square.md`.
public struct SquareSettings: SourceSettings, Equatable {
    public static let defaultBaseURL = "https://connect.squareup.com"
    /// The API version every call pins (`Square-Version`): the one place it is named.
    public static let apiVersion = "2025-04-16"

    public var accessToken: SecretReference?
    public var clientID: SecretReference?
    public var clientSecret: SecretReference?
    public var refreshToken: SecretReference?
    /// Location ids; empty: every active location `GET /v2/locations` lists.
    public var locations: [String] = []
    public var entities: [SquareEntity] = SquareEntity.allCases
    public var baseURL: String = SquareSettings.defaultBaseURL
    /// Default: `{base_url}/oauth2/token`.
    public var tokenURL: String?
    public var overlapSeconds: Int = 300
    /// A first sync reads payments and refunds created from this day (default: all, back to 1970:
    /// Square's lists otherwise stop at one year back).
    public var startDate: CalendarDate?
    /// Square publishes no numbers; its 429 (`RATE_LIMITED`) is retried with backoff.
    public var rateLimit = RateLimitSettings(perMinute: 600, concurrent: 4)
    public var sweep: SweepSettings?

    public init() {}

    public var usesOAuth: Bool { accessToken == nil }

    public var secrets: [SecretRequirement] {
        if let accessToken {
            return [SecretRequirement(key: "access_token", reference: accessToken, purpose: "to reach Square (a personal access token)")]
        }
        return [
            SecretRequirement(key: "client_id", reference: clientID, purpose: "to refresh Square's OAuth access token"),
            SecretRequirement(key: "client_secret", reference: clientSecret, purpose: "to refresh Square's OAuth access token"),
            SecretRequirement(key: "refresh_token", reference: refreshToken, purpose: "to refresh Square's OAuth access token"),
        ]
    }
}

/// Reads a Square source's keys.
enum SquareConfig {
    static let keys = ["access_token", "client_id", "client_secret", "refresh_token", "locations", "entities", "base_url", "token_url",
                       "overlap_seconds", "start_date", "rate_limit", "sweep"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> SquareSettings? {
        var settings = SquareSettings()
        settings.accessToken = reader.secret(object, "access_token", at: path)
        settings.clientID = reader.secret(object, "client_id", at: path)
        settings.clientSecret = reader.secret(object, "client_secret", at: path)
        settings.refreshToken = reader.secret(object, "refresh_token", at: path)
        let oauth = ["client_id", "client_secret", "refresh_token"].filter { object[$0] != nil }
        if object["access_token"] != nil, !oauth.isEmpty {
            reader.fail(path, "give either access_token (a personal token) or client_id, client_secret and refresh_token (OAuth), not both")
        } else if object["access_token"] == nil, oauth.count != 3 {
            reader.fail(path, "needs access_token (a personal access token), or client_id, client_secret and refresh_token (OAuth)")
        }
        if let locations = reader.strings(object, "locations", at: path) { settings.locations = locations }
        if let entities: [SquareEntity] = PollingSourceConfig.entities(object, at: path, reader: &reader) { settings.entities = entities }
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let url = reader.url(object, "token_url", at: path) { settings.tokenURL = url }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 1...86_400) { settings.overlapSeconds = overlap }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        return settings
    }
}
