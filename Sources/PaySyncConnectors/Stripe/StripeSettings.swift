import PaySyncCore

/// The Stripe object lists a source reads: the config's `objects`, and the list endpoints a
/// re-list and a backfill page through.
public enum StripeObjectList: String, CaseIterable, Sendable {
    case paymentIntents = "payment_intents"
    case charges
    case refunds
    case disputes
    case invoices
    case subscriptions
    case checkoutSessions = "checkout_sessions"

    var path: String {
        switch self {
        case .checkoutSessions: "/v1/checkout/sessions"
        default: "/v1/\(rawValue)"
        }
    }

    /// Extra filters each list needs to show everything (canceled subscriptions are left out
    /// unless asked for).
    var filters: [(String, String)] {
        self == .subscriptions ? [("status", "all")] : []
    }

    var kinds: [ObjectKind] {
        switch self {
        case .paymentIntents, .charges: [.payment]
        case .refunds: [.refund]
        case .disputes: [.dispute]
        case .invoices: [.invoice]
        case .subscriptions: [.subscription]
        case .checkoutSessions: [.paymentLink]
        }
    }

    /// The event `type` prefixes whose objects belong to this list.
    var eventObject: String {
        switch self {
        case .paymentIntents: "payment_intent"
        case .charges: "charge"
        case .refunds: "refund"
        case .disputes: "dispute"
        case .invoices: "invoice"
        case .subscriptions: "subscription"
        case .checkoutSessions: "checkout.session"
        }
    }
}

/// A Stripe source's settings (`"kind": "stripe"`). `docs/connectors/stripe.md`.
public struct StripeSettings: SourceSettings, Equatable {
    public static let defaultBaseURL = "https://api.stripe.com"
    /// The API version every call pins (`Stripe-Version`): the one place it is named.
    public static let apiVersion = "2024-06-20"
    /// The account the secret key belongs to, in object keys (no `Stripe-Account` header).
    public static let ownAccount = "self"

    public var secretKey: SecretReference?
    /// `self` and/or connected accounts (`acct_…`, read with `Stripe-Account`).
    public var accounts: [String] = [StripeSettings.ownAccount]
    public var objects: [StripeObjectList] = StripeObjectList.allCases
    public var baseURL: String = StripeSettings.defaultBaseURL
    /// Subtracted from the cursor on each run: events Stripe lists a little after their `created`.
    public var overlapSeconds: Int = 300
    /// A first sync (and a re-list) reads objects created from this day on (default: everything).
    public var startDate: CalendarDate?
    /// Stripe allows 100 operations a second in live mode and 25 in test mode; a source stays
    /// well under both, and a 429 is waited out as Stripe says (`Retry-After`, `Stripe-Should-Retry`).
    public var rateLimit = RateLimitSettings(perMinute: 1200, concurrent: 4)
    public var sweep: SweepSettings?

    public init() {}

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "secret_key", reference: secretKey, purpose: "to reach Stripe (a restricted key with read access, rk_live_… or sk_live_…)")]
    }
}

/// Reads a Stripe source's keys.
enum StripeConfig {
    static let keys = ["secret_key", "accounts", "objects", "base_url", "overlap_seconds", "start_date", "rate_limit", "sweep"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> StripeSettings? {
        var settings = StripeSettings()
        settings.secretKey = reader.secret(object, "secret_key", at: path)
        if object["secret_key"] == nil { reader.fail("\(path).secret_key", "is required: a Stripe secret or restricted key, as {\"env\": …} or {\"file\": …}") }
        if let accounts = reader.strings(object, "accounts", at: path) {
            for (index, account) in accounts.enumerated() where !isAccount(account) {
                reader.fail("\(path).accounts[\(index)]", "\"\(account)\" is not \"self\" or a connected account id (acct_…)")
            }
            if accounts.isEmpty { reader.fail("\(path).accounts", "name at least one account: \"self\", or connected accounts (acct_…)") }
            if Set(accounts).count != accounts.count { reader.fail("\(path).accounts", "names an account twice") }
            settings.accounts = accounts
        }
        if let names = reader.strings(object, "objects", at: path) {
            let options = Dictionary(uniqueKeysWithValues: StripeObjectList.allCases.map { ($0.rawValue, $0) })
            settings.objects = names.enumerated().compactMap { index, name in reader.choice(name, at: "\(path).objects[\(index)]", from: options, noun: "object list") }
            if names.isEmpty { reader.fail("\(path).objects", "name at least one: \(StripeObjectList.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 1...86_400) { settings.overlapSeconds = overlap }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        return settings
    }

    static func isAccount(_ text: String) -> Bool {
        text == StripeSettings.ownAccount
            || (text.hasPrefix("acct_") && text.count > 5 && text.dropFirst(5).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
    }
}
