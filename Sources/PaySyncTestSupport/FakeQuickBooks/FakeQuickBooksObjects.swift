import PaySyncCore

/// An invoice as the fake QuickBooks keeps it; rendered in the query endpoint's shape.
public struct FakeQuickBooksInvoice: Sendable {
    public var id: String
    public var syncToken = 0
    public var docNumber: String
    public var txnDate: CalendarDate
    public var dueDate: CalendarDate
    /// Cents (or the currency's minor units, rendered with two decimals).
    public var total: Int64
    public var balance: Int64
    public var currency = "USD"
    public var customerID = "58"
    public var customerName = "Acme Corp"
    public var email: String? = "ap@acme.example"
    public var emailStatus = "EmailSent"
    public var privateNote: String?
    public var payments: [String] = []
    public var created: Timestamp
    public var updated: Timestamp

    public init(id: String, docNumber: String, txnDate: CalendarDate, dueDate: CalendarDate, total: Int64, balance: Int64? = nil,
                created: Timestamp, updated: Timestamp? = nil) {
        self.id = id
        self.docNumber = docNumber
        self.txnDate = txnDate
        self.dueDate = dueDate
        self.total = total
        self.balance = balance ?? total
        self.created = created
        self.updated = updated ?? created
    }

    func json(offsetHours: Int) -> JSONValue {
        var object = JSONObject([
            ("Id", .string(id)), ("SyncToken", .string(String(syncToken))), ("domain", .string("QBO")), ("sparse", .bool(false)),
            ("DocNumber", .string(docNumber)), ("TxnDate", .string(txnDate.description)), ("DueDate", .string(dueDate.description)),
            ("CurrencyRef", .object(JSONObject([("value", .string(currency)), ("name", .string(currency == "USD" ? "United States Dollar" : currency))]))),
            ("CustomerRef", .object(JSONObject([("value", .string(customerID)), ("name", .string(customerName))]))),
            ("EmailStatus", .string(emailStatus)),
            ("TotalAmt", .number(FakeQuickBooksServer.amount(total))), ("Balance", .number(FakeQuickBooksServer.amount(balance))),
            ("LinkedTxn", .array(payments.map { .object(JSONObject([("TxnId", .string($0)), ("TxnType", .string("Payment"))])) })),
            ("MetaData", .object(JSONObject([("CreateTime", .string(FakeQuickBooksServer.time(created, offsetHours: offsetHours))),
                                             ("LastUpdatedTime", .string(FakeQuickBooksServer.time(updated, offsetHours: offsetHours)))]))),
        ])
        if let email { object["BillEmail"] = .object(JSONObject([("Address", .string(email))])) }
        if let privateNote { object["PrivateNote"] = .string(privateNote) }
        return .object(object)
    }
}

/// A customer payment as the fake keeps it: lines applying it to invoices.
public struct FakeQuickBooksPayment: Sendable {
    public var id: String
    public var syncToken = 0
    public var txnDate: CalendarDate
    public var total: Int64
    public var currency = "USD"
    public var customerID = "58"
    public var customerName = "Acme Corp"
    public var refNum: String?
    public var privateNote: String?
    public var lines: [(invoiceID: String, amount: Int64)]
    public var updated: Timestamp

    func json(offsetHours: Int) -> JSONValue {
        var object = JSONObject([
            ("Id", .string(id)), ("SyncToken", .string(String(syncToken))), ("domain", .string("QBO")),
            ("TxnDate", .string(txnDate.description)), ("TotalAmt", .number(FakeQuickBooksServer.amount(total))),
            ("UnappliedAmt", .number(FakeQuickBooksServer.amount(total - lines.reduce(0) { $0 + $1.amount }))),
            ("CurrencyRef", .object(JSONObject([("value", .string(currency)), ("name", .string(currency))]))),
            ("CustomerRef", .object(JSONObject([("value", .string(customerID)), ("name", .string(customerName))]))),
            ("Line", .array(lines.map { line in
                .object(JSONObject([("Amount", .number(FakeQuickBooksServer.amount(line.amount))),
                                    ("LinkedTxn", .array([.object(JSONObject([("TxnId", .string(line.invoiceID)), ("TxnType", .string("Invoice"))]))]))]))
            })),
            ("MetaData", .object(JSONObject([("CreateTime", .string(FakeQuickBooksServer.time(updated, offsetHours: offsetHours))),
                                             ("LastUpdatedTime", .string(FakeQuickBooksServer.time(updated, offsetHours: offsetHours)))]))),
        ])
        if let refNum { object["PaymentRefNum"] = .string(refNum) }
        if let privateNote { object["PrivateNote"] = .string(privateNote) }
        return .object(object)
    }
}

/// Money paid back to a customer, as the fake keeps it (`RefundReceipt`).
public struct FakeQuickBooksRefundReceipt: Sendable {
    public var id: String
    public var syncToken = 0
    public var docNumber: String
    public var txnDate: CalendarDate
    public var total: Int64
    public var currency = "USD"
    public var customerID = "58"
    public var customerName = "Acme Corp"
    public var privateNote: String?
    public var updated: Timestamp

    public init(id: String, docNumber: String, txnDate: CalendarDate, total: Int64, updated: Timestamp) {
        self.id = id
        self.docNumber = docNumber
        self.txnDate = txnDate
        self.total = total
        self.updated = updated
    }

    func json(offsetHours: Int) -> JSONValue {
        var object = JSONObject([
            ("Id", .string(id)), ("SyncToken", .string(String(syncToken))), ("domain", .string("QBO")),
            ("DocNumber", .string(docNumber)), ("TxnDate", .string(txnDate.description)),
            ("TotalAmt", .number(FakeQuickBooksServer.amount(total))), ("Balance", .number("0")),
            ("PaymentType", .string("Check")),
            ("CurrencyRef", .object(JSONObject([("value", .string(currency)), ("name", .string(currency))]))),
            ("CustomerRef", .object(JSONObject([("value", .string(customerID)), ("name", .string(customerName))]))),
            ("DepositToAccountRef", .object(JSONObject([("value", .string("35")), ("name", .string("Checking"))]))),
            ("MetaData", .object(JSONObject([("CreateTime", .string(FakeQuickBooksServer.time(updated, offsetHours: offsetHours))),
                                             ("LastUpdatedTime", .string(FakeQuickBooksServer.time(updated, offsetHours: offsetHours)))]))),
        ])
        if let privateNote { object["PrivateNote"] = .string(privateNote) }
        return .object(object)
    }
}
