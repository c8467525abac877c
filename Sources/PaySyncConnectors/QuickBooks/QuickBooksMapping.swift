import PaySyncCore

/// QuickBooks Online wire objects → canonical observations. QuickBooks keeps no status: it is
/// derived from the amounts. The table lives here, in `docs/connectors/quickbooks.md` and in one
/// parameterised test; keep the three in step.
public enum QuickBooksMapping {
    /// The canonical status of an invoice.
    ///
    /// | QuickBooks                                                     | canonical        |
    /// |----------------------------------------------------------------|------------------|
    /// | `PrivateNote` starts with "Voided" (or "Void") and TotalAmt = 0 | voided          |
    /// | TotalAmt > 0, Balance = 0                                      | paid             |
    /// | 0 < Balance < TotalAmt                                         | partially_paid   |
    /// | Balance = TotalAmt, DueDate before today (company time zone)   | overdue          |
    /// | Balance = TotalAmt, otherwise (a zero invoice too)             | sent             |
    /// | Balance < 0 or Balance > TotalAmt                              | unknown(raw)     |
    ///
    /// QuickBooks has no draft invoices: every saved invoice is posted, so it is `sent`.
    public static func invoiceStatus(total: Int64, balance: Int64, privateNote: String?, dueDate: CalendarDate?, today: CalendarDate) -> PaymentStatus {
        if total == 0 && isVoidNote(privateNote) { return .voided }
        if balance < 0 || balance > total { return .unknown("Balance \(balance) of TotalAmt \(total)") }
        if total > 0 && balance == 0 { return .paid }
        if balance < total { return .partiallyPaid }
        if let dueDate, dueDate < today, balance > 0 { return .overdue }
        return .sent
    }

    /// The canonical status of a customer payment: `voided` when QuickBooks voided it (TotalAmt 0,
    /// `PrivateNote` "Voided"), otherwise `paid`.
    public static func paymentStatus(total: Int64, privateNote: String?) -> PaymentStatus {
        total == 0 && isVoidNote(privateNote) ? .voided : .paid
    }

    /// QuickBooks marks a voided transaction by putting "Voided" at the front of its note (an
    /// older form wrote "Void").
    static func isVoidNote(_ note: String?) -> Bool {
        guard let note else { return false }
        return note.hasPrefix("Voided") || note.hasPrefix("Void")
    }

