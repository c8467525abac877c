/// The validated configuration: where the ledger lives, which provider accounts to poll and which
/// CRMs to write. Read from one JSON file (`docs/configuration.md` documents every key).
public struct Configuration: Sendable {
    /// The file it was read from, named in errors.
    public var file: String
    /// The ledger path; `--ledger` overrides it. Default `./paysync.db`.
    public var ledgerPath: String?
    public var http: HTTPSettings
    public var outbox: OutboxSettings
    public var sources: [SourceConfiguration]
    public var sinks: [SinkConfiguration]

    public init(file: String, ledgerPath: String? = nil, http: HTTPSettings = HTTPSettings(), outbox: OutboxSettings = OutboxSettings(),
                sources: [SourceConfiguration], sinks: [SinkConfiguration]) {
        self.file = file
        self.ledgerPath = ledgerPath
        self.http = http
        self.outbox = outbox
        self.sources = sources
        self.sinks = sinks
    }
}

/// Timeouts and retry bounds shared by every provider and CRM call.
public struct HTTPSettings: Sendable, Equatable {
    /// Longest silence while connecting or receiving before a request counts as timed out.
    public var timeoutSeconds: Double = 30
    /// Longest a single request may take from start to last byte.
    public var deadlineSeconds: Double = 300
    /// Most attempts per request, the first included.
    public var maxAttempts: Int = 6
    /// Most time spent retrying one request, waits included; a longer `Retry-After` ends the run with 75.
    public var maxRetrySeconds: Double = 300
    /// First backoff ceiling; doubles each attempt up to `backoffCapSeconds` (full jitter below it).
    public var backoffBaseSeconds: Double = 1
    public var backoffCapSeconds: Double = 60

    public init() {}
}

/// When undeliverable CRM writes are retried and when they are dead-lettered.
public struct OutboxSettings: Sendable, Equatable {
    /// Runs that may try a write before it is dead-lettered (visible in `outbox list`).
    public var maxAttempts: Int = 10
    /// Delay before a failed write is tried again, doubling per attempt up to the cap.
    public var retryBaseSeconds: Double = 60
    public var retryCapSeconds: Double = 3600

    public init() {}
}

/// One provider account (or set of tenants) to poll.
public struct SourceConfiguration: Sendable {
    public var name: String
    public var provider: ProviderSettings

    public init(name: String, provider: ProviderSettings) {
        self.name = name
        self.provider = provider
    }
}

/// Provider-specific settings, one case per supported provider.
public enum ProviderSettings: Sendable {
    case xero(XeroSettings)

    public var kindName: String {
        switch self {
        case .xero: "xero"
        }
    }
}

/// A provider's published request limits, applied before sending so we rarely see a 429.
public struct RateLimitSettings: Sendable, Equatable {
    public var perMinute: Int
    public var concurrent: Int

    public init(perMinute: Int, concurrent: Int) {
        self.perMinute = perMinute
        self.concurrent = concurrent
    }
}

/// A scheduled full re-read of a recent window, to catch what incremental feeds miss.
public struct SweepSettings: Sendable, Equatable {
    public var everyHours: Double
    public var windowDays: Int

    public init(everyHours: Double, windowDays: Int) {
        self.everyHours = everyHours
        self.windowDays = windowDays
    }
}

public enum XeroEntity: String, Sendable, CaseIterable {
    case invoices
    case payments

    /// The resource path under the API base URL.
    public var resource: String {
        switch self {
        case .invoices: "Invoices"
        case .payments: "Payments"
        }
    }
}

public struct XeroSettings: Sendable {
    public static let defaultBaseURL = "https://api.xero.com/api.xro/2.0"
    public static let defaultTokenURL = "https://identity.xero.com/connect/token"

    public var tenants: [String]
    public var clientID: SecretReference?
    public var clientSecret: SecretReference?
    public var refreshToken: SecretReference?
    public var baseURL: String = XeroSettings.defaultBaseURL
    public var tokenURL: String = XeroSettings.defaultTokenURL
    public var entities: [XeroEntity] = XeroEntity.allCases
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
}

/// One CRM (or file, or webhook) that receives writes.
public struct SinkConfiguration: Sendable {
    public var name: String
    public var kind: SinkKind
    /// Per object kind: how records are keyed and which fields are mapped.
    public var objects: [ObjectKind: ObjectMapping]

    public init(name: String, kind: SinkKind, objects: [ObjectKind: ObjectMapping]) {
        self.name = name
        self.kind = kind
        self.objects = objects
    }

    /// The planner's view of this sink.
    public var route: SinkRoute {
        SinkRoute(sink: name, kinds: objects.mapValues { KindRoute(fields: $0.fields, key: $0.key, actions: $0.crm?.actions ?? [:]) })
    }
}

public enum SinkKind: Sendable {
    /// One JSON line per write, to a file or to standard output (`-`).
    case jsonLines(path: String)
    case hubspot(HubSpotSettings)
    case salesforce(SalesforceSettings)
    /// Signed JSON batches POSTed to a URL (Zapier, n8n, Make, an in-house service).
    case webhook(WebhookSettings)

    public var name: String {
        switch self {
        case .jsonLines: "jsonl"
        case .hubspot: "hubspot"
        case .salesforce: "salesforce"
        case .webhook: "webhook"
        }
    }
}

/// HubSpot CRM v3 objects API with a private-app (or OAuth) bearer token.
public struct HubSpotSettings: Sendable, Equatable {
    public static let defaultBaseURL = "https://api.hubapi.com"

    public var token: SecretReference
    public var baseURL = HubSpotSettings.defaultBaseURL
    /// The objects API prefix (`/crm/v3/objects`, or a date-versioned `/crm/objects/2026-03`).
    public var objectsPath = "/crm/v3/objects"
    /// The account's burst limit: requests per rolling 10 seconds (Free/Starter 100, Professional
    /// and Enterprise 190).
    public var requestsPer10Seconds = 100

    public init(token: SecretReference) {
        self.token = token
    }
}

/// Salesforce REST API (sObject Collections) with OAuth 2.0.
public struct SalesforceSettings: Sendable, Equatable {
    public static let defaultTokenURL = "https://login.salesforce.com/services/oauth2/token"
    /// The pinned REST API version (Winter '25).
    public static let defaultAPIVersion = "v62.0"

    public enum Grant: String, Sendable, CaseIterable {
        case refreshToken = "refresh_token"
        case clientCredentials = "client_credentials"
    }

    public var tokenURL = SalesforceSettings.defaultTokenURL
    public var grant: Grant
    public var clientID: SecretReference
    public var clientSecret: SecretReference
    public var refreshToken: SecretReference?
    public var apiVersion = SalesforceSettings.defaultAPIVersion

    public init(grant: Grant, clientID: SecretReference, clientSecret: SecretReference, refreshToken: SecretReference?) {
        self.grant = grant
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
    }
}

public struct WebhookSettings: Sendable, Equatable {
    public var url: String
    /// The HMAC-SHA256 key that signs every request.
    public var secret: SecretReference
    /// Writes per request.
    public var batchSize = 100

    public init(url: String, secret: SecretReference) {
        self.url = url
        self.secret = secret
    }
}

/// How one kind of object maps onto a sink's records.
public struct ObjectMapping: Sendable, Equatable {
    public var key: [RecordKeySource]
    public var fields: FieldSet
    /// For CRM sinks: the CRM object, properties and actions (`fields` is then the properties' fields).
    public var crm: CRMObjectMapping?

    public init(key: [RecordKeySource], fields: FieldSet, crm: CRMObjectMapping? = nil) {
        self.key = key
        self.fields = fields
        self.crm = crm
    }
}
