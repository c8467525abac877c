/// Decides what a page of observations means: which states to store, which transitions to
/// record and which CRM writes to queue. Pure: the same inputs always give the same plan.
public enum PagePlanner {
    /// - Parameters:
    ///   - observations: the page, in provider order.
    ///   - known: the ledger's last known state for each observation (same order; nil if new).
    ///   - routes: the configured sinks.
    ///   - actionsEnabled: false while importing a source's history for the first time, so that
    ///     years of old failed payments do not open a task each.
    public static func plan(observations: [Observation], known: [Observation?], routes: [SinkRoute], actionsEnabled: Bool = true) -> PagePlan {
        precondition(observations.count == known.count, "one known state per observation")
        var plan = PagePlan()
        plan.counts.fetched = observations.count
        // An object that appears twice in one page diffs against its earlier appearance.
        struct PageKey: Hashable { let kind: ObjectKind; let id: String }
        var seenInPage: [PageKey: Int] = [:]  // → index in plan.states
        seenInPage.reserveCapacity(observations.count)

        for (observation, storedState) in zip(observations, known) {
            let pageKey = PageKey(kind: observation.key.kind, id: observation.key.externalID)
            let earlier = seenInPage[pageKey]
            let previous = earlier.map { plan.states[$0] } ?? storedState
            let decision = diff(known: previous, observation: observation)
            let changed: FieldSet
            switch decision {
            case .stale:
                plan.counts.stale += 1
                continue
            case .unchanged:
                plan.counts.unchanged += 1
                continue
            case .new:
                plan.counts.new += 1
                changed = observation.presentFields
            case .changed(let fields):
                plan.counts.changed += 1
                changed = fields
            }
            let stateIndex = plan.states.count
            seenInPage[pageKey] = stateIndex
            plan.states.append(observation)
            plan.transitions.append(Transition(key: observation.key, fromStatus: previous?.status, toStatus: observation.status, changed: changed,
                                               providerUpdatedAt: observation.updatedAt, isFirstSeen: previous == nil))

            // An unmapped status is recorded and reported, never written as if it meant something.
            if observation.status.isUnknown {
                plan.counts.unknownStatus += 1
                continue
            }
            for route in routes {
                guard let kindRoute = route.kinds[observation.key.kind] else { continue }
                // A record key that changed (an invoice renumbered at the provider) points at a
                // record this sink has never been sent anything for: it gets every mapped field,
                // as a new object's first write does. The record under the old key is left as it is.
                let recordKey = kindRoute.recordKey(for: observation)
                let isRekeyed = previous != nil && recordKey != nil && previous.flatMap { kindRoute.recordKey(for: $0) } != recordKey
                let relevant = isRekeyed
                    ? kindRoute.fields.intersection(observation.presentFields.union(previous!.presentFields))
                    : changed.intersection(kindRoute.fields)
                guard !relevant.isEmpty else { continue }
                guard let recordKey else {
                    plan.counts.unkeyed += 1
                    continue
                }
                let changes = relevant.map { field in
                    FieldChange(field: field, old: isRekeyed ? nil : previous?.value(of: field), new: observation.value(of: field))
                }
                var write = PlannedWrite(
                    sink: route.sink, objectKey: observation.key, recordKey: recordKey, changes: changes,
                    fromStatus: previous?.status, toStatus: observation.status
                )
                write.stateIndex = stateIndex
                plan.writes.append(write)
                // An action runs once, on the transition into its status; reruns see no transition.
                guard actionsEnabled, previous?.status != observation.status, let actions = kindRoute.actions[observation.status] else { continue }
                for action in actions {
                    let payload: ActionPayload
                    switch action {
                    case .task(let subject, let body):
                        payload = ActionPayload(kind: "task", subject: subject.render(observation, from: previous?.status), body: body?.render(observation, from: previous?.status))
                    case .note(let body):
                        payload = ActionPayload(kind: "note", subject: nil, body: body.render(observation, from: previous?.status))
                    }
                    var write = PlannedWrite(sink: route.sink, objectKey: observation.key, recordKey: recordKey, changes: [],
                                             fromStatus: previous?.status, toStatus: observation.status, action: payload)
                    write.stateIndex = stateIndex
                    plan.writes.append(write)
                    plan.counts.actions += 1
                }
            }
        }
        return plan
    }
}
