import Foundation
import PaySyncCore
import PaySyncLedger

/// What operator commands do with a ledger outside a run: read it (`status`, `history`,
/// `outbox list`) or, holding the run lock so no reconcile races them, re-queue or drop outbox
/// rows. The CLI reaches the ledger only through here.
public enum LedgerAccess {
    /// Opens an existing ledger for reading: never creates, migrates or otherwise changes a file
    /// (a missing file, a file of another application, or a ledger that needs a migration is an
    /// error naming it).
    public static func openForReading(path: String, logger: Logger) throws -> any LedgerStore {
        guard FileManager.default.fileExists(atPath: path) else { throw LedgerError.missing(path: path) }
        return try Ledger(path: path, create: false, readOnly: true, logger: logger)
    }

    /// Opens an existing ledger to change it (never creates one).
    static func open(path: String, logger: Logger) throws -> any LedgerStore {
        try Ledger(path: path, create: false, logger: logger)
    }

    /// Runs `body` on an existing ledger with the run lock held (exit 75 when a run holds it).
    public static func withRunLock<Result>(path: String, logger: Logger, _ body: (any LedgerStore) async throws -> Result) async throws -> Result {
        try Ledger.refuseForeignFile(at: path)
        let lock = try LedgerLock(ledgerPath: path)
        defer { withExtendedLifetime(lock) {} }
        return try await body(try open(path: path, logger: logger))
    }

    /// The objects matching an object key, provider id or invoice number, with their history;
    /// exit 65 when none matches.
    public static func history(of reference: String, in ledger: any LedgerStore) async throws -> [ObjectHistory] {
        let objects = try await ledger.history(of: reference)
        guard !objects.isEmpty else { throw LedgerError.notFound(what: "object \"\(reference)\" (an object key, provider id or invoice number)") }
        return objects
    }
}
