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
    public var total: Decimal?
    public var amountDue: Decimal?
    public var amountPaid: Decimal?
    public var amountCredited: Decimal?
    public var fullyPaidOnDate: String?
    public var payments: [PaymentSummary]?
    public var updatedDateUTC: String

    /// A payment applied to the invoice, as summarised inside it.
    public struct PaymentSummary: Decodable, Sendable, Equatable {
        public var paymentID: String?
        public var date: String?
        public var amount: Decimal?

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
