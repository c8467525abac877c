import PaySyncCore

/// A ledger that cannot be used as it is.
public enum LedgerError: PaySyncError, Equatable {
    /// Another paysync run holds the ledger's lock.
    case lockHeld(path: String, pid: Int32?)
    /// The file or its directory cannot be created or opened.
    case cannotCreate(path: String, reason: String)
    /// The directory the ledger belongs in does not exist (paysync does not create directories).
    case missingDirectory(path: String, directory: String)
    /// A read-only command was pointed at a ledger that does not exist.
    case missing(path: String)
    /// A newer paysync has migrated this ledger past what this binary knows.
    case newerSchema(path: String, found: Int, known: Int)
    /// The migrations recorded in the ledger are not this binary's.
    case foreignSchema(path: String, migration: String)
    /// The file is an SQLite database of something else: paysync neither reads nor changes it.
    case notALedger(path: String)
    /// A read-only command met a ledger an older paysync wrote; it does not migrate.
    case olderSchema(path: String, found: Int, known: Int)
    /// An outbox row or object named on the command line does not exist.
    case notFound(what: String)
    /// A migration that rebuilt a table would have left a reference dangling; it was rolled back.
    case migrationBrokeReferences(path: String, migration: String, detail: String)
    /// A worker's lease on a provider account lapsed and another worker took it: what this one
    /// read is not committed (the other reads it again).
    case leaseLost(name: String)

    public var exitCode: ExitCode {
        switch self {
        case .lockHeld, .leaseLost: .temporaryFailure
        case .cannotCreate: .cannotCreate
        case .missing, .missingDirectory: .cannotCreate
        case .newerSchema, .foreignSchema, .notALedger, .olderSchema, .migrationBrokeReferences: .dataError
        case .notFound: .usage
        }
    }

    public var description: String {
        switch self {
        case .lockHeld(let path, let pid):
            "another paysync run holds \(path)\(pid.map { " (pid \($0))" } ?? ""); this run did nothing"
        case .cannotCreate(let path, let reason):
            "cannot create ledger \(path): \(reason)"
        case .missingDirectory(let path, let directory):
            "cannot create ledger \(path): its directory \(directory) does not exist; create it (mkdir -p \(directory) && chmod 700 \(directory)) or change \"ledger\" in the config"
        case .missing(let path):
            "no ledger at \(path); run `paysync reconcile` first, or pass --ledger PATH"
        case .newerSchema(let path, let found, let known):
            "ledger \(path) was written by a newer paysync (schema \(found); this paysync knows \(known)); upgrade paysync, never downgrade a ledger"
        case .foreignSchema(let path, let migration):
            "ledger \(path) has a migration this paysync does not know (\(migration)); it is not a ledger of this paysync"
        case .notALedger(let path):
            "\(path) is not a paysync ledger (a database of something else); paysync left it untouched; pass --ledger PATH (or a PostgreSQL URL) of a paysync ledger"
        case .olderSchema(let path, let found, let known):
            "ledger \(path) was written by an older paysync (schema \(found); this paysync knows \(known)); run `paysync reconcile` once to upgrade it (read-only commands never change a ledger)"
        case .notFound(let what):
            "\(what) not found in the ledger"
        case .migrationBrokeReferences(let path, let migration, let detail):
            "ledger \(path): migration \(migration) was rolled back, the ledger is unchanged: \(detail); keep the file and report it"
        case .leaseLost(let name):
            "the lease on \(name) lapsed and another worker holds it; this worker's page was not committed (the other reads it again); see docs/scaling.md"
        }
    }
}
