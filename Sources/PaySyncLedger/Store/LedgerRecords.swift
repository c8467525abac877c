import PaySyncCore

/// A keyset position in a provider's change feed: the updated-at and id of the last object stored.
public struct CursorPosition: Hashable, Sendable {
    public var updatedAt: Timestamp
    public var lastID: String

    public init(updatedAt: Timestamp, lastID: String) {
        self.updatedAt = updatedAt
        self.lastID = lastID
    }
}

/// Where an entity's incremental feed stands for one provider account.
public struct CursorRecord: Hashable, Sendable {
    public var provider: String
    public var account: String
    public var entity: String
    public var position: CursorPosition?
    /// When set, the next incremental run re-reads from this instant instead of the position
    /// (a page boundary may have shifted under the previous run).
    public var holdSince: Timestamp?
    public var lastSweepAt: Timestamp?
    public var movedAt: Timestamp
}

/// How a page commit moves its entity's cursor.
public struct CursorMove: Hashable, Sendable {
    public var provider: String
    public var account: String
    public var entity: String
    /// The new position; nil keeps the current one.
    public var position: CursorPosition?
    /// The new hold (nil clears it).
    public var holdSince: Timestamp?

    public init(provider: String, account: String, entity: String, position: CursorPosition?, holdSince: Timestamp? = nil) {
        self.provider = provider
        self.account = account
        self.entity = entity
        self.position = position
        self.holdSince = holdSince
    }
}

/// Everything one provider page changes, applied in one transaction.
public struct PageCommit: Sendable {
    public var provider: String
    public var account: String
    public var plan: PagePlan
    public var cursor: CursorMove?
    public var rejects: [RejectedObject]
    public var runID: Int64
    public var observedAt: Timestamp

    public init(provider: String, account: String, plan: PagePlan, cursor: CursorMove?, rejects: [RejectedObject] = [], runID: Int64, observedAt: Timestamp) {
        self.provider = provider
        self.account = account
        self.plan = plan
        self.cursor = cursor
        self.rejects = rejects
        self.runID = runID
        self.observedAt = observedAt
    }
}

/// One outbox row.
public struct OutboxRow: Hashable, Sendable {
    public var id: Int64
    public var sink: String
    public var recordKey: String
    public var objectKey: ObjectKey
    public var changes: [FieldChange]
    public var fromStatus: PaymentStatus?
    public var toStatus: PaymentStatus
    public var state: OutboxState
    public var attempts: Int
    public var nextAttemptAt: Timestamp
    public var lastError: String?
    public var createdAt: Timestamp
    /// Set for an action row (a CRM task or note).
    public var action: ActionPayload?

    public var queued: QueuedWrite {
        QueuedWrite(rowID: id, recordKey: recordKey, objectKey: objectKey, changes: changes, fromStatus: fromStatus, toStatus: toStatus, action: action)
    }
}

/// Outbox rows claimed for one call to a sink (marked `sending`), and the last record key they
/// cover, from which the next batch starts.
public struct ClaimedBatch: Sendable {
    public var rows: [OutboxRow]
    public var lastRecordKey: String
}

/// How a batch's rows were settled.
public struct SettledCounts: Sendable, Equatable {
    public var delivered: Int
    public var retrying: Int
    public var dead: Int
    public var skipped: Int
}

/// One entry of an object's history.
public struct TransitionRecord: Hashable, Sendable {
    public var runID: Int64?
    public var observedAt: Timestamp
    public var providerUpdatedAt: Timestamp?
    public var fromStatus: PaymentStatus?
    public var toStatus: PaymentStatus
    public var changed: [String]
}

/// A finished or running invocation.
public struct RunRecord: Hashable, Sendable {
    public var id: Int64
    public var command: String
    public var dryRun: Bool
    public var startedAt: Timestamp
    public var finishedAt: Timestamp?
    public var fetched: Int
    public var changed: Int
    public var written: Int
    public var failed: Int
    public var stale: Int
    public var exitCode: Int32?
    public var message: String?
}

/// Counts for `paysync status`.
public struct LedgerStatus: Sendable {
    public struct SourceLine: Hashable, Sendable {
        public var provider: String
        public var account: String
        public var entity: String
        public var position: CursorPosition?
        public var holdSince: Timestamp?
        public var lastSweepAt: Timestamp?
        public var movedAt: Timestamp
    }

    public struct OutboxLine: Hashable, Sendable {
        public var sink: String
        public var state: OutboxState
        public var count: Int
        public var oldest: Timestamp?
    }

    public var cursors: [SourceLine]
    public var objectsByStatus: [(provider: String, account: String, kind: String, status: String, count: Int)]
    public var outbox: [OutboxLine]
    public var lastRuns: [RunRecord]
    public var rejects: Int
}
