import PaySyncCore

/// PayPal objects → observations (pure). `docs/connectors/paypal.md` has these tables.
///
/// Transactions (Transaction Search rows), by event code group and `transaction_status`:
/// | rows | S | P | D | V |
/// |------|---|---|---|---|
/// | T00xx, money received (amount > 0) → `payment` | paid | pending | failed | refunded |
/// | T11xx, refunds → `refund`, parent: the payment (`paypal_reference_id`) | refunded | pending | failed | voided |
/// | anything else (fees, transfers, money sent, T12xx holds and reversals) | out of scope | | | |
///
/// Disputes: OPEN, WAITING_FOR_BUYER_RESPONSE, WAITING_FOR_SELLER_RESPONSE, UNDER_REVIEW, OTHER →
/// disputed; RESOLVED → by outcome: RESOLVED_SELLER_FAVOUR, CANCELED_BY_BUYER, DENIED → paid;
/// RESOLVED_BUYER_FAVOUR, RESOLVED_WITH_PAYOUT, ACCEPTED → refunded.
///
/// Invoices (v2): DRAFT → draft; SENT, SCHEDULED, UNPAID → sent; PAYMENT_PENDING → pending;
/// PARTIALLY_PAID → partially_paid; PAID, MARKED_AS_PAID → paid; CANCELLED → voided;
/// REFUNDED, MARKED_AS_REFUNDED → refunded; PARTIALLY_REFUNDED → partially_refunded.
public enum PayPalMapping {
    public static let provider = "paypal"

    static func key(_ kind: ObjectKind, _ id: String, _ account: String) -> ObjectKey {
        ObjectKey(provider: provider, account: account, kind: kind, externalID: id)
    }

    static func money(_ money: PayPalMoney?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Money? {
        guard let money else { return nil }
        guard let currency = Currency(code: money.currencyCode) else {
            throw ObjectRejection(MoneyError(field: field() + ".currency_code", text: money.currencyCode, reason: .unknownCurrency))
        }
        do { return try Money(parsing: money.value, currency: currency, field: field() + ".value") } catch { throw ObjectRejection(error) }
    }

    /// A Transaction Search row, or nil when it is not a payment received or a refund of one.
    public static func transaction(_ detail: PayPalTransactionSearch.Detail, account: String) throws(ObjectRejection) -> Observation? {
        let info = detail.transactionInfo
        let field = { (name: String) in "transaction \(info.transactionID).\(name)" }
        let code = info.transactionEventCode ?? ""
        guard let amount = try money(info.transactionAmount, field("transaction_amount")) else { return nil }
        let kind: ObjectKind
        if code.hasPrefix("T00"), amount.minorUnits > 0 {
            kind = .payment
        } else if code.hasPrefix("T11") {
            kind = .refund
        } else {
            return nil
        }
        let raw = info.transactionStatus ?? ""
        let status: PaymentStatus = switch (kind, raw) {
        case (.payment, "S"): .paid
        case (.refund, "S"): .refunded
        case (_, "P"): .pending
        case (_, "D"): .failed
        case (.payment, "V"): .refunded
        case (.refund, "V"): .voided
        default: .unknown(raw)
        }
        let positive = Money(minorUnits: abs(amount.minorUnits), currency: amount.currency)
        let updated = try WireValues.isoTimestamp(info.transactionUpdatedDate, field("transaction_updated_date"))
        let initiated = try WireValues.isoTimestamp(info.transactionInitiationDate, field("transaction_initiation_date"))
        let payer = detail.payerInfo
        let name = WireValues.nonEmpty(payer?.payerName?.alternateFullName)
            ?? WireValues.nonEmpty([payer?.payerName?.givenName, payer?.payerName?.surname].compactMap { $0 }.joined(separator: " "))
        var fields: [Field: FieldValue] = [:]
        if kind == .refund, let parent = WireValues.nonEmpty(info.paypalReferenceID) {
            fields[.parentKey] = .text(key(.payment, parent, account).description)
        }
        return Observation(
            key: key(kind, info.transactionID, account), updatedAt: updated ?? initiated, status: status, providerStatus: "\(code) \(raw)",
            currency: positive.currency, total: positive, paid: [.paid, .refunded].contains(status) ? positive : Money(minorUnits: 0, currency: positive.currency),
            invoiceNumber: WireValues.nonEmpty(info.invoiceID), customerID: WireValues.nonEmpty(payer?.accountID),
            customerEmail: WireValues.nonEmpty(payer?.emailAddress), customerName: name, documentDate: initiated?.utcDate,
            lastPaymentID: kind == .refund ? info.paypalReferenceID : info.transactionID,
            reference: WireValues.nonEmpty(info.customField) ?? WireValues.nonEmpty(info.transactionSubject), fields: fields
        )
    }

    public static func dispute(_ dispute: PayPalDispute, account: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "dispute \(dispute.disputeID).\(name)" }
        let outcome = dispute.disputeOutcome?.outcomeCode ?? ""
        let status: PaymentStatus = switch (dispute.status, outcome) {
        case ("OPEN", _), ("WAITING_FOR_BUYER_RESPONSE", _), ("WAITING_FOR_SELLER_RESPONSE", _), ("UNDER_REVIEW", _), ("OTHER", _): .disputed
        case ("RESOLVED", "RESOLVED_SELLER_FAVOUR"), ("RESOLVED", "CANCELED_BY_BUYER"), ("RESOLVED", "DENIED"): .paid
        case ("RESOLVED", "RESOLVED_BUYER_FAVOUR"), ("RESOLVED", "RESOLVED_WITH_PAYOUT"), ("RESOLVED", "ACCEPTED"): .refunded
        default: .unknown(outcome.isEmpty ? dispute.status : "\(dispute.status)/\(outcome)")
        }
        let amount = try money(dispute.disputeAmount, field("dispute_amount"))
        let transaction = dispute.disputedTransactions?.first
        var fields: [Field: FieldValue] = [:]
        if let seller = WireValues.nonEmpty(transaction?.sellerTransactionID) { fields[.parentKey] = .text(key(.payment, seller, account).description) }
        let created = try WireValues.isoTimestamp(dispute.createTime, field("create_time"))
        return Observation(
            key: key(.dispute, dispute.disputeID, account), updatedAt: try WireValues.isoTimestamp(dispute.updateTime, field("update_time")) ?? created,
            status: status, providerStatus: outcome.isEmpty ? dispute.status : "\(dispute.status) \(outcome)", currency: amount?.currency, total: amount,
            invoiceNumber: WireValues.nonEmpty(transaction?.invoiceNumber), documentDate: created?.utcDate,
            lastPaymentID: transaction?.sellerTransactionID, reference: WireValues.nonEmpty(dispute.reason), fields: fields
        )
    }

