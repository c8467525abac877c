import Foundation

/// A Xero payment as `GET /Payments` returns it. `Invoice` is the document the payment settles:
/// a sales invoice for `ACCRECPAYMENT`, the credit note for `ARCREDITPAYMENT` (a cash refund).
public struct XeroPayment: Decodable, Sendable, Equatable {
    public var paymentID: String
    public var date: String?
    public var amount: WireAmount?
    public var reference: String?
    public var status: String
    public var paymentType: String
    public var isReconciled: Bool?
    public var invoice: Document?
    public var updatedDateUTC: String

    public init(paymentID: String, date: String? = nil, amount: WireAmount? = nil, reference: String? = nil, status: String, paymentType: String,
                isReconciled: Bool? = nil, invoice: Document? = nil, updatedDateUTC: String) {
        self.paymentID = paymentID
        self.date = date
        self.amount = amount
        self.reference = reference
        self.status = status
        self.paymentType = paymentType
        self.isReconciled = isReconciled
        self.invoice = invoice
        self.updatedDateUTC = updatedDateUTC
    }

    public struct Document: Decodable, Sendable, Equatable {
        public var type: String?
        public var invoiceID: String?
        public var invoiceNumber: String?
        public var currencyCode: String?
        public var contact: XeroContact?

        public init(type: String?, invoiceID: String?, invoiceNumber: String?, currencyCode: String?, contact: XeroContact?) {
            self.type = type
            self.invoiceID = invoiceID
            self.invoiceNumber = invoiceNumber
            self.currencyCode = currencyCode
            self.contact = contact
        }

        enum CodingKeys: String, CodingKey {
            case type = "Type"
            case invoiceID = "InvoiceID"
            case invoiceNumber = "InvoiceNumber"
            case currencyCode = "CurrencyCode"
            case contact = "Contact"
        }
    }

    enum CodingKeys: String, CodingKey {
        case paymentID = "PaymentID"
        case date = "Date"
        case amount = "Amount"
        case reference = "Reference"
        case status = "Status"
        case paymentType = "PaymentType"
        case isReconciled = "IsReconciled"
        case invoice = "Invoice"
        case updatedDateUTC = "UpdatedDateUTC"
    }
}
