import PaySyncCore

/// `INSERT INTO table (columns) VALUES (…), (…), …`: many rows per statement, the statement for
/// each row count prepared once. Per row, SQLite then runs one pass of its insert program instead
/// of a whole statement (reset, bind, step), and the caller binds parameters in place with no
/// value array (measured: docs/performance.md).
final class MultiRowInsert {
    let table: String
    let columns: [String]
    /// Rows per statement at most.
    let batch: Int
    private unowned let database: Database
    private var statements: [Int: Statement] = [:]

    init(database: Database, table: String, columns: [String], batch: Int = 100) {
        precondition(columns.count * batch <= 32_766, "SQLite's parameter limit")
        self.database = database
        self.table = table
        self.columns = columns
        self.batch = batch
    }

    /// Inserts `count` rows; `bindRow(row, statement, index)` binds row `row`'s values, in column
    /// order, from parameter `index` on, and moves `index` past them.
    func run(count: Int, bindRow: (Int, Statement, inout Int32) throws -> Void) throws {
        var start = 0
        while start < count {
            let rows = min(batch, count - start)
            let statement = try self.statement(rows: rows)
            statement.clear()
            var index: Int32 = 1
            for row in start..<(start + rows) {
                try bindRow(row, statement, &index)
            }
            precondition(index == Int32(rows * columns.count) + 1, "\(table): each row binds every column once")
            try statement.run()
            start += rows
        }
    }

    private func statement(rows: Int) throws(SQLiteError) -> Statement {
        if let statement = statements[rows] { return statement }
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
        let statement = try Statement(database: database, sql: sql)
        statements[rows] = statement
        return statement
    }
}
