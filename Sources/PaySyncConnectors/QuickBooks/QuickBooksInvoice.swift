/// A QuickBooks Online invoice as the query endpoint returns it (the fields paysync reads).
/// QuickBooks has no status field: the status follows from `Balance`, `TotalAmt`, `DueDate` and,
/// for a voided invoice, `PrivateNote` (`QuickBooksMapping`).
public struct QuickBooksInvoice: Decodable, Sendable, Equatable {
    public var id: String
    public var syncToken: String?
    public var docNumber: String?
    public var txnDate: String?
    public var dueDate: String?
    public var totalAmt: WireAmount?
    public var balance: WireAmount?
    public var currencyRef: QuickBooksReference?
    public var customerRef: QuickBooksReference?
    public var billEmail: EmailAddress?
    public var emailStatus: String?
    public var privateNote: String?
    public var linkedTxn: [QuickBooksLinkedTransaction]?
    public var metaData: QuickBooksMetaData

    public init(id: String, syncToken: String? = nil, docNumber: String? = nil, txnDate: String? = nil, dueDate: String? = nil,
                totalAmt: WireAmount? = nil, balance: WireAmount? = nil, currencyRef: QuickBooksReference? = nil,
                customerRef: QuickBooksReference? = nil, billEmail: EmailAddress? = nil, emailStatus: String? = nil,
                privateNote: String? = nil, linkedTxn: [QuickBooksLinkedTransaction]? = nil, metaData: QuickBooksMetaData) {
        self.id = id
        self.syncToken = syncToken
        self.docNumber = docNumber
        self.txnDate = txnDate
        self.dueDate = dueDate
        self.totalAmt = totalAmt
        self.balance = balance
        self.currencyRef = currencyRef
        self.customerRef = customerRef
        self.billEmail = billEmail
        self.emailStatus = emailStatus
        self.privateNote = privateNote
        self.linkedTxn = linkedTxn
        self.metaData = metaData
    }

    /// `BillEmail`: `{"Address": "ap@acme.example"}`.
    public struct EmailAddress: Decodable, Sendable, Equatable {
        public var address: String?

        public init(address: String?) { self.address = address }

        enum CodingKeys: String, CodingKey { case address = "Address" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case syncToken = "SyncToken"
        case docNumber = "DocNumber"
        case txnDate = "TxnDate"
        case dueDate = "DueDate"
        case totalAmt = "TotalAmt"
        case balance = "Balance"
        case currencyRef = "CurrencyRef"
        case customerRef = "CustomerRef"
        case billEmail = "BillEmail"
        case emailStatus = "EmailStatus"
        case privateNote = "PrivateNote"
        case linkedTxn = "LinkedTxn"
        case metaData = "MetaData"
    }
}
