/// Money QuickBooks paid back to a customer (`RefundReceipt`). Intuit's object names the customer
/// and the amount but not the invoice it refunds.
public struct QuickBooksRefundReceipt: Decodable, Sendable, Equatable {
    public var id: String
    public var syncToken: String?
    public var docNumber: String?
    public var txnDate: String?
    public var totalAmt: WireAmount?
    public var currencyRef: QuickBooksReference?
    public var customerRef: QuickBooksReference?
    public var paymentRefNum: String?
    public var privateNote: String?
    public var metaData: QuickBooksMetaData

    public init(id: String, syncToken: String? = nil, docNumber: String? = nil, txnDate: String? = nil, totalAmt: WireAmount? = nil,
                currencyRef: QuickBooksReference? = nil, customerRef: QuickBooksReference? = nil, paymentRefNum: String? = nil,
                privateNote: String? = nil, metaData: QuickBooksMetaData) {
        self.id = id
        self.syncToken = syncToken
        self.docNumber = docNumber
        self.txnDate = txnDate
        self.totalAmt = totalAmt
        self.currencyRef = currencyRef
        self.customerRef = customerRef
        self.paymentRefNum = paymentRefNum
        self.privateNote = privateNote
        self.metaData = metaData
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case syncToken = "SyncToken"
        case docNumber = "DocNumber"
        case txnDate = "TxnDate"
        case totalAmt = "TotalAmt"
        case currencyRef = "CurrencyRef"
        case customerRef = "CustomerRef"
        case paymentRefNum = "PaymentRefNum"
        case privateNote = "PrivateNote"
        case metaData = "MetaData"
    }
}
