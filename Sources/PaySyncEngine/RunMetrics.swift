import PaySyncCore

/// A run's figures as Prometheus metrics, for node_exporter's textfile collector
/// (`--metrics-file`, `metrics_file`; names and three alert rules in docs/operations.md).
/// Pure: what the run measured, plus the previous file's last-success times for sources that
/// did not succeed this run, so the file alone tells how long a source has been failing.
public enum RunMetrics {
    public static func render(_ report: RunReport, sources: [String], durationSeconds: Double, finishedAt: Timestamp, previous: String?) -> String {
        var metrics = PrometheusText()
        func labels(_ extra: [(String, String)] = []) -> [(String, String)] { [("command", report.command.name)] + extra }
        let seconds = Double(finishedAt.millisecondsSinceEpoch) / 1000

        metrics.gauge("paysync_run_exit_code", help: "Exit code of the last run (0 success; docs/exit-codes.md).", labels: labels(), Double(report.exitCode.rawValue))
        metrics.gauge("paysync_run_duration_seconds", help: "Wall time of the last run.", labels: labels(), durationSeconds)
        metrics.gauge("paysync_run_finished_timestamp_seconds", help: "When the last run finished (Unix time).", labels: labels(), seconds)
        metrics.gauge("paysync_run_dry", help: "1 when the last run was a dry run (nothing recorded or sent).", labels: labels(), report.dryRun ? 1 : 0)

        for name in sources.sorted() {
            let counts = report.sources[name] ?? PageCounts()
            for (outcome, value) in [("fetched", counts.fetched), ("new", counts.new), ("changed", counts.changedTotal), ("stale", counts.stale),
                                     ("rejected", counts.rejected), ("unknown_status", counts.unknownStatus)] {
                metrics.gauge("paysync_last_run_objects", help: "Objects read in the last run, per source and outcome.",
                              labels: labels([("source", name), ("outcome", outcome)]), Double(value))
            }
        }
        let previousSuccess = previous.map { PrometheusText.samples(of: "paysync_source_last_success_timestamp_seconds", label: "source", in: $0) } ?? [:]
        for name in sources.sorted() {
            let succeeded = !report.failedSources.contains(name) && !report.dryRun
            guard let value = succeeded ? seconds : previousSuccess[name] else { continue }
            metrics.gauge("paysync_source_last_success_timestamp_seconds", help: "When each source was last read without a failure (Unix time).",
                          labels: [("source", name)], value)
        }
        for name in report.sinks.keys.sorted() {
            let counts = report.sinks[name]!
            for (outcome, value) in [("written", counts.written), ("failed", counts.failed), ("skipped_by_mapping", counts.skippedByMapping)] {
                metrics.gauge("paysync_last_run_writes", help: "CRM writes in the last run, per sink and outcome.",
                              labels: labels([("sink", name), ("outcome", outcome)]), Double(value))
            }
        }
        for (state, value) in [("pending", report.pendingAfter), ("dead", report.deadAfter), ("skipped", report.skippedAfter)] {
            metrics.gauge("paysync_outbox_rows", help: "Outbox rows after the last run, per state.", labels: [("state", state)], Double(value))
        }
        let age = report.oldestPendingQueuedAt.map { max(0, Double(finishedAt.millisecondsSinceEpoch - $0.millisecondsSinceEpoch) / 1000) } ?? 0
        metrics.gauge("paysync_outbox_oldest_pending_age_seconds", help: "Age of the oldest write still queued (0 when none is).", age)
        metrics.gauge("paysync_last_run_calls", help: "HTTP calls in the last run (retries included).", labels: labels([("to", "provider")]), Double(report.providerCalls))
        metrics.gauge("paysync_last_run_calls", help: "HTTP calls in the last run (retries included).", labels: labels([("to", "crm")]), Double(report.crmCalls))
        metrics.gauge("paysync_last_run_throttled_calls", help: "Calls answered 429 in the last run.", labels: labels([("to", "provider")]), Double(report.providerThrottles))
        metrics.gauge("paysync_last_run_throttled_calls", help: "Calls answered 429 in the last run.", labels: labels([("to", "crm")]), Double(report.crmThrottles))
        metrics.gauge("paysync_last_run_paused_accounts", help: "Accounts that stopped early with a spent daily budget.", labels: labels(), Double(report.paused.count))
        for (name, expiry) in report.credentialExpiries.sorted(by: { $0.key < $1.key }) {
            metrics.gauge("paysync_credential_expiry_timestamp_seconds", help: "When each stored refresh token or consent expires (Unix time); days left: (this - time()) / 86400.",
                          labels: [("credential", name)], Double(expiry.millisecondsSinceEpoch) / 1000)
        }
        return metrics.text
    }
}
