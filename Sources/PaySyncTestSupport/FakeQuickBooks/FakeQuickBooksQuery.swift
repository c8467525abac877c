import PaySyncCore

/// The fake's parser for the subset of Intuit's query language a poller needs, strict enough to
/// catch a malformed or injected query: `SELECT * FROM Invoice|Payment [WHERE c AND c …]
/// [ORDERBY MetaData.LastUpdatedTime ASC] [STARTPOSITION n] [MAXRESULTS n]`, where each condition
/// compares `MetaData.LastUpdatedTime` or `TxnDate` with a quoted literal (backslash escapes).
/// Keywords and property names are matched without regard to case, and `ORDER BY` is taken as
/// well as `ORDERBY`, as Intuit's parser does: tap-quickbooks writes `Metadata.LastUpdatedTime …
/// ORDER BY` and runs so in production.
struct FakeQuickBooksQuery {
    var table: String
    var updatedSince: Timestamp?
    var txnFrom: CalendarDate?
    var txnUntil: CalendarDate?
    var startPosition = 1
    var maxResults = 100

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    init(_ text: String) throws {
        var tokens = try FakeQuickBooksQuery.tokens(text)[...]
        func expect(_ word: String) throws {
            guard let next = tokens.popFirst(), next.uppercased() == word else { throw ParseError(description: "expected \(word)") }
        }
        try expect("SELECT")
        try expect("*")
        try expect("FROM")
        guard let table = tokens.popFirst(), ["Invoice", "Payment", "CreditMemo", "RefundReceipt"].contains(table) else { throw ParseError(description: "unsupported entity") }
        self.table = table
        if tokens.first?.uppercased() == "WHERE" {
            tokens.removeFirst()
            repeat {
                guard let field = tokens.popFirst(), let op = tokens.popFirst(), let literal = tokens.popFirst(), literal.hasPrefix("'") else {
                    throw ParseError(description: "malformed condition")
                }
                let value = String(literal.dropFirst())
                switch (field.lowercased(), op) {
                case ("metadata.lastupdatedtime", ">="):
                    guard let time = Timestamp(iso: value) else { throw ParseError(description: "bad time \(value)") }
                    updatedSince = time
                case ("txndate", ">="):
                    guard let date = CalendarDate(iso: value) else { throw ParseError(description: "bad date \(value)") }
                    txnFrom = date
                case ("txndate", "<"):
                    guard let date = CalendarDate(iso: value) else { throw ParseError(description: "bad date \(value)") }
                    txnUntil = date
                default:
                    throw ParseError(description: "unsupported condition \(field) \(op)")
                }
            } while tokens.first?.uppercased() == "AND" && tokens.popFirst() != nil
        }
        if tokens.first?.uppercased() == "ORDERBY" || (tokens.first?.uppercased() == "ORDER" && tokens.dropFirst().first?.uppercased() == "BY") {
            if tokens.removeFirst().uppercased() == "ORDER" { tokens.removeFirst() }
            guard tokens.popFirst()?.lowercased() == "metadata.lastupdatedtime", tokens.popFirst()?.uppercased() == "ASC" else {
                throw ParseError(description: "unsupported ORDERBY")
            }
        }
        if tokens.first?.uppercased() == "STARTPOSITION" {
            tokens.removeFirst()
            guard let value = tokens.popFirst().flatMap(Int.init), value >= 1 else { throw ParseError(description: "bad STARTPOSITION") }
            startPosition = value
        }
        if tokens.first?.uppercased() == "MAXRESULTS" {
            tokens.removeFirst()
            guard let value = tokens.popFirst().flatMap(Int.init), value >= 1 else { throw ParseError(description: "bad MAXRESULTS") }
            maxResults = value
        }
        guard tokens.isEmpty else { throw ParseError(description: "unexpected \(tokens.first!)") }
    }

    func matches(updated: Timestamp, txnDate: CalendarDate) -> Bool {
        if let updatedSince, updated < updatedSince { return false }
        if let txnFrom, txnDate < txnFrom { return false }
        if let txnUntil, txnDate >= txnUntil { return false }
        return true
    }

    /// Words, operators and quoted literals (returned with their opening quote, unescaped).
    static func tokens(_ text: String) throws -> [String] {
        var tokens: [String] = []
        var characters = text[...]
        while let character = characters.first {
            if character == " " { characters.removeFirst(); continue }
            if character == "'" {
                characters.removeFirst()
                var literal = "'"
                var closed = false
                while let next = characters.popFirst() {
                    if next == "\\" {
                        guard let escaped = characters.popFirst() else { break }
                        literal.append(escaped)
                    } else if next == "'" {
                        closed = true
                        break
                    } else {
                        literal.append(next)
                    }
                }
                guard closed else { throw ParseError(description: "unterminated string") }
                tokens.append(literal)
                continue
            }
            if character == ">" || character == "<" || character == "=" {
                var op = String(characters.removeFirst())
                if characters.first == "=" { op.append(characters.removeFirst()) }
                tokens.append(op)
                continue
            }
            var word = ""
            while let next = characters.first, next != " ", next != "'", next != ">", next != "<", next != "=" { word.append(characters.removeFirst()) }
            tokens.append(word)
        }
        return tokens
    }
}
