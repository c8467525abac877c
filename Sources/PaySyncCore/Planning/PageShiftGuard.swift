/// Guards offset paging against objects that move while a run pages through a fixed filter.
///
/// A run reads `page=1,2,…` of "modified since T, oldest first". If an object the run has
/// already read is modified before the run finishes, it moves to the end of the list and every
/// later object shifts one place forward: the first object of the next unread page slides into
/// the page just read and is never seen. Incremental peers lose data exactly here.
///
/// Detection: a *mover* is an observation updated after the first page was served whose previous
/// state was already inside this run's window. The object that may have slipped sits just after
/// the last page read before the move, so the next run must re-read from that page's last
/// position: the returned `hold`. Cheap (no set of ids), conservative (false alarms cost a re-read,
/// never data).
public struct PageShiftGuard: Sendable {
    /// The If-Modified-Since this run reads from (nil: from the beginning).
    public let windowStart: Timestamp?
    private var firstServerTime: Timestamp?
    /// (server time the page was served, updated-at of its last object), in page order.
    private var pages: [(servedAt: Timestamp, lastUpdatedAt: Timestamp?)] = []
    public private(set) var hold: Timestamp?

    public init(windowStart: Timestamp?) {
        self.windowStart = windowStart
    }

    /// Feeds one page, in order.
    /// - Parameters:
    ///   - servedAt: the server's clock when it produced the page (where the provider's page says).
    ///   - observations: the page's observations, each with the ledger's previous state.
    public mutating func observe(servedAt: Timestamp?, observations: [(observation: Observation, known: Observation?)], lastUpdatedAt: Timestamp?) {
        if firstServerTime == nil { firstServerTime = servedAt }
        if let servedAt { pages.append((servedAt, lastUpdatedAt)) }
        guard let firstServerTime else { return }
        for (observation, known) in observations {
            guard let movedAt = observation.updatedAt, movedAt > firstServerTime,
                  let previous = known?.updatedAt, windowStart.map({ previous > $0 }) ?? true else { continue }
            // The last page served strictly before the move is where an object may have slipped
            // past; a page served in the same millisecond as the move counts as after it (a tie
            // must err towards re-reading more).
            let boundary = pages.last { $0.servedAt < movedAt }?.lastUpdatedAt ?? windowStart ?? Timestamp(millisecondsSinceEpoch: 0)
            hold = min(hold ?? boundary, boundary)
        }
    }
}
