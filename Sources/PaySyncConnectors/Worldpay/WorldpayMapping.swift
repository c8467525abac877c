import PaySyncCore

/// A Worldpay payment's event history → one observation (pure). `docs/connectors/worldpay.md`
/// has this table. Payment Queries reports requests and their submission, not money arriving
/// (its own note: "settlement events will be added to this API in the near future"), so a
/// settlement request sent for processing is as far as "paid" can be known.
///
/// | events (in time order) | canonical |
/// |------------------------|-----------|
/// | `authorizationRequested`, `authorizationSucceeded`, `saleRequested`, `settlementRequested`, a settlement's submission failing or timing out | pending |
/// | `settlementRequestSubmitted` (the amount its `settlementRequested` asked for, else the rest), `saleSucceeded` (all of it) | paid |
/// | `refundRequestSubmitted`, or `reversalRequestSubmitted` after money was taken: the amount asked for, against what was taken | partially_refunded / refunded |
/// | a refund's submission failing or timing out | the status before it |
/// | `authorizationRefused`, `saleRefused`, `authorizationFailed`, `saleFailed`, `authorizationTimedOut`, `saleTimedOut` | failed |
/// | `cancellationRequestSubmitted`, or `reversalRequestSubmitted` before money was taken | voided |
/// | an event name not in the API's vocabulary | unknown (reported, never guessed) |
///
/// Chargebacks are not in Payment Queries at all (they reach a merchant by the Events webhook's
/// `chargeback` classification or the disputes reports), so this connector cannot see them.
public enum WorldpayMapping {
    public static let provider = "worldpay"
    public static let account = "merchant"

    /// Payment Queries' `lastEvent` vocabulary (v1 OpenAPI, `components.schemas.lastEvent`).
    public static let vocabulary: Set<String> = [
        "authorizationRequested", "authorizationSucceeded", "authorizationRefused", "authorizationFailed", "authorizationTimedOut",
        "saleRequested", "saleSucceeded", "saleRefused", "saleFailed", "saleTimedOut",
        "settlementRequested", "settlementRequestSubmitted", "settlementRequestSubmissionFailed", "settlementRequestSubmissionTimedOut",
        "refundRequested", "refundRequestSubmitted", "refundRequestSubmissionFailed", "refundRequestSubmissionTimedOut",
        "cancellationRequested", "cancellationRequestSubmitted", "cancellationRequestSubmissionFailed", "cancellationRequestSubmissionTimedOut",
        "reversalRequested", "reversalRequestSubmitted", "reversalRequestSubmissionFailed", "reversalRequestSubmissionTimedOut",
    ]

    public static func key(_ paymentID: String) -> ObjectKey {
        ObjectKey(provider: provider, account: account, kind: .payment, externalID: paymentID)
    }

    /// What the history adds up to, in minor units of the payment's currency.
    struct Ledger: Equatable {
        var taken: Int64 = 0
        var refunded: Int64 = 0
        var failed = false
        var cancelled = false
        var unknown: String?
    }

    /// Applies the events in time order (a request's amount is kept by its `commandId` until the
    /// request is submitted).
    static func ledger(of events: [WorldpayEvent], total: Int64) -> Ledger {
        var ledger = Ledger()
        var asked: [String: Int64] = [:]
        let ordered = events.enumerated().sorted { lhs, rhs in
            let left = lhs.element.timestamp.flatMap(Timestamp.init(iso:)), right = rhs.element.timestamp.flatMap(Timestamp.init(iso:))
            if let left, let right, left != right { return left < right }
            return lhs.offset < rhs.offset
        }.map(\.element)
        for event in ordered {
            let command = event.commandId ?? ""
            switch event.eventName {
            case "settlementRequested", "refundRequested", "reversalRequested":
                if let amount = event.value?.amount { asked[command] = amount }
            case "authorizationSucceeded", "authorizationRequested", "saleRequested", "cancellationRequested",
                 "settlementRequestSubmissionFailed", "settlementRequestSubmissionTimedOut",
                 "refundRequestSubmissionFailed", "refundRequestSubmissionTimedOut",
                 "cancellationRequestSubmissionFailed", "cancellationRequestSubmissionTimedOut",
                 "reversalRequestSubmissionFailed", "reversalRequestSubmissionTimedOut":
                break
            case "saleSucceeded":
                ledger.taken = total
            case "settlementRequestSubmitted":
                ledger.taken = min(total, ledger.taken + (asked[command] ?? (total - ledger.taken)))
            case "refundRequestSubmitted":
                ledger.refunded += asked[command] ?? (ledger.taken - ledger.refunded)
            case "reversalRequestSubmitted":
                if ledger.taken > 0 {
                    ledger.refunded += asked[command] ?? (ledger.taken - ledger.refunded)
                } else {
                    ledger.cancelled = true
                }
            case "cancellationRequestSubmitted":
                ledger.cancelled = true
            case "authorizationRefused", "saleRefused", "authorizationFailed", "saleFailed", "authorizationTimedOut", "saleTimedOut":
                ledger.failed = true
            default:
                ledger.unknown = ledger.unknown ?? event.eventName
            }
        }
        return ledger
    }

