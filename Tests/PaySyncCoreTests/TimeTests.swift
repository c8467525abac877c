import Testing
@testable import PaySyncCore

@Suite struct TimeTests {
    @Test("ISO 8601 instants parse to exact milliseconds", arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2019-11-14T18:10:38.314Z", 1_573_755_038_314),
        ("2025-05-01T00:00:00", 1_746_057_600_000),
        ("2015-07-24T10:33:39-07:00", 1_437_759_219_000),
        ("2025-05-02T09:12:44.120-07:00", 1_746_202_364_120),
        ("2025-05-01", 1_746_057_600_000),
        ("1969-12-31T23:59:59Z", -1000),
    ])
    func parsesISO(text: String, milliseconds: Int64) {
        #expect(Timestamp(iso: text)?.millisecondsSinceEpoch == milliseconds)
    }

    @Test("malformed instants are refused", arguments: ["", "2025-13-01", "2025-02-30T00:00:00Z", "2025-05-01T25:00:00Z", "2025-05-01T00:00:00+5", "yesterday", "2025-05-01T00:00:00.Z"])
    func refusesMalformed(text: String) {
        #expect(Timestamp(iso: text) == nil)
    }

    @Test func formatsISO() {
        #expect(Timestamp(millisecondsSinceEpoch: 1_573_755_038_314).iso8601 == "2019-11-14T18:10:38.314Z")
        #expect(Timestamp(millisecondsSinceEpoch: 1_746_057_600_000).iso8601 == "2025-05-01T00:00:00Z")
        #expect(Timestamp(millisecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999Z")
    }

    @Test func calendarDatesRoundTripThroughDaysForFourHundredYears() {
        var date = CalendarDate(year: 1900, month: 1, day: 1)!
        let start = date.daysSinceEpoch
        for offset in 0..<(146_097) {
            #expect(date.daysSinceEpoch == start + Int64(offset))
            #expect(CalendarDate(daysSinceEpoch: date.daysSinceEpoch) == date)
            date = date.adding(days: 1)
        }
        #expect(date == CalendarDate(year: 2300, month: 1, day: 1))
    }

    @Test func localDateUsesTheOffset() {
        let instant = Timestamp(iso: "2025-05-01T20:00:00Z")!
        #expect(instant.date(offsetSeconds: 0).description == "2025-05-01")
        #expect(instant.date(offsetSeconds: 12 * 3600).description == "2025-05-02")  // Auckland
        #expect(instant.date(offsetSeconds: -21 * 3600).description == "2025-04-30")
    }

    @Test func leapYears() {
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2025, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
    }
}
