import PaySyncCore

/// The QuickBooks Online entities paysync reads.
public enum QuickBooksEntity: String, Sendable, CaseIterable {
    case invoices
    case payments
    /// Credit owed to customers; one naming the invoice it was issued for refunds that invoice.
    case creditMemos = "credit_memos"
    /// Money paid back to customers (opt-in: `"entities"` must name it).
    case refundReceipts = "refund_receipts"

    /// What a source reads when its config does not say.
    public static let defaults: [QuickBooksEntity] = [.invoices, .payments, .creditMemos]

    /// The object kind the entity's objects are.
    public var kind: ObjectKind {
        switch self {
        case .invoices: .invoice
        case .payments: .payment
        case .creditMemos: .creditNote
        case .refundReceipts: .refund
        }
    }

    /// The entity's name in the query language (`SELECT * FROM Invoice`).
    public var table: String {
        switch self {
        case .invoices: "Invoice"
        case .payments: "Payment"
        case .creditMemos: "CreditMemo"
        case .refundReceipts: "RefundReceipt"
        }
    }
}

/// A QuickBooks Online source's settings (`sources[i]` with `"kind": "quickbooks"`): one company
/// (realm) per entry, since Intuit issues a refresh token per company; several companies are
/// several entries, each with its own token, cursor and limiter. `docs/connectors/quickbooks.md`.
public struct QuickBooksSettings: PollingSourceSettings {
    public static let defaultBaseURL = "https://quickbooks.api.intuit.com"
    public static let defaultTokenURL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
    public static let defaultAuthorizeURL = "https://appcenter.intuit.com/connect/oauth2"
    /// The API minor version every call asks for, pinned here and nowhere else. Intuit stopped
    /// serving minor versions 1–74 on 1 August 2025.
    public static let minorVersion = 75

    /// The company's id (`realmId`), as the OAuth redirect gave it.
    public var realmID: String
    public var clientID: SecretReference?
    public var clientSecret: SecretReference?
    public var refreshToken: SecretReference?
    public var baseURL: String = QuickBooksSettings.defaultBaseURL
    public var tokenURL: String = QuickBooksSettings.defaultTokenURL
    /// Where `paysync auth` sends a person to consent.
    public var authorizeURL: String = QuickBooksSettings.defaultAuthorizeURL
    public var entities: [QuickBooksEntity] = QuickBooksEntity.defaults
    /// Rows per query page (`MAXRESULTS`); QuickBooks allows up to 1000.
    public var pageSize: Int = 1000
    /// How far before the cursor each incremental run re-reads: `LastUpdatedTime` has whole
    /// seconds, and offset pages can shift while rows change.
    public var overlapSeconds: Int = 300
    /// The company's time zone, for deciding which invoices are overdue today.
    public var timeZone: String = "UTC"
    /// Intuit's documented limits per company: 500 requests a minute, 10 at once.
    public var rateLimit = RateLimitSettings(perMinute: 500, concurrent: 10)
    public var sweep: SweepSettings?
    /// The first run reads objects modified since this day (default: everything).
    public var startDate: CalendarDate?

    public init(realmID: String) {
        self.realmID = realmID
    }

    public var secrets: [SecretRequirement] {
        [("client_id", clientID), ("client_secret", clientSecret), ("refresh_token", refreshToken)].map {
            SecretRequirement(key: $0.0, reference: $0.1, purpose: "to reach QuickBooks")
        }
    }
}
