/// What the ledger's row decoders and binders need of a backend, so that the code that turns a
/// row into an object state, an outbox row or a cursor (and back) is written once for SQLite and
/// PostgreSQL: a prepared SQLite `Statement` is both; a PostgreSQL row reads its text columns,
/// and `PGParameters` collects text parameters.
protocol ColumnReader {
    func int64(_ column: Int32) -> Int64
    func optionalInt64(_ column: Int32) -> Int64?
    func double(_ column: Int32) -> Double
    func string(_ column: Int32) -> String
    func optionalString(_ column: Int32) -> String?
}

/// Binds parameters by 1-based position.
protocol ColumnBinder {
    func bind(_ number: Int64, at index: Int32) throws
    func bind(_ number: Int64?, at index: Int32) throws
    func bind(_ text: String, at index: Int32) throws
    func bind(_ text: String?, at index: Int32) throws
    func bindNull(at index: Int32) throws
}

extension Statement: ColumnReader, ColumnBinder {}
