import PaySyncCore

/// Square objects → observations (pure). `docs/connectors/square.md` has these tables.
///
/// | object | Square status | canonical |
/// |--------|---------------|-----------|
/// | payment | COMPLETED (`refunded_money` 0 / part / all) | paid / partially_refunded / refunded |
/// | | APPROVED, PENDING | pending |
/// | | CANCELED / FAILED | voided / failed |
/// | refund (parent: its payment) | PENDING / COMPLETED / REJECTED, FAILED | pending / refunded / failed |
/// | invoice | DRAFT / UNPAID, SCHEDULED / PARTIALLY_PAID / PAID / PARTIALLY_REFUNDED / REFUNDED / CANCELED / FAILED / PAYMENT_PENDING | draft / sent / partially_paid / paid / partially_refunded / refunded / voided / failed / pending |
/// | dispute (parent: its payment) | INQUIRY_EVIDENCE_REQUIRED, INQUIRY_PROCESSING, EVIDENCE_REQUIRED, PROCESSING | disputed |
/// | | WON, INQUIRY_CLOSED | paid |
/// | | LOST, ACCEPTED | refunded |
public enum SquareMapping {
    public static let provider = "square"

    static func key(_ kind: ObjectKind, _ id: String, _ location: String) -> ObjectKey {
        ObjectKey(provider: provider, account: location, kind: kind, externalID: id)
    }

    static func money(_ money: SquareMoney?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Money? {
        guard let money else { return nil }
        guard let currency = Currency(code: money.currency) else {
            throw ObjectRejection(MoneyError(field: field(), text: money.currency, reason: .unknownCurrency))
        }
        return Money(minorUnits: money.amount, currency: currency)
    }

    static func time(_ text: String?, _ field: String) throws(ObjectRejection) -> Timestamp? {
        try WireValues.isoTimestamp(text, field)
    }

    public static func payment(_ payment: SquarePayment, location: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "payment \(payment.id).\(name)" }
        let total = try money(payment.amountMoney, field("amount_money"))!
        let refunded = try money(payment.refundedMoney, field("refunded_money"))?.minorUnits ?? 0
        let status: PaymentStatus = switch payment.status {
        case "COMPLETED": refunded <= 0 ? .paid : (refunded >= total.minorUnits ? .refunded : .partiallyRefunded)
        case "APPROVED", "PENDING": .pending
        case "CANCELED": .voided
        case "FAILED": .failed
        default: .unknown(payment.status)
        }
        let created = try time(payment.createdAt, field("created_at"))
        return Observation(
            key: key(.payment, payment.id, location), updatedAt: try time(payment.updatedAt, field("updated_at")) ?? created, status: status,
            providerStatus: payment.status, currency: total.currency, total: total,
            paid: Money(minorUnits: payment.status == "COMPLETED" ? total.minorUnits : 0, currency: total.currency),
            customerID: WireValues.nonEmpty(payment.customerID), customerEmail: WireValues.nonEmpty(payment.buyerEmailAddress),
            documentDate: created?.utcDate, lastPaymentID: payment.id,
            reference: WireValues.nonEmpty(payment.referenceID) ?? WireValues.nonEmpty(payment.note)
        )
    }

