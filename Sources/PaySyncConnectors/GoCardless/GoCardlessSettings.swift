import PaySyncCore

/// The GoCardless resources a source reads.
public enum GoCardlessResource: String, CaseIterable, Sendable {
    case payments, refunds, subscriptions, mandates

    /// The `include` value that embeds one in an events list.
    var include: String { String(rawValue.dropLast()) }

    var kind: ObjectKind {
        switch self {
        case .payments: .payment
        case .refunds: .refund
        case .subscriptions: .subscription
        case .mandates: .mandate
        }
    }
}

/// A GoCardless source's settings (`"kind": "gocardless"`). `docs/connectors/gocardless.md`.
public struct GoCardlessSettings: SourceSettings, Equatable {
    public static let defaultBaseURL = "https://api.gocardless.com"
    /// The API version every call pins (`GoCardless-Version`): the one place it is named.
    public static let apiVersion = "2015-07-06"
    /// The merchant account a token reads, in object keys (one token, one creditor).
    public static let account = "merchant"

    public var accessToken: SecretReference?
    public var resources: [GoCardlessResource] = GoCardlessResource.allCases
    public var baseURL: String = GoCardlessSettings.defaultBaseURL
    public var overlapSeconds: Int = 300
    public var startDate: CalendarDate?
    /// GoCardless allows 1,000 requests a minute per token (`RateLimit-*` headers); a source uses
    /// at most half of that, and a 429 is waited out until `RateLimit-Reset`.
    public var rateLimit = RateLimitSettings(perMinute: 500, concurrent: 2)
    public var sweep: SweepSettings?

    public init() {}

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "access_token", reference: accessToken, purpose: "to reach GoCardless (a read-only access token from Developers → Create → Access token)")]
    }
}

/// Reads a GoCardless source's keys.
enum GoCardlessConfig {
    static let keys = ["access_token", "resources", "base_url", "overlap_seconds", "start_date", "rate_limit", "sweep"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> GoCardlessSettings? {
        var settings = GoCardlessSettings()
        settings.accessToken = reader.secret(object, "access_token", at: path)
        if object["access_token"] == nil { reader.fail("\(path).access_token", "is required: a GoCardless access token, as {\"env\": …} or {\"file\": …}") }
        if let names = reader.strings(object, "resources", at: path) {
            let options = Dictionary(uniqueKeysWithValues: GoCardlessResource.allCases.map { ($0.rawValue, $0) })
            settings.resources = names.enumerated().compactMap { index, name in reader.choice(name, at: "\(path).resources[\(index)]", from: options, noun: "resource") }
            if names.isEmpty { reader.fail("\(path).resources", "name at least one: \(GoCardlessResource.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 1...86_400) { settings.overlapSeconds = overlap }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        return settings
    }
}
