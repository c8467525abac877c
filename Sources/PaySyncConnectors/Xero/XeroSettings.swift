import PaySyncCore

/// The Xero entities paysync reads.
public enum XeroEntity: String, Sendable, CaseIterable {
    case invoices
    case payments
    /// Sales credit notes, their allocations and cash refunds: what links a refund to an invoice.
    case creditNotes = "credit_notes"
    /// Money received through a bank account (opt-in: `"entities"` must name it).
    case bankTransactions = "bank_transactions"

    /// What a source reads when its config does not say.
    public static let defaults: [XeroEntity] = [.invoices, .payments, .creditNotes]

    /// The resource path under the API base URL.
    public var resource: String {
        switch self {
        case .invoices: "Invoices"
        case .payments: "Payments"
        case .creditNotes: "CreditNotes"
        case .bankTransactions: "BankTransactions"
        }
    }
}

/// A Xero source's settings (`sources[i]` with `"kind": "xero"`); `docs/connectors/xero.md`.
public struct XeroSettings: PollingSourceSettings {
    public static let defaultBaseURL = "https://api.xero.com/api.xro/2.0"
    public static let defaultTokenURL = "https://identity.xero.com/connect/token"
    public static let defaultAuthorizeURL = "https://login.xero.com/identity/connect/authorize"

    public var tenants: [String]
    /// `"tenants": "all"`: every organisation the authorisation reaches, listed by
    /// `GET /connections` at the start of each run.
    public var allTenants = false
    public var clientID: SecretReference?
    public var clientSecret: SecretReference?
    public var refreshToken: SecretReference?
    public var baseURL: String = XeroSettings.defaultBaseURL
    public var tokenURL: String = XeroSettings.defaultTokenURL
    /// Where `paysync auth` sends a person to consent.
    public var authorizeURL: String = XeroSettings.defaultAuthorizeURL
    public var entities: [XeroEntity] = XeroEntity.defaults
    /// Objects per page; Xero allows up to 1000 since July 2024.
    public var pageSize: Int = 1000
    /// How far before the cursor each incremental run starts re-reading (boundary safety).
    public var overlapSeconds: Int = 60
    /// The organisation's time zone, for deciding which invoices are overdue today.
    public var timeZone: String = "UTC"
    /// Xero's documented limits per tenant: 60 calls a minute, 5 at once.
    public var rateLimit = RateLimitSettings(perMinute: 60, concurrent: 5)
    public var sweep: SweepSettings?
    /// The first run reads objects modified since this day (default: everything).
    public var startDate: CalendarDate?

    public init(tenants: [String]) {
        self.tenants = tenants
    }

    public var secrets: [SecretRequirement] {
        [("client_id", clientID), ("client_secret", clientSecret), ("refresh_token", refreshToken)].map {
            SecretRequirement(key: $0.0, reference: $0.1, purpose: "to reach Xero")
        }
    }
}
