/// One provider object as paysync last saw it, normalised to the canonical model.
///
/// Connectors build observations from the provider's wire objects (one visible mapping function
/// per connector); the ledger stores them; `diff` compares them. Amounts share the observation's
/// currency.
///
/// The canonical fields live in one storage indexed by `Field` (declared once, in `Field.swift`):
/// the named properties below are typed views of it, and any field (new ones included) is
/// reachable through the subscripts.
public struct Observation: Hashable, Sendable {
    public var key: ObjectKey
    /// The provider's own last-modified time; an observation older than the known one is stale.
    public var updatedAt: Timestamp?
    /// The provider's own version counter where it has one (a sync token that goes up on every edit).
    public var version: String?
    /// One slot per `Field.allCases` entry (the key-derived `provider` slot stays empty).
    private var storage: [FieldValue?]

    public init(
        key: ObjectKey, updatedAt: Timestamp? = nil, version: String? = nil,
        status: PaymentStatus, providerStatus: String, currency: Currency? = nil,
        total: Money? = nil, paid: Money? = nil, due: Money? = nil,
        invoiceNumber: String? = nil, customerID: String? = nil, customerEmail: String? = nil,
        customerName: String? = nil, documentDate: CalendarDate? = nil, dueDate: CalendarDate? = nil,
        lastPaymentDate: CalendarDate? = nil, lastPaymentID: String? = nil, reference: String? = nil,
        fields: [Field: FieldValue] = [:]
    ) {
        self.key = key
        self.updatedAt = updatedAt
        self.version = version
        var storage = [FieldValue?](repeating: nil, count: Field.count)
        storage[Field.status.index] = .status(status)
        storage[Field.providerStatus.index] = .text(providerStatus)
        storage[Field.currency.index] = currency.map(FieldValue.currency)
        storage[Field.amountTotal.index] = total.map(FieldValue.money)
        storage[Field.amountPaid.index] = paid.map(FieldValue.money)
        storage[Field.amountDue.index] = due.map(FieldValue.money)
        storage[Field.invoiceNumber.index] = invoiceNumber.map(FieldValue.text)
        storage[Field.customerID.index] = customerID.map(FieldValue.text)
        storage[Field.customerEmail.index] = customerEmail.map(FieldValue.text)
        storage[Field.customerName.index] = customerName.map(FieldValue.text)
        storage[Field.documentDate.index] = documentDate.map(FieldValue.date)
        storage[Field.dueDate.index] = dueDate.map(FieldValue.date)
        storage[Field.lastPaymentDate.index] = lastPaymentDate.map(FieldValue.date)
        storage[Field.lastPaymentID.index] = lastPaymentID.map(FieldValue.text)
        storage[Field.reference.index] = reference.map(FieldValue.text)
        for (field, value) in fields where field != .provider { storage[field.index] = value }
        self.storage = storage
    }

    /// An observation from storage already laid out by field (`storage[field.index]`), for
    /// readers that build every field at once (the ledger). The `provider` slot is ignored.
    public init(key: ObjectKey, updatedAt: Timestamp?, version: String?, storage: [FieldValue?]) {
        precondition(storage.count == Field.count, "one slot per field")
        self.key = key
        self.updatedAt = updatedAt
        self.version = version
        self.storage = storage
    }

    // MARK: Any field

    /// A field's value; `provider` reads the key. Setting a value of the wrong type for the
    /// field is a programmer error.
    public subscript(field: Field) -> FieldValue? {
        get { field == .provider ? .text(key.provider) : storage[field.index] }
        set {
            precondition(field != .provider, "provider is the key's, not settable")
            storage[field.index] = newValue
        }
    }

    public subscript(text field: Field) -> String? {
        get { self[field]?.text }
        set { self[field] = newValue.map(FieldValue.text) }
    }

    public subscript(date field: Field) -> CalendarDate? {
        get { self[field]?.date }
        set { self[field] = newValue.map(FieldValue.date) }
    }

    public subscript(money field: Field) -> Money? {
        get { self[field]?.money }
        set { self[field] = newValue.map(FieldValue.money) }
    }

    // MARK: Named views

    public var status: PaymentStatus {
        get { if case .status(let status)? = storage[Field.status.index] { status } else { .unknown("") } }
        set { storage[Field.status.index] = .status(newValue) }
    }

    /// The provider's raw status text (`AUTHORISED`), kept for history and for `unknown` statuses.
    public var providerStatus: String {
        get { storage[Field.providerStatus.index]?.text ?? "" }
        set { storage[Field.providerStatus.index] = .text(newValue) }
    }

    public var currency: Currency? {
        get { if case .currency(let currency)? = storage[Field.currency.index] { currency } else { nil } }
        set { storage[Field.currency.index] = newValue.map(FieldValue.currency) }
    }

    public var total: Money? { get { self[money: .amountTotal] } set { self[money: .amountTotal] = newValue } }
    public var paid: Money? { get { self[money: .amountPaid] } set { self[money: .amountPaid] = newValue } }
    public var due: Money? { get { self[money: .amountDue] } set { self[money: .amountDue] = newValue } }
    public var invoiceNumber: String? { get { self[text: .invoiceNumber] } set { self[text: .invoiceNumber] = newValue } }
    public var customerID: String? { get { self[text: .customerID] } set { self[text: .customerID] = newValue } }
    public var customerEmail: String? { get { self[text: .customerEmail] } set { self[text: .customerEmail] = newValue } }
    public var customerName: String? { get { self[text: .customerName] } set { self[text: .customerName] = newValue } }
    /// The document's own date (invoice date, payment date); backfill windows are over this date.
    public var documentDate: CalendarDate? { get { self[date: .documentDate] } set { self[date: .documentDate] = newValue } }
    public var dueDate: CalendarDate? { get { self[date: .dueDate] } set { self[date: .dueDate] = newValue } }
    public var lastPaymentDate: CalendarDate? { get { self[date: .lastPaymentDate] } set { self[date: .lastPaymentDate] = newValue } }
    /// The provider id of the latest payment applied (on an invoice), or the payment's own id.
    public var lastPaymentID: String? { get { self[text: .lastPaymentID] } set { self[text: .lastPaymentID] = newValue } }
    /// A free-text reference (purchase order, bank reference).
    public var reference: String? { get { self[text: .reference] } set { self[text: .reference] = newValue } }

    // MARK: Comparison

    /// The canonical text of a field, as stored in outbox payloads and sent to sinks.
    public func value(of field: Field) -> String? {
        self[field]?.canonicalText
    }

    /// The fields whose values differ between `self` and `other`. Typed comparisons, no strings
    /// built: this runs once per object per run.
    public func fieldsDiffering(from other: Observation) -> FieldSet {
        var changed = FieldSet()
        let providerIndex = Field.provider.index
        for index in storage.indices where index != providerIndex && storage[index] != other.storage[index] {
            changed.rawValue |= 1 << UInt32(index)
        }
        return changed
    }

    /// The fields that have a value: what a first write of a new object can carry.
    public var presentFields: FieldSet {
        var present = FieldSet([.provider])
        for index in storage.indices where storage[index] != nil {
            present.rawValue |= 1 << UInt32(index)
        }
        return present
    }
}
