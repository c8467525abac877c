import PaySyncCore

/// Mollie objects → observations (pure). `docs/connectors/mollie.md` has these tables.
///
/// | object | Mollie status | canonical |
/// |--------|---------------|-----------|
/// | payment | open, pending, authorized | pending |
/// | | paid (`amountRefunded` none / part / all; `amountChargedBack` > 0) | paid / partially_refunded / refunded; disputed |
/// | | canceled / expired / failed | voided / expired / failed |
/// | refund (parent: its payment) | queued, pending, processing / refunded / failed / canceled | pending / refunded / failed / voided |
/// | chargeback (`dispute`, parent: its payment) | no `reversedAt` / `reversedAt` set | disputed / paid |
///
/// A chargeback leaves a payment's `status` at `paid`: only `amountChargedBack` and the
/// chargeback itself say so (laravel/cashier-mollie#157).
public enum MollieMapping {
    public static let provider = "mollie"

    static func key(_ kind: ObjectKind, _ id: String, _ account: String) -> ObjectKey {
        ObjectKey(provider: provider, account: account, kind: kind, externalID: id)
    }

    static func money(_ amount: MollieAmount?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Money? {
        guard let amount else { return nil }
        guard let currency = Currency(code: amount.currency) else {
            throw ObjectRejection(MoneyError(field: field() + ".currency", text: amount.currency, reason: .unknownCurrency))
        }
        do { return try Money(parsing: amount.value, currency: currency, field: field() + ".value") } catch { throw ObjectRejection(error) }
    }

    public static func payment(_ payment: MolliePayment, account: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "payment \(payment.id).\(name)" }
        let total = try money(payment.amount, field("amount"))!
        let refunded = try money(payment.amountRefunded, field("amountRefunded"))?.minorUnits ?? 0
        let chargedBack = try money(payment.amountChargedBack, field("amountChargedBack"))?.minorUnits ?? 0
        let status: PaymentStatus = switch payment.status {
        case "open", "pending", "authorized": .pending
        case "paid" where chargedBack > 0: .disputed
        case "paid": refunded <= 0 ? .paid : (refunded >= total.minorUnits ? .refunded : .partiallyRefunded)
        case "canceled": .voided
        case "expired": .expired
        case "failed": .failed
        default: .unknown(payment.status)
        }
        // The time of its latest state: Mollie gives no updated-at, only when each state was reached.
        var times: [Timestamp] = []
        for (name, text) in [("createdAt", payment.createdAt), ("paidAt", payment.paidAt), ("canceledAt", payment.canceledAt),
                             ("expiredAt", payment.expiredAt), ("failedAt", payment.failedAt)] {
            if let time = try WireValues.isoTimestamp(text, field(name)) { times.append(time) }
        }
        let created = try WireValues.isoTimestamp(payment.createdAt, field("createdAt"))
        var fields: [Field: FieldValue] = [:]
        if let metadata = MetadataText.encode(payment.metadata?.pairs ?? [:]) { fields[.metadata] = .text(metadata) }
        return Observation(
            key: key(.payment, payment.id, account), updatedAt: times.max(), status: status, providerStatus: payment.status, currency: total.currency,
            total: total, paid: Money(minorUnits: payment.status == "paid" ? total.minorUnits : 0, currency: total.currency),
            customerID: WireValues.nonEmpty(payment.customerId), documentDate: created?.utcDate,
            lastPaymentDate: try WireValues.isoTimestamp(payment.paidAt, field("paidAt"))?.utcDate, lastPaymentID: payment.id,
            reference: WireValues.nonEmpty(payment.description), fields: fields
        )
    }

    public static func refund(_ refund: MollieRefund, account: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "refund \(refund.id).\(name)" }
        let amount = try money(refund.amount, field("amount"))!
        let status: PaymentStatus = switch refund.status {
        case "queued", "pending", "processing": .pending
        case "refunded": .refunded
        case "failed": .failed
        case "canceled": .voided
        default: .unknown(refund.status)
        }
        let created = try WireValues.isoTimestamp(refund.createdAt, field("createdAt"))
        return Observation(
            key: key(.refund, refund.id, account), status: status, providerStatus: refund.status, currency: amount.currency, total: amount,
            paid: status == .refunded ? amount : nil, documentDate: created?.utcDate, lastPaymentID: refund.paymentId,
            reference: WireValues.nonEmpty(refund.description),
            fields: refund.paymentId.map { [.parentKey: .text(key(.payment, $0, account).description)] } ?? [:]
        )
    }

    public static func chargeback(_ chargeback: MollieChargeback, account: String) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "chargeback \(chargeback.id).\(name)" }
        let amount = try money(chargeback.amount, field("amount"))!
        let reversed = try WireValues.isoTimestamp(chargeback.reversedAt, field("reversedAt"))
        let created = try WireValues.isoTimestamp(chargeback.createdAt, field("createdAt"))
        return Observation(
            key: key(.dispute, chargeback.id, account), updatedAt: reversed ?? created, status: reversed == nil ? .disputed : .paid,
            providerStatus: reversed == nil ? "chargeback" : "chargeback reversed", currency: amount.currency, total: amount,
            documentDate: created?.utcDate, lastPaymentID: chargeback.paymentId,
            reference: WireValues.nonEmpty(chargeback.reason?.code) ?? WireValues.nonEmpty(chargeback.reason?.description),
            fields: chargeback.paymentId.map { [.parentKey: .text(key(.payment, $0, account).description)] } ?? [:]
        )
    }
}
