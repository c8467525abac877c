import Foundation
import PaySyncCore

/// The day it is for an account in its configured time zone (IANA name; UTC when unknown):
/// an invoice is overdue once this day is past its due date.
public enum AccountCalendar {
    public static func today(now: Timestamp, timeZone: String) -> CalendarDate {
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0)!
        return now.date(offsetSeconds: zone.secondsFromGMT(for: now.date))
    }
}
