import Foundation

/// A Xero invoice as `GET /Invoices` returns it (the fields paysync reads; the rest — line
/// items, addresses, tracking — are skipped). Amounts decode as `Decimal`, exact by value.
public struct XeroInvoice: Decodable, Sendable, Equatable {
    public var type: String
    public var invoiceID: String
    public var invoiceNumber: String?
    public var reference: String?
    public var status: String
    public var contact: XeroContact?
    public var date: String?
    public var dueDate: String?
    public var currencyCode: String?
    public var total: XeroAmount?
    public var amountDue: XeroAmount?
    public var amountPaid: XeroAmount?
    public var amountCredited: XeroAmount?
    public var fullyPaidOnDate: String?
    public var payments: [PaymentSummary]?
    public var updatedDateUTC: String

    public init(type: String, invoiceID: String, invoiceNumber: String? = nil, reference: String? = nil, status: String,
                contact: XeroContact? = nil, date: String? = nil, dueDate: String? = nil, currencyCode: String? = nil,
                total: XeroAmount? = nil, amountDue: XeroAmount? = nil, amountPaid: XeroAmount? = nil, amountCredited: XeroAmount? = nil,
                fullyPaidOnDate: String? = nil, payments: [PaymentSummary]? = nil, updatedDateUTC: String) {
        self.type = type
        self.invoiceID = invoiceID
        self.invoiceNumber = invoiceNumber
        self.reference = reference
        self.status = status
        self.contact = contact
        self.date = date
        self.dueDate = dueDate
        self.currencyCode = currencyCode
        self.total = total
        self.amountDue = amountDue
        self.amountPaid = amountPaid
        self.amountCredited = amountCredited
        self.fullyPaidOnDate = fullyPaidOnDate
        self.payments = payments
        self.updatedDateUTC = updatedDateUTC
    }

    /// A payment applied to the invoice, as summarised inside it.
    public struct PaymentSummary: Decodable, Sendable, Equatable {
        public var paymentID: String?
        public var date: String?
        public var amount: XeroAmount?

        public init(paymentID: String?, date: String?, amount: XeroAmount?) {
            self.paymentID = paymentID
            self.date = date
            self.amount = amount
        }

        enum CodingKeys: String, CodingKey {
            case paymentID = "PaymentID"
            case date = "Date"
            case amount = "Amount"
        }
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case invoiceID = "InvoiceID"
        case invoiceNumber = "InvoiceNumber"
        case reference = "Reference"
        case status = "Status"
        case contact = "Contact"
        case date = "Date"
        case dueDate = "DueDate"
        case currencyCode = "CurrencyCode"
        case total = "Total"
        case amountDue = "AmountDue"
        case amountPaid = "AmountPaid"
        case amountCredited = "AmountCredited"
        case fullyPaidOnDate = "FullyPaidOnDate"
        case payments = "Payments"
        case updatedDateUTC = "UpdatedDateUTC"
    }
}
