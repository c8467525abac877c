import PaySyncCore

/// Object states and the page commit, in PostgreSQL: the SQLite ledger's statements with
/// PostgreSQL's placeholders and arrays, and ids drawn from sequences (other workers insert too).
extension PostgresLedger {
    public func knownStates(for keys: [ObjectKey]) throws -> [Observation?] {
        var result = [Observation?](repeating: nil, count: keys.count)
        var groups: [Ledger.Scope: [String: [Int]]] = [:]
        for (position, key) in keys.enumerated() { groups[Ledger.Scope(key), default: [:]][key.externalID, default: []].append(position) }
        for (scope, positions) in groups {
            guard let scopeID = try existingScopeID(scope) else { continue }
            for row in try connection.execute(
                "SELECT o.external_id, \(ObjectColumns.stateList) FROM objects o WHERE o.scope = $1 AND o.external_id = ANY($2::text[])",
                [String(scopeID), Self.textArray(positions.keys)]).rows {
                for position in positions[row.string(0)] ?? [] {
                    result[position] = ObjectColumns.observation(from: row, offset: 1, key: keys[position])
                }
            }
        }
        return result
    }

    func existingScopeID(_ scope: Ledger.Scope) throws -> Int64? {
        if let id = scopeIDs[scope] { return id }
        guard let id = try connection.execute("SELECT id FROM scopes WHERE provider = $1 AND account = $2 AND kind = $3",
                                              [scope.provider, scope.account, scope.kind.rawValue]).rows.first?.optionalInt64(0) else { return nil }
        scopeIDs[scope] = id
        return id
    }

    /// The scope's id, created when missing (another worker may create it at the same moment:
    /// the insert then does nothing, and the row it committed is read).
    private func scopeID(_ scope: Ledger.Scope, created: inout [Ledger.Scope: Int64]) throws -> Int64 {
        if let id = created[scope] { return id }
        if let id = try existingScopeID(scope) { return id }
        let values = [scope.provider, scope.account, scope.kind.rawValue]
        let inserted = try connection.execute(
            "INSERT INTO scopes (provider, account, kind) VALUES ($1, $2, $3) ON CONFLICT (provider, account, kind) DO NOTHING RETURNING id", values)
        guard let id = try inserted.rows.first?.optionalInt64(0)
                ?? connection.execute("SELECT id FROM scopes WHERE provider = $1 AND account = $2 AND kind = $3", values).rows.first?.optionalInt64(0)
        else { throw PostgresError(sqlState: nil, message: "scope \(values.joined(separator: ":")) was neither inserted nor found") }
        created[scope] = id
        return id
    }

    /// `n` new ids from a table's sequence (not contiguous when other workers draw too).
    private func newIDs(_ table: String, count: Int) throws -> [Int64] {
        guard count > 0 else { return [] }
        return try connection.execute("SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)", [table, String(count)])
            .rows.map { $0.int64(0) }
    }

