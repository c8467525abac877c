import PaySyncCore

/// How a CRM sink carries one batch: field writes grouped by the object mapping they go through
/// (one call per group, in the order the groups first appear), then actions — after the writes,
/// since an upsert may just have created the record an action attaches to.
enum CRMBatchRouting {
    /// - Parameters:
    ///   - crm: the CRM's name, for the refusal of a write whose kind has no mapping.
    ///   - fields: sends one group of field writes through its mapping; one outcome per write.
    ///   - actions: performs the batch's actions; one outcome per action.
    /// - Returns: one outcome per write, in order.
    static func send(
        _ writes: [CoalescedWrite], mappings: [ObjectKind: CRMObjectMapping], crm: String,
        fields: ([CoalescedWrite], CRMObjectMapping) async throws -> [WriteOutcome],
        actions: ([CoalescedWrite]) async throws -> [WriteOutcome]
    ) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome?](repeating: nil, count: writes.count)
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (index, write) in writes.enumerated() where write.action == nil {
            guard let mapping = mappings[write.objectKey.kind] else {
                outcomes[index] = .rejected("no \(crm) mapping for \(write.objectKey.kind) objects")
                continue
            }
            let key = "\(mapping.object)|\(mapping.idProperty)|\(mapping.missingRecord.rawValue)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(index)
        }
        for key in order {
            let indexes = groups[key]!
            let mapping = mappings[writes[indexes[0]].objectKey.kind]!
            for (position, outcome) in try await fields(indexes.map { writes[$0] }, mapping).enumerated() {
                outcomes[indexes[position]] = outcome
            }
        }
        let actionIndexes = writes.indices.filter { writes[$0].action != nil }
        if !actionIndexes.isEmpty {
            for (index, outcome) in zip(actionIndexes, try await actions(actionIndexes.map { writes[$0] })) { outcomes[index] = outcome }
        }
        return outcomes.map { $0 ?? .retryable("not sent") }
    }
}
