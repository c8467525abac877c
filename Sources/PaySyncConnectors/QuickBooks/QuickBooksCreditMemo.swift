/// A QuickBooks Online credit memo as the query endpoint returns it (the fields paysync reads):
/// credit owed to a customer, used by applying it to invoices (through a `Payment`) or paying it
/// out. `InvoiceRef` (minor version 37 and later) names the invoice it was issued for, when the
/// person who raised it said so.
public struct QuickBooksCreditMemo: Decodable, Sendable, Equatable {
    public var id: String
    public var syncToken: String?
    public var docNumber: String?
    public var txnDate: String?
    public var totalAmt: WireAmount?
    public var remainingCredit: WireAmount?
    public var currencyRef: QuickBooksReference?
    public var customerRef: QuickBooksReference?
    public var invoiceRef: QuickBooksReference?
    public var privateNote: String?
    public var metaData: QuickBooksMetaData

    public init(id: String, syncToken: String? = nil, docNumber: String? = nil, txnDate: String? = nil, totalAmt: WireAmount? = nil,
                remainingCredit: WireAmount? = nil, currencyRef: QuickBooksReference? = nil, customerRef: QuickBooksReference? = nil,
                invoiceRef: QuickBooksReference? = nil, privateNote: String? = nil, metaData: QuickBooksMetaData) {
        self.id = id
        self.syncToken = syncToken
        self.docNumber = docNumber
        self.txnDate = txnDate
        self.totalAmt = totalAmt
        self.remainingCredit = remainingCredit
        self.currencyRef = currencyRef
        self.customerRef = customerRef
        self.invoiceRef = invoiceRef
        self.privateNote = privateNote
        self.metaData = metaData
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case syncToken = "SyncToken"
        case docNumber = "DocNumber"
        case txnDate = "TxnDate"
        case totalAmt = "TotalAmt"
        case remainingCredit = "RemainingCredit"
        case currencyRef = "CurrencyRef"
        case customerRef = "CustomerRef"
        case invoiceRef = "InvoiceRef"
        case privateNote = "PrivateNote"
        case metaData = "MetaData"
    }
}
