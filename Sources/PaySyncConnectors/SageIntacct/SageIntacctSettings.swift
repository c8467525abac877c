import PaySyncCore

/// The Sage Intacct objects a source reads.
public enum SageIntacctEntity: String, CaseIterable, Sendable {
    case invoices, payments

    var object: String { self == .invoices ? "ARINVOICE" : "ARPYMT" }
    var auditType: String { self == .invoices ? "arinvoice" : "arpayment" }
    var fields: [String] { self == .invoices ? SageIntacctMapping.invoiceFields : SageIntacctMapping.paymentFields }
    var kind: ObjectKind { self == .invoices ? .invoice : .payment }
}

/// A Sage Intacct source's settings (`"kind": "sage-intacct"`): one company through the XML
/// gateway, with a Web Services sender and a company user. `docs/connectors/sage-intacct.md`.
public struct SageIntacctSettings: SourceSettings, Equatable {
    public static let defaultEndpoint = "https://api.intacct.com/ia/xml/xmlgw.phtml"

    public var companyID: String
    public var senderID: SecretReference?
    public var senderPassword: SecretReference?
    public var userID: SecretReference?
    public var userPassword: SecretReference?
    public var endpoint: String = SageIntacctSettings.defaultEndpoint
    public var entities: [SageIntacctEntity] = SageIntacctEntity.allCases
    /// `pagesize`: at most 1000 for `readByQuery`.
    public var pageSize: Int = 1000
    public var overlapSeconds: Int = 300
    /// The company's time zone: `WHENMODIFIED` is written and compared in it.
    public var timeZone: String = "America/Los_Angeles"
    public var rateLimit = RateLimitSettings(perMinute: 60, concurrent: 1)
    public var sweep: SweepSettings?
    public var startDate: CalendarDate?

    public init(companyID: String) {
        self.companyID = companyID
    }

    public var secrets: [SecretRequirement] {
        [("sender_id", senderID), ("sender_password", senderPassword), ("user_id", userID), ("user_password", userPassword)].map {
            SecretRequirement(key: $0.0, reference: $0.1, purpose: "to reach Sage Intacct")
        }
    }
}

enum SageIntacctConfig {
    static let keys = ["company_id", "sender_id", "sender_password", "user_id", "user_password", "endpoint", "entities", "page_size",
                       "overlap_seconds", "timezone", "rate_limit", "sweep", "start_date"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> SageIntacctSettings? {
        guard let company = reader.string(object, "company_id", at: path, required: true) else { return nil }
        var settings = SageIntacctSettings(companyID: company)
        settings.senderID = reader.secret(object, "sender_id", at: path)
        settings.senderPassword = reader.secret(object, "sender_password", at: path)
        settings.userID = reader.secret(object, "user_id", at: path)
        settings.userPassword = reader.secret(object, "user_password", at: path)
        for key in ["sender_id", "sender_password", "user_id", "user_password"] where object[key] == nil {
            reader.fail("\(path).\(key)", "is required: the \(key.hasPrefix("sender") ? "Web Services sender's" : "company user's") \(key.hasSuffix("id") ? "id" : "password"), as {\"env\": …} or {\"file\": …}")
        }
        if let url = reader.url(object, "endpoint", at: path) { settings.endpoint = url }
        if let entities: [SageIntacctEntity] = PollingSourceConfig.entities(object, at: path, reader: &reader) { settings.entities = entities }
        if let size = reader.integer(object, "page_size", at: path, range: 1...1000) { settings.pageSize = size }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 1...86_400) { settings.overlapSeconds = overlap }
        if let zone = reader.timeZone(object, "timezone", at: path) { settings.timeZone = zone }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        return settings
    }
}
