/// A canonical field of an observation. **This file is the one place fields are declared**: the
/// `Observation` storage, the ledger's `objects` columns, its upsert and reads, config field
/// names, template placeholders and the outbox's change sets all derive from `allCases` and
/// `spec`. Adding a field is one case here (appended: a field's position is its bit in stored
/// `FieldSet`s), its line in `spec`, and a ledger migration adding its column; a test fails
/// when this table and the ledger schema disagree.
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
    case provider
    case counterpartyName = "counterparty_name"
    case counterpartyAccount = "counterparty_account"
    case remittanceText = "remittance_text"
    case bankReference = "bank_reference"
    case bookingStatus = "booking_status"
    case valueDate = "value_date"
    case parentKey = "parent_key"
    case subscriptionID = "subscription_id"
    case metadata

    /// Type, ledger column and visibility of each field: the table.
    public var spec: FieldSpec {
        switch self {
        case .status: FieldSpec(.status, column: "status")
        case .providerStatus: FieldSpec(.text, column: "provider_status")  // the provider's own word (`AUTHORISED`)
        case .currency: FieldSpec(.currency, column: "currency")
        case .amountTotal: FieldSpec(.money, column: "total")
        case .amountPaid: FieldSpec(.money, column: "paid")
        case .amountDue: FieldSpec(.money, column: "due")
        case .invoiceNumber: FieldSpec(.text, column: "invoice_number")
        case .customerID: FieldSpec(.text, column: "customer_id")
        case .customerEmail: FieldSpec(.text, column: "customer_email")
        case .customerName: FieldSpec(.text, column: "customer_name")
        case .documentDate: FieldSpec(.date, column: "document_date")  // invoice or payment date; backfill windows use it
        case .dueDate: FieldSpec(.date, column: "due_date")
        case .lastPaymentDate: FieldSpec(.date, column: "last_payment_date")
        case .lastPaymentID: FieldSpec(.text, column: "last_payment_id")  // latest payment on an invoice, or a payment's own id
        case .reference: FieldSpec(.text, column: "reference")  // free text: purchase order, customer reference
        case .provider: FieldSpec(.text, column: nil)  // the key's provider: constant, sent with an object's first write
        case .counterpartyName: FieldSpec(.text, column: "counterparty_name")  // a bank transaction's payer or payee
        case .counterpartyAccount: FieldSpec(.text, column: "counterparty_account")  // masked by the connector: last four digits only
        case .remittanceText: FieldSpec(.text, column: "remittance_text")  // the payer's unstructured remittance information
        case .bankReference: FieldSpec(.text, column: "bank_reference")  // the bank's own transaction reference
        case .bookingStatus: FieldSpec(.text, column: "booking_status")  // `booked` or `pending`
        case .valueDate: FieldSpec(.date, column: "value_date")
        case .parentKey: FieldSpec(.text, column: "parent_key", visibility: .internal)  // object key of the invoice a payment, refund or dispute belongs to
        case .subscriptionID: FieldSpec(.text, column: "subscription_id")
        case .metadata: FieldSpec(.text, column: "metadata", visibility: .internal)  // the provider's key-value metadata as compact JSON, sorted keys; a record key may name one (`metadata.crm_deal_id`)
        }
    }

    public var description: String { rawValue }

    /// How many fields there are (`allCases` builds an array on every use; this is stored).
    public static let count = allCases.count

    /// Fields a sink may map, a template may name and a change set may carry.
    public static let crmVisible: [Field] = allCases.filter { $0.spec.visibility == .crm }

    /// Every field in declaration order (stored once).
    static let ordered = allCases

    /// Fields stored in the ledger's `objects` table, in column order.
    public static let stored: [Field] = allCases.filter { $0.spec.column != nil }

    /// The field's position in `allCases`: its index in observation storage and its bit. A
    /// payload-free enum of fewer than 256 cases is stored as its case's declaration index in
    /// one byte (Swift's documented layout for such enums), which `allCases` follows; reading
    /// it directly keeps this off the hot path's hash lookups. `FieldTableTests` checks that
    /// the two agree for every case.
    @inline(__always) public var index: Int { Int(unsafeBitCast(self, to: UInt8.self)) }

    /// The bit this field occupies in a `FieldSet` (stored in the ledger's transitions, so new
    /// fields are only ever appended).
    var bit: UInt32 { 1 << UInt32(index) }
}

/// What a field holds, where the ledger keeps it, and who may see it.
public struct FieldSpec: Hashable, Sendable {
    public enum ValueType: Hashable, Sendable {
        /// Free text, stored as TEXT.
        case text
        /// An amount in the observation's currency, stored as INTEGER minor units.
        case money
        /// A calendar day, stored as TEXT `YYYY-MM-DD`.
        case date
        /// The canonical status, stored by name.
        case status
        /// An ISO 4217 code.
        case currency
    }

    public enum Visibility: Hashable, Sendable {
        /// Sinks may map it and templates may name it.
        case crm
        /// Kept in the ledger for paysync's own use (linking, matching); never written to a CRM.
        case `internal`
    }

    public var type: ValueType
    /// The `objects` column; nil for a field derived from the object key.
    public var column: String?
    public var visibility: Visibility

    public init(_ type: ValueType, column: String?, visibility: Visibility = .crm) {
        self.type = type
        self.column = column
        self.visibility = visibility
    }
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
        Field.ordered.filter { self.contains($0) }.makeIterator()
    }

    public var description: String { "[" + map(\.rawValue).joined(separator: ", ") + "]" }
}
