/// What an observation means against what the ledger already knows about the same object.
public enum Decision: Hashable, Sendable {
    /// Never seen before.
    case new
    /// Seen before; these fields differ.
    case changed(FieldSet)
    /// Seen before with the same values (a re-read at a cursor boundary, a backfill).
    case unchanged
    /// Older than what the ledger knows (by the provider's updated-at or version): ignored and
    /// counted, so a slow page or a backfill never rolls a status back.
    case stale
}

/// Compares an observation with the last known state of the same object.
///
/// Ordering uses the provider's own clock: `updatedAt` when both have it, else a numeric
/// `version` when both have one. An observation with the same updated-at but different values
/// is taken as a change (the provider changed something without moving its clock).
public func diff(known: Observation?, observation: Observation) -> Decision {
    guard let known else { return .new }
    if let knownTime = known.updatedAt, let time = observation.updatedAt, time < knownTime {
        return .stale
    }
    if known.updatedAt == nil || observation.updatedAt == nil,
       let knownVersion = known.version.flatMap(Int64.init), let version = observation.version.flatMap(Int64.init),
       version < knownVersion {
        return .stale
    }
    let changed = observation.fieldsDiffering(from: known)
    return changed.isEmpty ? .unchanged : .changed(changed)
}
