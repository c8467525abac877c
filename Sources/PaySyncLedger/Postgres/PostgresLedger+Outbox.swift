import PaySyncCore

/// The durable outbox in PostgreSQL, shared by workers. A claim marks rows `sending` with this
/// worker's name and an expiry, committed before the CRM call, as in SQLite; in addition:
/// - claims of one sink are made one at a time (a transaction-scoped advisory lock per sink, held
///   for the claim's few statements, not while sending), and skip every record key that has a
///   row in flight, so a record's writes are never sent by two workers at once (nor out of order);
/// - the rows themselves are taken `FOR UPDATE SKIP LOCKED`;
/// - a worker settles only rows it still holds, and recovers only claims that expired: a crashed
///   worker's batch goes back to the queue after `claimSeconds`, and is the only thing sent twice.
extension PostgresLedger {
    @discardableResult
    public func recoverInFlight(now: Timestamp) throws -> Int {
        try connection.execute("""
            UPDATE outbox SET state = '\(OutboxStateMachine.target(of: .recovered)!)', claimed_by = NULL, claim_until = NULL, updated_at = $1
            WHERE state IN (\(OutboxStateMachine.sqlSources(of: .recovered))) AND (claim_until IS NULL OR claim_until <= $1)
            """, [Self.ms(now)]).changes
    }

    public func claimBatch(sink: String, after position: Int64?, limit: Int, now: Timestamp) throws -> ClaimedBatch? {
        try connection.transaction { try claimBatchInTransaction(sink: sink, after: position, limit: limit, now: now) }
    }

    private func claimBatchInTransaction(sink: String, after position: Int64?, limit: Int, now: Timestamp) throws -> ClaimedBatch? {
        try connection.execute("SELECT pg_advisory_xact_lock(hashtext('paysync-outbox:' || $1))", [sink])
        // The next `limit` record keys in queue order, each where its first due row stands,
        // leaving out keys with a row in flight (this worker's or another's). In-flight rows are
        // a few batches at most, read once: exact, since claims of this sink wait for each other.
        let inFlight = Set(try connection.execute("SELECT DISTINCT record_key FROM outbox WHERE sink = $1 AND state = 'sending'", [sink])
            .rows.map { $0.string(0) })
        var keys: [String] = []
        var seen: Set<String> = []
        var last: Int64 = position ?? 0
        var scanned = position ?? 0
        let page = max(limit, 64)
        scan: while true {
            let rows = try connection.execute("""
                SELECT id, record_key FROM outbox WHERE sink = $1 AND state = 'pending' AND id > $2 AND next_attempt_at <= $3
                ORDER BY id LIMIT $4
                """, [sink, String(scanned), Self.ms(now), String(page)]).rows
            for row in rows {
                scanned = row.int64(0)
                let key = row.string(1)
                guard !inFlight.contains(key), seen.insert(key).inserted else { continue }
                keys.append(key)
                last = row.int64(0)
                if keys.count == limit { break scan }
            }
            if rows.count < page { break }
        }
        guard !keys.isEmpty else { return nil }

        var claimed: [OutboxRow] = []
        for row in try connection.execute("""
            SELECT \(Ledger.outboxColumns) FROM \(Ledger.outboxFrom)
            WHERE o.sink = $1 AND o.record_key = ANY($2::text[]) AND o.state = 'pending' AND o.next_attempt_at <= $3
            ORDER BY o.record_key, o.id FOR UPDATE OF o SKIP LOCKED
            """, [sink, Self.textArray(keys), Self.ms(now)]).rows {
            switch Ledger.sendableRow(row) {
            case .success(let decoded): claimed.append(decoded)
            case .failure(let problem):
                try connection.execute("""
                    UPDATE outbox SET state = '\(OutboxStateMachine.target(of: .undecodable)!)', last_error = $1, updated_at = $2
                    WHERE id = $3 AND state IN (\(OutboxStateMachine.sqlSources(of: .undecodable)))
                    """, ["paysync cannot read this write back: \(problem.reason); it was not sent", Self.ms(now), String(row.int64(0))])
            }
        }
        try connection.execute("""
            UPDATE outbox SET state = '\(OutboxStateMachine.target(of: .picked)!)', attempts = attempts + 1, updated_at = $1, claimed_by = $2, claim_until = $3
            WHERE id = ANY($4::bigint[]) AND state IN (\(OutboxStateMachine.sqlSources(of: .picked)))
            """, [Self.ms(now), worker, Self.ms(now.adding(seconds: claimSeconds)), Self.integerArray(claimed.map(\.id))])
        return ClaimedBatch(rows: claimed, position: last)
    }

    public func settleAndClaimNext(_ outcomes: [(id: Int64, outcome: WriteOutcome)], settings: OutboxSettings, now: Timestamp,
                                   sink: String, after position: Int64, limit: Int, claimNext: Bool) throws -> (settled: SettledCounts, next: ClaimedBatch?) {
        try connection.transaction {
            let settled = try settleInTransaction(outcomes, maxAttempts: settings.maxAttempts, retryBaseSeconds: settings.retryBaseSeconds,
                                                  retryCapSeconds: settings.retryCapSeconds, now: now)
            let next = claimNext ? try claimBatchInTransaction(sink: sink, after: position, limit: limit, now: now) : nil
            return (settled, next)
        }
    }

