/// What one sink wants to hear about: per object kind, which canonical fields it maps and how
/// the CRM record is keyed. Built from the sink's config; the planner uses it to decide which
/// changes become outbox rows for that sink.
public struct SinkRoute: Sendable, Equatable {
    public var sink: String
    public var kinds: [ObjectKind: KindRoute]

    public init(sink: String, kinds: [ObjectKind: KindRoute]) {
        self.sink = sink
        self.kinds = kinds
    }
}

/// How one kind of object reaches one sink.
public struct KindRoute: Sendable, Equatable {
    /// The canonical fields the sink maps; changes to other fields write nothing.
    public var fields: FieldSet
    /// Where the CRM record key comes from, first present value wins (e.g. invoice number,
    /// else the provider id). An object with none of them cannot be written and is counted.
    public var key: [RecordKeySource]
    /// Actions a transition into a status triggers (tasks, notes), once per transition.
    public var actions: [PaymentStatus: [ActionMapping]]

    public init(fields: FieldSet, key: [RecordKeySource], actions: [PaymentStatus: [ActionMapping]] = [:]) {
        self.fields = fields
        self.key = key
        self.actions = actions
    }

    /// The record key for an observation, or nil when none of the key sources has a value.
    public func recordKey(for observation: Observation) -> String? {
        for source in key {
            switch source {
            case .externalID:
                return observation.key.externalID
            case .field(let field):
                if let value = observation.value(of: field), !value.isEmpty { return value }
            case .metadata(let name):
                if let value = MetadataText.value(name, in: observation[text: .metadata]), !value.isEmpty { return value }
            }
        }
        return nil
    }
}

/// One place a record key can come from.
public enum RecordKeySource: Hashable, Sendable, CustomStringConvertible {
    /// The provider's own object id.
    case externalID
    /// A canonical field's value (`invoice_number`, `customer_email`).
    case field(Field)
    /// One value of the provider's metadata (`metadata.crm_deal_id`).
    case metadata(String)

    public var description: String {
        switch self {
        case .externalID: "id"
        case .field(let field): field.rawValue
        case .metadata(let name): "metadata.\(name)"
        }
    }
}
