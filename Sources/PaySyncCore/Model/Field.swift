/// A canonical field of an observation that a CRM can be sent. Sinks name the fields they map
/// (`status`, `amount_paid`, …); only changes to mapped fields produce CRM writes.
public enum Field: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case status
    case providerStatus = "provider_status"
    case currency
    case amountTotal = "amount_total"
    case amountPaid = "amount_paid"
    case amountDue = "amount_due"
    case invoiceNumber = "invoice_number"
    case customerID = "customer_id"
    case customerEmail = "customer_email"
    case customerName = "customer_name"
    case documentDate = "document_date"
    case dueDate = "due_date"
    case lastPaymentDate = "last_payment_date"
    case lastPaymentID = "last_payment_id"
    case reference
    /// The provider's kind name: constant per object, so it is sent with an object's first write.
    case provider

    public var description: String { rawValue }

    /// The bit this field occupies in a `FieldSet` (its position in `allCases`; stored in the
    /// ledger's transitions, so new fields are only ever appended).
    var bit: UInt32 { 1 << UInt32(Field.bitIndex[self]!) }

    private static let bitIndex: [Field: Int] = Dictionary(uniqueKeysWithValues: Field.allCases.enumerated().map { ($1, $0) })
}

/// A set of fields as a bit mask: cheap to build and intersect once per object on hot paths.
public struct FieldSet: Hashable, Sendable, Sequence, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32 = 0) { self.rawValue = rawValue }

    public init(_ fields: some Sequence<Field>) {
        self.init(rawValue: fields.reduce(0) { $0 | $1.bit })
    }

    public static let all = FieldSet(Field.allCases)

    public var isEmpty: Bool { rawValue == 0 }

    public func contains(_ field: Field) -> Bool { rawValue & field.bit != 0 }

    public mutating func insert(_ field: Field) { rawValue |= field.bit }

    public func intersection(_ other: FieldSet) -> FieldSet { FieldSet(rawValue: rawValue & other.rawValue) }

    public func union(_ other: FieldSet) -> FieldSet { FieldSet(rawValue: rawValue | other.rawValue) }

    public func makeIterator() -> IndexingIterator<[Field]> {
        Field.allCases.filter { self.contains($0) }.makeIterator()
    }

    public var description: String { "[" + map(\.rawValue).joined(separator: ", ") + "]" }
}
