/// One provider object as paysync last saw it, normalised to the canonical model.
///
/// Connectors build observations from the provider's wire objects (one visible mapping function
/// per connector); the ledger stores them; `diff` compares them. Amounts share the observation's
/// currency.
public struct Observation: Hashable, Sendable {
    public var key: ObjectKey
    /// The provider's own last-modified time; an observation older than the known one is stale.
    public var updatedAt: Timestamp?
    /// The provider's own version counter where it has one (QuickBooks `SyncToken`).
    public var version: String?
    public var status: PaymentStatus
    /// The provider's raw status text (`AUTHORISED`), kept for history and for `unknown` statuses.
    public var providerStatus: String
    public var currency: Currency?
    public var total: Money?
    public var paid: Money?
    public var due: Money?
    public var invoiceNumber: String?
    public var customerID: String?
    public var customerEmail: String?
    public var customerName: String?
    /// The document's own date (invoice date, payment date); backfill windows are over this date.
    public var documentDate: CalendarDate?
    public var dueDate: CalendarDate?
    public var lastPaymentDate: CalendarDate?
    /// The provider id of the latest payment applied (on an invoice), or the payment's own id.
    public var lastPaymentID: String?
    /// A free-text reference (purchase order, bank reference).
    public var reference: String?

    public init(
        key: ObjectKey, updatedAt: Timestamp? = nil, version: String? = nil,
        status: PaymentStatus, providerStatus: String, currency: Currency? = nil,
        total: Money? = nil, paid: Money? = nil, due: Money? = nil,
        invoiceNumber: String? = nil, customerID: String? = nil, customerEmail: String? = nil,
        customerName: String? = nil, documentDate: CalendarDate? = nil, dueDate: CalendarDate? = nil,
        lastPaymentDate: CalendarDate? = nil, lastPaymentID: String? = nil, reference: String? = nil
    ) {
        self.key = key
        self.updatedAt = updatedAt
        self.version = version
        self.status = status
        self.providerStatus = providerStatus
        self.currency = currency
        self.total = total
        self.paid = paid
        self.due = due
        self.invoiceNumber = invoiceNumber
        self.customerID = customerID
        self.customerEmail = customerEmail
        self.customerName = customerName
        self.documentDate = documentDate
        self.dueDate = dueDate
        self.lastPaymentDate = lastPaymentDate
        self.lastPaymentID = lastPaymentID
        self.reference = reference
    }

    /// The canonical text of a field, as stored in outbox payloads and sent to sinks:
    /// statuses by name, money as exact decimal text, dates as `YYYY-MM-DD`.
    public func value(of field: Field) -> String? {
        switch field {
        case .status: status.rawValue
        case .providerStatus: providerStatus
        case .currency: currency?.code
        case .amountTotal: total?.decimalText
        case .amountPaid: paid?.decimalText
        case .amountDue: due?.decimalText
        case .invoiceNumber: invoiceNumber
        case .customerID: customerID
        case .customerEmail: customerEmail
        case .customerName: customerName
        case .documentDate: documentDate?.description
        case .dueDate: dueDate?.description
        case .lastPaymentDate: lastPaymentDate?.description
        case .lastPaymentID: lastPaymentID
        case .reference: reference
        case .provider: key.provider
        }
    }

    /// The fields whose values differ between `self` and `other`. Typed comparisons, no strings
    /// built: this runs once per object per run.
    public func fieldsDiffering(from other: Observation) -> FieldSet {
        var changed = FieldSet()
        if status != other.status { changed.insert(.status) }
        if providerStatus != other.providerStatus { changed.insert(.providerStatus) }
        if currency != other.currency { changed.insert(.currency) }
        if total != other.total { changed.insert(.amountTotal) }
        if paid != other.paid { changed.insert(.amountPaid) }
        if due != other.due { changed.insert(.amountDue) }
        if invoiceNumber != other.invoiceNumber { changed.insert(.invoiceNumber) }
        if customerID != other.customerID { changed.insert(.customerID) }
        if customerEmail != other.customerEmail { changed.insert(.customerEmail) }
        if customerName != other.customerName { changed.insert(.customerName) }
        if documentDate != other.documentDate { changed.insert(.documentDate) }
        if dueDate != other.dueDate { changed.insert(.dueDate) }
        if lastPaymentDate != other.lastPaymentDate { changed.insert(.lastPaymentDate) }
        if lastPaymentID != other.lastPaymentID { changed.insert(.lastPaymentID) }
        if reference != other.reference { changed.insert(.reference) }
        return changed
    }

    /// The fields that have a value: what a first write of a new object can carry.
    public var presentFields: FieldSet {
        var present = FieldSet([.status, .providerStatus, .provider])
        if currency != nil { present.insert(.currency) }
        if total != nil { present.insert(.amountTotal) }
        if paid != nil { present.insert(.amountPaid) }
        if due != nil { present.insert(.amountDue) }
        if invoiceNumber != nil { present.insert(.invoiceNumber) }
        if customerID != nil { present.insert(.customerID) }
        if customerEmail != nil { present.insert(.customerEmail) }
        if customerName != nil { present.insert(.customerName) }
        if documentDate != nil { present.insert(.documentDate) }
        if dueDate != nil { present.insert(.dueDate) }
        if lastPaymentDate != nil { present.insert(.lastPaymentDate) }
        if lastPaymentID != nil { present.insert(.lastPaymentID) }
        if reference != nil { present.insert(.reference) }
        return present
    }
}
