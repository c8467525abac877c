/// Checks every provider's observations against rules no connector may break, before they are
/// planned: a date outside the years paysync can store and read back would be written again on
/// every run (it reads back as no date), so such an object is quarantined with a reason instead.
public enum ObservationCheck {
    /// Years a date may fall in (invoices, payments and bank entries of real businesses).
    public static let plausibleYears = 1900...2200

    /// The date-typed fields, read off the table once.
    private static let dateFields = Field.stored.filter { $0.spec.type == .date }

    /// The first problem with an observation, or nil when it may be recorded.
    public static func problem(in observation: Observation) -> String? {
        for field in dateFields {
            if let date = observation[date: field], !plausibleYears.contains(date.year) {
                return "\(observation.key): \(field) \(date) is outside the years \(plausibleYears.lowerBound)–\(plausibleYears.upperBound); check the provider's record"
            }
        }
        if let updated = observation.updatedAt, !plausibleYears.contains(updated.utcDate.year) {
            return "\(observation.key): its last-modified time \(updated.iso8601) is outside the years \(plausibleYears.lowerBound)–\(plausibleYears.upperBound)"
        }
        return nil
    }

    /// Splits a page into what may be recorded (with its known states) and what must be
    /// quarantined, in order.
    public static func partition(_ observations: [Observation], known: [Observation?], entity: String)
        -> (observations: [Observation], known: [Observation?], rejects: [RejectedObject]) {
        var kept: [Observation] = []
        var keptKnown: [Observation?] = []
        var rejects: [RejectedObject] = []
        kept.reserveCapacity(observations.count)
        keptKnown.reserveCapacity(observations.count)
        for (observation, state) in zip(observations, known) {
            if let problem = problem(in: observation) {
                rejects.append(RejectedObject(entity: entity, externalID: observation.key.externalID, error: problem))
            } else {
                kept.append(observation)
                keptKnown.append(state)
            }
        }
        return (kept, keptKnown, rejects)
    }
}
