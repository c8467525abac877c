import Foundation
import PaySyncCore

/// FreshBooks objects → observations (pure). `docs/connectors/freshbooks.md` has this table; one
/// parameterised test holds each row.
///
/// | `v3_status` | canonical |
/// |-------------|-----------|
/// | `created`, `draft` | draft |
/// | `sent` | sent |
/// | `viewed` | viewed |
/// | `partial`, `deposit-partial`, `deposit-paid` | partially_paid |
/// | `paid`, `autopaid`, `success`, `resolved` | paid |
/// | `overdue` | overdue |
/// | `disputed` | disputed |
/// | `failed`, `declined` | failed |
/// | `retry`, `pending` | pending |
/// | (none) `payment_status` `unpaid` / `partial` / `paid`, `auto-paid` | sent / partially_paid / paid |
/// | any, with `vis_state` 1 (deleted) | voided |
///
/// A payment is `paid`, or `voided` once deleted (`vis_state` 1).
public enum FreshBooksMapping {
    public static let provider = "freshbooks"
    /// FreshBooks writes `updated` as naive local time in this zone.
    public static let zone = TimeZone(identifier: "America/New_York")!

    public static func invoiceStatus(v3Status: String?, paymentStatus: String?, visState: Int?) -> PaymentStatus {
        if visState == 1 { return .voided }
        switch v3Status {
        case "created", "draft": return .draft
        case "sent": return .sent
        case "viewed": return .viewed
        case "partial", "deposit-partial", "deposit-paid": return .partiallyPaid
        case "paid", "autopaid", "success", "resolved": return .paid
        case "overdue": return .overdue
        case "disputed": return .disputed
        case "failed", "declined": return .failed
        case "retry", "pending": return .pending
        case let other?: return .unknown(other)
        case nil:
            switch paymentStatus {
            case "unpaid": return .sent
            case "partial": return .partiallyPaid
            case "paid", "auto-paid": return .paid
            default: return .unknown(paymentStatus ?? "no status")
            }
        }
    }

    static func money(_ money: FreshBooksMoney?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Money? {
        guard let money else { return nil }
        guard let currency = Currency(code: money.code) else {
            throw ObjectRejection(MoneyError(field: field() + ".code", text: money.code, reason: .unknownCurrency))
        }
        do { return try Money(parsing: money.amount, currency: currency, field: field() + ".amount") } catch { throw ObjectRejection(error) }
    }

    /// `updated` as an instant; nil (no ordering claim) for a time in the hour clocks go back
    /// over, which names two instants: the state read is then taken as the latest, as it is.
    static func updated(_ text: String?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Timestamp? {
        guard let text, !text.isEmpty else { return nil }
        if NaiveLocalTime.isAmbiguous(text, zone: zone) { return nil }
        guard let instant = NaiveLocalTime.instant(text, zone: zone) else {
            throw ObjectRejection(field: field(), text: text, reason: "\"\(text)\" is not a time")
        }
        return instant
    }

    static func key(_ kind: ObjectKind, _ id: Int64, _ account: String) -> ObjectKey {
        ObjectKey(provider: provider, account: account, kind: kind, externalID: String(id))
    }

    public static func invoice(_ invoice: FreshBooksInvoice, account: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "invoice \(invoice.id).\(name)" }
        let total = try money(invoice.amount, field("amount"))!
        let outstanding = try money(invoice.outstanding, field("outstanding"))
        let paid = try money(invoice.paid, field("paid")) ?? outstanding.map { Money(minorUnits: total.minorUnits - $0.minorUnits, currency: total.currency) }
        let status = invoiceStatus(v3Status: invoice.v3Status, paymentStatus: invoice.paymentStatus, visState: invoice.visState)
        return Observation(
            key: key(.invoice, invoice.id, account), updatedAt: try updated(invoice.updated, field("updated")),
            status: status, providerStatus: invoice.visState == 1 ? "deleted" : (invoice.v3Status ?? invoice.paymentStatus ?? ""), currency: total.currency,
            total: total, paid: paid, due: outstanding,
            invoiceNumber: WireValues.nonEmpty(invoice.invoiceNumber), customerID: invoice.customerid.map(String.init),
            customerEmail: WireValues.nonEmpty(invoice.email), customerName: WireValues.nonEmpty(invoice.organization),
            documentDate: try WireValues.isoDate(invoice.createDate, field("create_date")), dueDate: try WireValues.isoDate(invoice.dueDate, field("due_date")),
            lastPaymentDate: try WireValues.isoDate(invoice.datePaid, field("date_paid")), reference: WireValues.nonEmpty(invoice.poNumber)
        )
    }

    public static func payment(_ payment: FreshBooksPayment, account: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "payment \(payment.id).\(name)" }
        let amount = try money(payment.amount, field("amount"))!
        let date = try WireValues.isoDate(payment.date, field("date"))
        var observation = Observation(
            key: key(.payment, payment.id, account), updatedAt: try updated(payment.updated, field("updated")),
            status: payment.visState == 1 ? .voided : .paid, providerStatus: payment.visState == 1 ? "deleted" : (payment.type ?? "payment"),
            currency: amount.currency, total: amount, paid: payment.visState == 1 ? nil : amount,
            customerID: payment.clientid.map(String.init), documentDate: date, lastPaymentDate: date, lastPaymentID: String(payment.id),
            reference: WireValues.nonEmpty(payment.transactionid) ?? WireValues.nonEmpty(payment.note)
        )
        if let invoice = payment.invoiceid, invoice != 0 { observation[text: .parentKey] = key(.invoice, invoice, account).description }
        return observation
    }
}
