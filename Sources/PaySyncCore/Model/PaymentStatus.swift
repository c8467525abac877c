/// The one canonical payment status every provider object is normalised to.
///
/// A provider status paysync has no rule for becomes `unknown(raw)`: it is recorded in the ledger
/// and reported, and never written to a CRM as if it meant something. See `docs/statuses.md`.
public enum PaymentStatus: Hashable, Sendable, CustomStringConvertible {
    case draft
    case sent
    case viewed
    case pending
    case partiallyPaid
    case paid
    case overdue
    case failed
    case refunded
    case partiallyRefunded
    case voided
    case disputed
    case expired
    // A subscription's own statuses (`subscription` objects): whether the customer is still
    // paying, not whether one payment arrived.
    case trialing
    case active
    case pastDue
    case paused
    case canceled
    /// A provider status with no mapping; the associated value is the provider's own text.
    case unknown(String)

    /// Every known status, in the order `docs/statuses.md` lists them.
    public static let known: [PaymentStatus] = [
        .draft, .sent, .viewed, .pending, .partiallyPaid, .paid, .overdue, .failed,
        .refunded, .partiallyRefunded, .voided, .disputed, .expired,
        .trialing, .active, .pastDue, .paused, .canceled,
    ]

    /// The stored and printed name: `partially_paid`, or `unknown:RAW` for an unmapped status.
    public var rawValue: String {
        switch self {
        case .draft: "draft"
        case .sent: "sent"
        case .viewed: "viewed"
        case .pending: "pending"
        case .partiallyPaid: "partially_paid"
        case .paid: "paid"
        case .overdue: "overdue"
        case .failed: "failed"
        case .refunded: "refunded"
        case .partiallyRefunded: "partially_refunded"
        case .voided: "voided"
        case .disputed: "disputed"
        case .expired: "expired"
        case .trialing: "trialing"
        case .active: "active"
        case .pastDue: "past_due"
        case .paused: "paused"
        case .canceled: "canceled"
        case .unknown(let raw): "unknown:\(raw)"
        }
    }

    /// Reads a stored name back. Names that are not canonical come back as `unknown`.
    public init(rawValue: String) {
        if let known = PaymentStatus.byName[rawValue] {
            self = known
        } else if rawValue.hasPrefix("unknown:") {
            self = .unknown(String(rawValue.dropFirst("unknown:".count)))
        } else {
            self = .unknown(rawValue)
        }
    }

    /// A canonical name (`paid`), or nil when `name` is not one. Used by config validation.
    public init?(canonicalName name: String) {
        guard let status = PaymentStatus.byName[name] else { return nil }
        self = status
    }

    public var isUnknown: Bool {
        if case .unknown = self { return true }
        return false
    }

    public var description: String { rawValue }

    private static let byName: [String: PaymentStatus] = Dictionary(
        uniqueKeysWithValues: known.map { ($0.rawValue, $0) }
    )
}