    /// Normalises an invoice.
    /// - Parameter path: where it sits in the response (`Invoice[3]`), named in errors.
    public static func observation(of invoice: QuickBooksInvoice, realm: String, today: CalendarDate, path: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "\(path) (Id \(invoice.id)).\(name)" }
        let currency = try currencyOf(invoice.currencyRef, field("CurrencyRef.value"))
        let total = try WireValues.money(invoice.totalAmt, currency, field("TotalAmt")) ?? Money(minorUnits: 0, currency: currency)
        let balance = try WireValues.money(invoice.balance, currency, field("Balance")) ?? total
        let dueDate = try WireValues.isoDate(invoice.dueDate, field("DueDate"))
        let status = invoiceStatus(total: total.minorUnits, balance: balance.minorUnits, privateNote: invoice.privateNote, dueDate: dueDate, today: today)
        let paid = Money(minorUnits: max(0, total.minorUnits - balance.minorUnits), currency: currency)
        let payments = (invoice.linkedTxn ?? []).filter { $0.txnType == "Payment" }.compactMap(\.txnID)
        return Observation(
            key: ObjectKey(provider: "quickbooks", account: realm, kind: .invoice, externalID: invoice.id),
            updatedAt: try updatedAt(invoice.metaData, field),
            version: invoice.syncToken,
            status: status, providerStatus: providerStatus(status: status, balance: balance, total: total),
            currency: currency, total: total, paid: paid, due: balance,
            invoiceNumber: WireValues.nonEmpty(invoice.docNumber),
            customerID: WireValues.nonEmpty(invoice.customerRef?.value), customerEmail: WireValues.nonEmpty(invoice.billEmail?.address),
            customerName: WireValues.nonEmpty(invoice.customerRef?.name),
            documentDate: try WireValues.isoDate(invoice.txnDate, field("TxnDate")), dueDate: dueDate,
            lastPaymentID: payments.last
        )
    }

    /// Normalises a customer payment. Its `parent_key` is the first invoice it pays.
    public static func observation(of payment: QuickBooksPayment, realm: String, path: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "\(path) (Id \(payment.id)).\(name)" }
        let currency = try currencyOf(payment.currencyRef, field("CurrencyRef.value"))
        let total = try WireValues.money(payment.totalAmt, currency, field("TotalAmt")) ?? Money(minorUnits: 0, currency: currency)
        let status = paymentStatus(total: total.minorUnits, privateNote: payment.privateNote)
        let date = try WireValues.isoDate(payment.txnDate, field("TxnDate"))
        let invoices = (payment.line ?? []).flatMap { $0.linkedTxn ?? [] }.filter { $0.txnType == "Invoice" }.compactMap(\.txnID)
        var observation = Observation(
            key: ObjectKey(provider: "quickbooks", account: realm, kind: .payment, externalID: payment.id),
            updatedAt: try updatedAt(payment.metaData, field),
            version: payment.syncToken,
            status: status, providerStatus: status == .voided ? "Voided" : "Payment",
            currency: currency, total: total, paid: status == .paid ? total : nil,
            customerID: WireValues.nonEmpty(payment.customerRef?.value), customerName: WireValues.nonEmpty(payment.customerRef?.name),
            documentDate: date, lastPaymentDate: date, lastPaymentID: payment.id,
            reference: WireValues.nonEmpty(payment.paymentRefNum)
        )
        if let invoice = invoices.first {
            observation[text: .parentKey] = ObjectKey(provider: "quickbooks", account: realm, kind: .invoice, externalID: invoice).description
        }
        return observation
    }

    /// Normalises a refund receipt: money paid back, `refunded` (or `voided` when QuickBooks voided
    /// it). It names the customer, not the invoice: it is recorded as its own object.
    public static func observation(of refund: QuickBooksRefundReceipt, realm: String, path: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "\(path) (Id \(refund.id)).\(name)" }
        let currency = try currencyOf(refund.currencyRef, field("CurrencyRef.value"))
        let total = try WireValues.money(refund.totalAmt, currency, field("TotalAmt")) ?? Money(minorUnits: 0, currency: currency)
        let status: PaymentStatus = total.minorUnits == 0 && isVoidNote(refund.privateNote) ? .voided : .refunded
        let date = try WireValues.isoDate(refund.txnDate, field("TxnDate"))
        return Observation(
            key: ObjectKey(provider: "quickbooks", account: realm, kind: .refund, externalID: refund.id),
            updatedAt: try updatedAt(refund.metaData, field),
            version: refund.syncToken,
            status: status, providerStatus: status == .voided ? "Voided" : "RefundReceipt",
            currency: currency, total: total,
            invoiceNumber: WireValues.nonEmpty(refund.docNumber),
            customerID: WireValues.nonEmpty(refund.customerRef?.value), customerName: WireValues.nonEmpty(refund.customerRef?.name),
            documentDate: date, lastPaymentDate: date, lastPaymentID: refund.id,
            reference: WireValues.nonEmpty(refund.paymentRefNum)
        )
    }

    /// The canonical status of a credit memo: what became of its credit.
    ///
    /// | QuickBooks                                   | canonical          |
    /// |----------------------------------------------|--------------------|
    /// | `TotalAmt` 0 and a "Voided" note             | voided             |
    /// | `RemainingCredit` = `TotalAmt` (none used)   | sent (credit open) |
    /// | 0 < `RemainingCredit` < `TotalAmt`           | partially_paid     |
    /// | `RemainingCredit` = 0                        | paid (credit used) |
    public static func creditMemoStatus(total: Int64, remaining: Int64, privateNote: String?) -> PaymentStatus {
        if total == 0 && isVoidNote(privateNote) { return .voided }
        if remaining <= 0 { return .paid }
        return remaining >= total ? .sent : .partiallyPaid
    }

    /// Normalises a credit memo. When it names the invoice it was issued for (`InvoiceRef`), that
    /// invoice is its `parent_key` and its whole amount is what it gives back against that invoice
    /// (`amount_paid`, which `RefundLinking` counts): a paid invoice with such a credit memo is
    /// `partially_refunded` or `refunded`. Without `InvoiceRef` it is its own object.
    public static func observation(of memo: QuickBooksCreditMemo, realm: String, path: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "\(path) (Id \(memo.id)).\(name)" }
        let currency = try currencyOf(memo.currencyRef, field("CurrencyRef.value"))
        let total = try WireValues.money(memo.totalAmt, currency, field("TotalAmt")) ?? Money(minorUnits: 0, currency: currency)
        let remaining = try WireValues.money(memo.remainingCredit, currency, field("RemainingCredit")) ?? total
        let status = creditMemoStatus(total: total.minorUnits, remaining: remaining.minorUnits, privateNote: memo.privateNote)
        let invoice = WireValues.nonEmpty(memo.invoiceRef?.value)
        var observation = Observation(
            key: ObjectKey(provider: "quickbooks", account: realm, kind: .creditNote, externalID: memo.id),
            updatedAt: try updatedAt(memo.metaData, field),
            version: memo.syncToken,
            status: status, providerStatus: status == .voided ? "Voided" : "RemainingCredit \(remaining.decimalText) of \(total.decimalText)",
            currency: currency, total: total, paid: invoice != nil && status != .voided ? total : nil, due: remaining,
            invoiceNumber: WireValues.nonEmpty(memo.docNumber),
            customerID: WireValues.nonEmpty(memo.customerRef?.value), customerName: WireValues.nonEmpty(memo.customerRef?.name),
            documentDate: try WireValues.isoDate(memo.txnDate, field("TxnDate"))
        )
        if let invoice {
            observation[text: .parentKey] = ObjectKey(provider: "quickbooks", account: realm, kind: .invoice, externalID: invoice).description
        }
        return observation
    }

    /// QuickBooks keeps no status text; the ledger records what the status was derived from.
    static func providerStatus(status: PaymentStatus, balance: Money, total: Money) -> String {
        status == .voided ? "Voided" : "Balance \(balance.decimalText) of \(total.decimalText)"
    }

    private static func currencyOf(_ reference: QuickBooksReference?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Currency {
        guard let code = reference?.value, let currency = Currency(code: code) else {
            throw ObjectRejection(MoneyError(field: field(), text: reference?.value ?? "(missing)", reason: .unknownCurrency))
        }
        return currency
    }

    private static func updatedAt(_ metaData: QuickBooksMetaData, _ field: (String) -> String) throws(ObjectRejection) -> Timestamp? {
        try WireValues.isoTimestamp(metaData.lastUpdatedTime, field("MetaData.LastUpdatedTime"))
    }
}