    @discardableResult
    public func settle(_ outcomes: [(id: Int64, outcome: WriteOutcome)], maxAttempts: Int, retryBaseSeconds: Double, retryCapSeconds: Double,
                       now: Timestamp) throws -> SettledCounts {
        try connection.transaction {
            try settleInTransaction(outcomes, maxAttempts: maxAttempts, retryBaseSeconds: retryBaseSeconds, retryCapSeconds: retryCapSeconds, now: now)
        }
    }

    /// Settles only rows this worker still holds: a row whose claim expired and was taken over
    /// is the other worker's to settle.
    private func settleInTransaction(_ outcomes: [(id: Int64, outcome: WriteOutcome)], maxAttempts: Int, retryBaseSeconds: Double,
                                     retryCapSeconds: Double, now: Timestamp) throws -> SettledCounts {
        var counts = SettledCounts(delivered: 0, retrying: 0, dead: 0, skipped: 0)
        let mine = "(claimed_by IS NULL OR claimed_by = $2)"
        let acknowledged = outcomes.filter { $0.outcome == .delivered }.map(\.id)
        if !acknowledged.isEmpty {
            counts.delivered = try connection.execute(
                "DELETE FROM outbox WHERE id = ANY($1::bigint[]) AND state IN (\(OutboxStateMachine.sqlSources(of: .acknowledged))) AND \(mine)",
                [Self.integerArray(acknowledged), worker]).changes
        }
        for (id, outcome) in outcomes where outcome != .delivered {
            guard let row = try connection.execute("SELECT attempts, state FROM outbox WHERE id = $1 AND \(mine) FOR UPDATE", [String(id), worker]).rows.first,
                  let current = OutboxState(rawValue: row.string(1)),
                  let settlement = OutboxSettlement(outcome, from: current, attempts: Int(row.int64(0)), maxAttempts: maxAttempts,
                                                    retryBaseSeconds: retryBaseSeconds, retryCapSeconds: retryCapSeconds, now: now) else { continue }
            let released = "claimed_by = NULL, claim_until = NULL, updated_at = \(now.millisecondsSinceEpoch)"
            switch settlement {
            case .delete:
                try connection.execute("DELETE FROM outbox WHERE id = $1", [String(id)])
                counts.delivered += 1
            case .giveBack(let error):
                try connection.execute("UPDATE outbox SET state = 'pending', attempts = greatest(0, attempts - 1), last_error = $2, next_attempt_at = $3, \(released) WHERE id = $1",
                                       [String(id), error, Self.ms(now)])
                counts.retrying += 1
            case .retry(let error, let at):
                try connection.execute("UPDATE outbox SET state = 'pending', last_error = $2, next_attempt_at = $3, \(released) WHERE id = $1",
                                       [String(id), error, Self.ms(at)])
                counts.retrying += 1
            case .park(let state, let error):
                try connection.execute("UPDATE outbox SET state = $2, last_error = $3, \(released) WHERE id = $1", [String(id), state.rawValue, error])
                if state == .dead { counts.dead += 1 } else { counts.skipped += 1 }
            }
        }
        return counts
    }

    public func outboxRows(states: [OutboxState], sink: String?, limit: Int) throws -> [OutboxRow] {
        try connection.execute("""
            SELECT \(Ledger.outboxColumns) FROM \(Ledger.outboxFrom)
            WHERE o.state = ANY($1::text[]) AND ($2::text IS NULL OR o.sink = $2) ORDER BY o.id LIMIT $3
            """, [Self.textArray(states.map(\.rawValue)), sink, String(limit)]).rows.compactMap { Ledger.outboxRow($0) }
    }

    public func requeue(ids: [Int64]?, now: Timestamp) throws -> Int {
        try connection.transaction {
            guard let ids else {
                return try connection.execute("""
                    UPDATE outbox SET state = '\(OutboxStateMachine.target(of: .operatorRetry)!)', attempts = 0, next_attempt_at = 0, updated_at = $1
                    WHERE state IN (\(OutboxStateMachine.sqlSources(of: .operatorRetry)))
                    """, [Self.ms(now)]).changes
            }
            var count = 0
            for id in ids {
                guard let found = try connection.execute("SELECT state FROM outbox WHERE id = $1 FOR UPDATE", [String(id)]).scalar else {
                    throw LedgerError.notFound(what: "outbox row \(id)")
                }
                guard let current = OutboxState(rawValue: found),
                      OutboxStateMachine.next(from: current, on: .operatorRetry, attempts: 0, maxAttempts: 1) != nil else { continue }
                count += try connection.execute("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = 0, updated_at = $1 WHERE id = $2",
                                                [Self.ms(now), String(id)]).changes
            }
            return count
        }
    }

    public func dropOutboxRows(ids: [Int64]) throws -> Int {
        try connection.transaction {
            for id in ids {
                let deleted = try connection.execute("DELETE FROM outbox WHERE id = $1 AND state IN (\(OutboxStateMachine.sqlSources(of: .operatorDrop)))",
                                                     [String(id)]).changes
                guard deleted == 1 else { throw LedgerError.notFound(what: "outbox row \(id) (or it is being sent)") }
            }
            return ids.count
        }
    }

    public func outboxCount(sink: String?, state: OutboxState) throws -> Int {
        Int(try connection.execute("SELECT count(*) FROM outbox WHERE state = $1 AND ($2::text IS NULL OR sink = $2)", [state.rawValue, sink]).scalar ?? "0") ?? 0
    }

    public func oldestPendingQueuedAt() throws -> Timestamp? {
        try connection.execute("SELECT min(created_at) FROM outbox WHERE state = 'pending'").rows.first?.optionalInt64(0).map(Timestamp.init(millisecondsSinceEpoch:))
    }
}
