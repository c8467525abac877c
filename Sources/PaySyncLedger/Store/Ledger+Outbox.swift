import PaySyncCore

extension Ledger {
    static let outboxColumns = """
        o.id, o.sink, o.record_key, o.changes, o.from_status, o.to_status, o.state, o.attempts, o.next_attempt_at, \
        o.last_error, o.created_at, sc.provider, sc.account, sc.kind, obj.external_id, o.action, o.write_key
        """

    /// Outbox rows with their objects' keys.
    static let outboxFrom = "outbox o JOIN objects obj ON obj.id = o.object_id JOIN scopes sc ON sc.id = obj.scope"

    /// A row's write key; rows queued before write keys existed get one from their row id and
    /// creation time (unique among those rows).
    static func writeKey(_ row: some ColumnReader) -> String {
        row.optionalString(16) ?? "legacy:\(row.int64(0)):\(row.int64(10))"
    }

    /// A row as stored, for listing: parts that cannot be read show as none.
    static func outboxRow(_ row: some ColumnReader) -> OutboxRow? {
        guard let kind = ObjectKind(rawValue: row.string(13)), let state = OutboxState(rawValue: row.string(6)) else { return nil }
        return outboxRow(row, kind: kind, state: state, changes: ChangesCodec.decodeLeniently(row.string(3)),
                         action: row.optionalString(15).flatMap(ActionPayload.init(json:)))
    }

    /// A row to send: every part must read back exactly, or the row is undecodable (with why).
    static func sendableRow(_ row: some ColumnReader) -> Result<OutboxRow, UndecodablePayload> {
        guard let kind = ObjectKind(rawValue: row.string(13)) else { return .failure(UndecodablePayload(reason: "object kind \"\(row.string(13))\" is unknown")) }
        guard let state = OutboxState(rawValue: row.string(6)) else { return .failure(UndecodablePayload(reason: "state \"\(row.string(6))\" is unknown")) }
        let changes: [FieldChange]
        do { changes = try ChangesCodec.decode(row.string(3)) } catch { return .failure(error) }
        var action: ActionPayload?
        if let text = row.optionalString(15) {
            guard let decoded = ActionPayload(json: text) else { return .failure(UndecodablePayload(reason: "action is not a task or note")) }
            action = decoded
        }
        if changes.isEmpty && action == nil { return .failure(UndecodablePayload(reason: "holds neither a change nor an action")) }
        return .success(outboxRow(row, kind: kind, state: state, changes: changes, action: action))
    }

    /// The row from `outboxColumns`, with the parts the callers decoded their own way.
    private static func outboxRow(_ row: some ColumnReader, kind: ObjectKind, state: OutboxState, changes: [FieldChange], action: ActionPayload?) -> OutboxRow {
        OutboxRow(
            id: row.int64(0), sink: row.string(1), recordKey: row.string(2),
            objectKey: ObjectKey(provider: row.string(11), account: row.string(12), kind: kind, externalID: row.string(14)),
            changes: changes, fromStatus: row.optionalString(4).map(PaymentStatus.init(rawValue:)),
            toStatus: PaymentStatus(rawValue: row.string(5)), state: state, attempts: Int(row.int64(7)),
            nextAttemptAt: Timestamp(millisecondsSinceEpoch: row.int64(8)), lastError: row.optionalString(9),
            createdAt: Timestamp(millisecondsSinceEpoch: row.int64(10)), action: action, writeKey: writeKey(row)
        )
    }

    /// Rows left `sending` by a run that died before hearing back go back to `pending`: that batch
    /// is sent again (the only writes that can arrive twice, and CRM writes are idempotent sets).
    /// - Returns: how many rows were recovered.
    @discardableResult
    public func recoverInFlight(now: Timestamp) throws -> Int {
        try database.transaction {
            try database.run(
                "UPDATE outbox SET state = '\(OutboxStateMachine.target(of: .recovered)!)', updated_at = ? WHERE state IN (\(OutboxStateMachine.sqlSources(of: .recovered)))",
                [.integer(now.millisecondsSinceEpoch)]
            )
            return database.changes
        }
    }

