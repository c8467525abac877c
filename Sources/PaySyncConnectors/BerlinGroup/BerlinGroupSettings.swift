import PaySyncCore

/// A Berlin Group NextGenPSD2 source (`"kind": "berlin-group"`): one bank and one AIS consent,
/// read with the v1.3 AIS API. `docs/connectors/berlin-group.md`.
public struct BerlinGroupSettings: SourceSettings, Equatable {
    /// The bank's API root, under which `/v1/accounts` lives.
    public var baseURL: String
    public var aspsp: String
    public var consentID: String
    /// The consent's `validUntil` as the bank confirmed it.
    public var consentValidUntil: CalendarDate?
    /// Unattended reads the consent allows per account and day (`frequencyPerDay`; 4 unless agreed otherwise).
    public var readsPerDay: Int = 4
    /// For banks using the OAuth SCA approach: a bearer token from a refresh token.
    public var tokenURL: String?
    public var clientID: SecretReference?
    public var clientSecret: SecretReference?
    public var refreshToken: SecretReference?
    public var accounts: [String] = []
    public var overlapDays: Int = 3
    public var startDate: CalendarDate?
    public var rateLimit = RateLimitSettings(perMinute: 30, concurrent: 2)

    public init(baseURL: String, aspsp: String, consentID: String) {
        self.baseURL = baseURL
        self.aspsp = aspsp
        self.consentID = consentID
    }

    public var secrets: [SecretRequirement] {
        tokenURL == nil ? [] : [("client_id", clientID), ("client_secret", clientSecret), ("refresh_token", refreshToken)].map {
            SecretRequirement(key: $0.0, reference: $0.1, purpose: "to reach \(aspsp)'s PSD2 API")
        }
    }
}

enum BerlinGroupConfig {
    static let keys = ["base_url", "aspsp", "consent_id", "consent_valid_until", "reads_per_day", "token_url", "client_id", "client_secret",
                       "refresh_token", "accounts", "overlap_days", "start_date", "rate_limit"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> BerlinGroupSettings? {
        for key in ["base_url", "aspsp", "consent_id"] where object[key] == nil {
            reader.fail("\(path).\(key)", "is required (docs/connectors/berlin-group.md)")
        }
        var settings = BerlinGroupSettings(baseURL: reader.url(object, "base_url", at: path) ?? "", aspsp: reader.string(object, "aspsp", at: path) ?? "",
                                           consentID: reader.string(object, "consent_id", at: path) ?? "")
        settings.consentValidUntil = reader.date(object, "consent_valid_until", at: path)
        if let reads = reader.integer(object, "reads_per_day", at: path, range: 1...100) { settings.readsPerDay = reads }
        settings.tokenURL = reader.url(object, "token_url", at: path)
        settings.clientID = reader.secret(object, "client_id", at: path)
        settings.clientSecret = reader.secret(object, "client_secret", at: path)
        settings.refreshToken = reader.secret(object, "refresh_token", at: path)
        if let accounts = reader.strings(object, "accounts", at: path) { settings.accounts = accounts }
        if let days = reader.integer(object, "overlap_days", at: path, range: 0...30) { settings.overlapDays = days }
        settings.startDate = reader.date(object, "start_date", at: path)
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        return settings
    }
}
