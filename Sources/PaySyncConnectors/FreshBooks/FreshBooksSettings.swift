import PaySyncCore

/// The FreshBooks lists a source reads.
public enum FreshBooksEntity: String, CaseIterable, Sendable {
    case invoices, payments

    func path(account: String) -> String {
        switch self {
        case .invoices: "/accounting/account/\(account)/invoices/invoices"
        case .payments: "/accounting/account/\(account)/payments/payments"
        }
    }

    var kind: ObjectKind { self == .invoices ? .invoice : .payment }
}

/// A FreshBooks source's settings (`"kind": "freshbooks"`): the businesses a user's OAuth grant
/// reaches (or one, by `account_id`). `docs/connectors/freshbooks.md`.
public struct FreshBooksSettings: PollingSourceSettings, Equatable {
    public static let defaultBaseURL = "https://api.freshbooks.com"
    public static let defaultTokenURL = "https://api.freshbooks.com/auth/oauth/token"
    public static let defaultAuthorizeURL = "https://auth.freshbooks.com/oauth/authorize"

    /// One business's account id; nil reads every business the user belongs to.
    public var accountID: String?
    public var clientID: SecretReference?
    public var clientSecret: SecretReference?
    public var refreshToken: SecretReference?
    /// The app's redirect URI, which FreshBooks asks for with every token request.
    public var redirectURI: String = ""
    public var baseURL: String = FreshBooksSettings.defaultBaseURL
    public var tokenURL: String = FreshBooksSettings.defaultTokenURL
    public var authorizeURL: String = FreshBooksSettings.defaultAuthorizeURL
    public var entities: [FreshBooksEntity] = FreshBooksEntity.allCases
    /// `per_page`: at most 100.
    public var pageSize: Int = 100
    public var overlapSeconds: Int = 300
    /// The business's time zone, for which invoices are overdue today.
    public var timeZone: String = "America/New_York"
    /// FreshBooks publishes no limits (its SDK retries 429 and 5xx): a polite default.
    public var rateLimit = RateLimitSettings(perMinute: 120, concurrent: 2)
    public var sweep: SweepSettings?
    public var startDate: CalendarDate?

    public init() {}

    public var secrets: [SecretRequirement] {
        [("client_id", clientID), ("client_secret", clientSecret), ("refresh_token", refreshToken)].map {
            SecretRequirement(key: $0.0, reference: $0.1, purpose: "to reach FreshBooks")
        }
    }
}

enum FreshBooksConfig {
    static let keys = ["account_id", "redirect_uri", "entities"] + PollingSourceConfig.keys

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> FreshBooksSettings? {
        var settings = FreshBooksSettings()
        settings.accountID = reader.string(object, "account_id", at: path)
        if let redirect = reader.url(object, "redirect_uri", at: path) { settings.redirectURI = redirect }
        if object["redirect_uri"] == nil { reader.fail("\(path).redirect_uri", "is required: the app's redirect URI as registered with FreshBooks (its token requests carry it)") }
        PollingSourceConfig.read(object, at: path, reader: &reader, into: &settings, maximumPageSize: 100)
        for key in ["client_id", "client_secret", "refresh_token"] where object[key] == nil {
            reader.fail("\(path).\(key)", "is required: the FreshBooks app's \(key.replacingOccurrences(of: "_", with: " ")), as {\"env\": …} or {\"file\": …}")
        }
        if settings.baseURL.hasSuffix("/") { settings.baseURL.removeLast() }
        if let entities: [FreshBooksEntity] = PollingSourceConfig.entities(object, at: path, reader: &reader) { settings.entities = entities }
        return settings
    }
}
