import Foundation
import PaySyncCore

/// Runs, `status`, `history` and rejects, in PostgreSQL (each run row names its worker).
extension PostgresLedger {
    public func startRun(command: String, dryRun: Bool, startedAt: Timestamp) throws -> Int64 {
        try connection.execute("INSERT INTO runs (command, dry_run, pid, started_at, worker) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                               [command, dryRun ? "1" : "0", String(getpid()), Self.ms(startedAt), worker]).rows.first?.int64(0) ?? 0
    }

    public func finishRun(id: Int64, counts: PageCounts, written: Int, failed: Int, skippedByMapping: Int, exitCode: ExitCode, message: String?,
                          finishedAt: Timestamp) throws {
        try connection.execute("""
            UPDATE runs SET finished_at = $1, fetched = $2, changed = $3, written = $4, failed = $5, stale = $6, exit_code = $7, message = $8,
                skipped_by_mapping = $9 WHERE id = $10
            """, [Self.ms(finishedAt), String(counts.fetched), String(counts.changedTotal), String(written), String(failed), String(counts.stale),
                  String(exitCode.rawValue), message, String(skippedByMapping), String(id)])
    }

    public func recentRuns(limit: Int) throws -> [RunRecord] {
        try connection.execute("""
            SELECT id, command, dry_run, started_at, finished_at, fetched, changed, written, failed, stale, exit_code, message, skipped_by_mapping
            FROM runs ORDER BY id DESC LIMIT $1
            """, [String(limit)]).rows.map(Ledger.runRecord)
    }

    public func status() throws -> LedgerStatus {
        let cursors = try connection.execute(
            "SELECT provider, account, entity, updated_at, last_id, hold_since, last_sweep_at, moved_at FROM cursors ORDER BY provider, account, entity"
        ).rows.map(Ledger.sourceLine)
        let objects = try connection.execute(
            "SELECT s.provider, s.account, s.kind, o.status, count(*) FROM \(ObjectColumns.keyedFrom) GROUP BY s.provider, s.account, s.kind, o.status ORDER BY s.provider, s.account, s.kind, o.status"
        ).rows.map { (provider: $0.string(0), account: $0.string(1), kind: $0.string(2), status: $0.string(3), count: Int($0.int64(4))) }
        let outbox = try connection.execute("SELECT sink, state, count(*), min(created_at) FROM outbox GROUP BY sink, state ORDER BY sink, state").rows
            .compactMap { row in
                OutboxState(rawValue: row.string(1)).map {
                    LedgerStatus.OutboxLine(sink: row.string(0), state: $0, count: Int(row.int64(2)), oldest: row.optionalInt64(3).map(Timestamp.init(millisecondsSinceEpoch:)))
                }
            }
        let rejects = Int(try connection.execute("SELECT count(*) FROM rejects").scalar ?? "0") ?? 0
        return LedgerStatus(cursors: cursors, objectsByStatus: objects, outbox: outbox, lastRuns: try recentRuns(limit: 5), rejects: rejects)
    }

    public func history(of reference: String) throws -> [ObjectHistory] {
        let select = "SELECT o.id, \(ObjectColumns.keyedList) FROM \(ObjectColumns.keyedFrom) WHERE "
        let found: [PGRow]
        if let key = ObjectKey(reference) {
            found = try connection.execute(select + "s.provider = $1 AND s.account = $2 AND s.kind = $3 AND o.external_id = $4 ORDER BY o.id LIMIT 50",
                                           [key.provider, key.account, key.kind.rawValue, key.externalID]).rows
        } else {
            found = try connection.execute(select + "o.external_id = $1 OR o.invoice_number = $1 ORDER BY o.id LIMIT 50", [reference]).rows
        }
        return try found.compactMap { row in
            guard let observation = ObjectColumns.keyedObservation(from: row, offset: 1) else { return nil }
            let transitions = try connection.execute(
                "SELECT run_id, observed_at, provider_updated_at, from_status, to_status, changed FROM transitions WHERE object_id = $1 ORDER BY id",
                [String(row.int64(0))]).rows.map(Ledger.transitionRecord)
            return ObjectHistory(key: observation.key, current: observation, transitions: transitions)
        }
    }

    public func recentRejects(limit: Int) throws -> [RejectRecord] {
        try connection.execute("SELECT provider, account, entity, external_id, error, observed_at FROM rejects ORDER BY id DESC LIMIT $1", [String(limit)])
            .rows.map(Ledger.rejectRecord)
    }
}
