/// An instant, in milliseconds since 1970-01-01T00:00:00Z. All instants paysync stores are UTC.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(secondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = secondsSinceEpoch * 1000
    }

    /// Parses ISO 8601 / RFC 3339: `2025-05-01T09:12:44Z`, `2025-05-01T09:12:44.120-07:00`,
    /// `2025-05-01T09:12:44` (no zone: read as UTC), or a bare date `2025-05-01` (midnight UTC).
    public init?(iso text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard let date = CalendarDate(iso: String(decoding: bytes.prefix(10), as: UTF8.self)) else { return nil }
        var milliseconds = date.daysSinceEpoch * 86_400_000
        if bytes.count == 10 { self.init(millisecondsSinceEpoch: milliseconds); return }
        guard bytes.count >= 19, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = ASCII.integer(bytes[11..<13]), let minute = ASCII.integer(bytes[14..<16]),
              let second = ASCII.integer(bytes[17..<19]), hour < 24, minute < 60, second < 61
        else { return nil }
        milliseconds += Int64(hour * 3_600_000 + minute * 60_000 + second * 1000)
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale: Int64 = 100
            var sawDigit = false
            while index < bytes.count, let digit = ASCII.digit(bytes[index]) {
                milliseconds += Int64(digit) * scale
                scale /= 10
                sawDigit = true
                index += 1
            }
            guard sawDigit else { return nil }
        }
        if index == bytes.count { self.init(millisecondsSinceEpoch: milliseconds); return }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
            let zone = Array(bytes[(index + 1)...].filter { $0 != UInt8(ascii: ":") })
            guard zone.count == 4, let hours = ASCII.integer(zone[0..<2]), let minutes = ASCII.integer(zone[2..<4]) else { return nil }
            milliseconds -= sign * Int64(hours * 3_600_000 + minutes * 60_000)
        default:
            return nil
        }
        self.init(millisecondsSinceEpoch: milliseconds)
    }

    /// `2025-05-01T09:12:44Z`, with `.120` milliseconds only when they are not zero.
    public var iso8601: String {
        let days = millisecondsSinceEpoch >= 0 ? millisecondsSinceEpoch / 86_400_000 : (millisecondsSinceEpoch - 86_399_999) / 86_400_000
        let remainder = millisecondsSinceEpoch - days * 86_400_000
        let date = CalendarDate(daysSinceEpoch: days)
        let hour = Int(remainder / 3_600_000), minute = Int(remainder / 60_000 % 60), second = Int(remainder / 1000 % 60)
        let millis = Int(remainder % 1000)
        var text = "\(date)T\(ASCII.padded(hour, 2)):\(ASCII.padded(minute, 2)):\(ASCII.padded(second, 2))"
        if millis != 0 { text += ".\(ASCII.padded(millis, 3))" }
        return text + "Z"
    }

    /// The UTC calendar day that contains this instant.
    public var utcDate: CalendarDate { date(offsetSeconds: 0) }

    /// The calendar day that contains this instant at a fixed offset from UTC.
    public func date(offsetSeconds: Int) -> CalendarDate {
        let local = millisecondsSinceEpoch + Int64(offsetSeconds) * 1000
        let days = local >= 0 ? local / 86_400_000 : (local - 86_399_999) / 86_400_000
        return CalendarDate(daysSinceEpoch: days)
    }

    /// Whole seconds since the epoch, rounded down.
    public var secondsSinceEpoch: Int64 {
        millisecondsSinceEpoch >= 0 ? millisecondsSinceEpoch / 1000 : (millisecondsSinceEpoch - 999) / 1000
    }

    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }

    public func adding(seconds: Double) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + Int64((seconds * 1000).rounded()))
    }

    public func adding(_ duration: Duration) -> Timestamp {
        adding(milliseconds: duration.milliseconds)
    }

    /// `self - other`.
    public func duration(since other: Timestamp) -> Duration {
        .milliseconds(millisecondsSinceEpoch - other.millisecondsSinceEpoch)
    }

    public var description: String { iso8601 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded toward zero.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The duration in seconds as a `Double`, for display and for sleeping.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