    /// The next due record keys of a sink in queue order — each key where its first due row after
    /// row `position` stands — up to `limit` of them, with the id of the row that brought in the
    /// last one (the next call's `position`); nil when nothing more is due.
    ///
    /// Queue order, not key order: a batch's rows were queued together and lie on neighbouring
    /// table pages, so claiming and settling them rewrites few pages (measured:
    /// docs/performance.md). Only as many rows are read as it takes to find `limit` keys.
    public func dueRecordKeys(sink: String, now: Timestamp, after position: Int64?, limit: Int) throws -> (keys: [String], position: Int64)? {
        let statement = try database.statement(
            """
            SELECT id, record_key FROM outbox INDEXED BY outbox_in_queue_order
            WHERE sink = ? AND state = 'pending' AND id > ? AND next_attempt_at <= ?
            ORDER BY id
            """
        )
        defer { statement.reset() }
        try statement.bind(sink, at: 1)
        try statement.bind(position ?? 0, at: 2)
        try statement.bind(now.millisecondsSinceEpoch, at: 3)
        var keys: [String] = []
        var seen: Set<String> = []
        var last: Int64 = 0
        while keys.count < limit, try statement.step() {
            let key = statement.string(1)
            guard seen.insert(key).inserted else { continue }
            keys.append(key)
            last = statement.int64(0)
        }
        return keys.isEmpty ? nil : (keys, last)
    }

    /// Every due row of a sink for the given record keys, oldest first per key (a record's later
    /// writes go in the same batch as its first, so the coalescer sends the latest state once).
    /// A row whose payload cannot be read back is dead-lettered here with the reason (in the
    /// caller's transaction, when there is one) and not returned: it is never sent, and never
    /// settled as delivered.
    public func dueRows(sink: String, now: Timestamp, recordKeys: [String]) throws -> [OutboxRow] {
        let list = Ledger.jsonArray(recordKeys)
        let statement = try database.statement(
            """
            SELECT \(Ledger.outboxColumns) FROM \(Ledger.outboxFrom)
            WHERE o.sink = ? AND o.record_key IN (SELECT value FROM json_each(?)) AND o.state = 'pending' AND o.next_attempt_at <= ?
            ORDER BY o.record_key, o.id
            """,
            [.text(sink), .text(list), .integer(now.millisecondsSinceEpoch)]
        )
        var rows: [OutboxRow] = []
        var undecodable: [(id: Int64, reason: String)] = []
        while try statement.step() {
            switch Ledger.sendableRow(statement) {
            case .success(let row): rows.append(row)
            case .failure(let problem): undecodable.append((statement.int64(0), problem.reason))
            }
        }
        statement.reset()
        for (id, reason) in undecodable {
            try database.run(
                "UPDATE outbox SET state = '\(OutboxStateMachine.target(of: .undecodable)!)', last_error = ?, updated_at = ? WHERE id = ? AND state IN (\(OutboxStateMachine.sqlSources(of: .undecodable)))",
                [.text("paysync cannot read this write back: \(reason); it was not sent"), .integer(now.millisecondsSinceEpoch), .integer(id)]
            )
        }
        return rows
    }

    /// Marks rows as being sent (one more attempt each), committed before the CRM call so a crash
    /// mid-send is visible to the next run.
    public func markSending(_ ids: [Int64], now: Timestamp) throws {
        try database.transaction {
            try database.run(
                "UPDATE outbox SET state = '\(OutboxStateMachine.target(of: .picked)!)', attempts = attempts + 1, updated_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND state IN (\(OutboxStateMachine.sqlSources(of: .picked)))",
                [.integer(now.millisecondsSinceEpoch), .text(Ledger.idList(ids))]
            )
        }
    }

