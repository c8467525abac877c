import Foundation
import PaySyncCore

/// Xero wire objects → canonical observations. The status table lives here, in
/// `docs/connectors/xero.md`, and in one parameterised test; keep the three in step.
public enum XeroMapping {
    /// What became of one wire object.
    public enum Outcome: Sendable, Equatable {
        case observation(Observation)
        /// Outside paysync's scope (bills, supplier payments): counted, not stored.
        case outOfScope
    }

    /// The canonical status of a sales invoice. "Received" is the money the customer paid towards
    /// it: `AmountPaid` plus the prepayments and overpayments applied to it (`AppliedAmount` of
    /// each in `Prepayments[]` and `Overpayments[]`). Credit notes are not money received.
    ///
    /// | Xero                                                      | canonical        |
    /// |-----------------------------------------------------------|------------------|
    /// | DRAFT, SUBMITTED                                          | draft            |
    /// | AUTHORISED, nothing received, due date not passed         | sent             |
    /// | AUTHORISED, nothing received, due date before today       | overdue          |
    /// | AUTHORISED, received > 0 and AmountDue > 0                | partially_paid   |
    /// | AUTHORISED, received > 0 and AmountDue = 0                | paid             |
    /// | PAID, received > 0 (payments, prepayments, overpayments)  | paid             |
    /// | PAID, nothing received (settled wholly by credit notes)   | voided           |
    /// | VOIDED, DELETED                                           | voided           |
    /// | anything else                                             | unknown(raw)     |
    public static func invoiceStatus(status: String, received: Int64, amountDue: Int64, dueDate: CalendarDate?, today: CalendarDate) -> PaymentStatus {
        switch status {
        case "DRAFT", "SUBMITTED":
            return .draft
        case "AUTHORISED":
            if received > 0 { return amountDue > 0 ? .partiallyPaid : .paid }
            if let dueDate, dueDate < today, amountDue > 0 { return .overdue }
            return .sent
        case "PAID":
            // Xero marks an invoice PAID when credit notes cover it; nothing was paid then, and
            // reporting "paid" would start a thank-you or dispatch for a cancelled sale. Money paid
            // in advance (a prepayment or overpayment applied) is money received: paid.
            return received > 0 ? .paid : .voided
        case "VOIDED", "DELETED":
            return .voided
        default:
            return .unknown(status)
        }
    }

    /// The canonical status of a payment.
    ///
    /// | PaymentType                                             | Status     | kind    | canonical    |
    /// |---------------------------------------------------------|------------|---------|--------------|
    /// | ACCRECPAYMENT                                           | AUTHORISED | payment | paid         |
    /// | ARCREDITPAYMENT, AROVERPAYMENTPAYMENT, ARPREPAYMENTPAYMENT | AUTHORISED | refund | refunded   |
    /// | any of the above                                        | DELETED    | (same)  | voided       |
    /// | ACCPAYPAYMENT, APCREDITPAYMENT, AP…PAYMENT              | —          | —       | out of scope |
    /// | other status                                            |            |         | unknown(raw) |
    public static func paymentKind(paymentType: String) -> ObjectKind? {
        switch paymentType {
        case "ACCRECPAYMENT": .payment
        case "ARCREDITPAYMENT", "AROVERPAYMENTPAYMENT", "ARPREPAYMENTPAYMENT": .refund
        default: nil
        }
    }

    public static func paymentStatus(status: String, kind: ObjectKind) -> PaymentStatus {
        switch status {
        case "AUTHORISED": kind == .refund ? .refunded : .paid
        case "DELETED": .voided
        default: .unknown(status)
        }
    }

