import Foundation

/// A Xero payment as `GET /Payments` returns it. `Invoice` is the document the payment settles:
/// a sales invoice for `ACCRECPAYMENT`, the credit note for `ARCREDITPAYMENT` (a cash refund).
public struct XeroPayment: Decodable, Sendable, Equatable {
    public var paymentID: String
    public var date: String?
    public var amount: Decimal?
    public var reference: String?
    public var status: String
    public var paymentType: String
    public var isReconciled: Bool?
    public var invoice: Document?
    public var updatedDateUTC: String

    public struct Document: Decodable, Sendable, Equatable {
        public var type: String?
        public var invoiceID: String?
        public var invoiceNumber: String?
        public var currencyCode: String?
        public var contact: XeroContact?

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
