import PaySyncCore

/// The order in which a page's object states are written, the same for both ledgers: states the
/// planner saw first are gathered and inserted in batches (many rows a statement), the others are
/// upserted one by one, and the states gathered so far are inserted before any upsert, because an
/// object inserted earlier in the page must exist before it is updated.
enum PageStateWrites {
    /// - Parameters:
    ///   - before: called with each state's position first (a test's fault hook).
    ///   - insert: inserts the new states at these positions, in page order.
    ///   - upsert: writes the known state at this position.
    static func run(_ transitions: [Transition], before: (Int) throws -> Void, insert: ([Int]) throws -> Void, upsert: (Int) throws -> Void) throws {
        var newStates: [Int] = []
        for position in transitions.indices {
            try before(position)
            if transitions[position].isFirstSeen {
                newStates.append(position)
            } else {
                if !newStates.isEmpty { try insert(newStates) }
                newStates.removeAll(keepingCapacity: true)
                try upsert(position)
            }
        }
        if !newStates.isEmpty { try insert(newStates) }
    }
}
