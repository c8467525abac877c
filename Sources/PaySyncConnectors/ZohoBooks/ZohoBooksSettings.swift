import PaySyncCore

/// The Zoho Books lists a source reads.
public enum ZohoBooksEntity: String, CaseIterable, Sendable {
    case invoices, payments, creditNotes = "credit_notes"

    var path: String {
        switch self {
        case .invoices: "/invoices"
        case .payments: "/customerpayments"
        case .creditNotes: "/creditnotes"
        }
    }

    /// The list's key in an answer, as converted from snake case (payments: both spellings).
    var listKeys: [String] {
        switch self {
        case .invoices: ["invoices"]
        case .payments: ["customerpayments", "customerPayments"]
        case .creditNotes: ["creditnotes"]
        }
    }

    var kind: ObjectKind {
        switch self {
        case .invoices: .invoice
        case .payments: .payment
        case .creditNotes: .creditNote
        }
    }
}

/// A Zoho Books source's settings (`"kind": "zoho-books"`): one organisation, through Zoho's
/// OAuth (the data centre's accounts server; API calls go to the token's `api_domain`).
/// `docs/connectors/zoho-books.md`.
public struct ZohoBooksSettings: PollingSourceSettings, Equatable {
    public static let defaultTokenURL = "https://accounts.zoho.com/oauth/v2/token"
    public static let defaultAuthorizeURL = "https://accounts.zoho.com/oauth/v2/auth"

    public var organizationID: String
    public var clientID: SecretReference?
    public var clientSecret: SecretReference?
    public var refreshToken: SecretReference?
    /// Empty: the API host the token response names (`api_domain`), then `/books/v3`.
    public var baseURL: String = ""
    public var tokenURL: String = ZohoBooksSettings.defaultTokenURL
    public var authorizeURL: String = ZohoBooksSettings.defaultAuthorizeURL
    public var entities: [ZohoBooksEntity] = ZohoBooksEntity.allCases
    /// `per_page`: at most 200.
    public var pageSize: Int = 200
    public var overlapSeconds: Int = 300
    /// The organisation's time zone, for which invoices are overdue today.
    public var timeZone: String = "UTC"
    /// Zoho Books: 100 requests a minute per organisation.
    public var rateLimit = RateLimitSettings(perMinute: 100, concurrent: 2)
    public var sweep: SweepSettings?
    public var startDate: CalendarDate?

    public init(organizationID: String) {
        self.organizationID = organizationID
    }

    public var secrets: [SecretRequirement] {
        [("client_id", clientID), ("client_secret", clientSecret), ("refresh_token", refreshToken)].map {
            SecretRequirement(key: $0.0, reference: $0.1, purpose: "to reach Zoho Books")
        }
    }
}

enum ZohoBooksConfig {
    static let keys = ["organization_id", "entities"] + PollingSourceConfig.keys

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> ZohoBooksSettings? {
        guard let organization = reader.string(object, "organization_id", at: path, required: true) else { return nil }
        var settings = ZohoBooksSettings(organizationID: organization)
        PollingSourceConfig.read(object, at: path, reader: &reader, into: &settings, maximumPageSize: 200)
        for key in ["client_id", "client_secret", "refresh_token"] where object[key] == nil {
            reader.fail("\(path).\(key)", "is required: the Zoho API console client's \(key.replacingOccurrences(of: "_", with: " ")), as {\"env\": …} or {\"file\": …}")
        }
        if settings.baseURL.hasSuffix("/") { settings.baseURL.removeLast() }
        if let entities: [ZohoBooksEntity] = PollingSourceConfig.entities(object, at: path, reader: &reader) { settings.entities = entities }
        return settings
    }
}