    /// `[1,2,3]`: a list of row ids bound as one parameter and read with `json_each`, so one cached
    /// statement serves any batch.
    static func idList(_ ids: some Sequence<Int64>) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    /// Claims the next batch of a sink: every due row of the next `limit` record keys in queue
    /// order after row `position`, marked `sending` and committed before the caller sends them.
    /// - Returns: nil when nothing more is due.
    public func claimBatch(sink: String, after position: Int64?, limit: Int, now: Timestamp) throws -> ClaimedBatch? {
        try database.transaction {
            guard let due = try dueRecordKeys(sink: sink, now: now, after: position, limit: limit) else { return nil }
            let rows = try dueRows(sink: sink, now: now, recordKeys: due.keys)
            try markSending(rows.map(\.id), now: now)
            return ClaimedBatch(rows: rows, position: due.position)
        }
    }

    /// Settles a sent batch and, unless `claimNext` is false, claims the next one in the same
    /// transaction: one commit per batch instead of two, with the same guarantee (a crash leaves
    /// at most the claimed batch `sending`, to be sent again).
    public func settleAndClaimNext(
        _ outcomes: [(id: Int64, outcome: WriteOutcome)], settings: OutboxSettings, now: Timestamp,
        sink: String, after position: Int64, limit: Int, claimNext: Bool = true
    ) throws -> (settled: SettledCounts, next: ClaimedBatch?) {
        try database.transaction {
            let settled = try settle(outcomes, maxAttempts: settings.maxAttempts, retryBaseSeconds: settings.retryBaseSeconds,
                                     retryCapSeconds: settings.retryCapSeconds, now: now)
            let next = claimNext ? try claimBatch(sink: sink, after: position, limit: limit, now: now) : nil
            return (settled, next)
        }
    }

    /// Settles sent rows in one transaction, following `OutboxStateMachine`. A retryable failure
    /// is due again after `OutboxRetrySchedule` (by the row's attempts so far).
    /// - Returns: how many rows were delivered, will be retried, and were dead-lettered or skipped.
    @discardableResult
    public func settle(
        _ outcomes: [(id: Int64, outcome: WriteOutcome)], maxAttempts: Int, retryBaseSeconds: Double = 60,
        retryCapSeconds: Double = 3600, now: Timestamp
    ) throws -> SettledCounts {
        var delivered = 0, retrying = 0, dead = 0, skipped = 0
        try database.transaction {
            // Delivered rows, the common case, go in one statement.
            let acknowledged = outcomes.filter { $0.outcome == .delivered }.map(\.id)
            if !acknowledged.isEmpty {
                try database.run(
                    "DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND state IN (\(OutboxStateMachine.sqlSources(of: .acknowledged)))",
                    [.text(Ledger.idList(acknowledged))]
                )
                delivered = database.changes
            }
            for (id, outcome) in outcomes where outcome != .delivered {
                let row = try database.statement("SELECT attempts, state FROM outbox WHERE id = ?", [.integer(id)])
                let found = try row.step() ? (attempts: Int(row.int64(0)), state: OutboxState(rawValue: row.string(1))) : nil
                row.reset()
                guard let found, let current = found.state,
                      let settlement = OutboxSettlement(outcome, from: current, attempts: found.attempts, maxAttempts: maxAttempts,
                                                        retryBaseSeconds: retryBaseSeconds, retryCapSeconds: retryCapSeconds, now: now) else { continue }
                switch settlement {
                case .delete:
                    try database.run("DELETE FROM outbox WHERE id = ?", [.integer(id)])
                    delivered += 1
                case .giveBack(let error):
                    try database.run(
                        "UPDATE outbox SET state = 'pending', attempts = max(0, attempts - 1), last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
                        [SQLValue(error), .integer(now.millisecondsSinceEpoch), .integer(now.millisecondsSinceEpoch), .integer(id)]
                    )
                    retrying += 1
                case .retry(let error, let at):
                    try database.run(
                        "UPDATE outbox SET state = 'pending', last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
                        [SQLValue(error), .integer(at.millisecondsSinceEpoch), .integer(now.millisecondsSinceEpoch), .integer(id)]
                    )
                    retrying += 1
                case .park(let state, let error):
                    try database.run(
                        "UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ?",
                        [.text(state.rawValue), SQLValue(error), .integer(now.millisecondsSinceEpoch), .integer(id)]
                    )
                    if state == .dead { dead += 1 } else { skipped += 1 }
                }
            }
        }
        return SettledCounts(delivered: delivered, retrying: retrying, dead: dead, skipped: skipped)
    }

