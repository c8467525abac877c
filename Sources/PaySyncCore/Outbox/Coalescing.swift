/// Several pending writes for the same CRM record, merged into the one write that leaves.
public struct CoalescedWrite: Hashable, Sendable {
    /// The outbox rows this write settles; all of them are acknowledged together.
    public var rowIDs: [Int64]
    public var recordKey: String
    public var objectKey: ObjectKey
    /// Per field: `old` from the earliest row, `new` from the latest. Fields that ended where they
    /// started (sent → paid → sent while queued) are dropped — unless a row that touched them was
    /// sent before without the rows after it (it has more attempts than one of them, and no
    /// acknowledgement): that send may have landed, so the CRM may hold the middle value, and the
    /// write carries the current one. Rows always sent together keep equal attempt counts, so the
    /// same rows always give the same write (and the same idempotency key the same payload).
    public var changes: [FieldChange]
    public var fromStatus: PaymentStatus?
    public var toStatus: PaymentStatus
    /// An action (task, note) instead of a change of fields. Actions are never merged.
    public var action: ActionPayload?
    /// The write keys of the rows merged (one per row, unique forever): what names this write to
    /// a receiver that drops writes it has seen.
    public var writeKeys: [String]

    public init(rowIDs: [Int64], recordKey: String, objectKey: ObjectKey, changes: [FieldChange], fromStatus: PaymentStatus?,
                toStatus: PaymentStatus, action: ActionPayload? = nil, writeKeys: [String]? = nil) {
        self.writeKeys = writeKeys ?? rowIDs.map { "row:\($0)" }
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
    /// Sends so far without an acknowledgement (a run died after sending, or the send failed in
    /// a way that may still have landed).
    public var attempts: Int
    /// The row's write key (see `OutboxRow.writeKey`).
    public var writeKey: String

    public init(rowID: Int64, recordKey: String, objectKey: ObjectKey, changes: [FieldChange], fromStatus: PaymentStatus?,
                toStatus: PaymentStatus, action: ActionPayload? = nil, attempts: Int = 0, writeKey: String = "") {
        self.attempts = attempts
        self.writeKey = writeKey.isEmpty ? "row:\(rowID)" : writeKey
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
    /// Groups field writes by CRM record and object kind (keeping the order in which groups first
    /// appear) and merges each group, oldest row first. Two kinds written to one record (an
    /// invoice and its payments keyed by invoice number) go through different mappings, so they
    /// are never merged into one write. Actions are never merged: each follows the writes.
    public static func coalesce(_ rows: [QueuedWrite]) -> [CoalescedWrite] {
        struct Group: Hashable { let recordKey: String; let kind: ObjectKind }
        var order: [Group] = []
        var groups: [Group: [QueuedWrite]] = [:]
        var actions: [CoalescedWrite] = []
        for row in rows {
            if let action = row.action {
                actions.append(CoalescedWrite(rowIDs: [row.rowID], recordKey: row.recordKey, objectKey: row.objectKey, changes: [],
                                              fromStatus: row.fromStatus, toStatus: row.toStatus, action: action, writeKeys: [row.writeKey]))
                continue
            }
            let group = Group(recordKey: row.recordKey, kind: row.objectKey.kind)
            if groups[group] == nil { order.append(group) }
            groups[group, default: []].append(row)
        }
        return order.map { merge(groups[$0]!.sorted { $0.rowID < $1.rowID }) } + actions
    }

    /// Merges rows for one record, given oldest first.
    public static func merge(_ rows: [QueuedWrite]) -> CoalescedWrite {
        precondition(!rows.isEmpty, "a group has at least one row")
        if rows.count == 1 {
            let row = rows[0]
            return CoalescedWrite(rowIDs: [row.rowID], recordKey: row.recordKey, objectKey: row.objectKey,
                                  changes: row.changes, fromStatus: row.fromStatus, toStatus: row.toStatus, writeKeys: [row.writeKey])
        }
        var fieldOrder: [Field] = []
        var merged: [Field: FieldChange] = [:]
        // Fields an earlier send may have set without the rows that later reverted them.
        var mayHoldMiddleValue = FieldSet()
        for (index, row) in rows.enumerated() where row.attempts > 0 {
            let touched = FieldSet(row.changes.map(\.field))
            for later in rows[(index + 1)...] where later.attempts < row.attempts {
                mayHoldMiddleValue = mayHoldMiddleValue.union(touched.intersection(FieldSet(later.changes.map(\.field))))
            }
        }
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
            return change.old == change.new && !mayHoldMiddleValue.contains(field) ? nil : change
        }
        let last = rows[rows.count - 1]
        return CoalescedWrite(rowIDs: rows.map(\.rowID), recordKey: last.recordKey, objectKey: last.objectKey,
                              changes: changes, fromStatus: rows[0].fromStatus, toStatus: last.toStatus, writeKeys: rows.map(\.writeKey))
    }

    /// Splits writes into batches of at most `size`: ceil(count / size) calls, never more.
    public static func batches<T>(_ items: [T], size: Int) -> [[T]] {
        precondition(size > 0, "batch size must be positive")
        return stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }
}
