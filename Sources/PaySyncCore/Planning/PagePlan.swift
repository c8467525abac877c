/// A change to one field, in canonical text (see `Observation.value(of:)`). `old` is nil for a
/// field the CRM has not been sent before.
public struct FieldChange: Hashable, Sendable {
    public var field: Field
    public var old: String?
    public var new: String?

    public init(field: Field, old: String?, new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }
}

/// A CRM write the ledger will hold in its outbox until the sink acknowledges it.
public struct PlannedWrite: Hashable, Sendable {
    public var sink: String
    public var objectKey: ObjectKey
    public var recordKey: String
    public var changes: [FieldChange]
    /// The status before and after the transition that caused this write (actions key on it).
    public var fromStatus: PaymentStatus?
    public var toStatus: PaymentStatus
    /// Set for an action (a task, a note) rather than a change of fields; `changes` is then empty.
    public var action: ActionPayload?
    /// The index in the plan's `states` of the object this write is for.
    public var stateIndex: Int = -1

    public init(sink: String, objectKey: ObjectKey, recordKey: String, changes: [FieldChange], fromStatus: PaymentStatus?,
                toStatus: PaymentStatus, action: ActionPayload? = nil) {
        self.sink = sink
        self.objectKey = objectKey
        self.recordKey = recordKey
        self.changes = changes
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.action = action
    }
}

/// One entry of an object's history: what changed, from which status to which.
public struct Transition: Hashable, Sendable {
    public var key: ObjectKey
    public var fromStatus: PaymentStatus?
    public var toStatus: PaymentStatus
    public var changed: FieldSet
    /// The provider's updated-at of the observation that made this transition.
    public var providerUpdatedAt: Timestamp?
    /// The ledger held no state for the object (and none appeared earlier in the page): the
    /// ledger inserts it rather than upserting it.
    public var isFirstSeen: Bool

    public init(key: ObjectKey, fromStatus: PaymentStatus?, toStatus: PaymentStatus, changed: FieldSet, providerUpdatedAt: Timestamp? = nil,
                isFirstSeen: Bool = false) {
        self.key = key
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.changed = changed
        self.providerUpdatedAt = providerUpdatedAt
        self.isFirstSeen = isFirstSeen
    }
}

/// Counts a run reports, summed over pages and sources.
public struct PageCounts: Hashable, Sendable {
    public var fetched = 0
    public var new = 0
    public var changed = 0
    public var unchanged = 0
    public var stale = 0
    /// Objects whose provider status has no mapping (recorded, not written).
    public var unknownStatus = 0
    /// Objects the sinks could not key (no invoice number, say) and so did not write.
    public var unkeyed = 0
    /// Actions (tasks, notes) queued by status transitions.
    public var actions = 0
    /// Objects a connector could not normalise at all (bad amount, missing id): quarantined.
    public var rejected = 0

    public init() {}

    /// New plus changed: the objects whose state moved.
    public var changedTotal: Int { new + changed }

    public static func += (lhs: inout PageCounts, rhs: PageCounts) {
        lhs.fetched += rhs.fetched
        lhs.new += rhs.new
        lhs.changed += rhs.changed
        lhs.unchanged += rhs.unchanged
        lhs.stale += rhs.stale
        lhs.unknownStatus += rhs.unknownStatus
        lhs.unkeyed += rhs.unkeyed
        lhs.actions += rhs.actions
        lhs.rejected += rhs.rejected
    }
}

/// Everything one provider page changes, decided before anything is written: the ledger applies
/// a plan in one transaction (states, transitions, outbox rows and cursor together, or nothing).
public struct PagePlan: Sendable {
    /// New or changed states to store.
    public var states: [Observation] = []
    /// One per state, in the same order.
    public var transitions: [Transition] = []
    public var writes: [PlannedWrite] = []
    public var counts = PageCounts()

    public init() {}
}

/// A provider object a connector could not normalise (an amount that does not fit its currency,
/// a missing id): quarantined in the ledger and reported, never guessed at.
public struct RejectedObject: Hashable, Sendable {
    public var entity: String
    public var externalID: String?
    public var error: String

    public init(entity: String, externalID: String?, error: String) {
        self.entity = entity
        self.externalID = externalID
        self.error = error
    }
}
