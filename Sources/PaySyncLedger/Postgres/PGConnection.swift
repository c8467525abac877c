import CLibPQ
import Foundation
import PaySyncCore

/// What PostgreSQL refused, with its SQLSTATE (`40001` serialization failure, `55P03` lock not
/// available…) so callers can tell a retryable conflict from a mistake. Never carries the
/// connection URL: libpq's messages name the host, not the password.
public struct PostgresError: PaySyncError {
    public var sqlState: String?
    public var message: String

    public var description: String { "PostgreSQL ledger: " + (sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message) }

    /// A lost or refused connection, a conflict with another worker, a server shutting down or
    /// out of room: temporary (75), the next run tries again. Anything else is paysync's mistake.
    public var exitCode: ExitCode {
        guard let sqlState else { return .temporaryFailure }
        let temporary = ["08", "40", "53", "57", "58"].contains(String(sqlState.prefix(2))) || sqlState == "55P03"
        return temporary ? .temporaryFailure : .internalError
    }
}

/// One libpq connection, used by one actor at a time: statements with text parameters
/// (`$1`, `$2`), results as text, and transactions. Not thread-safe by design, like `Database`.
final class PGConnection {
    private let handle: OpaquePointer
    /// Each table's column types, read once (`insertRows` casts its arrays to them).
    private var columnTypeCache: [String: [String: String]] = [:]

    func columnTypes(_ table: String) throws(PostgresError) -> [String: String] {
        if let types = columnTypeCache[table] { return types }
        var types: [String: String] = [:]
        for row in try execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
                               [table]).rows {
            types[row.string(0)] = row.string(1)
        }
        columnTypeCache[table] = types
        return types
    }

    /// Connects with a libpq connection string or `postgres://` URL.
    init(_ conninfo: String) throws(PostgresError) {
        guard let handle = PQconnectdb(conninfo) else { throw PostgresError(sqlState: nil, message: "libpq could not allocate a connection") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw PostgresError(sqlState: "08001", message: "cannot connect to PostgreSQL: \(message)")
        }
        self.handle = handle
    }

    deinit { PQfinish(handle) }

    /// The server's version (`150018` is 15.18).
    var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one statement with text parameters (nil is NULL); the rows it returns, as text.
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PGRows {
        let result: OpaquePointer? = withTextParameters(parameters) { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard let result else { throw PostgresError(sqlState: nil, message: String(cString: PQerrorMessage(handle))) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return PGRows(result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQclear(result)
            throw PostgresError(sqlState: state, message: message)
        }
    }

    /// Runs a script of several statements without parameters (a migration).
    func executeScript(_ sql: String) throws(PostgresError) {
        guard let result = PQexec(handle, sql) else { throw PostgresError(sqlState: nil, message: String(cString: PQerrorMessage(handle))) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            throw PostgresError(sqlState: state, message: String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(isolation: String = "READ COMMITTED", _ body: () throws -> T) throws -> T {
        try execute("BEGIN ISOLATION LEVEL \(isolation)")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    private func withTextParameters<R>(_ parameters: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            body(buffer.map { $0.map { UnsafePointer($0) } })
        }
    }
}

/// A statement's rows, copied out of libpq's result (which is freed at once).
struct PGRows {
    let columns: [String]
    let rows: [PGRow]
    /// Rows the statement changed (`UPDATE`, `DELETE`, `INSERT`), from libpq's command status.
    let changes: Int

    init(_ result: OpaquePointer) {
        defer { PQclear(result) }
        let columnCount = Int(PQnfields(result)), rowCount = Int(PQntuples(result))
        columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        rows = (0..<rowCount).map { row in
            PGRow(values: (0..<columnCount).map { column in
                PQgetisnull(result, Int32(row), Int32(column)) == 1 ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            })
        }
        changes = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    var count: Int { rows.count }

    /// The first row's first column.
    var scalar: String? { rows.first?[0] }
}

/// One row, as text (libpq's text format: `t`/`f` for booleans, decimal digits for numbers).
struct PGRow: ColumnReader {
    let values: [String?]

    subscript(_ column: Int) -> String? { values[column] }

    func int64(_ column: Int32) -> Int64 { optionalInt64(column) ?? 0 }
    func optionalInt64(_ column: Int32) -> Int64? { values[Int(column)].flatMap { Int64($0) } }
    func double(_ column: Int32) -> Double { values[Int(column)].flatMap { Double($0) } ?? 0 }
    func string(_ column: Int32) -> String { values[Int(column)] ?? "" }
    func optionalString(_ column: Int32) -> String? { values[Int(column)] }
}

/// Text parameters collected by position, for the binders `ObjectColumns` shares with SQLite.
final class PGParameters: ColumnBinder {
    private(set) var values: [String?] = []

    private func set(_ value: String?, at index: Int32) {
        let position = Int(index) - 1
        if values.count <= position { values += Array(repeating: nil, count: position - values.count + 1) }
        values[position] = value
    }

    func bind(_ number: Int64, at index: Int32) { set(String(number), at: index) }
    func bind(_ number: Int64?, at index: Int32) { set(number.map(String.init), at: index) }
    func bind(_ text: String, at index: Int32) { set(text, at: index) }
    func bind(_ text: String?, at index: Int32) { set(text, at: index) }
    func bindNull(at index: Int32) { set(nil, at: index) }
}

extension PGConnection {
    /// `INSERT INTO table (columns) SELECT * FROM unnest($1::type[], $2::type[], …)`: any number
    /// of rows in one statement of one parameter per column (each column's values as one array),
    /// so the server parses and plans a statement of a dozen parameters, not a `VALUES` list of
    /// thousands (measured: docs/performance.md, "PostgreSQL"). `bindRow` binds one row's values
    /// in column order from `index` on.
    func insertRows(into table: String, columns: [String], count: Int, bindRow: (Int, PGParameters, inout Int32) throws -> Void) throws {
        guard count > 0 else { return }
        let types = try columnTypes(table)
        let parameters = PGParameters()
        var index: Int32 = 1
        for row in 0..<count { try bindRow(row, parameters, &index) }
        precondition(index == Int32(count * columns.count) + 1, "\(table): each row binds every column once")
        let values = parameters.values
        let arrays: [String?] = columns.indices.map { column in
            PGArrayLiteral.make(count: count) { values[$0 * columns.count + column] }
        }
        let casts = columns.enumerated().map { "$\($0.offset + 1)::\(types[$0.element] ?? "text")[]" }
        try execute("INSERT INTO \(table) (\(columns.joined(separator: ", "))) SELECT * FROM unnest(\(casts.joined(separator: ", ")))", arrays)
    }

}