    /// Rows for `outbox list`, newest last.
    public func outboxRows(states: [OutboxState], sink: String?, limit: Int) throws -> [OutboxRow] {
        let placeholders = states.map { _ in "?" }.joined(separator: ", ")
        var values: [SQLValue] = states.map { .text($0.rawValue) }
        var sql = "SELECT \(Ledger.outboxColumns) FROM \(Ledger.outboxFrom) WHERE o.state IN (\(placeholders))"
        if let sink {
            sql += " AND o.sink = ?"
            values.append(.text(sink))
        }
        sql += " ORDER BY o.id LIMIT ?"
        values.append(SQLValue(limit))
        let statement = try database.statement(sql, values)
        defer { statement.reset() }
        var rows: [OutboxRow] = []
        while try statement.step() {
            if let row = Ledger.outboxRow(statement) { rows.append(row) }
        }
        return rows
    }

    /// `outbox retry`: dead or skipped rows (all, or those named) go back to pending, due at the
    /// very next run (whatever its clock says), with their attempt count reset.
    /// - Returns: how many rows were re-queued.
    public func requeue(ids: [Int64]?, now: Timestamp) throws -> Int {
        try database.transaction {
            if let ids {
                var count = 0
                for id in ids {
                    let state = try database.statement("SELECT state FROM outbox WHERE id = ?", [.integer(id)])
                    let found = try state.step() ? state.string(0) : nil
                    state.reset()
                    guard let found else { throw LedgerError.notFound(what: "outbox row \(id)") }
                    guard let current = OutboxState(rawValue: found),
                          OutboxStateMachine.next(from: current, on: .operatorRetry, attempts: 0, maxAttempts: 1) != nil else { continue }
                    try database.run(
                        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = 0, updated_at = ? WHERE id = ?",
                        [.integer(now.millisecondsSinceEpoch), .integer(id)]
                    )
                    count += database.changes
                }
                return count
            }
            try database.run(
                "UPDATE outbox SET state = '\(OutboxStateMachine.target(of: .operatorRetry)!)', attempts = 0, next_attempt_at = 0, updated_at = ? WHERE state IN (\(OutboxStateMachine.sqlSources(of: .operatorRetry)))",
                [.integer(now.millisecondsSinceEpoch)]
            )
            return database.changes
        }
    }

    /// `outbox drop`: deletes the named rows (the write will never be sent).
    public func dropOutboxRows(ids: [Int64]) throws -> Int {
        try database.transaction {
            var count = 0
            for id in ids {
                try database.run("DELETE FROM outbox WHERE id = ? AND state IN (\(OutboxStateMachine.sqlSources(of: .operatorDrop)))", [.integer(id)])
                guard database.changes == 1 else { throw LedgerError.notFound(what: "outbox row \(id) (or it is being sent)") }
                count += 1
            }
            return count
        }
    }

    public func oldestPendingQueuedAt() throws -> Timestamp? {
        try database.scalar("SELECT min(created_at) FROM outbox WHERE state = 'pending'").map(Timestamp.init(millisecondsSinceEpoch:))
    }

    /// How many rows a sink has in each state (all sinks when nil).
    public func outboxCount(sink: String?, state: OutboxState) throws -> Int {
        if let sink {
            return Int(try database.scalar("SELECT count(*) FROM outbox WHERE sink = ? AND state = ?", [.text(sink), .text(state.rawValue)]) ?? 0)
        }
        return Int(try database.scalar("SELECT count(*) FROM outbox WHERE state = ?", [.text(state.rawValue)]) ?? 0)
    }
}
