import PaySyncCore

/// An Authorize.Net source's settings (`"kind": "authorize-net"`): the merchant's API login id
/// and transaction key. `docs/connectors/authorize-net.md`.
public struct AuthorizeNetSettings: SourceSettings, Equatable {
    public static let defaultURL = "https://api.authorize.net/xml/v1/request.api"
    /// The merchant account a login reads, in object keys.
    public static let account = "merchant"
    /// The only entity: transactions, from settled batches and the unsettled list.
    public static let entity = "transactions"

    public var apiLoginID: SecretReference?
    public var transactionKey: SecretReference?
    public var url: String = AuthorizeNetSettings.defaultURL
    /// The merchant account's currency (a transaction list carries none).
    public var currency = "USD"
    /// How far before the cursor each run asks for settled batches (a batch settles after the
    /// day's cut-off; the overlap covers a clock that differs from Authorize.Net's).
    public var overlapSeconds: Int = 86_400
    /// Where a first sync starts; 90 days back when not given.
    public var startDate: CalendarDate?
    public var rateLimit = RateLimitSettings(perMinute: 600, concurrent: 1)
    public var sweep: SweepSettings?

    public init() {}

    public var secrets: [SecretRequirement] {
        [SecretRequirement(key: "api_login_id", reference: apiLoginID, purpose: "to reach Authorize.Net (Account → Settings → API Credentials & Keys)"),
         SecretRequirement(key: "transaction_key", reference: transactionKey, purpose: "to reach Authorize.Net")]
    }
}

enum AuthorizeNetConfig {
    static let keys = ["api_login_id", "transaction_key", "url", "currency", "overlap_seconds", "start_date", "rate_limit", "sweep"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> AuthorizeNetSettings? {
        var settings = AuthorizeNetSettings()
        settings.apiLoginID = reader.secret(object, "api_login_id", at: path)
        settings.transactionKey = reader.secret(object, "transaction_key", at: path)
        if object["api_login_id"] == nil { reader.fail("\(path).api_login_id", "is required: the API login id, as {\"env\": …} or {\"file\": …}") }
        if object["transaction_key"] == nil { reader.fail("\(path).transaction_key", "is required: the transaction key, as {\"env\": …} or {\"file\": …}") }
        if let url = reader.url(object, "url", at: path) { settings.url = url }
        if let code = reader.string(object, "currency", at: path) {
            if Currency(code: code) != nil { settings.currency = code } else { reader.fail("\(path).currency", "\"\(code)\" is not an ISO 4217 currency code") }
        }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 0...604_800) { settings.overlapSeconds = overlap }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        return settings
    }
}