    public static func refund(_ refund: SquareRefund, location: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "refund \(refund.id).\(name)" }
        let amount = try money(refund.amountMoney, field("amount_money"))!
        let status: PaymentStatus = switch refund.status {
        case "PENDING": .pending
        case "COMPLETED": .refunded
        case "REJECTED", "FAILED": .failed
        default: .unknown(refund.status)
        }
        let created = try time(refund.createdAt, field("created_at"))
        return Observation(
            key: key(.refund, refund.id, location), updatedAt: try time(refund.updatedAt, field("updated_at")) ?? created, status: status,
            providerStatus: refund.status, currency: amount.currency, total: amount, paid: status == .refunded ? amount : nil,
            documentDate: created?.utcDate, lastPaymentID: refund.paymentID, reference: WireValues.nonEmpty(refund.reason),
            fields: refund.paymentID.map { [.parentKey: .text(key(.payment, $0, location).description)] } ?? [:]
        )
    }

    public static func invoice(_ invoice: SquareInvoice, location: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "invoice \(invoice.id).\(name)" }
        let status: PaymentStatus = switch invoice.status {
        case "DRAFT": .draft
        case "UNPAID", "SCHEDULED": .sent
        case "PARTIALLY_PAID": .partiallyPaid
        case "PAID": .paid
        case "PARTIALLY_REFUNDED": .partiallyRefunded
        case "REFUNDED": .refunded
        case "CANCELED": .voided
        case "FAILED": .failed
        case "PAYMENT_PENDING": .pending
        default: .unknown(invoice.status)
        }
        let requests = invoice.paymentRequests ?? []
        var total: Money?, paid: Money?
        for (index, request) in requests.enumerated() {
            if let amount = try money(request.computedAmountMoney, field("payment_requests[\(index)].computed_amount_money")) {
                total = Money(minorUnits: (total?.minorUnits ?? 0) + amount.minorUnits, currency: amount.currency)
            }
            if let amount = try money(request.totalCompletedAmountMoney, field("payment_requests[\(index)].total_completed_amount_money")) {
                paid = Money(minorUnits: (paid?.minorUnits ?? 0) + amount.minorUnits, currency: amount.currency)
            }
        }
        let currency = total?.currency ?? paid?.currency
        let due = total.map { Money(minorUnits: max(0, $0.minorUnits - (paid?.minorUnits ?? 0)), currency: $0.currency) }
        var dueDates: [CalendarDate] = []
        for (index, request) in requests.enumerated() {
            if let date = try WireValues.isoDate(request.dueDate, field("payment_requests[\(index)].due_date")) { dueDates.append(date) }
        }
        let recipient = invoice.primaryRecipient
        let name = WireValues.nonEmpty(recipient?.companyName)
            ?? WireValues.nonEmpty([recipient?.givenName, recipient?.familyName].compactMap { $0 }.joined(separator: " "))
        let created = try time(invoice.createdAt, field("created_at"))
        return Observation(
            key: key(.invoice, invoice.id, location), updatedAt: try time(invoice.updatedAt, field("updated_at")) ?? created,
            version: invoice.version.map(String.init), status: status, providerStatus: invoice.status, currency: currency,
            total: total, paid: paid ?? currency.map { Money(minorUnits: 0, currency: $0) }, due: due,
            invoiceNumber: WireValues.nonEmpty(invoice.invoiceNumber), customerID: WireValues.nonEmpty(recipient?.customerID),
            customerEmail: WireValues.nonEmpty(recipient?.emailAddress), customerName: name, documentDate: created?.utcDate,
            dueDate: dueDates.max()
        )
    }

    public static func dispute(_ dispute: SquareDispute, location: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "dispute \(dispute.id).\(name)" }
        let status: PaymentStatus = switch dispute.state {
        case "INQUIRY_EVIDENCE_REQUIRED", "INQUIRY_PROCESSING", "EVIDENCE_REQUIRED", "PROCESSING": .disputed
        case "WON", "INQUIRY_CLOSED": .paid
        case "LOST", "ACCEPTED": .refunded
        default: .unknown(dispute.state)
        }
        let amount = try money(dispute.amountMoney, field("amount_money"))
        let created = try time(dispute.createdAt, field("created_at"))
        return Observation(
            key: key(.dispute, dispute.id, location), updatedAt: try time(dispute.updatedAt, field("updated_at")) ?? created, status: status,
            providerStatus: dispute.state, currency: amount?.currency, total: amount, documentDate: created?.utcDate,
            lastPaymentID: dispute.disputedPayment?.paymentID, reference: WireValues.nonEmpty(dispute.reason),
            fields: dispute.disputedPayment?.paymentID.map { [.parentKey: .text(key(.payment, $0, location).description)] } ?? [:]
        )
    }
}
