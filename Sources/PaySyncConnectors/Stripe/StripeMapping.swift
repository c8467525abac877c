import PaySyncCore

/// Stripe objects → observations (pure). `docs/connectors/stripe.md` has these tables.
///
/// | object | Stripe status | canonical |
/// |--------|---------------|-----------|
/// | PaymentIntent (`payment`) | succeeded | paid |
/// | | processing, requires_confirmation, requires_action, requires_capture | pending |
/// | | requires_payment_method, no attempt yet | pending |
/// | | requires_payment_method after a failed attempt (`last_payment_error`) | failed |
/// | | canceled | voided |
/// | Charge without a PaymentIntent (`payment`) | succeeded (captured) / succeeded (not captured) / pending / failed | paid / pending / pending / failed |
/// | Refund (`refund`, parent: its payment) | succeeded / pending, requires_action / failed / canceled | refunded / pending / failed / voided |
/// | Dispute (`dispute`, parent: its payment) | warning_needs_response, warning_under_review, needs_response, under_review | disputed |
/// | | won, warning_closed, prevented | paid |
/// | | lost | refunded |
/// | Invoice (`invoice`) | draft / open / open with `amount_paid > 0` / paid / void / uncollectible / deleted draft | draft / sent / partially_paid / paid / voided / failed / voided |
/// | Subscription (`subscription`) | trialing, active, past_due, paused, canceled / unpaid / incomplete / incomplete_expired | the same / past_due / pending / expired |
/// | Checkout Session (`payment_link`) | open / complete, paid or no_payment_required / complete, unpaid / expired | pending / paid / pending / expired |
///
/// A refund or dispute moves its payment (`RefundLinking`): open dispute → disputed, won → back,
/// lost or refunded in full → refunded, in part → partially_refunded. An open invoice past its due
/// date becomes overdue by the calendar (`StatusAgeing`). Charges made by a PaymentIntent are its
/// payment, not another one: they are out of scope. A status not in these tables is `unknown:RAW`.
public enum StripeMapping {
    public static let provider = "stripe"

    /// The observation of `object` in `account`, as of `at` (the event's time, or when a list was
    /// read); nil for objects outside paysync's scope.
    public static func observation(of object: StripeObject, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation? {
        switch object {
        case .paymentIntent(let wire): try paymentIntent(wire, account: account, at: time)
        case .charge(let wire): try charge(wire, account: account, at: time)
        case .refund(let wire): try refund(wire, account: account, at: time)
        case .dispute(let wire): try dispute(wire, account: account, at: time)
        case .invoice(let wire): try invoice(wire, account: account, at: time)
        case .subscription(let wire): try subscription(wire, account: account, at: time)
        case .checkoutSession(let wire): try checkoutSession(wire, account: account, at: time)
        case .other: nil
        }
    }

    static func key(_ kind: ObjectKind, _ id: String, _ account: String) -> ObjectKey {
        ObjectKey(provider: provider, account: account, kind: kind, externalID: id)
    }

    /// The payment a charge, refund or dispute belongs to: its PaymentIntent, else the charge itself.
    static func paymentKey(intent: StripeID?, charge: StripeID?, account: String) -> String? {
        (intent ?? charge).map { key(.payment, $0.id, account).description }
    }

    static func day(_ seconds: Int64?) -> CalendarDate? {
        seconds.map { Timestamp(millisecondsSinceEpoch: $0 * 1000).utcDate }
    }

    static func paymentIntent(_ intent: StripePaymentIntent, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "payment_intent \(intent.id).\(name)" }
        let currency = try StripeAmount.currency(intent.currency, field: field("currency"))
        var providerStatus = intent.status
        let status: PaymentStatus
        switch intent.status {
        case "succeeded": status = .paid
        case "canceled": status = .voided
        case "requires_payment_method" where intent.lastPaymentError != nil:
            status = .failed
            if let reason = intent.lastPaymentError?.declineCode ?? intent.lastPaymentError?.code { providerStatus += " (\(reason))" }
        case "requires_payment_method", "requires_confirmation", "requires_action", "processing", "requires_capture": status = .pending
        default: status = .unknown(intent.status)
        }
        return Observation(
            key: key(.payment, intent.id, account), updatedAt: time, status: status, providerStatus: providerStatus, currency: currency,
            total: try StripeAmount.money(intent.amount, currency, field: field("amount")),
            paid: try StripeAmount.money(intent.amountReceived ?? 0, currency, field: field("amount_received")),
            customerID: intent.customer?.id, customerEmail: WireValues.nonEmpty(intent.receiptEmail), documentDate: day(intent.created),
            lastPaymentID: intent.latestCharge?.id, reference: WireValues.nonEmpty(intent.description),
            fields: metadata(intent.metadata)
        )
    }