    /// The canonical status of a sales credit note: what became of its credit. "Paid out" is the
    /// cash refunded from it (`Payments[]`, each an `ARCREDITPAYMENT`).
    ///
    /// | Xero                                                  | canonical          |
    /// |-------------------------------------------------------|--------------------|
    /// | DRAFT, SUBMITTED                                      | draft              |
    /// | AUTHORISED, nothing paid out                          | sent (credit open) |
    /// | PAID, nothing paid out (all allocated to invoices)    | paid (credit used) |
    /// | AUTHORISED or PAID, part of it paid out               | partially_refunded |
    /// | PAID, all of it paid out                              | refunded           |
    /// | VOIDED, DELETED                                       | voided             |
    /// | anything else                                         | unknown(raw)       |
    public static func creditNoteStatus(status: String, paidOut: Int64, total: Int64) -> PaymentStatus {
        switch status {
        case "DRAFT", "SUBMITTED": .draft
        case "AUTHORISED": paidOut > 0 ? .partiallyRefunded : .sent
        case "PAID": paidOut <= 0 ? .paid : paidOut >= total ? .refunded : .partiallyRefunded
        case "VOIDED", "DELETED": .voided
        default: .unknown(status)
        }
    }

    /// Normalises a sales credit note (`ACCRECCREDIT`); supplier credit notes are out of scope.
    /// Its `parent_key` is the invoice its allocations name, when they name exactly one: the link
    /// along which a cash refund of it counts against that invoice (`RefundLinking`).
    public static func observation(of note: XeroCreditNote, tenant: String, path: String) throws(ObjectRejection) -> Outcome {
        guard note.type == "ACCRECCREDIT" else { return .outOfScope }
        let field = { (name: String) in "\(path) (CreditNoteID \(note.creditNoteID)).\(name)" }
        let currency = try currency(note.currencyCode, field("CurrencyCode"))
        let total = try WireValues.money(note.total, currency, field("Total"))
        let remaining = try WireValues.money(note.remainingCredit, currency, field("RemainingCredit"))
        var paidOut: Int64 = 0
        var latest: (date: CalendarDate, id: String?)?
        for (index, refund) in (note.payments ?? []).enumerated() {
            paidOut += try WireValues.money(refund.amount, currency, field("Payments[\(index)].Amount"))?.minorUnits ?? 0
            if let day = try date(refund.date, field("Payments[\(index)].Date")), latest.map({ (day, refund.paymentID ?? "") > ($0.date, $0.id ?? "") }) ?? true {
                latest = (day, refund.paymentID)
            }
        }
        let invoices = Set((note.allocations ?? []).filter { $0.isDeleted != true }.compactMap(\.invoiceID))
        var observation = Observation(
            key: ObjectKey(provider: "xero", account: tenant, kind: .creditNote, externalID: note.creditNoteID),
            updatedAt: try timestamp(note.updatedDateUTC, field("UpdatedDateUTC")),
            status: creditNoteStatus(status: note.status, paidOut: paidOut, total: total?.minorUnits ?? 0), providerStatus: note.status,
            currency: currency, total: total, due: remaining,
            invoiceNumber: WireValues.nonEmpty(note.creditNoteNumber),
            customerID: WireValues.nonEmpty(note.contact?.contactID), customerEmail: WireValues.nonEmpty(note.contact?.emailAddress),
            customerName: WireValues.nonEmpty(note.contact?.name),
            documentDate: try date(note.date, field("Date")),
            lastPaymentDate: latest?.date, lastPaymentID: latest?.id,
            reference: WireValues.nonEmpty(note.reference)
        )
        if invoices.count == 1, let invoice = invoices.first {
            observation[text: .parentKey] = ObjectKey(provider: "xero", account: tenant, kind: .invoice, externalID: invoice).description
        }
        return .observation(observation)
    }

    /// The canonical status of a bank transaction that received money.
    ///
    /// | Type                                                | Status     | canonical    |
    /// |-----------------------------------------------------|------------|--------------|
    /// | RECEIVE, RECEIVE-OVERPAYMENT, RECEIVE-PREPAYMENT    | AUTHORISED | paid         |
    /// | any of the above                                    | DELETED, VOIDED | voided  |
    /// | SPEND, SPEND-OVERPAYMENT, SPEND-PREPAYMENT, SPEND-TRANSFER, RECEIVE-TRANSFER | — | out of scope |
    /// | other status                                        |            | unknown(raw) |
    public static func isReceipt(bankTransactionType type: String) -> Bool {
        ["RECEIVE", "RECEIVE-OVERPAYMENT", "RECEIVE-PREPAYMENT"].contains(type)
    }

    public static func bankTransactionStatus(status: String) -> PaymentStatus {
        switch status {
        case "AUTHORISED": .paid
        case "DELETED", "VOIDED": .voided
        default: .unknown(status)
        }
    }

