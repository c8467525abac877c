import Foundation
import PaySyncCore
import PaySyncLedger

/// Opens the ledger a command names: an SQLite file (the default) or, for a `postgres://` URL,
/// the PostgreSQL ledger that several workers share (docs/scaling.md). What operator commands do
/// with it outside a run: read it (`status`, `history`, `outbox list`) or, holding the run lock
/// so no reconcile races them, re-queue or drop outbox rows. The CLI reaches the ledger only
/// through here.
public enum LedgerAccess {
    /// A ledger opened for a run, with what keeps it: the SQLite file's run lock, or the
    /// PostgreSQL ledger's leases (workers share it, so there is no lock to hold).
    struct Opened {
        let ledger: any LedgerStore
        let leases: WorkerLeases?
        let lock: LedgerLock?
    }

    /// Opens (creating and migrating when needed) the ledger at `location` for a run.
    static func openForRun(location: String, leaseSeconds: Double, environment: RunEnvironment, logger: Logger) throws -> Opened {
        if PostgresLedger.isURL(location) {
            let ledger = try PostgresLedger(url: location, now: environment.now(), claimSeconds: leaseSeconds)
            logger.debug("ledger \(ledger.location): \(ledger.backend), worker \(ledger.worker)")
            return Opened(ledger: ledger, leases: WorkerLeases(store: ledger, holder: ledger.worker, seconds: leaseSeconds, environment: environment, logger: logger),
                          lock: nil)
        }
        try Ledger.refuseForeignFile(at: location)
        let lock = try LedgerLock(ledgerPath: location)
        return Opened(ledger: try Ledger(path: location, create: true, logger: logger), leases: nil, lock: lock)
    }

    /// Opens an existing ledger for reading: never creates, migrates or otherwise changes it (a
    /// missing file, a database of another application, or a ledger that needs a migration is an
    /// error naming it).
    public static func openForReading(path: String, logger: Logger) throws -> any LedgerStore {
        if PostgresLedger.isURL(path) { return try PostgresLedger(url: path, now: RunEnvironment.live.now(), migrating: false) }
        guard FileManager.default.fileExists(atPath: path) else { throw LedgerError.missing(path: path) }
        return try Ledger(path: path, create: false, readOnly: true, logger: logger)
    }

    /// Opens an existing ledger to change it (never creates one).
    static func open(path: String, logger: Logger) throws -> any LedgerStore {
        if PostgresLedger.isURL(path) { return try PostgresLedger(url: path, now: RunEnvironment.live.now(), migrating: false) }
        return try Ledger(path: path, create: false, logger: logger)
    }

    /// Runs `body` on an existing ledger with the run lock held (exit 75 when a run holds it). A
    /// PostgreSQL ledger has no run lock: each of its statements is a transaction of its own,
    /// and workers may run meanwhile.
    public static func withRunLock<Result>(path: String, logger: Logger, _ body: (any LedgerStore) async throws -> Result) async throws -> Result {
        if PostgresLedger.isURL(path) { return try await body(try open(path: path, logger: logger)) }
        try Ledger.refuseForeignFile(at: path)
        let lock = try LedgerLock(ledgerPath: path)
        defer { withExtendedLifetime(lock) {} }
        return try await body(try open(path: path, logger: logger))
    }

    /// `paysync migrate-ledger`: moves the SQLite ledger at `path` (holding its run lock, so no
    /// run changes it meanwhile) into the empty PostgreSQL ledger at `url`, in one transaction.
    public static func move(from path: String, to url: String, logger: Logger) async throws -> (summary: LedgerMove.Summary, location: String) {
        guard PostgresLedger.isURL(url) else {
            throw GeneralError("--to \(url): not a postgres:// URL; name the PostgreSQL ledger to move into (or set the config's \"ledger\" to it)", exitCode: .usage)
        }
        guard !PostgresLedger.isURL(path) else { throw GeneralError("--from \(PostgresLedger.redacted(path)): give the path of an SQLite ledger file", exitCode: .usage) }
        guard FileManager.default.fileExists(atPath: path) else { throw LedgerError.missing(path: path) }
        try Ledger.refuseForeignFile(at: path)
        let lock = try LedgerLock(ledgerPath: path)
        defer { withExtendedLifetime(lock) {} }
        let source = try Ledger(path: path, create: false, logger: logger)
        let target = try PostgresLedger(url: url, now: RunEnvironment.live.now())
        return (try await LedgerMove.move(from: source, to: target), target.location)
    }

    /// The objects matching an object key, provider id or invoice number, with their history;
    /// exit 65 when none matches.
    public static func history(of reference: String, in ledger: any LedgerStore) async throws -> [ObjectHistory] {
        let objects = try await ledger.history(of: reference)
        guard !objects.isEmpty else { throw LedgerError.notFound(what: "object \"\(reference)\" (an object key, provider id or invoice number)") }
        return objects
    }
}
