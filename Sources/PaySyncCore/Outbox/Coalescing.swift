/// Several pending writes for the same CRM record, merged into the one write that leaves.
public struct CoalescedWrite: Hashable, Sendable {
    /// The outbox rows this write settles; all of them are acknowledged together.
    public var rowIDs: [Int64]
    public var recordKey: String
    public var objectKey: ObjectKey
    /// Per field: `old` from the earliest row, `new` from the latest. Fields that ended where they
    /// started (sent → paid → sent while queued) are dropped: the CRM already holds that value.
    public var changes: [FieldChange]
    public var fromStatus: PaymentStatus?
    public var toStatus: PaymentStatus
    /// An action (task, note) instead of a change of fields. Actions are never merged.
    public var action: ActionPayload?

    public init(rowIDs: [Int64], recordKey: String, objectKey: ObjectKey, changes: [FieldChange], fromStatus: PaymentStatus?,
                toStatus: PaymentStatus, action: ActionPayload? = nil) {
        self.rowIDs = rowIDs
        self.recordKey = recordKey
        self.objectKey = objectKey
        self.changes = changes
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.action = action
    }

    /// True when the rows cancel out and nothing needs sending.
    public var isEmpty: Bool { changes.isEmpty && action == nil }
}

/// One outbox row as the coalescer sees it.
public struct QueuedWrite: Hashable, Sendable {
    public var rowID: Int64
    public var recordKey: String
    public var objectKey: ObjectKey
    public var changes: [FieldChange]
    public var fromStatus: PaymentStatus?
    public var toStatus: PaymentStatus
    public var action: ActionPayload?

    public init(rowID: Int64, recordKey: String, objectKey: ObjectKey, changes: [FieldChange], fromStatus: PaymentStatus?,
                toStatus: PaymentStatus, action: ActionPayload? = nil) {
        self.rowID = rowID
        self.recordKey = recordKey
        self.objectKey = objectKey
        self.changes = changes
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.action = action
    }
}

public enum Coalescing {
    /// Groups field writes by record key (keeping the order in which keys first appear) and merges
    /// each group, oldest row first. Actions are never merged: each follows the writes.
    public static func coalesce(_ rows: [QueuedWrite]) -> [CoalescedWrite] {
        var order: [String] = []
        var groups: [String: [QueuedWrite]] = [:]
        var actions: [CoalescedWrite] = []
        for row in rows {
            if let action = row.action {
                actions.append(CoalescedWrite(rowIDs: [row.rowID], recordKey: row.recordKey, objectKey: row.objectKey, changes: [],
                                              fromStatus: row.fromStatus, toStatus: row.toStatus, action: action))
                continue
            }
            if groups[row.recordKey] == nil { order.append(row.recordKey) }
            groups[row.recordKey, default: []].append(row)
        }
        return order.map { merge(groups[$0]!.sorted { $0.rowID < $1.rowID }) } + actions
    }

    /// Merges rows for one record, given oldest first.
    public static func merge(_ rows: [QueuedWrite]) -> CoalescedWrite {
        precondition(!rows.isEmpty, "a group has at least one row")
        if rows.count == 1 {
            let row = rows[0]
            return CoalescedWrite(rowIDs: [row.rowID], recordKey: row.recordKey, objectKey: row.objectKey,
                                  changes: row.changes, fromStatus: row.fromStatus, toStatus: row.toStatus)
        }
        var fieldOrder: [Field] = []
        var merged: [Field: FieldChange] = [:]
        for row in rows {
            for change in row.changes {
                if var existing = merged[change.field] {
                    existing.new = change.new
                    merged[change.field] = existing
                } else {
                    fieldOrder.append(change.field)
                    merged[change.field] = change
                }
            }
        }
        let changes = fieldOrder.compactMap { field -> FieldChange? in
            let change = merged[field]!
            return change.old == change.new ? nil : change
        }
        let last = rows[rows.count - 1]
        return CoalescedWrite(rowIDs: rows.map(\.rowID), recordKey: last.recordKey, objectKey: last.objectKey,
                              changes: changes, fromStatus: rows[0].fromStatus, toStatus: last.toStatus)
    }

    /// Splits writes into batches of at most `size`: ceil(count / size) calls, never more.
    public static func batches<T>(_ items: [T], size: Int) -> [[T]] {
        precondition(size > 0, "batch size must be positive")
        return stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }
}
