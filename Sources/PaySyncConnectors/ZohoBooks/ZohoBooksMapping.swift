import Foundation
import PaySyncCore

/// Zoho Books objects → observations (pure). `docs/connectors/zoho-books.md` has these tables;
/// one parameterised test holds each row.
///
/// | object | Zoho Books `status` | canonical |
/// |--------|---------------------|-----------|
/// | invoice | `draft`, `pending_approval`, `approved` | draft |
/// | | `sent`, `unpaid` | sent |
/// | | `viewed` (the customer opened it) | viewed |
/// | | `overdue` | overdue |
/// | | `partially_paid` | partially_paid |
/// | | `paid` | paid |
/// | | `void` | voided |
/// | credit note | `draft` / `open` / `closed` (credit used or refunded) / `void` | draft / sent / paid / voided |
/// | customer payment | (none) | paid |
public enum ZohoBooksMapping {
    public static let provider = "zoho-books"

    public static func invoiceStatus(_ status: String) -> PaymentStatus {
        switch status {
        case "draft", "pending_approval", "approved": .draft
        case "sent", "unpaid": .sent
        case "viewed": .viewed
        case "overdue": .overdue
        case "partially_paid": .partiallyPaid
        case "paid": .paid
        case "void": .voided
        default: .unknown(status)
        }
    }

    public static func creditNoteStatus(_ status: String) -> PaymentStatus {
        switch status {
        case "draft": .draft
        case "open": .sent
        case "closed": .paid
        case "void": .voided
        default: .unknown(status)
        }
    }

    /// Zoho's examples leave an empty text as a single space (`"last_payment_date": " "`): blank is absent.
    static func text(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    static func key(_ kind: ObjectKind, _ id: String, _ organization: String) -> ObjectKey {
        ObjectKey(provider: provider, account: organization, kind: kind, externalID: id)
    }

    static func currency(_ code: String, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Currency {
        guard let currency = Currency(code: code) else { throw ObjectRejection(MoneyError(field: field(), text: code, reason: .unknownCurrency)) }
        return currency
    }

    public static func invoice(_ invoice: ZohoBooksInvoice, organization: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "invoice \(invoice.invoiceId).\(name)" }
        let currency = try currency(invoice.currencyCode, field("currency_code"))
        let total = try WireValues.money(invoice.total, currency, field("total"))!
        let balance = try WireValues.money(invoice.balance, currency, field("balance"))!
        var fields: [Field: FieldValue] = [:]
        if let viewed = try WireValues.isoTimestamp(text(invoice.clientViewedTime), field("client_viewed_time")), let metadata = MetadataText.encode(["client_viewed_time": viewed.iso8601]) { fields[.metadata] = .text(metadata) }
        return Observation(
            key: key(.invoice, invoice.invoiceId, organization),
            updatedAt: try WireValues.isoTimestamp(text(invoice.lastModifiedTime), field("last_modified_time")),
            status: invoiceStatus(invoice.status), providerStatus: invoice.status, currency: currency,
            total: total, paid: Money(minorUnits: max(0, total.minorUnits - balance.minorUnits), currency: currency), due: balance,
            invoiceNumber: text(invoice.invoiceNumber), customerID: text(invoice.customerId),
            customerEmail: text(invoice.email), customerName: text(invoice.customerName),
            documentDate: try WireValues.isoDate(text(invoice.date), field("date")), dueDate: try WireValues.isoDate(text(invoice.dueDate), field("due_date")),
            lastPaymentDate: try WireValues.isoDate(text(invoice.lastPaymentDate), field("last_payment_date")),
            reference: text(invoice.referenceNumber), fields: fields
        )
    }

    public static func creditNote(_ note: ZohoBooksCreditNote, organization: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "credit note \(note.creditnoteId).\(name)" }
        let currency = try currency(note.currencyCode, field("currency_code"))
        let total = try WireValues.money(note.total, currency, field("total"))!
        let balance = try WireValues.money(note.balance, currency, field("balance"))!
        return Observation(
            key: key(.creditNote, note.creditnoteId, organization),
            updatedAt: try WireValues.isoTimestamp(text(note.lastModifiedTime), field("last_modified_time")),
            status: creditNoteStatus(note.status), providerStatus: note.status, currency: currency,
            total: total, paid: Money(minorUnits: max(0, total.minorUnits - balance.minorUnits), currency: currency), due: balance,
            invoiceNumber: text(note.creditnoteNumber), customerID: text(note.customerId),
            customerName: text(note.customerName), documentDate: try WireValues.isoDate(text(note.date), field("date")),
            reference: text(note.referenceNumber)
        )
    }

    /// A customer payment; `baseCurrency` is the organisation's, for a payment listed without
    /// its own currency (its `bcy_amount` is then the amount).
    public static func payment(_ payment: ZohoBooksPayment, organization: String, baseCurrency: String?) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "customer payment \(payment.paymentId).\(name)" }
        let amount: Money
        if let code = payment.currencyCode {
            amount = try WireValues.money(payment.amount, try currency(code, field("currency_code")), field("amount"))!
        } else if let code = baseCurrency {
            amount = try WireValues.money(payment.bcyAmount ?? payment.amount, try currency(code, "organization.currency_code"), field("bcy_amount"))!
        } else {
            throw ObjectRejection(field: field("currency_code"), text: "", reason: "names no currency, and the organisation's base currency is not known")
        }
        let date = try WireValues.isoDate(text(payment.date), field("date"))
        return Observation(
            key: key(.payment, payment.paymentId, organization),
            updatedAt: try WireValues.isoTimestamp(text(payment.lastModifiedTime), field("last_modified_time")),
            status: .paid, providerStatus: "payment", currency: amount.currency, total: amount, paid: amount,
            invoiceNumber: text(payment.paymentNumber), customerID: text(payment.customerId),
            customerName: text(payment.customerName), documentDate: date, lastPaymentDate: date, lastPaymentID: payment.paymentId,
            reference: text(payment.invoiceNumbers ?? payment.invoiceNumber) ?? text(payment.referenceNumber)
        )
    }
}