    /// One page in one transaction: states, transitions, outbox rows, rejects and the cursor move
    /// are all kept, or none of them. A worker that holds leases first checks, in the same
    /// transaction, that it still holds the page's provider account: a worker whose lease lapsed
    /// (it stalled, and another took over) commits nothing.
    public func apply(_ commit: PageCommit) throws {
        let states = commit.plan.states
        let transitions = commit.plan.transitions
        precondition(transitions.count == states.count, "one transition per state")
        if states.isEmpty && commit.rejects.isEmpty && commit.cursor == nil { return }
        var createdScopes: [Ledger.Scope: Int64] = [:]
        var inserted: [String: Int] = [:]
        try connection.transaction {
            if fencing {
                let name = LeaseName.account(provider: commit.provider, account: commit.account)
                let holder = try connection.execute("SELECT holder FROM leases WHERE name = $1 AND expires_at > $2 FOR SHARE",
                                                    [name, Self.ms(commit.observedAt)]).scalar
                guard holder == worker else { throw LedgerError.leaseLost(name: name) }
            }
            var scopes: [Int64] = []
            for state in states { scopes.append(try scopeID(Ledger.Scope(state.key), created: &createdScopes)) }

            let firstSeen = transitions.indices.filter { transitions[$0].isFirstSeen }
            inserted = ["objects": firstSeen.count, "transitions": transitions.count]
            var objectIDs = [Int64](repeating: 0, count: states.count)
            for (position, id) in zip(firstSeen, try newIDs("objects", count: firstSeen.count)) { objectIDs[position] = id }
            try PageStateWrites.run(transitions, before: { try faultBeforeStateWrite?($0) }, insert: { newStates in
                try connection.insertRows(into: "objects", columns: ObjectColumns.insertColumns, count: newStates.count) { row, parameters, index in
                    let position = newStates[row]
                    try ObjectColumns.bindInsert(states[position], id: objectIDs[position], scope: scopes[position], runID: commit.runID,
                                                 to: parameters, at: &index)
                }
            }, upsert: { position in
                let parameters = PGParameters()
                try ObjectColumns.bindUpsert(states[position], scope: scopes[position], runID: commit.runID, to: parameters)
                guard let id = try connection.execute(ObjectColumns.postgresUpsertSQL, parameters.values).rows.first?.optionalInt64(0) else {
                    throw GeneralError("ledger \(location): upsert returned no id", exitCode: .internalError)
                }
                objectIDs[position] = id
            })

            let transitionIDs = try newIDs("transitions", count: transitions.count)
            let observedAt = commit.observedAt.millisecondsSinceEpoch
            try connection.insertRows(into: "transitions", columns: Ledger.transitionColumns, count: transitions.count) { row, parameters, index in
                let transition = transitions[row]
                parameters.bind(transitionIDs[row], at: index)
                parameters.bind(objectIDs[row], at: index + 1)
                parameters.bind(commit.runID, at: index + 2)
                parameters.bind(observedAt, at: index + 3)
                parameters.bind(transition.providerUpdatedAt?.millisecondsSinceEpoch, at: index + 4)
                parameters.bind(transition.fromStatus?.rawValue, at: index + 5)
                parameters.bind(transition.toStatus.rawValue, at: index + 6)
                parameters.bind(String(transition.changed.rawValue), at: index + 7)
                index += 8
            }

            let writes = commit.plan.writes.filter { objectIDs.indices.contains($0.stateIndex) }
            let writeKeys = Ledger.writeKeys(writes, identity: identity) { transitionIDs[$0] }
            inserted["outbox"] = writes.count
            try connection.insertRows(into: "outbox", columns: Ledger.outboxInsertColumns, count: writes.count) { row, parameters, index in
                try Ledger.bindOutboxInsert(writes[row], objectID: objectIDs[writes[row].stateIndex], writeKey: writeKeys[row], runID: commit.runID,
                                            observedAt: observedAt, to: parameters, at: &index)
            }

            for reject in commit.rejects {
                try connection.execute(
                    "INSERT INTO rejects (provider, account, entity, external_id, run_id, observed_at, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    [commit.provider, commit.account, reject.entity, reject.externalID, String(commit.runID), String(observedAt), reject.error])
            }
            if let cursor = commit.cursor {
                try connection.execute(Ledger.moveCursorSQL(placeholder: { "$\($0)" }), [
                    cursor.provider, cursor.account, cursor.entity, cursor.position.map { Self.ms($0.updatedAt) }, cursor.position?.lastID,
                    cursor.holdSince.map(Self.ms), String(commit.runID), String(observedAt),
                ])
            }
        }
        scopeIDs.merge(createdScopes) { _, created in created }
        analyzeIfGrown(inserted)
    }

    // MARK: Windows, ageing and re-reads

    public func countObjects(provider: String, account: String, kind: ObjectKind, from: CalendarDate, until: CalendarDate) throws -> Int {
        guard let scope = try existingScopeID(Ledger.Scope(provider: provider, account: account, kind: kind)) else { return 0 }
        return Int(try connection.execute("SELECT count(*) FROM objects WHERE scope = $1 AND document_date >= $2 AND document_date < $3",
                                          [String(scope), from.description, until.description]).scalar ?? "0") ?? 0
    }

    public func externalIDs(provider: String, account: String, kind: ObjectKind, from: CalendarDate, until: CalendarDate) throws -> Set<String> {
        guard let scope = try existingScopeID(Ledger.Scope(provider: provider, account: account, kind: kind)) else { return [] }
        return Set(try connection.execute("SELECT external_id FROM objects WHERE scope = $1 AND document_date >= $2 AND document_date < $3",
                                          [String(scope), from.description, until.description]).rows.map { $0.string(0) })
    }

    public func sentInvoicesDueBefore(_ today: CalendarDate, provider: String, account: String) throws -> [Observation] {
        try keyedObservations("""
            SELECT \(ObjectColumns.keyedList) FROM \(ObjectColumns.keyedFrom)
            WHERE o.status = 'sent' AND o.due_date < $1 AND s.provider = $2 AND s.account = $3 ORDER BY o.id
            """, [today.description, provider, account])
    }

    public func objects(provider: String, account: String, kinds: [ObjectKind], statuses: [PaymentStatus]) throws -> [Observation] {
        guard !kinds.isEmpty, !statuses.isEmpty else { return [] }
        return try keyedObservations("""
            SELECT \(ObjectColumns.keyedList) FROM \(ObjectColumns.keyedFrom)
            WHERE s.provider = $1 AND s.account = $2 AND s.kind = ANY($3::text[]) AND o.status = ANY($4::text[]) ORDER BY o.id
            """, [provider, account, Self.textArray(kinds.map(\.rawValue)), Self.textArray(statuses.map(\.rawValue))])
    }

    public func linkedDocuments(parents: [String]) throws -> [Observation] {
        guard !parents.isEmpty else { return [] }
        return try keyedObservations("""
            SELECT \(ObjectColumns.keyedList) FROM \(ObjectColumns.keyedFrom)
            WHERE o.parent_key = ANY($1::text[]) AND s.kind IN ('refund', 'credit_note', 'dispute') ORDER BY o.id
            """, [Self.textArray(parents)])
    }

    func keyedObservations(_ sql: String, _ parameters: [String?]) throws -> [Observation] {
        try connection.execute(sql, parameters).rows.compactMap { ObjectColumns.keyedObservation(from: $0, offset: 0) }
    }
}
