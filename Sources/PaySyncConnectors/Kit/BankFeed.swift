import Foundation
import PaySyncCore

/// What every bank feed shares (Wise, Open Banking, Berlin Group): one entity of bank
/// transactions, re-read over `overlapDays` for late and back-dated bookings, no sweep, and the
/// first read going back `firstReadDays` unless `startDate` says otherwise.
public protocol BankFeedSource: Source {
    var overlapDays: Int { get }
}

extension BankFeedSource {
    public var entities: [String] { ["transactions"] }
    public var overlap: Duration { .seconds(Int64(overlapDays) * 86_400) }
    public var sweep: SweepSettings? { nil }
    public func kinds(of entity: String) -> [ObjectKind] { [.bankTransaction] }
}

public enum BankFeed {
    /// How far back a first read goes when the config gives no start date.
    public static let firstReadDays = 90

    /// Where a read starts: the cursor (already less the overlap), else `startDate`, else
    /// `firstReadDays` back; a window's own start. A file is not a feed's to read.
    public static func start(_ mode: ReadMode, startDate: CalendarDate?, now: Timestamp, source: String, provider: String) throws -> Timestamp {
        switch mode {
        case .incremental(let since): return since ?? startDate?.startOfDayUTC ?? now.adding(milliseconds: -Int64(firstReadDays) * 86_400_000)
        case .window(let from, _): return from.startOfDayUTC
        case .file: throw SourceError(source: source, message: "\(provider) is read from its API, not from files", exitCode: .usage)
        }
    }

    /// A next link, absolute or root-relative (resolved under `base`, as banks mean it), on the
    /// bank's own API only: an opaque URL, but not a way off it.
    public static func nextURL(_ href: String, base: String, source: String, provider: String) throws -> URL {
        let resolved = href.hasPrefix("/") ? URL(string: base + href) : URL(string: href)
        guard let url = resolved, let root = URL(string: base), url.scheme == root.scheme, url.host == root.host, url.port == root.port else {
            throw SourceError(source: source, message: "\(provider) gave a next link off its API (\(href.prefix(80))); stopped", exitCode: .dataError)
        }
        return url
    }
}