    static func status(of ledger: Ledger) -> PaymentStatus {
        if let unknown = ledger.unknown { return .unknown(unknown) }
        if ledger.failed { return .failed }
        if ledger.taken <= 0 { return ledger.cancelled ? .voided : .pending }
        if ledger.refunded >= ledger.taken { return .refunded }
        return ledger.refunded > 0 ? .partiallyRefunded : .paid
    }

    /// A history-less answer (none published yet): its `lastEvent` alone.
    static func status(lastEvent: String?) -> PaymentStatus {
        switch lastEvent {
        case nil, "authorizationRequested", "authorizationSucceeded", "saleRequested", "settlementRequested", "cancellationRequested",
             "settlementRequestSubmissionFailed", "settlementRequestSubmissionTimedOut", "cancellationRequestSubmissionFailed",
             "cancellationRequestSubmissionTimedOut":
            .pending
        case "settlementRequestSubmitted", "saleSucceeded", "refundRequested", "refundRequestSubmissionFailed", "refundRequestSubmissionTimedOut",
             "reversalRequestSubmissionFailed", "reversalRequestSubmissionTimedOut", "reversalRequested":
            .paid
        case "refundRequestSubmitted": .refunded
        case "authorizationRefused", "saleRefused", "authorizationFailed", "saleFailed", "authorizationTimedOut", "saleTimedOut": .failed
        case "cancellationRequestSubmitted", "reversalRequestSubmitted": .voided
        case let other?: .unknown(other)
        }
    }

    public static func payment(_ payment: WorldpayPayment) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "payment \(payment.paymentId).\(name)" }
        guard let currency = Currency(code: payment.value.currency) else {
            throw ObjectRejection(MoneyError(field: field("value.currency"), text: payment.value.currency, reason: .unknownCurrency))
        }
        guard payment.value.amount >= 0 else {
            throw ObjectRejection(field: field("value.amount"), text: String(payment.value.amount), reason: "a payment's amount is never negative")
        }
        let created = try WireValues.isoTimestamp(payment.timestamp, field("timestamp"))
        var latest = created
        let status: PaymentStatus
        var taken: Int64 = 0
        if let events = payment.events, !events.isEmpty {
            for (index, event) in events.enumerated() {
                if let time = try WireValues.isoTimestamp(event.timestamp, field("events[\(index)].timestamp")) { latest = max(latest ?? time, time) }
                if let value = event.value, value.currency != payment.value.currency {
                    throw ObjectRejection(field: field("events[\(index)].value.currency"), text: value.currency,
                                          reason: "an event in \(value.currency) on a payment in \(payment.value.currency)")
                }
            }
            let ledger = ledger(of: events, total: payment.value.amount)
            status = self.status(of: ledger)
            taken = ledger.taken
        } else {
            status = self.status(lastEvent: payment.lastEvent)
            taken = [.paid, .refunded].contains(status) ? payment.value.amount : 0
        }
        let providerStatus = payment.lastEvent ?? payment.events?.last?.eventName ?? "authorizationRequested"
        let reference = WireValues.nonEmpty(payment.transactionReference)
        return Observation(
            key: key(payment.paymentId), updatedAt: latest, status: status, providerStatus: providerStatus, currency: currency,
            total: Money(minorUnits: payment.value.amount, currency: currency), paid: Money(minorUnits: taken, currency: currency),
            documentDate: created?.utcDate, lastPaymentID: payment.paymentId,
            reference: reference ?? WireValues.nonEmpty(payment.narrative?.line2), fields: [:]
        )
    }
}