    static func charge(_ charge: StripeCharge, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation? {
        // A PaymentIntent's charge is that payment's attempt: the intent is the payment.
        guard charge.paymentIntent == nil else { return nil }
        let field = { (name: String) in "charge \(charge.id).\(name)" }
        let currency = try StripeAmount.currency(charge.currency, field: field("currency"))
        let status: PaymentStatus
        switch charge.status {
        case "succeeded": status = charge.captured == false ? .pending : .paid
        case "pending": status = .pending
        case "failed": status = .failed
        default: status = .unknown(charge.status)
        }
        var providerStatus = charge.status
        if let code = charge.failureCode { providerStatus += " (\(code))" }
        return Observation(
            key: key(.payment, charge.id, account), updatedAt: time, status: status, providerStatus: providerStatus, currency: currency,
            total: try StripeAmount.money(charge.amount, currency, field: field("amount")),
            paid: try StripeAmount.money(status == .paid ? (charge.amountCaptured ?? charge.amount) : 0, currency, field: field("amount_captured")),
            customerID: charge.customer?.id, customerEmail: WireValues.nonEmpty(charge.billingDetails?.email) ?? WireValues.nonEmpty(charge.receiptEmail),
            customerName: WireValues.nonEmpty(charge.billingDetails?.name), documentDate: day(charge.created), lastPaymentID: charge.id,
            reference: WireValues.nonEmpty(charge.description), fields: metadata(charge.metadata)
        )
    }

    static func refund(_ refund: StripeRefund, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "refund \(refund.id).\(name)" }
        let currency = try StripeAmount.currency(refund.currency, field: field("currency"))
        let raw = refund.status ?? "succeeded"
        let status: PaymentStatus = switch raw {
        case "succeeded": .refunded
        case "pending", "requires_action": .pending
        case "failed": .failed
        case "canceled": .voided
        default: .unknown(raw)
        }
        let amount = try StripeAmount.money(refund.amount, currency, field: field("amount"))
        var fields = metadata(refund.metadata)
        fields[.parentKey] = paymentKey(intent: refund.paymentIntent, charge: refund.charge, account: account).map(FieldValue.text)
        return Observation(key: key(.refund, refund.id, account), updatedAt: time, status: status, providerStatus: raw, currency: currency,
                           total: amount, paid: status == .refunded ? amount : nil, documentDate: day(refund.created),
                           lastPaymentID: (refund.paymentIntent ?? refund.charge)?.id, reference: refund.reason, fields: fields)
    }

