import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// FreshBooks' naive New York times, read exactly, including both daylight-saving changes.
@Suite struct NaiveLocalTimeTests {
    static let newYork = TimeZone(identifier: "America/New_York")!

    @Test(arguments: [
        ("2019-11-14 11:27:45", "2019-11-14T16:27:45Z"),  // EST, UTC-5 (the SDK's own test)
        ("2019-07-01 12:00:00", "2019-07-01T16:00:00Z"),  // EDT, UTC-4
        ("2026-03-08 01:59:59", "2026-03-08T06:59:59Z"),  // the last second of EST
        ("2026-03-08 03:00:00", "2026-03-08T07:00:00Z"),  // the first of EDT
        ("2026-03-08 02:30:00", "2026-03-08T07:30:00Z"),  // does not happen: read as 03:30 EDT
        ("2026-11-01 00:59:59", "2026-11-01T04:59:59Z"),
        ("2026-11-01 01:30:00", "2026-11-01T05:30:00Z"),  // happens twice: the first, EDT
        ("2026-11-01 02:00:00", "2026-11-01T07:00:00Z"),  // EST again
    ])
    func newYorkTimes(naive: String, utc: String) {
        #expect(NaiveLocalTime.instant(naive, zone: Self.newYork) == Timestamp(iso: utc))
    }

    @Test func onlyTheRepeatedHourIsAmbiguous() {
        #expect(NaiveLocalTime.isAmbiguous("2026-11-01 01:30:00", zone: Self.newYork))
        #expect(!NaiveLocalTime.isAmbiguous("2026-11-01 02:30:00", zone: Self.newYork))
        #expect(!NaiveLocalTime.isAmbiguous("2026-03-08 02:30:00", zone: Self.newYork), "a missing hour is not two")
        #expect(!NaiveLocalTime.isAmbiguous("2026-06-01 01:30:00", zone: Self.newYork))
    }

    @Test func theFilterTextIsTheWallClock() {
        #expect(NaiveLocalTime.text(Timestamp(iso: "2026-11-01T05:30:00Z")!, zone: Self.newYork) == "2026-11-01 01:30:00")
        #expect(NaiveLocalTime.text(Timestamp(iso: "2026-11-01T06:30:00Z")!, zone: Self.newYork) == "2026-11-01 01:30:00", "the second 01:30, in EST")
        #expect(NaiveLocalTime.text(Timestamp(iso: "2026-03-08T07:30:00Z")!, zone: Self.newYork) == "2026-03-08 03:30:00")
    }

    @Test func aFilterNearAClockChangeReachesAnHourBack() {
        // 01:50 EDT, in the hour that happens twice: 00:50, so the second pass's 01:20 is read.
        #expect(NaiveLocalTime.filterText(since: Timestamp(iso: "2026-11-01T05:50:00Z")!, zone: Self.newYork) == "2026-11-01 00:50:00")
        #expect(NaiveLocalTime.filterText(since: Timestamp(iso: "2026-03-08T06:50:00Z")!, zone: Self.newYork) == "2026-03-08 00:50:00")
        #expect(NaiveLocalTime.filterText(since: Timestamp(iso: "2026-06-01T12:00:00Z")!, zone: Self.newYork) == "2026-06-01 08:00:00", "no change near: itself")
    }

    @Test func notATimeIsNil() {
        #expect(NaiveLocalTime.instant("2019-11-14", zone: Self.newYork) == nil)
        #expect(NaiveLocalTime.instant("yesterday at noon!!", zone: Self.newYork) == nil)
    }
}
