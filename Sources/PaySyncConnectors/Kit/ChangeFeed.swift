import PaySyncCore

/// One entry of a provider's change feed (Stripe `/v1/events`, GoCardless `/events`), normalised:
/// its id, when it happened, and the object's state it carries (or why that could not be read).
public struct FeedEvent: Sendable {
    public var id: String
    public var at: Timestamp
    public var observation: Observation?
    public var reject: RejectedObject?
    /// True when the event concerns nothing paysync keeps (a customer's address changed).
    public var outOfScope: Bool

    public init(id: String, at: Timestamp, observation: Observation?, reject: RejectedObject? = nil, outOfScope: Bool = false) {
        self.id = id
        self.at = at
        self.observation = observation
        self.reject = reject
        self.outOfScope = outOfScope
    }
}

/// Reading a change feed the same way for every provider that has one:
/// - `reaches`: whether the feed still holds everything since the cursor. When it does not (a
///   source not run for longer than the feed keeps), the connector re-lists its objects instead.
/// - `pages`: the events read since the cursor, whatever order the provider listed them in,
///   de-duplicated by event id and applied oldest first; each object's latest state only (an
///   object paid and then refunded within one read writes `refunded`, once). The cursor moves with
///   each page to its last event, and the last page moves it to when the read began (never later:
///   an event listed late is read again by the next run's overlap, and unchanged it writes nothing).
public enum ChangeFeed {
    /// Events applied per committed page.
    public static let pageSize = 100

    /// True when a read from `since` lies within a feed that keeps `days` days, with an hour's
    /// margin for the provider's own pruning and clocks.
    public static func reaches(since: Timestamp?, now: Timestamp, days: Int) -> Bool {
        guard let since else { return false }
        return since >= now.adding(milliseconds: -(Int64(days) * 86_400_000 - 3_600_000))
    }

    /// The pages to commit, in order. `events` in the provider's order; `newestFirst` says which
    /// way that runs (events of the same second keep their relative order).
    public static func pages(_ events: [FeedEvent], newestFirst: Bool, readStartedAt: Timestamp) -> [SourcePage] {
        var seen = Set<String>()
        var ordered: [FeedEvent] = []
        ordered.reserveCapacity(events.count)
        for event in newestFirst ? events.reversed() : events where seen.insert(event.id).inserted {
            ordered.append(event)
        }
        // Stable: events of the same instant stay in listing order.
        ordered = ordered.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)

        // Each object once, at its latest event's position.
        var latest: [ObjectKey: Int] = [:]
        for (index, event) in ordered.enumerated() {
            if let key = event.observation?.key { latest[key] = index }
        }
        var pages: [SourcePage] = []
        var observations: [Observation] = [], rejects: [RejectedObject] = [], outOfScope = 0, last: FeedEvent?
        func flush(final: Bool) {
            let position = final ? readStartedAt : last.map { min($0.at, readStartedAt) }
            pages.append(SourcePage(observations: observations, rejects: rejects, outOfScope: outOfScope, lastUpdatedAt: position,
                                    lastID: position == nil ? nil : (final ? "" : last?.id), servedAt: nil, number: pages.count + 1, isLast: final))
            observations = []; rejects = []; outOfScope = 0
        }
        for (index, event) in ordered.enumerated() {
            if let observation = event.observation {
                if latest[observation.key] == index { observations.append(observation) }
            } else if let reject = event.reject {
                rejects.append(reject)
            } else {
                outOfScope += 1
            }
            last = event
            if observations.count + rejects.count + outOfScope >= pageSize { flush(final: false) }
        }
        flush(final: true)
        return pages
    }
}
