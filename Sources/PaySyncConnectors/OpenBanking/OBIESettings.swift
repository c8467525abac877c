import PaySyncCore

/// A UK Open Banking source (`"kind": "obie"`): one bank (ASPSP) and one account-access consent,
/// read with the Account and Transaction API v3.1. `docs/connectors/open-banking.md`.
public struct OBIESettings: SourceSettings, Equatable {
    /// The bank's AISP base, `https://<aspsp>/open-banking/v3.1/aisp`.
    public var baseURL: String
    /// The bank's name, for messages (`consent for ASPSP Alpha Bank expired on …`).
    public var aspsp: String
    public var tokenURL: String
    public var clientID: SecretReference?
    public var clientSecret: SecretReference?
    /// The refresh token the person's authorisation of the consent gave.
    public var refreshToken: SecretReference?
    public var consentID: String
    /// The consent's `ExpirationDateTime`, as the bank confirmed it (none: open-ended).
    public var consentExpires: Timestamp?
    /// Account ids to read; empty: every account `GET /accounts` lists.
    public var accounts: [String] = []
    public var overlapDays: Int = 3
    public var startDate: CalendarDate?
    public var rateLimit = RateLimitSettings(perMinute: 30, concurrent: 2)

    public init(baseURL: String, aspsp: String, tokenURL: String, consentID: String) {
        self.baseURL = baseURL
        self.aspsp = aspsp
        self.tokenURL = tokenURL
        self.consentID = consentID
    }

    public var secrets: [SecretRequirement] {
        [("client_id", clientID), ("client_secret", clientSecret), ("refresh_token", refreshToken)].map {
            SecretRequirement(key: $0.0, reference: $0.1, purpose: "to reach \(aspsp)'s Open Banking API")
        }
    }
}

enum OBIEConfig {
    static let keys = ["base_url", "aspsp", "token_url", "client_id", "client_secret", "refresh_token", "consent_id", "consent_expires",
                       "accounts", "overlap_days", "start_date", "rate_limit"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> OBIESettings? {
        let base = reader.url(object, "base_url", at: path) ?? ""
        let tokenURL = reader.url(object, "token_url", at: path) ?? ""
        for key in ["base_url", "aspsp", "token_url", "consent_id"] where object[key] == nil {
            reader.fail("\(path).\(key)", "is required (docs/connectors/open-banking.md)")
        }
        var settings = OBIESettings(baseURL: base, aspsp: reader.string(object, "aspsp", at: path) ?? "", tokenURL: tokenURL,
                                    consentID: reader.string(object, "consent_id", at: path) ?? "")
        settings.clientID = reader.secret(object, "client_id", at: path)
        settings.clientSecret = reader.secret(object, "client_secret", at: path)
        settings.refreshToken = reader.secret(object, "refresh_token", at: path)
        if let text = reader.string(object, "consent_expires", at: path) {
            if let time = Timestamp(iso: text) { settings.consentExpires = time } else { reader.fail("\(path).consent_expires", "\"\(text)\" is not an ISO 8601 date-time") }
        }
        if let accounts = reader.strings(object, "accounts", at: path) { settings.accounts = accounts }
        if let days = reader.integer(object, "overlap_days", at: path, range: 0...30) { settings.overlapDays = days }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        return settings
    }
}