    static func dispute(_ dispute: StripeDispute, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "dispute \(dispute.id).\(name)" }
        let currency = try StripeAmount.currency(dispute.currency, field: field("currency"))
        let status: PaymentStatus = switch dispute.status {
        case "warning_needs_response", "warning_under_review", "needs_response", "under_review": .disputed
        case "won", "warning_closed", "prevented": .paid
        case "lost": .refunded
        default: .unknown(dispute.status)
        }
        var fields = metadata(dispute.metadata)
        fields[.parentKey] = paymentKey(intent: dispute.paymentIntent, charge: dispute.charge, account: account).map(FieldValue.text)
        return Observation(key: key(.dispute, dispute.id, account), updatedAt: time, status: status, providerStatus: dispute.status, currency: currency,
                           total: try StripeAmount.money(dispute.amount, currency, field: field("amount")), documentDate: day(dispute.created),
                           lastPaymentID: (dispute.paymentIntent ?? dispute.charge)?.id, reference: dispute.reason, fields: fields)
    }

    static func invoice(_ invoice: StripeInvoice, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation {
        let field = { (name: String) in "invoice \(invoice.id).\(name)" }
        let currency = try StripeAmount.currency(invoice.currency, field: field("currency"))
        let raw = invoice.deleted == true ? "deleted" : (invoice.status ?? "")
        let paid = invoice.amountPaid ?? 0
        let status: PaymentStatus = switch raw {
        case "draft": .draft
        case "open": paid > 0 ? .partiallyPaid : .sent
        case "paid": .paid
        case "void", "deleted": .voided
        case "uncollectible": .failed
        default: .unknown(raw)
        }
        var fields = metadata(invoice.metadata)
        fields[.subscriptionID] = (invoice.parent?.subscriptionDetails?.subscription ?? invoice.subscription).map { FieldValue.text($0.id) }
        return Observation(
            key: key(.invoice, invoice.id, account), updatedAt: time, status: status, providerStatus: raw, currency: currency,
            total: try StripeAmount.money(invoice.total ?? invoice.amountDue, currency, field: field("total")),
            paid: try StripeAmount.money(paid, currency, field: field("amount_paid")),
            due: try StripeAmount.money(invoice.amountRemaining, currency, field: field("amount_remaining")),
            invoiceNumber: WireValues.nonEmpty(invoice.number), customerID: invoice.customer?.id,
            customerEmail: WireValues.nonEmpty(invoice.customerEmail), customerName: WireValues.nonEmpty(invoice.customerName),
            documentDate: day(invoice.created), dueDate: day(invoice.dueDate), lastPaymentDate: day(invoice.statusTransitions?.paidAt),
            fields: fields
        )
    }

    static func subscription(_ subscription: StripeSubscription, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation {
        let status: PaymentStatus = switch subscription.status {
        case "trialing": .trialing
        case "active": .active
        case "past_due", "unpaid": .pastDue
        case "paused": .paused
        case "canceled": .canceled
        case "incomplete": .pending
        case "incomplete_expired": .expired
        default: .unknown(subscription.status)
        }
        let currency = try subscription.currency.map { code throws(ObjectRejection) in try StripeAmount.currency(code, field: "subscription \(subscription.id).currency") }
        var fields = metadata(subscription.metadata)
        fields[.subscriptionID] = .text(subscription.id)
        return Observation(key: key(.subscription, subscription.id, account), updatedAt: time, status: status, providerStatus: subscription.status,
                           currency: currency, customerID: subscription.customer?.id, documentDate: day(subscription.created),
                           lastPaymentID: subscription.latestInvoice?.id, fields: fields)
    }

    static func checkoutSession(_ session: StripeCheckoutSession, account: String, at time: Timestamp) throws(ObjectRejection) -> Observation {
        let raw = [session.status, session.paymentStatus].compactMap { $0 }.joined(separator: "/")
        let status: PaymentStatus = switch (session.status, session.paymentStatus) {
        case ("open", _): .pending
        case ("complete", "paid"), ("complete", "no_payment_required"): .paid
        case ("complete", "unpaid"): .pending
        case ("expired", _): .expired
        default: .unknown(raw)
        }
        let field = { (name: String) in "checkout.session \(session.id).\(name)" }
        let currency = try session.currency.map { code throws(ObjectRejection) in try StripeAmount.currency(code, field: field("currency")) }
        let total = try currency.flatMap { currency throws(ObjectRejection) in try StripeAmount.money(session.amountTotal, currency, field: field("amount_total")) }
        return Observation(
            key: key(.paymentLink, session.id, account), updatedAt: time, status: status, providerStatus: raw, currency: currency,
            total: total, paid: status == .paid ? total : nil, customerID: session.customer?.id,
            customerEmail: WireValues.nonEmpty(session.customerDetails?.email) ?? WireValues.nonEmpty(session.customerEmail),
            customerName: WireValues.nonEmpty(session.customerDetails?.name), documentDate: day(session.created), dueDate: day(session.expiresAt),
            lastPaymentID: session.paymentIntent?.id, reference: WireValues.nonEmpty(session.clientReferenceID), fields: metadata(session.metadata)
        )
    }

    static func metadata(_ pairs: [String: String]?) -> [Field: FieldValue] {
        guard let text = MetadataText.encode(pairs ?? [:]) else { return [:] }
        return [.metadata: .text(text)]
    }
}