    public static func invoice(_ invoice: PayPalInvoice, account: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "invoice \(invoice.id).\(name)" }
        let status: PaymentStatus = switch invoice.status {
        case "DRAFT": .draft
        case "SENT", "SCHEDULED", "UNPAID": .sent
        case "PAYMENT_PENDING": .pending
        case "PARTIALLY_PAID": .partiallyPaid
        case "PAID", "MARKED_AS_PAID": .paid
        case "CANCELLED": .voided
        case "REFUNDED", "MARKED_AS_REFUNDED": .refunded
        case "PARTIALLY_REFUNDED": .partiallyRefunded
        default: .unknown(invoice.status)
        }
        let total = try money(invoice.amount, field("amount"))
        let due = try money(invoice.dueAmount, field("due_amount"))
        let paid = try money(invoice.payments?.paidAmount, field("payments.paid_amount")) ?? total.map { Money(minorUnits: 0, currency: $0.currency) }
        let billing = invoice.primaryRecipients?.first?.billingInfo
        let name = WireValues.nonEmpty(billing?.businessName)
            ?? WireValues.nonEmpty([billing?.name?.givenName, billing?.name?.surname].compactMap { $0 }.joined(separator: " "))
        let metadata = invoice.detail?.metadata
        let updated = try WireValues.isoTimestamp(metadata?.lastUpdateTime, field("detail.metadata.last_update_time"))
        let created = try WireValues.isoTimestamp(metadata?.createTime, field("detail.metadata.create_time"))
        return Observation(
            key: key(.invoice, invoice.id, account), updatedAt: updated ?? created,
            status: status, providerStatus: invoice.status, currency: total?.currency, total: total, paid: paid, due: due,
            invoiceNumber: WireValues.nonEmpty(invoice.detail?.invoiceNumber), customerEmail: WireValues.nonEmpty(billing?.emailAddress), customerName: name,
            documentDate: try WireValues.isoDate(invoice.detail?.invoiceDate, field("detail.invoice_date")),
            dueDate: try WireValues.isoDate(invoice.detail?.paymentTerm?.dueDate, field("detail.payment_term.due_date"))
        )
    }
}
