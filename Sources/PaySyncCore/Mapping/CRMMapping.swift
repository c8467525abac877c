/// How one kind of object maps onto a CRM object: which object, how a record is found, which
/// properties get which canonical values, what happens when no record matches, and what actions
/// a status transition triggers. Read from a sink's `objects.KIND` config.
public struct CRMObjectMapping: Hashable, Sendable {
    /// The CRM object, in the CRM's own naming (`deals`, `Opportunity`, a custom object's id).
    public var object: String
    /// The CRM property that holds the record key: a unique-value or external-id property
    /// (`invoice_number`, `email`, `Invoice_Number__c`).
    public var idProperty: String
    public var missingRecord: MissingRecordPolicy
    public var properties: [PropertyMapping]
    /// Actions to run once when an object enters a status.
    public var actions: [PaymentStatus: [ActionMapping]]

    public init(object: String, idProperty: String, missingRecord: MissingRecordPolicy = .skip,
                properties: [PropertyMapping], actions: [PaymentStatus: [ActionMapping]] = [:]) {
        self.object = object
        self.idProperty = idProperty
        self.missingRecord = missingRecord
        self.properties = properties
        self.actions = actions
    }

    /// The canonical fields the properties read: the changes that produce a write.
    public var fields: FieldSet { FieldSet(properties.map(\.field)) }

    /// The CRM properties to set for these changes, with their values in canonical text (nil to
    /// clear). A status property whose value table has no entry for the new status is left alone.
    public func propertyValues(for changes: [FieldChange]) -> [(property: PropertyMapping, value: String?)] {
        var result: [(PropertyMapping, String?)] = []
        for property in properties {
            guard let change = changes.first(where: { $0.field == property.field }) else { continue }
            if let table = property.values {
                guard let new = change.new, let mapped = table[new] else { continue }
                result.append((property, mapped))
            } else {
                result.append((property, change.new))
            }
        }
        return result
    }
}

/// What to do when the CRM has no record with the key.
public enum MissingRecordPolicy: String, Hashable, Sendable, CaseIterable {
    /// Write nothing; the write is kept as "skipped" and listed by `status` and `outbox list`.
    case skip
    /// Create the record (the CRM's upsert).
    case create
}

/// One CRM property fed from one canonical field.
public struct PropertyMapping: Hashable, Sendable {
    public var name: String
    public var field: Field
    /// For enumerations (a status label, a deal stage): canonical value → CRM value. Values not
    /// listed are not written.
    public var values: [String: String]?
    /// How the CRM expects the value; nil lets the sink infer it from the field.
    public var type: PropertyType?

    public init(name: String, field: Field, values: [String: String]? = nil, type: PropertyType? = nil) {
        self.name = name
        self.field = field
        self.values = values
        self.type = type
    }

    /// The declared type, else the natural one for the field.
    public var effectiveType: PropertyType {
        if let type { return type }
        if values != nil { return .text }
        switch field {
        case .amountTotal, .amountPaid, .amountDue: return .number
        case .documentDate, .dueDate, .lastPaymentDate: return .date
        default: return .text
        }
    }
}

public enum PropertyType: String, Hashable, Sendable, CaseIterable {
    case text, number, date
}

/// An action a transition into a status triggers, once.
public enum ActionMapping: Hashable, Sendable {
    /// A task for the record's owner.
    case task(subject: Template, body: Template?)
    /// A note on the record.
    case note(body: Template)

    public var kind: String {
        switch self {
        case .task: "task"
        case .note: "note"
        }
    }
}

/// A rendered action, as the outbox keeps it until the CRM has it.
public struct ActionPayload: Hashable, Sendable {
    public var kind: String
    public var subject: String?
    public var body: String?

    public init(kind: String, subject: String?, body: String?) {
        self.kind = kind
        self.subject = subject
        self.body = body
    }

    public var json: String {
        JSONWriter.compact(.object(JSONObject([
            ("kind", .string(kind)), ("subject", subject.map(JSONValue.string) ?? .null), ("body", body.map(JSONValue.string) ?? .null),
        ])))
    }

    public init?(json: String) {
        guard let value = try? JSONParser.parse(json), let kind = value["kind"]?.stringValue else { return nil }
        self.init(kind: kind, subject: value["subject"]?.stringValue, body: value["body"]?.stringValue)
    }
}
