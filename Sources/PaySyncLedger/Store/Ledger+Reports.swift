import PaySyncCore

extension Ledger {
    /// Everything `paysync status` shows.
    public func status() throws -> LedgerStatus {
        var cursors: [LedgerStatus.SourceLine] = []
        let cursorRows = try database.statement(
            "SELECT provider, account, entity, updated_at, last_id, hold_since, last_sweep_at, moved_at FROM cursors ORDER BY provider, account, entity"
        )
        while try cursorRows.step() { cursors.append(Ledger.sourceLine(cursorRows)) }
        cursorRows.reset()

        var objects: [(provider: String, account: String, kind: String, status: String, count: Int)] = []
        let objectRows = try database.statement(
            "SELECT s.provider, s.account, s.kind, o.status, count(*) FROM \(ObjectColumns.keyedFrom) GROUP BY s.id, o.status ORDER BY s.provider, s.account, s.kind, o.status"
        )
        while try objectRows.step() {
            objects.append((objectRows.string(0), objectRows.string(1), objectRows.string(2), objectRows.string(3), Int(objectRows.int64(4))))
        }
        objectRows.reset()

        var outbox: [LedgerStatus.OutboxLine] = []
        let outboxRows = try database.statement(
            "SELECT sink, state, count(*), min(created_at) FROM outbox GROUP BY sink, state ORDER BY sink, state"
        )
        while try outboxRows.step() {
            guard let state = OutboxState(rawValue: outboxRows.string(1)) else { continue }
            outbox.append(LedgerStatus.OutboxLine(
                sink: outboxRows.string(0), state: state, count: Int(outboxRows.int64(2)),
                oldest: outboxRows.optionalInt64(3).map(Timestamp.init(millisecondsSinceEpoch:))
            ))
        }
        outboxRows.reset()

        let rejects = Int(try database.scalar("SELECT count(*) FROM rejects") ?? 0)
        return LedgerStatus(cursors: cursors, objectsByStatus: objects, outbox: outbox, lastRuns: try recentRuns(limit: 5), rejects: rejects)
    }

    /// A `status` line from `provider, account, entity` and then a cursor's columns
    /// (`cursorRecord`'s, from offset 3).
    static func sourceLine(_ row: some ColumnReader) -> LedgerStatus.SourceLine {
        let cursor = cursorRecord(provider: row.string(0), account: row.string(1), entity: row.string(2), row: row, offset: 3)
        return LedgerStatus.SourceLine(provider: cursor.provider, account: cursor.account, entity: cursor.entity, position: cursor.position,
                                       holdSince: cursor.holdSince, lastSweepAt: cursor.lastSweepAt, movedAt: cursor.movedAt)
    }

    /// The objects matching `reference` — an object key (`xero:TENANT:invoice:ID`), a provider id
    /// or an invoice number — each with its transitions, oldest first.
    public func history(of reference: String) throws -> [ObjectHistory] {
        var sql = "SELECT o.id, \(ObjectColumns.keyedList) FROM \(ObjectColumns.keyedFrom) WHERE "
        var values: [SQLValue]
        if let key = ObjectKey(reference) {
            sql += "s.provider = ? AND s.account = ? AND s.kind = ? AND o.external_id = ?"
            values = [.text(key.provider), .text(key.account), .text(key.kind.rawValue), .text(key.externalID)]
        } else {
            sql += "o.external_id = ? OR o.invoice_number = ?"
            values = [.text(reference), .text(reference)]
        }
        let objects = try database.statement(sql + " ORDER BY o.id LIMIT 50", values)
        var found: [(Int64, Observation)] = []
        while try objects.step() {
            if let observation = ObjectColumns.keyedObservation(from: objects, offset: 1) { found.append((objects.int64(0), observation)) }
        }
        objects.reset()

        return try found.map { id, observation in
            let rows = try database.statement(
                "SELECT run_id, observed_at, provider_updated_at, from_status, to_status, changed FROM transitions WHERE object_id = ? ORDER BY id",
                [.integer(id)]
            )
            defer { rows.reset() }
            var transitions: [TransitionRecord] = []
            while try rows.step() { transitions.append(Ledger.transitionRecord(rows)) }
            return ObjectHistory(key: observation.key, current: observation, transitions: transitions)
        }
    }

    /// A transition from `run_id, observed_at, provider_updated_at, from_status, to_status, changed`.
    static func transitionRecord(_ row: some ColumnReader) -> TransitionRecord {
        TransitionRecord(
            runID: row.optionalInt64(0), observedAt: Timestamp(millisecondsSinceEpoch: row.int64(1)),
            providerUpdatedAt: row.optionalInt64(2).map(Timestamp.init(millisecondsSinceEpoch:)),
            fromStatus: row.optionalString(3).map(PaymentStatus.init(rawValue:)),
            toStatus: PaymentStatus(rawValue: row.string(4)),
            changed: Ledger.fieldNames(row.string(5))
        )
    }

    /// A reject from `provider, account, entity, external_id, error, observed_at`.
    static func rejectRecord(_ row: some ColumnReader) -> RejectRecord {
        RejectRecord(provider: row.string(0), account: row.string(1), entity: row.string(2), externalID: row.optionalString(3),
                     error: row.string(4), observedAt: Timestamp(millisecondsSinceEpoch: row.int64(5)))
    }

    /// The names in a transition's `changed` column: a `FieldSet` bit mask (or, in ledgers from
    /// before it was one, a comma-separated list).
    static func fieldNames(_ stored: String) -> [String] {
        if let mask = UInt32(stored) { return FieldSet(rawValue: mask).map(\.rawValue) }
        return stored.split(separator: ",").map(String.init)
    }

    /// The most recent rejected objects, newest first.
    public func recentRejects(limit: Int) throws -> [RejectRecord] {
        let rows = try database.statement(
            "SELECT provider, account, entity, external_id, error, observed_at FROM rejects ORDER BY id DESC LIMIT ?", [SQLValue(limit)]
        )
        defer { rows.reset() }
        var result: [RejectRecord] = []
        while try rows.step() { result.append(Ledger.rejectRecord(rows)) }
        return result
    }
}
