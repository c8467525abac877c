import Foundation
import PaySyncCore

/// Xero's two date forms: Microsoft JSON `/Date(1573755038314+0000)/` (milliseconds since the
/// epoch, UTC; the offset is informational) and ISO 8601 (`2019-11-14T18:10:38.314`, UTC).
public enum XeroDate {
    /// The instant, exactly to the millisecond.
    public static func timestamp(_ text: String) -> Timestamp? {
        var text = text
        return text.withUTF8 { bytes -> Timestamp? in
            guard let milliseconds = dotNetMilliseconds(bytes) else { return Timestamp(iso: String(decoding: bytes, as: UTF8.self)) }
            return Timestamp(millisecondsSinceEpoch: milliseconds)
        }
    }

    /// A date-only field (invoice `Date`, `DueDate`): Xero sends midnight UTC of that day.
    public static func calendarDate(_ text: String) -> CalendarDate? {
        var text = text
        return text.withUTF8 { bytes -> CalendarDate? in
            if let milliseconds = dotNetMilliseconds(bytes) { return Timestamp(millisecondsSinceEpoch: milliseconds).utcDate }
            return CalendarDate(isoBytes: bytes)
        }
    }

    /// The milliseconds of `/Date(1573755038314+0000)/`, or nil for another form.
    static func dotNetMilliseconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        let prefix: StaticString = "/Date("
        guard bytes.count > 8, memcmp(bytes.baseAddress!, prefix.utf8Start, 6) == 0,
              bytes[bytes.count - 2] == UInt8(ascii: ")"), bytes[bytes.count - 1] == UInt8(ascii: "/") else { return nil }
        var index = 6
        var negative = false
        if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        var value: Int64 = 0
        let start = index
        while index < bytes.count - 2, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = times10 + Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index > start else { return nil }
        // What may follow is an offset (+1300) that does not change the instant.
        if index < bytes.count - 2 {
            guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return nil }
            for offset in (index + 1)..<(bytes.count - 2) where !(bytes[offset] >= UInt8(ascii: "0") && bytes[offset] <= UInt8(ascii: "9")) { return nil }
        }
        return negative ? -value : value
    }

    /// `If-Modified-Since` as Xero takes it: `2025-05-01T09:00:00`, UTC, whole seconds.
    public static func ifModifiedSince(_ instant: Timestamp) -> String {
        let seconds = Timestamp(secondsSinceEpoch: instant.secondsSinceEpoch).iso8601
        return String(seconds.dropLast())  // drop the "Z"
    }
}
