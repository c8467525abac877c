import PaySyncCore
import Testing
@testable import PaySyncConnectors

@Suite struct QuickBooksQueryTests {
    @Test("literals are quoted with backslash escapes", arguments: [
        ("2025-05-01", "'2025-05-01'"),
        ("O'Brien", #"'O\'Brien'"#),
        (#"back\slash"#, #"'back\\slash'"#),
        (#"x' OR Id > '0"#, #"'x\' OR Id > \'0'"#),
        ("", "''"),
    ])
    func quoting(text: String, quoted: String) {
        #expect(QuickBooksQuery.quoted(text) == quoted)
    }

    @Test func incrementalPagesAreOldestFirstFromTheCursor() {
        let since = Timestamp(iso: "2025-05-01T07:00:00Z")!
        #expect(QuickBooksQuery.page(.invoices, mode: .incremental(since: since), startPosition: 1001, maxResults: 1000)
            == "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '2025-05-01T07:00:00Z' ORDERBY MetaData.LastUpdatedTime ASC STARTPOSITION 1001 MAXRESULTS 1000")
        #expect(QuickBooksQuery.page(.payments, mode: .incremental(since: nil), startPosition: 1, maxResults: 50)
            == "SELECT * FROM Payment ORDERBY MetaData.LastUpdatedTime ASC STARTPOSITION 1 MAXRESULTS 50")
    }

    @Test func windowsFilterByTransactionDate() {
        let query = QuickBooksQuery.page(.invoices, mode: .window(from: CalendarDate(year: 2025, month: 1, day: 1)!, until: CalendarDate(year: 2025, month: 2, day: 1)!),
                                         startPosition: 1, maxResults: 1000)
        #expect(query == "SELECT * FROM Invoice WHERE TxnDate >= '2025-01-01' AND TxnDate < '2025-02-01' ORDERBY MetaData.LastUpdatedTime ASC STARTPOSITION 1 MAXRESULTS 1000")
    }
}
