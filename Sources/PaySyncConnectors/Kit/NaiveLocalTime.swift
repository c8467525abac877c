import Foundation
import PaySyncCore

/// A provider's naive local time (`2019-11-14 11:27:45`, no offset) read as an instant in a
/// named zone (FreshBooks writes America/New_York), exactly, around daylight-saving changes:
/// - an hour that happens twice (clocks go back) is read as its first occurrence;
/// - an hour that does not happen (clocks go forward) is read with the offset before the change,
///   so `02:30` on a spring-forward day is the instant the clocks showed `03:30`.
/// Pure: the zone's rules come from the system's time-zone database, no clock is read.
public enum NaiveLocalTime {
    public static func instant(_ text: String, zone: TimeZone) -> Timestamp? {
        candidates(text, zone: zone).map { $0.min() ?? $1 }
    }

    /// True when the text names a time that happened twice (the hour clocks go back over): two
    /// such times cannot be ordered, so a caller must not order by them.
    public static func isAmbiguous(_ text: String, zone: TimeZone) -> Bool {
        (candidates(text, zone: zone)?.0.count ?? 0) > 1
    }

    /// The instants the wall time names (none, one or two), and the one a missing hour is read as.
    static func candidates(_ text: String, zone: TimeZone) -> ([Timestamp], Timestamp)? {
        let trimmed = text.replacingOccurrences(of: "T", with: " ")
        guard trimmed.count == 19, let wall = Timestamp(iso: trimmed.replacingOccurrences(of: " ", with: "T") + "Z") else { return nil }
        let seconds = Double(wall.millisecondsSinceEpoch) / 1000
        // The offsets in force half a day either side: the two a change moves between.
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds - 43_200))
        let after = zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds + 43_200))
        let valid = Set([before, after]).map { offset in (offset, seconds - Double(offset)) }
            .filter { offset, instant in zone.secondsFromGMT(for: Date(timeIntervalSince1970: instant)) == offset }
            .map { Timestamp(millisecondsSinceEpoch: Int64($0.1 * 1000)) }
        return (valid.sorted(), Timestamp(millisecondsSinceEpoch: Int64((seconds - Double(before)) * 1000)))
    }

    /// The text of a "changed since" filter for a provider that compares naive local times as
    /// text: the instant's own text, or an hour before it when a clock change lies within an
    /// hour either side (when clocks go back, 01:50 of the first pass would leave out 01:20 of
    /// the second; reading an hour more costs re-reading what is unchanged, nothing else).
    public static func filterText(since instant: Timestamp, zone: TimeZone) -> String {
        let seconds = Double(instant.millisecondsSinceEpoch) / 1000
        let changes = zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds - 3600)) != zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds + 3600))
        return text(changes ? instant.adding(milliseconds: -3_600_000) : instant, zone: zone)
    }

    /// The naive local text of an instant in the zone (`2019-11-14 11:27:45`), as a provider's
    /// filter takes it.
    public static func text(_ instant: Timestamp, zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant.millisecondsSinceEpoch) / 1000))
        let local = instant.adding(milliseconds: Int64(offset) * 1000).iso8601
        return String(local.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}
