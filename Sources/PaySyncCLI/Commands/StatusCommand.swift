import PaySyncCore
import PaySyncEngine

/// `paysync status`: per source the cursor and last sweep, object counts by status, the
/// outbox's depth and oldest pending write, recent runs, quarantined objects.
enum StatusCommand {
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let format = try invocation.format(command: "status")
        let configuration = try invocation.optionalConfiguration()
        let path = try invocation.ledgerPath(configuration: configuration)
        let ledger = try LedgerAccess.openForReading(path: path, logger: invocation.logger)
        let status = try await ledger.status()
        let rejects = try await ledger.recentRejects(limit: 10)
        let expiries = try await ledger.credentialExpiries()
        // A shared ledger's live leases: which worker reads which provider account now.
        let leases = try await (ledger as? any LeaseStore)?.liveLeases(now: invocation.environment.now()) ?? [:]
        let output = invocation.output
        switch format {
        case .json:
            var object = json(status, path: ledger.location, rejects: rejects, backend: ledger.backend).objectValue ?? JSONObject()
            if ledger is any LeaseStore {
                object["leases"] = .array(leases.sorted { $0.key < $1.key }.map { name, lease in
                    .object(JSONObject([("name", .string(name)), ("holder", .string(lease.holder)), ("until", .string(lease.until.iso8601))]))
                })
            }
            object["expiring_credentials"] = .array(expiries.sorted { $0.key < $1.key }.map { name, expiry in
                .object(JSONObject([("name", .string(name)), ("expires_at", .string(expiry.iso8601))]))
            })
            output.line(JSONWriter.compact(.object(object)))
        case .text:
            output.line("ledger \(ledger.location) (\(ledger.backend))")
            output.line("sources:")
            if status.cursors.isEmpty { output.line("  (no cursor yet: run `paysync reconcile`)") }
            for cursor in status.cursors {
                let position = cursor.position.map { "\($0.updatedAt.iso8601)" + ($0.lastID.isEmpty ? " (read up to then; no object marks it)" : " (id \($0.lastID))") } ?? "none"
                var line = "  \(cursor.provider) account \(cursor.account) \(cursor.entity): cursor \(position), moved \(cursor.movedAt.iso8601)"
                line += ", last sweep \(cursor.lastSweepAt?.iso8601 ?? "never")"
                if let hold = cursor.holdSince { line += ", re-reading from \(hold.iso8601)" }
                output.line(line)
            }
            output.line("objects:")
            var groups: [String: [(String, Int)]] = [:]
            var order: [String] = []
            for row in status.objectsByStatus {
                let key = "\(row.provider) account \(row.account) \(row.kind)"
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append((row.status, row.count))
            }
            if order.isEmpty { output.line("  (none)") }
            for key in order {
                let statuses = groups[key]!
                output.line("  \(key): \(statuses.reduce(0) { $0 + $1.1 }) (" + statuses.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")")
            }
            output.line("outbox:")
            let sinks = Array(Set(status.outbox.map(\.sink))).sorted()
            if sinks.isEmpty { output.line("  empty") }
            for sink in sinks {
                let lines = status.outbox.filter { $0.sink == sink }
                func count(_ state: OutboxState) -> Int { lines.first { $0.state == state }?.count ?? 0 }
                let oldest = lines.first { $0.state == .pending }?.oldest?.iso8601 ?? "none"
                output.line("  \(sink): \(count(.pending)) pending (oldest \(oldest)), \(count(.sending)) sending, \(count(.dead)) dead-lettered, \(count(.skipped)) without a CRM record")
            }
            if ledger is any LeaseStore {
                output.line("leases (workers reading now):")
                if leases.isEmpty { output.line("  (none)") }
                for (name, lease) in leases.sorted(by: { $0.key < $1.key }) { output.line("  \(name): \(lease.holder) until \(lease.until.iso8601)") }
            }
            output.line("recent runs:")
            if status.lastRuns.isEmpty { output.line("  (none)") }
            for run in status.lastRuns { output.line("  " + runLine(run)) }
            if !expiries.isEmpty {
                output.line("tokens and consents:")
                let now = invocation.environment.now()
                for (name, expiry) in expiries.sorted(by: { $0.key < $1.key }) {
                    let days = Int((Double(expiry.millisecondsSinceEpoch - now.millisecondsSinceEpoch) / 86_400_000).rounded(.down))
                    output.line("  \(name): " + (days < 0 ? "expired on \(expiry.utcDate)" : "expires on \(expiry.utcDate) (in \(Plural.count(days, "day")))"))
                }
            }
            output.line("quarantined objects: \(status.rejects)")
            for reject in rejects {
                output.line("  \(reject.observedAt.iso8601) \(reject.provider) \(reject.entity) \(reject.externalID ?? "?"): \(reject.error)")
            }
        }
        return .success
    }

    static func json(_ status: LedgerStatus, path: String, rejects: [RejectRecord], backend: String) -> JSONValue {
        [
            "ledger": .string(path),
            "backend": .string(backend),
            "sqlite": backend.hasPrefix("SQLite ") ? .string(backend.replacingOccurrences(of: "SQLite ", with: "")) : .null,
            "cursors": .array(status.cursors.map { cursor in
                [
                    "provider": .string(cursor.provider), "account": .string(cursor.account), "entity": .string(cursor.entity),
                    "updated_at": cursor.position.map { .string($0.updatedAt.iso8601) } ?? .null,
                    "last_id": cursor.position.map { .string($0.lastID) } ?? .null,
                    "hold_since": cursor.holdSince.map { .string($0.iso8601) } ?? .null,
                    "last_sweep_at": cursor.lastSweepAt.map { .string($0.iso8601) } ?? .null,
                    "moved_at": .string(cursor.movedAt.iso8601),
                ]
            }),
            "objects": .array(status.objectsByStatus.map { row in
                ["provider": .string(row.provider), "account": .string(row.account), "kind": .string(row.kind),
                 "status": .string(row.status), "count": .number(String(row.count))]
            }),
            "outbox": .array(status.outbox.map { line in
                ["sink": .string(line.sink), "state": .string(line.state.rawValue), "count": .number(String(line.count)),
                 "oldest": line.oldest.map { .string($0.iso8601) } ?? .null]
            }),
            "runs": .array(status.lastRuns.map(runJSON)),
            "quarantined": .number(String(status.rejects)),
            "recent_rejects": .array(rejects.map { reject in
                ["provider": .string(reject.provider), "entity": .string(reject.entity), "id": reject.externalID.map { .string($0) } ?? .null,
                 "error": .string(reject.error), "at": .string(reject.observedAt.iso8601)]
            }),
        ]
    }

    /// `#12 reconcile 2025-05-02T09:00:00Z exit 0: N fetched, …`: one run as `status` and `runs` show it.
    static func runLine(_ run: RunRecord) -> String {
        let exit = run.exitCode.map { "exit \($0)" } ?? "running or killed"
        return "#\(run.id) \(run.command) \(run.startedAt.iso8601) \(exit): \(run.fetched) fetched, \(run.changed) changed, \(run.written) written, \(run.failed) failed, \(run.stale) skipped as stale"
            + (run.skippedByMapping > 0 ? ", \(run.skippedByMapping) skipped by mapping" : "")
            + (run.message.map { " (\($0))" } ?? "")
    }

    static func runJSON(_ run: RunRecord) -> JSONValue {
        ["id": .number(String(run.id)), "command": .string(run.command), "dry_run": .bool(run.dryRun), "started_at": .string(run.startedAt.iso8601),
         "finished_at": run.finishedAt.map { .string($0.iso8601) } ?? .null,
         "exit_code": run.exitCode.map { .number(String($0)) } ?? .null, "fetched": .number(String(run.fetched)),
         "changed": .number(String(run.changed)), "written": .number(String(run.written)), "failed": .number(String(run.failed)),
         "skipped_by_mapping": .number(String(run.skippedByMapping)), "stale": .number(String(run.stale)),
         "message": run.message.map { .string($0) } ?? .null]
    }
}