    /// Normalises a bank transaction that received money; money spent and transfers are out of
    /// scope. `booking_status` is `booked` once Xero reconciled it with a bank statement line,
    /// `pending` before.
    public static func observation(of transaction: XeroBankTransaction, tenant: String, path: String) throws(ObjectRejection) -> Outcome {
        guard isReceipt(bankTransactionType: transaction.type) else { return .outOfScope }
        let field = { (name: String) in "\(path) (BankTransactionID \(transaction.bankTransactionID)).\(name)" }
        let currency = try currency(transaction.currencyCode, field("CurrencyCode"))
        let total = try WireValues.money(transaction.total, currency, field("Total"))
        let status = bankTransactionStatus(status: transaction.status)
        let day = try date(transaction.date, field("Date"))
        var observation = Observation(
            key: ObjectKey(provider: "xero", account: tenant, kind: .bankTransaction, externalID: transaction.bankTransactionID),
            updatedAt: try timestamp(transaction.updatedDateUTC, field("UpdatedDateUTC")),
            status: status, providerStatus: "\(transaction.type) \(transaction.status)", currency: currency,
            total: total, paid: status == .paid ? total : nil,
            customerID: WireValues.nonEmpty(transaction.contact?.contactID), customerName: WireValues.nonEmpty(transaction.contact?.name),
            documentDate: day, reference: WireValues.nonEmpty(transaction.reference)
        )
        observation[text: .counterpartyName] = WireValues.nonEmpty(transaction.contact?.name)
        observation[text: .remittanceText] = WireValues.nonEmpty(transaction.reference)
        observation[text: .bookingStatus] = transaction.isReconciled == true ? "booked" : "pending"
        observation[date: .valueDate] = day
        return .observation(observation)
    }

    /// Normalises a sales invoice. Bills (`ACCPAY`) are out of scope.
    /// - Parameter path: where the invoice sits in the response (`Invoices[3]`), named in errors.
    public static func observation(of invoice: XeroInvoice, tenant: String, today: CalendarDate, path: String) throws(ObjectRejection) -> Outcome {
        guard invoice.type == "ACCREC" else { return .outOfScope }
        let field = { (name: String) in "\(path) (InvoiceID \(invoice.invoiceID)).\(name)" }
        let currency = try currency(invoice.currencyCode, field("CurrencyCode"))
        let total = try WireValues.money(invoice.total, currency, field("Total"))
        let amountPaid = try WireValues.money(invoice.amountPaid, currency, field("AmountPaid"))
        let due = try WireValues.money(invoice.amountDue, currency, field("AmountDue"))
        let dueDate = try date(invoice.dueDate, field("DueDate"))
        // Money paid in advance and applied here counts as paid (Xero counts it in AmountCredited).
        var paid = amountPaid
        for (name, credits) in [("Prepayments", invoice.prepayments), ("Overpayments", invoice.overpayments)] {
            for (index, credit) in (credits ?? []).enumerated() {
                guard let applied = try WireValues.money(credit.appliedAmount, currency, field("\(name)[\(index)].AppliedAmount")), applied.minorUnits > 0 else { continue }
                let sum = (paid?.minorUnits ?? 0).addingReportingOverflow(applied.minorUnits)
                guard !sum.overflow else {
                    throw ObjectRejection(MoneyError(field: field("\(name)[\(index)].AppliedAmount"), text: applied.decimalText, reason: .outOfRange))
                }
                paid = Money(minorUnits: sum.partialValue, currency: currency)
            }
        }
        let status = invoiceStatus(status: invoice.status, received: paid?.minorUnits ?? 0, amountDue: due?.minorUnits ?? 0, dueDate: dueDate, today: today)

        // The latest payment applied, by date then id, for "last payment date" fields in the CRM.
        var applied: [(date: CalendarDate, id: String?)] = []
        for (index, payment) in (invoice.payments ?? []).enumerated() {
            if let day = try date(payment.date, field("Payments[\(index)].Date")) { applied.append((day, payment.paymentID)) }
        }
        let latest = applied.max { ($0.date, $0.id ?? "") < ($1.date, $1.id ?? "") }
        let fullyPaidOn = try date(invoice.fullyPaidOnDate, field("FullyPaidOnDate"))

        return .observation(Observation(
            key: ObjectKey(provider: "xero", account: tenant, kind: .invoice, externalID: invoice.invoiceID),
            updatedAt: try timestamp(invoice.updatedDateUTC, field("UpdatedDateUTC")),
            status: status, providerStatus: invoice.status, currency: currency,
            total: total, paid: paid, due: due,
            invoiceNumber: WireValues.nonEmpty(invoice.invoiceNumber),
            customerID: WireValues.nonEmpty(invoice.contact?.contactID), customerEmail: WireValues.nonEmpty(invoice.contact?.emailAddress),
            customerName: WireValues.nonEmpty(invoice.contact?.name),
            documentDate: try date(invoice.date, field("Date")), dueDate: dueDate,
            lastPaymentDate: latest?.date ?? fullyPaidOn,
            lastPaymentID: latest?.id,
            reference: WireValues.nonEmpty(invoice.reference)
        ))
    }

