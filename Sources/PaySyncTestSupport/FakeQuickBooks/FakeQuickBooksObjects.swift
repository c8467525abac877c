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
    /// The sales lines; with none, one "Services" line for the whole total is rendered (a
    /// QuickBooks invoice always has lines, and a `SubTotalLineDetail` line after them).
    public var lines: [FakeQuickBooksSalesLine] = []
    public var totalTax: Int64 = 0
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
            ("EmailStatus", .string(emailStatus)), ("PrintStatus", .string("NotSet")), ("ApplyTaxAfterDiscount", .bool(false)),
            ("Line", .array(lineJSON())),
            ("TxnTaxDetail", .object(JSONObject([("TotalTax", .number(FakeQuickBooksServer.amount(totalTax)))]))),
            ("SalesTermRef", .object(JSONObject([("value", .string("3"))]))),
            ("TotalAmt", .number(FakeQuickBooksServer.amount(total))), ("Balance", .number(FakeQuickBooksServer.amount(balance))),
            ("LinkedTxn", .array(payments.map { .object(JSONObject([("TxnId", .string($0)), ("TxnType", .string("Payment"))])) })),
            ("MetaData", .object(JSONObject([("CreateTime", .string(FakeQuickBooksServer.time(created, offsetHours: offsetHours))),
                                             ("LastUpdatedTime", .string(FakeQuickBooksServer.time(updated, offsetHours: offsetHours)))]))),
        ])
        if let email { object["BillEmail"] = .object(JSONObject([("Address", .string(email))])) }
        if let privateNote { object["PrivateNote"] = .string(privateNote) }
        return .object(object)
    }

    /// `Line`: each sales line (`SalesItemLineDetail`), numbered from 1, then the subtotal line.
    func lineJSON() -> [JSONValue] {
        let sales = lines.isEmpty ? [FakeQuickBooksSalesLine(description: "Services", itemID: "1", itemName: "Services", quantity: 1, unitPrice: total - totalTax)] : lines
        var rendered = sales.enumerated().map { index, line in line.json(id: index + 1) }
        rendered.append(.object(JSONObject([
            ("Amount", .number(FakeQuickBooksServer.amount(sales.reduce(0) { $0 + $1.amount }))), ("DetailType", .string("SubTotalLineDetail")),
            ("SubTotalLineDetail", .object(JSONObject())),
        ])))
        return rendered
    }
}

/// One sales line of an invoice (`DetailType: SalesItemLineDetail`).
public struct FakeQuickBooksSalesLine: Sendable {
    public var description: String
    public var itemID: String
    public var itemName: String
    public var quantity: Int
    /// Minor units.
    public var unitPrice: Int64
    public var taxable = false

    public init(description: String, itemID: String, itemName: String, quantity: Int, unitPrice: Int64, taxable: Bool = false) {
        self.description = description
        self.itemID = itemID
        self.itemName = itemName
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.taxable = taxable
    }

    public var amount: Int64 { Int64(quantity) * unitPrice }

    func json(id: Int) -> JSONValue {
        .object(JSONObject([
            ("Id", .string(String(id))), ("LineNum", .number(String(id))), ("Description", .string(description)),
            ("Amount", .number(FakeQuickBooksServer.amount(amount))), ("DetailType", .string("SalesItemLineDetail")),
            ("SalesItemLineDetail", .object(JSONObject([
                ("ItemRef", .object(JSONObject([("value", .string(itemID)), ("name", .string(itemName))]))),
                ("UnitPrice", .number(FakeQuickBooksServer.amount(unitPrice))), ("Qty", .number(String(quantity))),
                ("TaxCodeRef", .object(JSONObject([("value", .string(taxable ? "TAX" : "NON"))]))),
            ]))),
        ]))
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

    public init(id: String, txnDate: CalendarDate, total: Int64, currency: String = "USD", customerID: String = "58", customerName: String = "Acme Corp",
                refNum: String? = nil, lines: [(invoiceID: String, amount: Int64)], updated: Timestamp) {
        self.id = id
        self.txnDate = txnDate
        self.total = total
        self.currency = currency
        self.customerID = customerID
        self.customerName = customerName
        self.refNum = refNum
        self.lines = lines
        self.updated = updated
    }

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

/// Credit owed to a customer, as the fake keeps it (`CreditMemo`); `invoiceRef` is the invoice it
/// was issued for, when given.
public struct FakeQuickBooksCreditMemo: Sendable {
    public var id: String
    public var syncToken = 0
    public var docNumber: String
    public var txnDate: CalendarDate
    public var total: Int64
    public var remainingCredit: Int64
    public var currency = "USD"
    public var customerID = "58"
    public var customerName = "Acme Corp"
    public var invoiceRef: String?
    public var privateNote: String?
    public var updated: Timestamp

    public init(id: String, docNumber: String, txnDate: CalendarDate, total: Int64, invoiceRef: String?, updated: Timestamp) {
        self.id = id
        self.docNumber = docNumber
        self.txnDate = txnDate
        self.total = total
        self.remainingCredit = total
        self.invoiceRef = invoiceRef
        self.updated = updated
    }

    func json(offsetHours: Int) -> JSONValue {
        var object = JSONObject([
            ("Id", .string(id)), ("SyncToken", .string(String(syncToken))), ("domain", .string("QBO")), ("sparse", .bool(false)),
            ("DocNumber", .string(docNumber)), ("TxnDate", .string(txnDate.description)),
            ("Line", .array([
                .object(JSONObject([("Id", .string("1")), ("LineNum", .number("1")), ("Description", .string("Returned goods")),
                                    ("Amount", .number(FakeQuickBooksServer.amount(total))), ("DetailType", .string("SalesItemLineDetail")),
                                    ("SalesItemLineDetail", .object(JSONObject([("ItemRef", .object(JSONObject([("value", .string("1")), ("name", .string("Services"))])))])))])),
                .object(JSONObject([("Amount", .number(FakeQuickBooksServer.amount(total))), ("DetailType", .string("SubTotalLineDetail")),
                                    ("SubTotalLineDetail", .object(JSONObject()))])),
            ])),
            ("TotalAmt", .number(FakeQuickBooksServer.amount(total))), ("RemainingCredit", .number(FakeQuickBooksServer.amount(remainingCredit))),
            ("Balance", .number(FakeQuickBooksServer.amount(remainingCredit))),
            ("CurrencyRef", .object(JSONObject([("value", .string(currency)), ("name", .string(currency))]))),
            ("CustomerRef", .object(JSONObject([("value", .string(customerID)), ("name", .string(customerName))]))),
            ("EmailStatus", .string("NotSet")), ("PrintStatus", .string("NotSet")),
            ("MetaData", .object(JSONObject([("CreateTime", .string(FakeQuickBooksServer.time(updated, offsetHours: offsetHours))),
                                             ("LastUpdatedTime", .string(FakeQuickBooksServer.time(updated, offsetHours: offsetHours)))]))),
        ])
        if let invoiceRef { object["InvoiceRef"] = .object(JSONObject([("value", .string(invoiceRef))])) }
        if let privateNote { object["PrivateNote"] = .string(privateNote) }
        return .object(object)
    }
}
