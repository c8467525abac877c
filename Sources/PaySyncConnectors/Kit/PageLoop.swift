import PaySyncCore

/// How a provider pages a list, as the reference sheets describe them.
public enum PageStyle: Sendable, Equatable {
    /// `page=1, 2, …` of `size` objects (Xero, FreshBooks, Zoho): last when a page is short or
    /// when the provider's stated page count is reached.
    case pageNumber(first: Int = 1, size: Int)
    /// A start position of `size` objects (QuickBooks `STARTPOSITION`, 1-based; `offset`, 0-based):
    /// last when a page is short or the stated total is reached.
    case offset(first: Int = 0, size: Int)
    /// An opaque token from the response (Stripe `starting_after`, Square `cursor`): last when
    /// the response gives none.
    case cursor
    /// A full URL for the next page in the response (Open Banking `Links.Next`, Mollie
    /// `_links.next`, Dataverse `@odata.nextLink`): last when there is none.
    case nextLink
}

/// Where a page starts, in its style's terms; nil asks for the first page.
public enum PagePosition: Hashable, Sendable, CustomStringConvertible {
    case number(Int)
    case offset(Int)
    case cursor(String)
    case link(String)

    public var description: String {
        switch self {
        case .number(let number): "page \(number)"
        case .offset(let offset): "offset \(offset)"
        case .cursor(let cursor): "cursor \(cursor)"
        case .link(let link): "link \(link)"
        }
    }
}

/// One page as a connector fetched it: normalised, with what the response said about paging.
public struct FetchedPage: Sendable {
    public var page: SourcePage
    /// Objects the response held, in scope or not (a short page ends page-number and offset lists).
    public var count: Int
    /// For cursor and next-link styles: where the next page starts, if the response says.
    public var next: PagePosition?
    /// The provider's stated number of pages (page-number style) or objects (offset style).
    public var statedTotal: Int?

    public init(page: SourcePage, count: Int, next: PagePosition? = nil, statedTotal: Int? = nil) {
        self.page = page
        self.count = count
        self.next = next
        self.statedTotal = statedTotal
    }
}

/// The one page loop every connector uses: asks for pages in order, numbers them, decides which
/// is last by the style's rule, and hands each to `consume` (which commits it) before asking for
/// the next. It refuses to loop: a position seen before (a next link back to an earlier page)
/// or more than `maxPages` pages ends the read with exit 65, keeping what was committed.
public enum PageLoop {
    public static func run(
        _ style: PageStyle, source: String, what: String, maxPages: Int = 1_000_000,
        fetch: (PagePosition?) async throws -> FetchedPage,
        consume: (SourcePage) async throws -> Void
    ) async throws {
        var position: PagePosition? = first(style)
        var seen: Set<PagePosition> = []
        var number = 1
        while true {
            if let position, !seen.insert(position).inserted {
                throw SourceError(source: source, message: "\(what): the provider's next \(position) points back to a page already read; stopped", exitCode: .dataError)
            }
            var fetched = try await fetch(position)
            let next = nextPosition(style, after: position, fetched: fetched)
            fetched.page.number = number
            fetched.page.isLast = next == nil
            fetched.page.pagesExpected = expectedPages(style, fetched: fetched)
            try await consume(fetched.page)
            guard let next else { return }
            guard number < maxPages else {
                throw SourceError(source: source, message: "\(what): still more pages after \(maxPages); stopped (the provider's paging does not end)", exitCode: .dataError)
            }
            position = next
            number += 1
        }
    }

    static func first(_ style: PageStyle) -> PagePosition? {
        switch style {
        case .pageNumber(let first, _): .number(first)
        case .offset(let first, _): .offset(first)
        case .cursor, .nextLink: nil
        }
    }

    /// The pages the whole read takes, from the provider's stated total: its page count, or its
    /// object count over the page size (counted from the first offset).
    static func expectedPages(_ style: PageStyle, fetched: FetchedPage) -> Int? {
        guard let total = fetched.statedTotal, total >= 0 else { return nil }
        switch style {
        case .pageNumber: return total
        case .offset(_, let size): return size > 0 ? max(1, (total + size - 1) / size) : nil
        case .cursor, .nextLink: return nil
        }
    }

    /// Where the page after `fetched` starts, or nil when `fetched` was the last.
    static func nextPosition(_ style: PageStyle, after position: PagePosition?, fetched: FetchedPage) -> PagePosition? {
        switch (style, position) {
        case (.pageNumber(_, let size), .number(let number)?):
            if let pages = fetched.statedTotal { return number < pages ? .number(number + 1) : nil }
            return fetched.count < size ? nil : .number(number + 1)
        case (.offset(let first, let size), .offset(let offset)?):
            let after = offset + fetched.count
            if let total = fetched.statedTotal, after - first >= total { return nil }
            return fetched.count < size ? nil : .offset(after)
        case (.cursor, _), (.nextLink, _):
            return fetched.next
        default:
            return nil
        }
    }
}
