/// The validated configuration: where the ledger lives, which provider accounts to poll and which
/// CRMs to write. Read from one JSON file (`docs/configuration.md` documents every key).
public struct Configuration: Sendable {
    /// The file it was read from, named in errors.
    public var file: String
    /// The ledger path, or a PostgreSQL URL without a password; `--ledger` overrides it.
    /// Default `./paysync.db`.
    public var ledgerPath: String?
    /// A PostgreSQL ledger's URL, read from the environment or a file (it holds a password):
    /// `"ledger": {"url": {"env": "PAYSYNC_LEDGER_URL"}}`.
    public var ledgerURL: SecretReference?
    /// How long a worker's lease on a provider account, and its claim on an outbox batch, lasts
    /// on a shared (PostgreSQL) ledger: what losing a worker costs at most (docs/scaling.md).
    public var leaseSeconds: Double = 120
    public var http: HTTPSettings
    public var outbox: OutboxSettings
    public var sources: [SourceConfiguration]
    public var sinks: [SinkConfiguration]
    /// Where each run writes its Prometheus metrics (`--metrics-file` overrides it); relative to
    /// the config file. None by default.
    public var metricsFile: String?
    /// Where notifications go when a condition starts or ends (`alerts`); none by default.
    public var alerts: AlertSettings?
    /// How bank credits are matched to invoices (`matching`).
    public var matching = MatchSettings()

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
    /// The provider kind (`sources[i].kind`), which picks the descriptor that builds the source.
    public var kind: String
    /// What the provider's own reader made of the rest of the object.
    public var settings: any SourceSettings

    public init(name: String, kind: String, settings: any SourceSettings) {
        self.name = name
        self.kind = kind
        self.settings = settings
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

/// One CRM (or file, or webhook) that receives writes.
public struct SinkConfiguration: Sendable {
    public var name: String
    /// The sink kind (`sinks[i].kind`), which picks the descriptor that builds the sink.
    public var kind: String
    /// What the sink's own reader made of its keys.
    public var settings: any SinkSettings
    /// Per object kind: how records are keyed and which fields are mapped.
    public var objects: [ObjectKind: ObjectMapping]

    public init(name: String, kind: String, settings: any SinkSettings, objects: [ObjectKind: ObjectMapping]) {
        self.name = name
        self.kind = kind
        self.settings = settings
        self.objects = objects
    }

    /// The planner's view of this sink.
    public var route: SinkRoute {
        SinkRoute(sink: name, kinds: objects.mapValues { KindRoute(fields: $0.fields, key: $0.key, actions: $0.crm?.actions ?? [:]) })
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
