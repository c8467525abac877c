import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// The kit's page loop, style by style, and its refusals to loop.
@Suite struct PageLoopTests {
    func page(_ count: Int) -> SourcePage {
        SourcePage(observations: [], rejects: [], outOfScope: count, lastUpdatedAt: nil, lastID: nil, servedAt: nil, number: 0, isLast: false)
    }

    /// Runs the loop over scripted pages and returns the positions asked for and the pages consumed.
    func run(_ style: PageStyle, maxPages: Int = 100, _ script: [FetchedPage]) async throws -> (asked: [PagePosition?], consumed: [SourcePage]) {
        var remaining = script
        var asked: [PagePosition?] = []
        var consumed: [SourcePage] = []
        try await PageLoop.run(style, source: "src", what: "/things", maxPages: maxPages) { position in
            asked.append(position)
            return remaining.isEmpty ? FetchedPage(page: page(0), count: 0) : remaining.removeFirst()
        } consume: { consumed.append($0) }
        return (asked, consumed)
    }

    @Test func pageNumbersStopAtAShortPage() async throws {
        let result = try await run(.pageNumber(size: 2), [FetchedPage(page: page(2), count: 2), FetchedPage(page: page(1), count: 1)])
        #expect(result.asked == [.number(1), .number(2)])
        #expect(result.consumed.map(\.number) == [1, 2])
        #expect(result.consumed.map(\.isLast) == [false, true])
    }

    @Test func aStatedPageCountSparesTheEmptyLastPage() async throws {
        let result = try await run(.pageNumber(size: 2), [FetchedPage(page: page(2), count: 2, statedTotal: 2), FetchedPage(page: page(2), count: 2, statedTotal: 2)])
        #expect(result.asked == [.number(1), .number(2)])
        #expect(result.consumed.last?.isLast == true)
        #expect(result.consumed.map(\.pagesExpected) == [2, 2], "the stated count is what the progress line estimates from")
    }

    @Test func offsetsAdvanceByWhatWasReadAndStopAtTheTotal() async throws {
        let result = try await run(.offset(first: 1, size: 3), [FetchedPage(page: page(3), count: 3, statedTotal: 6), FetchedPage(page: page(3), count: 3, statedTotal: 6)])
        #expect(result.asked == [.offset(1), .offset(4)])
        #expect(result.consumed.map(\.isLast) == [false, true])
        #expect(result.consumed.map(\.pagesExpected) == [2, 2], "6 objects at 3 a page")
        let unstated = try await run(.pageNumber(size: 2), [FetchedPage(page: page(1), count: 1)])
        #expect(unstated.consumed.map(\.pagesExpected) == [nil])
    }

    @Test func cursorsAndLinksFollowTheResponseUntilItGivesNone() async throws {
        let cursor = try await run(.cursor, [FetchedPage(page: page(1), count: 1, next: .cursor("a")), FetchedPage(page: page(1), count: 1, next: .cursor("b")),
                                             FetchedPage(page: page(1), count: 1)])
        #expect(cursor.asked == [nil, .cursor("a"), .cursor("b")])
        // An empty page that still names a next link is followed, not taken as the end.
        let links = try await run(.nextLink, [FetchedPage(page: page(0), count: 0, next: .link("https://x/2")), FetchedPage(page: page(1), count: 1)])
        #expect(links.asked == [nil, .link("https://x/2")])
        #expect(links.consumed.count == 2)
    }

    @Test func aNextLinkBackToAnEarlierPageIsRefusedAfterCommittingWhatWasRead() async throws {
        var consumed = 0
        let error = await #expect(throws: SourceError.self) {
            var script = [FetchedPage(page: page(1), count: 1, next: .link("https://x/2")), FetchedPage(page: page(1), count: 1, next: .link("https://x/2"))]
            try await PageLoop.run(.nextLink, source: "src", what: "/things") { _ in script.removeFirst() } consume: { _ in consumed += 1 }
        }
        #expect(consumed == 2)
        #expect(error?.exitCode == .dataError)
        #expect(error?.description == "src: /things: the provider's next link https://x/2 points back to a page already read; stopped")
    }

    @Test func pagingThatNeverEndsIsBounded() async throws {
        var counter = 0
        let error = await #expect(throws: SourceError.self) {
            try await PageLoop.run(.cursor, source: "src", what: "/things", maxPages: 5) { _ in
                counter += 1
                return FetchedPage(page: page(1), count: 1, next: .cursor("c\(counter)"))
            } consume: { _ in }
        }
        #expect(counter == 5)
        #expect(error?.exitCode == .dataError)
    }
}
