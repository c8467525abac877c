import PaySyncConnectors
import PaySyncCore

/// A source whose objects a test sets directly, served as one page per read. It stands in for
/// providers without a connector yet (a card processor whose payments fail) so the engine's
/// handling of such statuses — actions, CRM writes — can be tested end to end.
public final class ScriptedSource: Source {
    public let name: String
    public let provider: String
    public let accounts: [String]
    public let entities = ["payments"]
    public var overlap: Duration { .zero }
    public var startDate: CalendarDate? { nil }
    public var sweep: SweepSettings? { nil }
    private let objects = Locked<[Observation]>([])
    private let day: CalendarDate

    public init(name: String = "processor", provider: String = "processor", account: String = "acct_1", today: CalendarDate = CalendarDate(year: 2025, month: 5, day: 2)!) {
        self.name = name
        self.provider = provider
        self.accounts = [account]
        self.day = today
    }

    /// What the next reads return.
    public func set(_ observations: [Observation]) { objects.withLock { $0 = observations } }

    public func kinds(of entity: String) -> [ObjectKind] { [.payment] }

    public func today(account: String) -> CalendarDate { day }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        let current = objects.value
        try await consume(SourcePage(observations: current, rejects: [], outOfScope: 0, lastUpdatedAt: current.compactMap(\.updatedAt).max(),
                                     lastID: current.last?.key.externalID, servedAt: nil, number: 1, isLast: true))
    }

    /// A card payment for an invoice, in the shape a processor connector would normalise to.
    public func payment(_ id: String, invoice: String, status: PaymentStatus, providerStatus: String, updated: Int64, amount: Int64 = 12_000) -> Observation {
        let gbp = Currency(code: "GBP")!
        return Observation(
            key: ObjectKey(provider: provider, account: accounts[0], kind: .payment, externalID: id),
            updatedAt: Timestamp(millisecondsSinceEpoch: updated), status: status, providerStatus: providerStatus, currency: gbp,
            total: Money(minorUnits: amount, currency: gbp), invoiceNumber: invoice, customerEmail: "ap@acme.example"
        )
    }
}
