import PaySyncCore

/// CRM record ids kept for one process only: what a sink built outside a run (a test, a
/// benchmark harness) uses when no ledger is given. Runs use the ledger's.
public actor InMemoryCRMRecordIDStore: CRMRecordIDStore {
    private var ids: [String: String] = [:]

    public init() {}

    private func name(_ sink: String, _ object: String, _ key: String) -> String { "\(sink)\u{1F}\(object)\u{1F}\(key)" }

    public func crmRecordIDs(sink: String, object: String, keys: [String]) -> [String: String] {
        var found: [String: String] = [:]
        for key in keys { if let id = ids[name(sink, object, key)] { found[key] = id } }
        return found
    }

    public func saveCRMRecordIDs(sink: String, object: String, _ found: [String: String], now: Timestamp) {
        for (key, id) in found { ids[name(sink, object, key)] = id }
    }

    public func forgetCRMRecordID(sink: String, object: String, key: String) {
        ids[name(sink, object, key)] = nil
    }
}
