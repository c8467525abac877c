import Testing
@testable import PaySyncCore

@Suite struct PageShiftGuardTests {
    func at(_ ms: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: ms) }

    func object(_ id: String, updated: Int64) -> Observation {
        var observation = invoice(id, updated: updated)
        observation.key.externalID = id
        return observation
    }

    @Test func noMoverNoHold() {
        var guardian = PageShiftGuard(windowStart: at(1_000))
        guardian.observe(servedAt: at(50_000), observations: [(object("a", updated: 2_000), nil)], lastUpdatedAt: at(2_000))
        guardian.observe(servedAt: at(50_500), observations: [(object("b", updated: 3_000), object("b", updated: 1_500))], lastUpdatedAt: at(3_000))
        #expect(guardian.hold == nil)
    }

    @Test func anObjectReadEarlierThatMovesHoldsAtThePageBeforeTheMove() {
        var guardian = PageShiftGuard(windowStart: at(1_000))
        guardian.observe(servedAt: at(50_000), observations: [(object("a", updated: 2_000), nil)], lastUpdatedAt: at(9_000))
        guardian.observe(servedAt: at(51_000), observations: [(object("b", updated: 10_000), nil)], lastUpdatedAt: at(19_000))
        // "a" (already stored at 2_000, inside the window) comes back updated at 50_500: it moved after page 1.
        guardian.observe(servedAt: at(52_000), observations: [(object("a", updated: 50_500), object("a", updated: 2_000))], lastUpdatedAt: at(50_500))
        #expect(guardian.hold == at(9_000))
    }

    @Test func aPageServedInTheSameMillisecondAsTheMoveCountsAsAfterIt() {
        var guardian = PageShiftGuard(windowStart: nil)
        guardian.observe(servedAt: at(50_000), observations: [(object("a", updated: 2_000), nil)], lastUpdatedAt: at(9_000))
        guardian.observe(servedAt: at(51_000), observations: [(object("b", updated: 10_000), nil)], lastUpdatedAt: at(19_000))
        guardian.observe(servedAt: at(51_000), observations: [(object("a", updated: 51_000), object("a", updated: 2_000))], lastUpdatedAt: at(51_000))
        #expect(guardian.hold == at(9_000))
    }

    @Test func anObjectNewToTheWindowIsNotAMover() {
        // Updated during the run, but its previous state was older than the window: it appended, nothing shifted.
        var guardian = PageShiftGuard(windowStart: at(10_000))
        guardian.observe(servedAt: at(50_000), observations: [(object("a", updated: 20_000), nil)], lastUpdatedAt: at(20_000))
        guardian.observe(servedAt: at(51_000), observations: [(object("z", updated: 50_500), object("z", updated: 5_000))], lastUpdatedAt: at(50_500))
        #expect(guardian.hold == nil)
    }
}

@Suite struct CursorLimitTests {
    let now = Timestamp(iso: "2025-05-02T09:00:00Z")!

    @Test func aPastPositionIsKept() {
        let position = CursorLimit.position(updatedAt: now.adding(seconds: -60), lastID: "b", limit: now)
        #expect(position.updatedAt == now.adding(seconds: -60) && position.lastID == "b" && !position.heldBack)
    }

    @Test func aFuturePositionIsHeldAtTheClock() {
        let position = CursorLimit.position(updatedAt: now.adding(seconds: 86_400 * 365), lastID: "b", limit: now)
        #expect(position.updatedAt == now && position.lastID == "" && position.heldBack)
    }
}
