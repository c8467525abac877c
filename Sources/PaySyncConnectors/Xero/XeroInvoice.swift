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
    public var total: WireAmount?
    public var amountDue: WireAmount?
    public var amountPaid: WireAmount?
    public var amountCredited: WireAmount?
    public var fullyPaidOnDate: String?
    public var payments: [PaymentSummary]?
    /// Credit notes, prepayments and overpayments allocated to the invoice, with the amount each
    /// applied (their sum is `AmountCredited`).
    public var creditNotes: [AppliedCredit]?
    public var prepayments: [AppliedCredit]?
    public var overpayments: [AppliedCredit]?
    public var updatedDateUTC: String

    public init(type: String, invoiceID: String, invoiceNumber: String? = nil, reference: String? = nil, status: String,
                contact: XeroContact? = nil, date: String? = nil, dueDate: String? = nil, currencyCode: String? = nil,
                total: WireAmount? = nil, amountDue: WireAmount? = nil, amountPaid: WireAmount? = nil, amountCredited: WireAmount? = nil,
                fullyPaidOnDate: String? = nil, payments: [PaymentSummary]? = nil, creditNotes: [AppliedCredit]? = nil,
                prepayments: [AppliedCredit]? = nil, overpayments: [AppliedCredit]? = nil, updatedDateUTC: String) {
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
        self.creditNotes = creditNotes
        self.prepayments = prepayments
        self.overpayments = overpayments
        self.updatedDateUTC = updatedDateUTC
    }

    /// A credit note, prepayment or overpayment as summarised inside an invoice it was allocated
    /// to: its id (under `CreditNoteID`, `PrepaymentID` or `OverpaymentID`) and `AppliedAmount`,
    /// the part of it applied to this invoice.
    public struct AppliedCredit: Decodable, Sendable, Equatable {
        public var id: String?
        public var appliedAmount: WireAmount?

        public init(id: String?, appliedAmount: WireAmount?) {
            self.id = id
            self.appliedAmount = appliedAmount
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeIfPresent(String.self, forKey: .creditNoteID)
                ?? container.decodeIfPresent(String.self, forKey: .prepaymentID)
                ?? container.decodeIfPresent(String.self, forKey: .overpaymentID)
            appliedAmount = try container.decodeIfPresent(WireAmount.self, forKey: .appliedAmount)
        }

        enum CodingKeys: String, CodingKey {
            case creditNoteID = "CreditNoteID"
            case prepaymentID = "PrepaymentID"
            case overpaymentID = "OverpaymentID"
            case appliedAmount = "AppliedAmount"
        }
    }

    /// A payment applied to the invoice, as summarised inside it.
    public struct PaymentSummary: Decodable, Sendable, Equatable {
        public var paymentID: String?
        public var date: String?
        public var amount: WireAmount?

        public init(paymentID: String?, date: String?, amount: WireAmount?) {
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
        case creditNotes = "CreditNotes"
        case prepayments = "Prepayments"
        case overpayments = "Overpayments"
        case updatedDateUTC = "UpdatedDateUTC"
    }
}
