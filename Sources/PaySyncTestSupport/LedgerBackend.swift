/// Which ledger a test runs against: an SQLite file (the default), or a new database on the
/// throwaway PostgreSQL server. Suites that prove a ledger guarantee take it as an argument and
/// run once per backend.
public enum LedgerBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    /// A new, empty ledger's location: a file in `directory`, or a new database's URL.
    public func newLocation(in directory: TemporaryDirectory, file: String = "paysync.db") throws -> String {
        switch self {
        case .sqlite: directory.file(file)
        case .postgres: try ThrowawayPostgres.server().newDatabase()
        }
    }
}
