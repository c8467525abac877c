import PaySyncCore

/// Builds the query endpoint's statements. Every literal goes through `quoted`, so no value — a
/// cursor, a date, anything from a config — can end a string early and change the query.
public enum QuickBooksQuery {
    /// `'…'` with backslashes and single quotes escaped by a backslash, as the query language
    /// reads them.
    public static func quoted(_ text: String) -> String {
        var result = "'"
        for character in text {
            if character == "\\" || character == "'" { result.append("\\") }
            result.append(character)
        }
        result.append("'")
        return result
    }

    /// One page of an entity: changed since an instant (incremental, oldest first) or with a
    /// transaction date in `[from, until)` (a window), `STARTPOSITION` 1-based.
    public static func page(_ entity: QuickBooksEntity, mode: ReadMode, startPosition: Int, maxResults: Int) -> String {
        var conditions: [String] = []
        switch mode {
        case .incremental(let since):
            if let since { conditions.append("MetaData.LastUpdatedTime >= \(quoted(since.iso8601))") }
        case .window(let from, let until):
            conditions.append("TxnDate >= \(quoted(from.description))")
            conditions.append("TxnDate < \(quoted(until.description))")
        case .file:
            break  // never asked: `QuickBooksSource.read` reads no files
        }
        var query = "SELECT * FROM \(entity.table)"
        if !conditions.isEmpty { query += " WHERE " + conditions.joined(separator: " AND ") }
        query += " ORDERBY MetaData.LastUpdatedTime ASC STARTPOSITION \(startPosition) MAXRESULTS \(maxResults)"
        return query
    }
}
