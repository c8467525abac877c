import Foundation

/// A Xero credit note as `GET /CreditNotes` returns it (the fields paysync reads): its
/// allocations to invoices and the cash refunds paid out of it (`Payments[]`).
public struct XeroCreditNote: Decodable, Sendable, Equatable {
    public var creditNoteID: String
    public var creditNoteNumber: String?
    public var type: String
    public var status: String
    public var reference: String?
    public var contact: XeroContact?
    public var date: String?
    public var currencyCode: String?
    public var total: WireAmount?
    public var remainingCredit: WireAmount?
    public var allocations: [Allocation]?
    public var payments: [XeroInvoice.PaymentSummary]?
    public var updatedDateUTC: String

    public init(creditNoteID: String, creditNoteNumber: String? = nil, type: String, status: String, reference: String? = nil,
                contact: XeroContact? = nil, date: String? = nil, currencyCode: String? = nil, total: WireAmount? = nil,
                remainingCredit: WireAmount? = nil, allocations: [Allocation]? = nil, payments: [XeroInvoice.PaymentSummary]? = nil,
                updatedDateUTC: String) {
        self.creditNoteID = creditNoteID
        self.creditNoteNumber = creditNoteNumber
        self.type = type
        self.status = status
        self.reference = reference
        self.contact = contact
        self.date = date
        self.currencyCode = currencyCode
        self.total = total
        self.remainingCredit = remainingCredit
        self.allocations = allocations
        self.payments = payments
        self.updatedDateUTC = updatedDateUTC
    }

    /// Part of the credit note applied to one invoice.
    public struct Allocation: Decodable, Sendable, Equatable {
        public var invoiceID: String?
        public var amount: WireAmount?
        public var isDeleted: Bool?

        public init(invoiceID: String?, amount: WireAmount?, isDeleted: Bool? = nil) {
            self.invoiceID = invoiceID
            self.amount = amount
            self.isDeleted = isDeleted
        }

        private struct InvoiceReference: Decodable {
            var invoiceID: String?
            enum CodingKeys: String, CodingKey { case invoiceID = "InvoiceID" }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: NamedKey.self)
            invoiceID = try container.decodeIfPresent(InvoiceReference.self, forKey: NamedKey("Invoice"))?.invoiceID
            amount = try container.decodeIfPresent(WireAmount.self, forKey: NamedKey("Amount"))
            isDeleted = try container.decodeIfPresent(Bool.self, forKey: NamedKey("IsDeleted"))
        }
    }

    enum CodingKeys: String, CodingKey {
        case creditNoteID = "CreditNoteID"
        case creditNoteNumber = "CreditNoteNumber"
        case type = "Type"
        case status = "Status"
        case reference = "Reference"
        case contact = "Contact"
        case date = "Date"
        case currencyCode = "CurrencyCode"
        case total = "Total"
        case remainingCredit = "RemainingCredit"
        case allocations = "Allocations"
        case payments = "Payments"
        case updatedDateUTC = "UpdatedDateUTC"
    }
}
