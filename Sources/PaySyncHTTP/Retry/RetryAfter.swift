import PaySyncCore

/// Reads `Retry-After`: delta-seconds (`120`) or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`).
public enum RetryAfter {
    /// Seconds to wait from `now`, or nil when the header is absent or unreadable. A date in the
    /// past means "now" (0).
    public static func seconds(_ value: String?, now: Timestamp) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0, seconds.isFinite { return seconds }
        guard let date = httpDate(value) else { return nil }
        return max(0, Double(date.millisecondsSinceEpoch - now.millisecondsSinceEpoch) / 1000)
    }

    /// Parses the IMF-fixdate form of RFC 9110 (`Sun, 06 Nov 1994 08:49:37 GMT`).
    public static func httpDate(_ text: String) -> Timestamp? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
              let month = months.firstIndex(of: String(parts[2])) else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3, let date = CalendarDate(year: year, month: month + 1, day: day),
              (0..<24).contains(time[0]), (0..<60).contains(time[1]), (0..<61).contains(time[2]) else { return nil }
        return Timestamp(millisecondsSinceEpoch: date.startOfDayUTC.millisecondsSinceEpoch + Int64(time[0] * 3600 + time[1] * 60 + time[2]) * 1000)
    }

    /// Formats an instant in IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), as servers send `Date`.
    public static func httpDateText(_ instant: Timestamp) -> String {
        let date = instant.utcDate
        let seconds = Int((instant.millisecondsSinceEpoch - date.startOfDayUTC.millisecondsSinceEpoch) / 1000)
        let days = Int(date.startOfDayUTC.millisecondsSinceEpoch / 86_400_000)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]  // 1970-01-01 was a Thursday
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(weekday), \(two(date.day)) \(months[date.month - 1]) \(date.year) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)) GMT"
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

import Foundation
