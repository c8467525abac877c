import PaySyncCore

/// What the concurrent parts of one run accumulate: counts, problems, window reports, and — in a
/// dry run — the planned writes and the states they would leave, so later pages of the same run
/// diff against them as if they had been committed.
actor RunState {
    private(set) var report: RunReport
    private var overlay: [ObjectKey: Observation] = [:]

    init(command: RunCommand, dryRun: Bool) {
        report = RunReport(command: command, dryRun: dryRun)
    }

    func add(_ plan: PagePlan, rejects: Int, outOfScope: Int, dryRun: Bool, source: String) {
        report.counts += plan.counts
        report.counts.rejected += rejects
        report.sources[source, default: PageCounts()] += plan.counts
        report.sources[source]?.rejected += rejects
        report.outOfScope += outOfScope
        for state in plan.states where state.status.isUnknown {
            report.unknownStatuses["\(state.key.provider) \(state.providerStatus)", default: 0] += 1
        }
        if dryRun {
            for state in plan.states { overlay[state.key] = state }
            report.plannedWrites.append(contentsOf: plan.writes)
        }
    }

    /// The dry-run overlay's state for a key, if this run planned one.
    func overlaid(_ keys: [ObjectKey]) -> [Observation?] {
        overlay.isEmpty ? keys.map { _ in nil } : keys.map { overlay[$0] }
    }

    func problem(_ problem: RunProblem) { report.problems.append(problem) }

    func paused(_ note: String, progressed: Bool) {
        report.paused.append(note)
        if progressed { report.accountsProgressed += 1 }
    }

    func progressed() { report.accountsProgressed += 1 }

    func window(_ window: WindowReport) { report.windows.append(window) }

    func delivered(written: Int, failed: Int, skippedByMapping: Int, calls: Int, sink: String) {
        report.written += written
        report.skippedByMapping += skippedByMapping
        report.failed += failed
        report.crmCalls += calls
        report.sinks[sink, default: RunReport.SinkCounts()].written += written
        report.sinks[sink]?.failed += failed
        report.sinks[sink]?.skippedByMapping += skippedByMapping
        report.sinks[sink]?.calls += calls
    }

    /// Something failed while reading this source (its last success is not now).
    func sourceFailed(_ name: String) { report.failedSources.insert(name) }

    func update(_ change: (inout RunReport) -> Void) { change(&report) }
}
