import PaySyncCore

/// What a run asks a source to read.
public enum ReadMode: Sendable, Equatable {
    /// Objects modified since an instant (nil: everything), oldest first.
    case incremental(since: Timestamp?)
    /// Every object whose document date lies in `[from, until)` (backfill, sweep).
    case window(from: CalendarDate, until: CalendarDate)
    /// The objects of one file a person hands in (`paysync import-statement FILE`); sources that
    /// read no files have nothing to give.
    case file(String)
}

/// One provider page, normalised.
public struct SourcePage: Sendable {
    public var observations: [Observation]
    public var rejects: [RejectedObject]
    /// Objects outside paysync's scope (bills, supplier payments): counted, not stored.
    public var outOfScope: Int
    /// The keyset position of the page's last object (provider order).
    public var lastUpdatedAt: Timestamp?
    public var lastID: String?
    /// The provider's clock when it served the page, if it says.
    public var servedAt: Timestamp?
    public var number: Int
    public var isLast: Bool
    /// How many pages this read will take, where the provider says (set by `PageLoop`).
    public var pagesExpected: Int?

    public init(observations: [Observation], rejects: [RejectedObject], outOfScope: Int, lastUpdatedAt: Timestamp?, lastID: String?,
                servedAt: Timestamp?, number: Int, isLast: Bool) {
        self.observations = observations
        self.rejects = rejects
        self.outOfScope = outOfScope
        self.lastUpdatedAt = lastUpdatedAt
        self.lastID = lastID
        self.servedAt = servedAt
        self.number = number
        self.isLast = isLast
    }
}

/// A provider account paysync polls. Connectors never touch the ledger: they read pages and hand
/// them to the engine, which commits each before asking for the next.
public protocol Source: Sendable {
    /// The config name (`xero-uk`).
    var name: String { get }
    /// The provider (`xero`): the first part of every object key.
    var provider: String { get }
    /// Accounts (tenants, realms) this source covers, as configured.
    var accounts: [String] { get }
    /// True when the accounts are discovered from the provider each run (`tenants: "all"`)
    /// rather than listed in the config.
    var discoversAccounts: Bool { get }
    /// Entity names, in reading order (`invoices`, `payments`).
    var entities: [String] { get }
    /// Overlap subtracted from the cursor for each incremental run.
    var overlap: Duration { get }
    /// Where a first incremental run starts (nil: everything).
    var startDate: CalendarDate? { get }
    /// A scheduled re-read of a recent window, if configured.
    var sweep: SweepSettings? { get }

    /// The object kinds an entity yields (for comparing window counts with the ledger).
    func kinds(of entity: String) -> [ObjectKind]

    /// Reads one entity of one account, handing each page to `consume` in order. Reading stops
    /// when `consume` throws.
    func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws

    /// The provider's "today" for this account: overdue means due before this day.
    func today(account: String) -> CalendarDate

    /// The accounts to read this run: `accounts`, or those the provider lists now when the source
    /// discovers them (a newly connected one is read from the beginning).
    func currentAccounts() async throws -> [String]

    /// For a provider whose deleted objects vanish from its lists (no `DELETED` status to read):
    /// the objects of an entity deleted since an instant, from its deletion feed. Nil when the
    /// source has no such feed, or the feed cannot reach that far back (the sweep then finds
    /// deletions by comparing a window with the ledger, when `deletionsVanish`).
    func deletions(account: String, entity: String, since: Timestamp) async throws -> [Deletion]?

    /// True when deleted objects simply stop being listed: a sweep window's objects the ledger
    /// holds and the provider no longer returns are then deletions, not a gap to report.
    var deletionsVanish: Bool { get }

    /// For a provider whose lists cannot show an old object changing (PayPal finds transactions
    /// by transaction date only, so a payment pending for a week never reappears in a window
    /// from the cursor): the statuses whose objects of this entity the engine hands back after
    /// each incremental read, to be read again by `refresh`. Empty: none.
    func refreshedStatuses(of entity: String) -> [PaymentStatus]

    /// Reads again the objects the ledger holds in `refreshedStatuses(of:)` (their last known
    /// states), handing their current states to `consume` as pages.
    func refresh(account: String, entity: String, objects: [Observation], consume: (SourcePage) async throws -> Void) async throws
}

extension Source {
    public var discoversAccounts: Bool { false }
    public func currentAccounts() async throws -> [String] { accounts }
    public func deletions(account: String, entity: String, since: Timestamp) async throws -> [Deletion]? { nil }
    public var deletionsVanish: Bool { false }
    public func refreshedStatuses(of entity: String) -> [PaymentStatus] { [] }
    public func refresh(account: String, entity: String, objects: [Observation], consume: (SourcePage) async throws -> Void) async throws {}
}
