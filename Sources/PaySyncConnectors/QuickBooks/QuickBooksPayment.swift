/// A QuickBooks Online customer payment as the query endpoint returns it. One payment can pay
/// several invoices: each `Line` links to the invoice (or credit memo) it applies to.
public struct QuickBooksPayment: Decodable, Sendable, Equatable {
    public var id: String
    public var syncToken: String?
    public var txnDate: String?
    public var totalAmt: WireAmount?
    public var unappliedAmt: WireAmount?
    public var currencyRef: QuickBooksReference?
    public var customerRef: QuickBooksReference?
    public var paymentRefNum: String?
    public var privateNote: String?
    public var line: [Line]?
    public var metaData: QuickBooksMetaData

    public init(id: String, syncToken: String? = nil, txnDate: String? = nil, totalAmt: WireAmount? = nil, unappliedAmt: WireAmount? = nil,
                currencyRef: QuickBooksReference? = nil, customerRef: QuickBooksReference? = nil, paymentRefNum: String? = nil,
                privateNote: String? = nil, line: [Line]? = nil, metaData: QuickBooksMetaData) {
        self.id = id
        self.syncToken = syncToken
        self.txnDate = txnDate
        self.totalAmt = totalAmt
        self.unappliedAmt = unappliedAmt
        self.currencyRef = currencyRef
        self.customerRef = customerRef
        self.paymentRefNum = paymentRefNum
        self.privateNote = privateNote
        self.line = line
        self.metaData = metaData
    }

    /// One application of the payment: the amount and the transactions it applies to.
    public struct Line: Decodable, Sendable, Equatable {
        public var amount: WireAmount?
        public var linkedTxn: [QuickBooksLinkedTransaction]?

        public init(amount: WireAmount?, linkedTxn: [QuickBooksLinkedTransaction]?) {
            self.amount = amount
            self.linkedTxn = linkedTxn
        }

        enum CodingKeys: String, CodingKey {
            case amount = "Amount"
            case linkedTxn = "LinkedTxn"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case syncToken = "SyncToken"
        case txnDate = "TxnDate"
        case totalAmt = "TotalAmt"
        case unappliedAmt = "UnappliedAmt"
        case currencyRef = "CurrencyRef"
        case customerRef = "CustomerRef"
        case paymentRefNum = "PaymentRefNum"
        case privateNote = "PrivateNote"
        case line = "Line"
        case metaData = "MetaData"
    }
}
