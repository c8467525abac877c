/// Leases: which worker reads which (source, account) now, when several paysync processes share
/// one ledger. A lease has a holder and an expiry; a worker renews the leases it holds while it
/// runs and releases them at the end, and a crashed worker's leases lapse at their expiry, when
/// another worker may take them. What a worker's loss costs is at most the lease time.
public protocol LeaseStore: Sendable {
    /// Takes the first of `names` (in the order given) that no live lease holds, for `holder`,
    /// until `now + seconds`; nil when every one is held. Two workers asking at once never get
    /// the same name.
    func acquireLease(among names: [String], holder: String, seconds: Double, now: Timestamp) async throws -> String?
    /// Extends a lease `holder` still holds; false when it lapsed and another worker took it
    /// (the caller must stop what it does under it).
    func renewLease(_ name: String, holder: String, seconds: Double, now: Timestamp) async throws -> Bool
    /// Gives a lease back (a no-op when `holder` no longer holds it).
    func releaseLease(_ name: String, holder: String) async throws
    /// Who holds each live lease, and until when.
    func liveLeases(now: Timestamp) async throws -> [String: (holder: String, until: Timestamp)]
}

/// The name of the lease on a provider account's objects, cursors and page commits: one worker
/// reads and commits a provider account at a time.
public enum LeaseName {
    public static func account(provider: String, account: String) -> String { "\(provider):\(account)" }
}
