import PaySyncCore

/// GoCardless resources → observations (pure). `docs/connectors/gocardless.md` has these tables.
///
/// | resource | GoCardless status | canonical |
/// |----------|-------------------|-----------|
/// | payment | pending_customer_approval, pending_submission, submitted | pending |
/// | | confirmed, paid_out (`amount_refunded` 0 / part / all) | paid / partially_refunded / refunded |
/// | | cancelled | voided |
/// | | customer_approval_denied, failed | failed |
/// | | charged_back | disputed |
/// | refund (parent: its payment) | created, pending_submission, submitted | pending |
/// | | paid | refunded |
/// | | cancelled | voided |
/// | | bounced, funds_returned | failed |
/// | subscription | pending_customer_approval | pending |
/// | | customer_approval_denied | failed |
/// | | active / paused | active / paused |
/// | | cancelled, finished | canceled |
/// | mandate | pending_customer_approval, pending_submission, submitted | pending |
/// | | active / failed, blocked / cancelled, suspended_by_payer / expired, consumed | active / failed / canceled / expired |
///
/// A Direct Debit can fail or be charged back days or weeks after `confirmed`: paid is never
/// final, and the later event moves the payment on.
public enum GoCardlessMapping {
    public static let provider = "gocardless"

    static func key(_ kind: ObjectKind, _ id: String, _ account: String) -> ObjectKey {
        ObjectKey(provider: provider, account: account, kind: kind, externalID: id)
    }

    static func currency(_ code: String, _ field: String) throws(ObjectRejection) -> Currency {
        guard let currency = Currency(code: code) else { throw ObjectRejection(MoneyError(field: field, text: code, reason: .unknownCurrency)) }
        return currency
    }

    static func created(_ text: String, _ field: String) throws(ObjectRejection) -> Timestamp {
        guard let time = Timestamp(iso: text) else { throw ObjectRejection(field: field, text: text, reason: "\"\(text)\" is not a time") }
        return time
    }

    static func metadata(_ pairs: [String: String]?) -> [Field: FieldValue] {
        MetadataText.encode(pairs ?? [:]).map { [.metadata: .text($0)] } ?? [:]
    }

    /// - Parameter at: the time of the latest event about it (or when a list was read).
    public static func payment(_ payment: GoCardlessPayment, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "payment \(payment.id).\(name)" }
        let currency = try currency(payment.currency, field("currency"))
        let refunded = payment.amountRefunded ?? 0
        let status: PaymentStatus
        switch payment.status {
        case "pending_customer_approval", "pending_submission", "submitted": status = .pending
        case "confirmed", "paid_out": status = refunded <= 0 ? .paid : (refunded >= payment.amount ? .refunded : .partiallyRefunded)
        case "cancelled": status = .voided
        case "customer_approval_denied", "failed": status = .failed
        case "charged_back": status = .disputed
        default: status = .unknown(payment.status)
        }
        let received = [.paid, .partiallyRefunded, .refunded, .disputed].contains(status) ? payment.amount : 0
        var fields = metadata(payment.metadata)
        fields[.subscriptionID] = payment.links?.subscription.map(FieldValue.text)
        return Observation(
            key: key(.payment, payment.id, account), updatedAt: time, status: status, providerStatus: payment.status, currency: currency,
            total: Money(minorUnits: payment.amount, currency: currency), paid: Money(minorUnits: received, currency: currency),
            customerID: payment.links?.mandate, documentDate: try created(payment.createdAt, field("created_at")).utcDate,
            lastPaymentDate: try WireValues.isoDate(payment.chargeDate, field("charge_date")), lastPaymentID: payment.id,
            reference: WireValues.nonEmpty(payment.reference) ?? WireValues.nonEmpty(payment.description), fields: fields
        )
    }

    public static func refund(_ refund: GoCardlessRefund, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "refund \(refund.id).\(name)" }
        let currency = try currency(refund.currency, field("currency"))
        let raw = refund.status ?? "created"
        let status: PaymentStatus = switch raw {
        case "created", "pending_submission", "submitted": .pending
        case "paid": .refunded
        case "cancelled": .voided
        case "bounced", "funds_returned": .failed
        default: .unknown(raw)
        }
        let amount = Money(minorUnits: refund.amount, currency: currency)
        var fields = metadata(refund.metadata)
        fields[.parentKey] = refund.links?.payment.map { .text(key(.payment, $0, account).description) }
        return Observation(key: key(.refund, refund.id, account), updatedAt: time, status: status, providerStatus: raw, currency: currency,
                           total: amount, paid: status == .refunded ? amount : nil, customerID: refund.links?.mandate,
                           documentDate: try created(refund.createdAt, field("created_at")).utcDate, lastPaymentID: refund.links?.payment,
                           reference: WireValues.nonEmpty(refund.reference), fields: fields)
    }

    public static func subscription(_ subscription: GoCardlessSubscription, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "subscription \(subscription.id).\(name)" }
        let status: PaymentStatus = switch subscription.status {
        case "pending_customer_approval": .pending
        case "customer_approval_denied": .failed
        case "active": .active
        case "paused": .paused
        case "cancelled", "finished": .canceled
        default: .unknown(subscription.status)
        }
        let currency = try subscription.currency.map { code throws(ObjectRejection) in try self.currency(code, field("currency")) }
        var fields = metadata(subscription.metadata)
        fields[.subscriptionID] = .text(subscription.id)
        return Observation(key: key(.subscription, subscription.id, account), updatedAt: time, status: status, providerStatus: subscription.status,
                           currency: currency, total: currency.flatMap { currency in subscription.amount.map { Money(minorUnits: $0, currency: currency) } },
                           customerID: subscription.links?.mandate, documentDate: try created(subscription.createdAt, field("created_at")).utcDate,
                           reference: WireValues.nonEmpty(subscription.name), fields: fields)
    }

    public static func mandate(_ mandate: GoCardlessMandate, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation {
        let status: PaymentStatus = switch mandate.status {
        case "pending_customer_approval", "pending_submission", "submitted": .pending
        case "active": .active
        case "failed", "blocked": .failed
        case "cancelled", "suspended_by_payer": .canceled
        case "expired", "consumed": .expired
        default: .unknown(mandate.status)
        }
        return Observation(key: key(.mandate, mandate.id, account), updatedAt: time, status: status, providerStatus: mandate.status,
                           customerID: mandate.links?.customer, documentDate: try created(mandate.createdAt, "mandate \(mandate.id).created_at").utcDate,
                           reference: WireValues.nonEmpty(mandate.reference), fields: metadata(mandate.metadata))
    }
}
