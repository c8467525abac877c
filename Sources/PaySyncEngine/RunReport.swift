import PaySyncCore

/// A problem a run met: which source or sink, what, and the exit code it implies.
public struct RunProblem: Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var exitCode: ExitCode

    public init(_ message: String, exitCode: ExitCode) {
        self.message = message
        self.exitCode = exitCode
    }

    public init(_ error: any Error) {
        if let error = error as? any PaySyncError {
            self.init(error.description, exitCode: error.exitCode)
        } else if error is CancellationError {
            self.init("interrupted; every committed page is kept and the next run resumes from it", exitCode: .temporaryFailure)
        } else {
            self.init("internal error: \(error)", exitCode: .internalError)
        }
    }

    public var description: String { message }
}

/// A backfill or sweep's comparison of what the provider returned for a window with what the
/// ledger held, so that missing data is reported, never silent.
public struct WindowReport: Sendable, Equatable {
    public var source: String
    public var account: String
    public var entity: String
    public var from: CalendarDate
    public var until: CalendarDate
    /// Objects the provider returned for the window.
    public var sourceCount: Int
    /// Objects the ledger held for the window before the re-read, and after it.
    public var ledgerBefore: Int
    public var ledgerAfter: Int
    /// Objects the re-read found that the ledger did not have (an incremental feed missed them).
    public var added: Int
    /// Objects whose values differed from the ledger's.
    public var changed: Int

    /// Objects the ledger holds for the window that the provider no longer returned.
    public var missingAtSource: Int { max(0, ledgerAfter - sourceCount) }

    public var hasGap: Bool { added > 0 || missingAtSource > 0 }
}

/// What a run did, for the summary line, `--format json` and the exit code.
public struct RunReport: Sendable {
    public var command: RunCommand
    public var dryRun: Bool
    public var runID: Int64?
    public var counts = PageCounts()
    /// Objects outside paysync's scope (bills, supplier payments).
    public var outOfScope = 0
    /// CRM writes delivered (in a dry run: the writes that would be made).
    public var written = 0
    /// Writes a sink's mapping had nothing to send for (a status its value table leaves out):
    /// settled, never counted as written.
    public var skippedByMapping = 0
    /// CRM writes that failed this run (to be retried, or dead-lettered); writes whose record the
    /// CRM does not have are counted in `skippedAfter`, not here.
    public var failed = 0
    /// Writes still queued after the run, and dead letters.
    public var pendingAfter = 0
    /// When the oldest write still queued after the run was queued.
    public var oldestPendingQueuedAt: Timestamp?
    /// Stored refresh tokens and consents with a known expiry, by credential name.
    public var credentialExpiries: [String: Timestamp] = [:]
    public var deadAfter = 0
    public var skippedAfter = 0
    /// Rows a previous run left mid-send, returned to the queue.
    public var recoveredInFlight = 0
    public var providerCalls = 0
    public var crmCalls = 0
    public var problems: [RunProblem] = []
    /// Accounts that stopped early for a reason that is not a failure (a daily budget spent):
    /// printed as warnings; the run fails (75) only when no account made progress.
    public var paused: [String] = []
    /// What a person should know that is not a failure (an account no longer connected).
    public var notes: [String] = []
    /// The counts per source (by config name), and the sources where something failed this run.
    public var sources: [String: PageCounts] = [:]
    public var failedSources: Set<String> = []
    /// The delivery counts per sink (by config name).
    public var sinks: [String: SinkCounts] = [:]
    /// Calls answered 429, to providers and to CRMs (retried ones included).
    public var providerThrottles = 0
    public var crmThrottles = 0
    /// Accounts whose reading made progress (an entity read to its end, or a page committed).
    public var accountsProgressed = 0
    public var windows: [WindowReport] = []
    /// A dry run's writes, in the order they were planned.
    public var plannedWrites: [PlannedWrite] = []
    /// Provider statuses with no mapping met this run, with how many objects had each.
    public var unknownStatuses: [String: Int] = [:]
    /// The process's peak resident memory so far (Linux VmHWM), in KiB; nil where unknown.
    public var peakRSSKilobytes: Int?

    public init(command: RunCommand, dryRun: Bool) {
        self.command = command
        self.dryRun = dryRun
    }

    /// What one sink did in a run.
    public struct SinkCounts: Hashable, Sendable {
        public var written = 0
        public var failed = 0
        public var skippedByMapping = 0
        public var calls = 0
    }

    /// The problem that set the exit code (the first by message when several share it): what
    /// the run history records, the same whichever source failed first.
    public var decisiveProblem: RunProblem? {
        problems.filter { $0.exitCode == exitCode }.min { $0.message < $1.message }
    }

    /// The most urgent problem's code, or success.
    public var exitCode: ExitCode { problems.map(\.exitCode).max() ?? .success }

    /// `N fetched, N changed, N written, N failed, N skipped as stale`, then `, N skipped by
    /// mapping` when a sink's mapping left writes out.
    public var summaryLine: String {
        "\(counts.fetched + counts.rejected) fetched, \(counts.changedTotal) changed, \(written) \(dryRun ? "would be written" : "written"), \(failed) failed, \(counts.stale) skipped as stale"
            + (skippedByMapping > 0 ? ", \(skippedByMapping) skipped by mapping" : "")
    }
}
