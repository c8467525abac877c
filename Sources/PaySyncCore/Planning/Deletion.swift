/// An object the provider deleted outright (it no longer lists it), as a deletion feed or a
/// sweep reports it: the ledger's last state of it becomes `voided`, with every other field kept,
/// so the CRM hears "voided" and nothing else changes.
public struct Deletion: Hashable, Sendable {
    public var key: ObjectKey
    /// When the provider deleted it, if it says.
    public var deletedAt: Timestamp?

    public init(key: ObjectKey, deletedAt: Timestamp?) {
        self.key = key
        self.deletedAt = deletedAt
    }

    /// The provider status a deleted object is recorded with.
    public static let providerStatus = "Deleted"

    /// The known state as deleted, or nil when there is nothing to change (never seen, or already
    /// voided or deleted).
    public func tombstone(of known: Observation?) -> Observation? {
        guard var state = known, state.key == key, state.status != .voided else { return nil }
        state.status = .voided
        state.providerStatus = Deletion.providerStatus
        // Newer than what the ledger holds, so the stale-observation guard lets it through.
        if let deletedAt, deletedAt > (state.updatedAt ?? deletedAt.adding(milliseconds: -1)) { state.updatedAt = deletedAt }
        return state
    }
}
