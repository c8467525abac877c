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

    public init(provider: String, account: String, entity: String, position: CursorPosition?, holdSince: Timestamp?, lastSweepAt: Timestamp?, movedAt: Timestamp) {
        self.provider = provider
        self.account = account
        self.entity = entity
        self.position = position
        self.holdSince = holdSince
        self.lastSweepAt = lastSweepAt
        self.movedAt = movedAt
    }
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
    /// Names this write forever (`docs/sinks/webhook.md`: the idempotency key derives from it).
    public var writeKey: String

    /// The row as the coalescer sees it. A row sent before without an acknowledgement may have
    /// reached the CRM.
    public var queued: QueuedWrite {
        QueuedWrite(rowID: id, recordKey: recordKey, objectKey: objectKey, changes: changes, fromStatus: fromStatus, toStatus: toStatus,
                    action: action, attempts: attempts, writeKey: writeKey)
    }

    public init(id: Int64, sink: String, recordKey: String, objectKey: ObjectKey, changes: [FieldChange], fromStatus: PaymentStatus?, toStatus: PaymentStatus, state: OutboxState, attempts: Int, nextAttemptAt: Timestamp, lastError: String?, createdAt: Timestamp, action: ActionPayload?, writeKey: String) {
        self.id = id
        self.sink = sink
        self.recordKey = recordKey
        self.objectKey = objectKey
        self.changes = changes
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.action = action
        self.writeKey = writeKey
    }
}

/// Outbox rows claimed for one call to a sink (marked `sending`), and the queue position (a row
/// id) the claim read up to, after which the next batch starts.
public struct ClaimedBatch: Sendable {
    public var rows: [OutboxRow]
    public var position: Int64

    public init(rows: [OutboxRow], position: Int64) {
        self.rows = rows
        self.position = position
    }
}

/// How a batch's rows were settled.
public struct SettledCounts: Sendable, Equatable {
    public var delivered: Int
    public var retrying: Int
    public var dead: Int
    public var skipped: Int

    public init(delivered: Int, retrying: Int, dead: Int, skipped: Int) {
        self.delivered = delivered
        self.retrying = retrying
        self.dead = dead
        self.skipped = skipped
    }
}

/// One entry of an object's history.
public struct TransitionRecord: Hashable, Sendable {
    public var runID: Int64?
    public var observedAt: Timestamp
    public var providerUpdatedAt: Timestamp?
    public var fromStatus: PaymentStatus?
    public var toStatus: PaymentStatus
    public var changed: [String]

    public init(runID: Int64?, observedAt: Timestamp, providerUpdatedAt: Timestamp?, fromStatus: PaymentStatus?, toStatus: PaymentStatus, changed: [String]) {
        self.runID = runID
        self.observedAt = observedAt
        self.providerUpdatedAt = providerUpdatedAt
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.changed = changed
    }
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
    /// Writes a sink's mapping had nothing to send for.
    public var skippedByMapping = 0

    public init(id: Int64, command: String, dryRun: Bool, startedAt: Timestamp, finishedAt: Timestamp?, fetched: Int, changed: Int, written: Int, failed: Int, stale: Int, exitCode: Int32?, message: String?, skippedByMapping: Int = 0) {
        self.skippedByMapping = skippedByMapping
        self.id = id
        self.command = command
        self.dryRun = dryRun
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.fetched = fetched
        self.changed = changed
        self.written = written
        self.failed = failed
        self.stale = stale
        self.exitCode = exitCode
        self.message = message
    }
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

        public init(provider: String, account: String, entity: String, position: CursorPosition?, holdSince: Timestamp?, lastSweepAt: Timestamp?, movedAt: Timestamp) {
            self.provider = provider
            self.account = account
            self.entity = entity
            self.position = position
            self.holdSince = holdSince
            self.lastSweepAt = lastSweepAt
            self.movedAt = movedAt
        }
    }

    public struct OutboxLine: Hashable, Sendable {
        public var sink: String
        public var state: OutboxState
        public var count: Int
        public var oldest: Timestamp?

        public init(sink: String, state: OutboxState, count: Int, oldest: Timestamp?) {
            self.sink = sink
            self.state = state
            self.count = count
            self.oldest = oldest
        }
    }

    public var cursors: [SourceLine]
    public var objectsByStatus: [(provider: String, account: String, kind: String, status: String, count: Int)]
    public var outbox: [OutboxLine]
    public var lastRuns: [RunRecord]
    public var rejects: Int

    public init(cursors: [SourceLine], objectsByStatus: [(provider: String, account: String, kind: String, status: String, count: Int)], outbox: [OutboxLine], lastRuns: [RunRecord], rejects: Int) {
        self.cursors = cursors
        self.objectsByStatus = objectsByStatus
        self.outbox = outbox
        self.lastRuns = lastRuns
        self.rejects = rejects
    }
}

/// A stored credential (a rotated refresh token, a cached access token).
public struct StoredCredential: Sendable, Equatable {
    public var value: Secret
    public var expiresAt: Timestamp?
    public var seedFingerprint: String?

    public init(value: Secret, expiresAt: Timestamp?, seedFingerprint: String?) {
        self.value = value
        self.expiresAt = expiresAt
        self.seedFingerprint = seedFingerprint
    }
}

/// One object as `history` shows it: its key, its current state and every transition.
public struct ObjectHistory: Sendable {
    public var key: ObjectKey
    public var current: Observation
    public var transitions: [TransitionRecord]

    public init(key: ObjectKey, current: Observation, transitions: [TransitionRecord]) {
        self.key = key
        self.current = current
        self.transitions = transitions
    }
}

/// An object a connector could not normalise, kept for the operator.
public struct RejectRecord: Sendable, Equatable {
    public var provider: String
    public var account: String
    public var entity: String
    public var externalID: String?
    public var error: String
    public var observedAt: Timestamp

    public init(provider: String, account: String, entity: String, externalID: String?, error: String, observedAt: Timestamp) {
        self.provider = provider
        self.account = account
        self.entity = entity
        self.externalID = externalID
        self.error = error
        self.observedAt = observedAt
    }
}
