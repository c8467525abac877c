import PaySyncCore

/// Xero's two date forms: Microsoft JSON `/Date(1573755038314+0000)/` (milliseconds since the
/// epoch, UTC; the offset is informational) and ISO 8601 (`2019-11-14T18:10:38.314`, UTC).
public enum XeroDate {
    /// The instant, exactly to the millisecond.
    public static func timestamp(_ text: String) -> Timestamp? {
        if text.hasPrefix("/Date(") {
            let body = text.dropFirst("/Date(".count)
            var digits = Substring()
            var index = body.startIndex
            if index < body.endIndex, body[index] == "-" { index = body.index(after: index) }
            while index < body.endIndex, body[index].isASCII, body[index].isNumber { index = body.index(after: index) }
            digits = body[body.startIndex..<index]
            guard let milliseconds = Int64(digits), text.hasSuffix(")/") else { return nil }
            return Timestamp(millisecondsSinceEpoch: milliseconds)
        }
        return Timestamp(iso: text)
    }

    /// A date-only field (invoice `Date`, `DueDate`): Xero sends midnight UTC of that day.
    public static func calendarDate(_ text: String) -> CalendarDate? {
        if text.hasPrefix("/Date(") { return timestamp(text)?.utcDate }
        return CalendarDate(iso: text)
    }

    /// `If-Modified-Since` as Xero takes it: `2025-05-01T09:00:00`, UTC, whole seconds.
    public static func ifModifiedSince(_ instant: Timestamp) -> String {
        let seconds = Timestamp(secondsSinceEpoch: instant.secondsSinceEpoch).iso8601
        return String(seconds.dropLast())  // drop the "Z"
    }
}
