import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// The kit's change-feed reading: events applied oldest first whatever order they were listed
/// in, each once, each object at its latest state, and a cursor that never runs ahead of the read.
@Suite struct ChangeFeedTests {
    static func event(_ id: String, _ second: Int64, _ object: String, _ status: PaymentStatus) -> FeedEvent {
        let at = Timestamp(millisecondsSinceEpoch: second * 1000)
        return FeedEvent(id: id, at: at, observation: Observation(key: ObjectKey(provider: "p", account: "a", kind: .payment, externalID: object),
                                                                   updatedAt: at, status: status, providerStatus: status.rawValue))
    }

    @Test func newestFirstIsAppliedOldestFirstWithEachObjectsLatestState() {
        let listed = [Self.event("e4", 40, "x", .refunded), Self.event("e3", 30, "y", .paid), Self.event("e2", 20, "x", .paid), Self.event("e1", 10, "y", .pending)]
        let pages = ChangeFeed.pages(listed, newestFirst: true, readStartedAt: Timestamp(millisecondsSinceEpoch: 50_000))
        #expect(pages.count == 1)
        #expect(pages[0].observations.map { "\($0.key.externalID)=\($0.status)" } == ["y=paid", "x=refunded"])
        #expect(pages[0].lastUpdatedAt == Timestamp(millisecondsSinceEpoch: 50_000) && pages[0].isLast)
    }

    @Test func eventsOfTheSameSecondKeepTheirListingOrder() {
        // Listed newest first: e2 (paid) after e1 (pending), both in second 10.
        let listed = [Self.event("e2", 10, "x", .paid), Self.event("e1", 10, "x", .pending)]
        let pages = ChangeFeed.pages(listed, newestFirst: true, readStartedAt: Timestamp(millisecondsSinceEpoch: 60_000))
        #expect(pages[0].observations.map(\.status) == [.paid])
    }

    @Test func aRepeatedEventCountsOnce() {
        let listed = [Self.event("e2", 20, "x", .paid), Self.event("e2", 20, "x", .paid), Self.event("e1", 10, "z", .paid)]
        let pages = ChangeFeed.pages(listed, newestFirst: true, readStartedAt: Timestamp(millisecondsSinceEpoch: 60_000))
        #expect(pages.flatMap(\.observations).count == 2)
    }

    @Test func pagesCarryTheirLastEventAndNeverRunAheadOfTheRead() {
        let listed = (1...250).reversed().map { Self.event("e\($0)", Int64($0), "o\($0)", .paid) }
        let started = Timestamp(millisecondsSinceEpoch: 150_500)
        let pages = ChangeFeed.pages(listed, newestFirst: true, readStartedAt: started)
        #expect(pages.map(\.observations.count) == [100, 100, 50])
        #expect(pages[0].lastUpdatedAt == Timestamp(millisecondsSinceEpoch: 100_000) && pages[0].lastID == "e100")
        #expect(pages[1].lastUpdatedAt == started, "an event after the read began does not move the cursor past the start")
        #expect(pages[2].lastUpdatedAt == started && pages[2].lastID == "" && pages[2].isLast)
    }

    @Test func anEmptyFeedStillMovesTheCursorToTheReadsStart() {
        let pages = ChangeFeed.pages([], newestFirst: true, readStartedAt: Timestamp(millisecondsSinceEpoch: 9_000))
        #expect(pages.count == 1 && pages[0].observations.isEmpty && pages[0].lastUpdatedAt == Timestamp(millisecondsSinceEpoch: 9_000))
    }

    @Test func theFeedReachesBackAsFarAsItKeeps() {
        let now = Timestamp(iso: "2025-05-31T00:00:00Z")!
        #expect(ChangeFeed.reaches(since: Timestamp(iso: "2025-05-02T00:00:00Z")!, now: now, days: 30))
        #expect(!ChangeFeed.reaches(since: Timestamp(iso: "2025-04-30T00:00:00Z")!, now: now, days: 30))
        #expect(!ChangeFeed.reaches(since: Timestamp(iso: "2025-05-01T00:30:00Z")!, now: now, days: 30), "within the hour's margin")
        #expect(!ChangeFeed.reaches(since: nil, now: now, days: 30), "no cursor: a first sync lists everything")
    }
}
