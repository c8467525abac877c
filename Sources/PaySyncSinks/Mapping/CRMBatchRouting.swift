import PaySyncCore

/// How a CRM sink carries one batch: field writes grouped by the object kind and mapping they go
/// through (one call per group), then actions grouped by the records they attach to — after the
/// writes, since an upsert may just have created the record an action attaches to. A write whose
/// kind has no mapping is refused here, once for both.
///
/// Two kinds may write the same CRM record (payments keyed by their invoice's number): each kind
/// is its own group, so a call never names one record twice, and invoice groups go last, so
/// where two kinds set the same property the invoice — the document of record — has the last word.
enum CRMBatchRouting {
    /// - Parameters:
    ///   - crm: the CRM's name, for the refusal of a write whose kind has no mapping.
    ///   - fields: sends one group of field writes through its mapping; one outcome per write.
    ///   - actions: performs one group of actions on records of one mapping; one outcome per action.
    /// - Returns: one outcome per write, in order.
    static func send(
        _ writes: [CoalescedWrite], mappings: [ObjectKind: CRMObjectMapping], crm: String,
        fields: ([CoalescedWrite], CRMObjectMapping) async throws -> [WriteOutcome],
        actions: ([CoalescedWrite], CRMObjectMapping) async throws -> [WriteOutcome]
    ) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome?](repeating: nil, count: writes.count)
        // One mapping per kind, so a kind is a field group (no key strings built per write).
        var fieldGroups: [ObjectKind: [Int]] = [:]
        var fieldOrder: [ObjectKind] = []
        var actionGroups: [String: [Int]] = [:]
        for (index, write) in writes.enumerated() {
            guard let mapping = mappings[write.objectKey.kind] else {
                outcomes[index] = .rejected("no \(crm) mapping for \(write.objectKey.kind) objects")
                continue
            }
            if write.action != nil {
                actionGroups["\(mapping.object)|\(mapping.idProperty)", default: []].append(index)
                continue
            }
            let kind = write.objectKey.kind
            if fieldGroups[kind] == nil { fieldOrder.append(kind) }
            fieldGroups[kind, default: []].append(index)
        }
        fieldOrder = fieldOrder.filter { $0 != .invoice } + fieldOrder.filter { $0 == .invoice }
        for key in fieldOrder {
            try await deliver(fieldGroups[key]!, of: writes, mappings: mappings, into: &outcomes, by: fields)
        }
        for (_, indexes) in actionGroups.sorted(by: { $0.key < $1.key }) {
            try await deliver(indexes, of: writes, mappings: mappings, into: &outcomes, by: actions)
        }
        return outcomes.map { $0 ?? .retryable("not sent") }
    }

    /// Sends the writes at `indexes` (all of one mapping) and places their outcomes.
    private static func deliver(
        _ indexes: [Int], of writes: [CoalescedWrite], mappings: [ObjectKind: CRMObjectMapping], into outcomes: inout [WriteOutcome?],
        by send: ([CoalescedWrite], CRMObjectMapping) async throws -> [WriteOutcome]
    ) async throws {
        let mapping = mappings[writes[indexes[0]].objectKey.kind]!
        for (position, outcome) in try await send(indexes.map { writes[$0] }, mapping).enumerated() {
            outcomes[indexes[position]] = outcome
        }
    }
}
