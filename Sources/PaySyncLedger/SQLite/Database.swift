import CSQLite
import Foundation
import PaySyncCore

/// One SQLite connection with a cache of prepared statements keyed by SQL text.
/// Not thread-safe by design: the `Ledger` actor owns it and it never escapes.
final class Database {
    let handle: OpaquePointer
    let path: String
    private var statements: [String: Statement] = [:]
    private var inserts: [String: MultiRowInsert] = [:]
    private var transactionDepth = 0

    /// Opens (and with `create`, creates with mode 0600) the database at `path`.
    init(path: String, create: Bool, readOnly: Bool = false) throws(LedgerError) {
        self.path = path
        _ = Database.libraryConfigured
        if create && !FileManager.default.fileExists(atPath: path) {
            // Create the file ourselves so it is born private: SQLite would use the umask (often 0644),
            // and its -wal and -shm files copy the database file's mode.
            let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if descriptor < 0 && errno != EEXIST {
                throw LedgerError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
            }
            if descriptor >= 0 { close(descriptor) }
        }
        var connection: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let connection { sqlite3_close_v2(connection) }
            if !create && !FileManager.default.fileExists(atPath: path) {
                throw LedgerError.missing(path: path)
            }
            throw LedgerError.cannotCreate(path: path, reason: message)
        }
        self.handle = connection
    }

    /// Process-wide SQLite settings, applied once before the first connection opens. Memory
    /// statistics off: they take a global mutex and update counters on every allocation, which
    /// the ledger never reads (measured: docs/performance.md).
    private static let libraryConfigured: Void = {
        _ = paysync_sqlite_disable_memory_statistics()
    }()

    deinit {
        inserts.removeAll()
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements with no parameters (pragmas, DDL).
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) }
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text ?? String(cString: sqlite3_errstr(code)), sql: sql, path: path)
        }
    }

    /// The cached prepared statement for `sql`, bound to `values` and ready to step (with no
    /// values: reset and cleared, for the typed `bind(_:at:)` calls).
    func statement(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> Statement {
        let statement: Statement
        if let cached = statements[sql] {
            statement = cached
        } else {
            statement = try Statement(database: self, sql: sql)
            statements[sql] = statement
        }
        try statement.bind(values)
        return statement
    }

    /// The multi-row insert into `table` of `columns` (one per table: the columns must not vary).
    func multiRowInsert(into table: String, columns: [String]) -> MultiRowInsert {
        if let insert = inserts[table] {
            precondition(insert.columns == columns, "one column list per table")
            return insert
        }
        let insert = MultiRowInsert(database: self, table: table, columns: columns)
        inserts[table] = insert
        return insert
    }

    /// Runs a statement that returns no rows.
    func run(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) {
        try statement(sql, values).run()
    }

    /// The first column of the first row, as an integer.
    func scalar(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> Int64? {
        let statement = try statement(sql, values)
        defer { statement.reset() }
        return try statement.step() ? statement.optionalInt64(0) : nil
    }

    /// The first row `PRAGMA foreign_key_check` reports (table, row id, parent), or nil.
    func foreignKeyViolation() throws(SQLiteError) -> String? {
        let check = try statement("PRAGMA foreign_key_check")
        defer { check.reset() }
        guard try check.step() else { return nil }
        return "\(check.string(0)) row \(check.int64(1)) refers to a missing \(check.string(2)) row"
    }

    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in a transaction: `BEGIN IMMEDIATE` (take the write lock up front, so a busy
    /// ledger fails before any work), commit on return, roll back on throw. Nested calls join
    /// the outer transaction.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try execute("BEGIN IMMEDIATE")
        transactionDepth = 1
        do {
            let result = try body()
            transactionDepth = 0
            try execute("COMMIT")
            return result
        } catch {
            transactionDepth = 0
            try? execute("ROLLBACK")
            throw error
        }
    }

    func error(_ code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
    }

    static var libraryVersion: String { String(cString: sqlite3_libversion()) }
}