    /// Normalises a customer payment or refund. Supplier payments are out of scope.
    public static func observation(of payment: XeroPayment, tenant: String, path: String) throws(ObjectRejection) -> Outcome {
        guard let kind = paymentKind(paymentType: payment.paymentType) else { return .outOfScope }
        let field = { (name: String) in "\(path) (PaymentID \(payment.paymentID)).\(name)" }
        let currency = try currency(payment.invoice?.currencyCode, field("Invoice.CurrencyCode"))
        let amount = try WireValues.money(payment.amount, currency, field("Amount"))
        let date = try date(payment.date, field("Date"))
        let status = paymentStatus(status: payment.status, kind: kind)
        var observation = Observation(
            key: ObjectKey(provider: "xero", account: tenant, kind: kind, externalID: payment.paymentID),
            updatedAt: try timestamp(payment.updatedDateUTC, field("UpdatedDateUTC")),
            status: status, providerStatus: payment.status, currency: currency,
            total: amount,
            paid: kind == .payment && status == .paid ? amount : nil,
            invoiceNumber: WireValues.nonEmpty(payment.invoice?.invoiceNumber),
            customerID: WireValues.nonEmpty(payment.invoice?.contact?.contactID),
            customerEmail: WireValues.nonEmpty(payment.invoice?.contact?.emailAddress),
            customerName: WireValues.nonEmpty(payment.invoice?.contact?.name),
            documentDate: date,
            lastPaymentDate: date, lastPaymentID: payment.paymentID,
            reference: WireValues.nonEmpty(payment.reference)
        )
        // A cash refund of a credit note belongs to that credit note (Xero names it as the
        // payment's `Invoice`, of type ACCRECCREDIT), and through it to the invoice the credit note
        // was allocated to. Refunds of overpayments and prepayments pay back credit that was never
        // allocated to an invoice (Xero refunds only the remaining credit), so they link to none.
        if kind == .refund, payment.invoice?.type == "ACCRECCREDIT", let creditNote = WireValues.nonEmpty(payment.invoice?.invoiceID) {
            observation[text: .parentKey] = ObjectKey(provider: "xero", account: tenant, kind: .creditNote, externalID: creditNote).description
        }
        return .observation(observation)
    }

    /// A currency code Xero sent, or a rejection naming the field (a missing or unknown code: the
    /// amounts could not be read exactly).
    private static func currency(_ code: String?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Currency {
        guard let code, let currency = Currency(code: code) else {
            throw ObjectRejection(MoneyError(field: field(), text: code ?? "(missing)", reason: .unknownCurrency))
        }
        return currency
    }

    /// A date field: absent is no date; present but not a date Xero writes is a rejection (an
    /// invoice whose due date cannot be read could never become overdue).
    private static func date(_ text: String?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> CalendarDate? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = XeroDate.calendarDate(text) else { throw ObjectRejection(field: field(), text: text, reason: "\"\(text)\" is not a date") }
        return date
    }

    private static func timestamp(_ text: String, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Timestamp? {
        guard !text.isEmpty else { return nil }
        guard let instant = XeroDate.timestamp(text) else { throw ObjectRejection(field: field(), text: text, reason: "\"\(text)\" is not a time") }
        return instant
    }
}
