/// How money refunded against an invoice changes the invoice's status. Pure: the engine gathers
/// the documents (from the page and the ledger) and asks this what the invoice now is.
///
/// Money counts as refunded against an invoice when the provider's own data links it there:
/// - a refund whose `parent_key` is the invoice;
/// - a refund whose `parent_key` is a credit note whose `parent_key` is the invoice (a credit
///   note allocated to one invoice and paid out in cash);
/// - a credit note whose `parent_key` is the invoice and which carries `amount_paid`: the part of
///   it the connector knows was given back against that invoice, for a provider whose credit
///   notes name the invoice they were issued for and have no refund object of their own.
///
/// Only refunds in the invoice's currency with status `refunded` count; a voided (deleted)
/// refund stops counting, and the invoice goes back to what its payments say.
///
/// A payment is moved the same way by the refunds and disputes (chargebacks) whose `parent_key`
/// is the payment: while a dispute is open (`disputed`) the payment is `disputed`; a dispute lost
/// (`refunded`: the network took the money back) counts as money refunded; a dispute won (`paid`)
/// counts for nothing, and the payment is back to what its refunds say.
///
/// | invoice, as its payments say | refunded (R) against received (P = `amount_paid`) | status             |
/// |------------------------------|---------------------------------------------------|--------------------|
/// | paid or partially_paid       | R = 0                                             | unchanged          |
/// | paid or partially_paid       | 0 < R < P                                         | partially_refunded |
/// | paid or partially_paid       | R ≥ P                                             | refunded           |
/// | paid (a payment)             | a dispute open                                    | disputed           |
/// | anything else (sent, voided…)| any                                               | unchanged          |
public enum RefundLinking {
    /// The statuses a refund can move: those of an invoice or payment money was received for.
    public static let refundable: Set<PaymentStatus> = [.paid, .partiallyPaid, .refunded, .partiallyRefunded, .disputed]

    /// The kinds refunds and disputes are counted against.
    public static let parents: Set<ObjectKind> = [.invoice, .payment]

    /// The kinds that count against a parent.
    public static let documents: Set<ObjectKind> = [.refund, .creditNote, .dispute]

    /// True when a dispute against `parent` among `documents` is still open.
    public static func disputeOpen(against parent: ObjectKey, documents: [Observation]) -> Bool {
        var latest: [ObjectKey: Observation] = [:]
        for document in documents where document.key.kind == .dispute { latest[document.key] = document }
        let parentKey = parent.description
        return latest.values.contains { $0[text: .parentKey] == parentKey && $0.status == .disputed }
    }

    /// The status the invoice's payments alone give (undoing an earlier refund's effect): paid
    /// when nothing is due, partially paid otherwise.
    static func paymentStatus(of invoice: Observation) -> PaymentStatus {
        (invoice.due?.minorUnits ?? 0) > 0 ? .partiallyPaid : .paid
    }

    /// The money refunded against `invoice` among `documents` (refunds and credit notes, each
    /// as last known; later entries for the same key replace earlier ones).
    public static func refunded(against invoice: ObjectKey, currency: Currency?, documents: [Observation]) -> Int64 {
        var latest: [ObjectKey: Observation] = [:]
        for document in documents { latest[document.key] = document }
        let invoiceKey = invoice.description
        let creditNotes = Set(latest.values.filter { $0.key.kind == .creditNote && $0[text: .parentKey] == invoiceKey && $0.status != .voided }
            .map(\.key.description))
        var total: Int64 = 0
        func add(_ amount: Money?) {
            guard let amount, amount.currency == currency else { return }
            let sum = total.addingReportingOverflow(amount.minorUnits)
            total = sum.overflow ? Int64.max : sum.partialValue
        }
        for refund in latest.values where refund.key.kind == .refund && refund.status == .refunded {
            guard let parent = refund[text: .parentKey], parent == invoiceKey || creditNotes.contains(parent) else { continue }
            add(refund.total)
        }
        for note in latest.values where note.key.kind == .creditNote && note.status != .voided && note[text: .parentKey] == invoiceKey {
            add(note.paid)
        }
        for dispute in latest.values where dispute.key.kind == .dispute && dispute.status == .refunded && dispute[text: .parentKey] == invoiceKey {
            add(dispute.total)
        }
        return total
    }

    /// `parent` (an invoice or payment) with the refunds and disputes among `documents` counted.
    /// A payment nothing is linked to keeps the status its provider gave it: a processor that
    /// reports a refund on the payment itself (`refunded`) is not second-guessed.
    public static func count(_ parent: Observation, documents: [Observation]) -> Observation {
        if parent.key.kind == .payment {
            let key = parent.key.description
            guard documents.contains(where: { $0[text: .parentKey] == key }) else { return parent }
        }
        return apply(refunded: refunded(against: parent.key, currency: parent.currency, documents: documents),
                     disputed: disputeOpen(against: parent.key, documents: documents), to: parent)
    }

    /// `invoice` with `refunded` (minor units of its currency) counted.
    public static func apply(refunded: Int64, disputed: Bool = false, to invoice: Observation) -> Observation {
        guard parents.contains(invoice.key.kind), refundable.contains(invoice.status) else { return invoice }
        var linked = invoice
        let received = invoice.paid?.minorUnits ?? 0
        if disputed {
            linked.status = .disputed
        } else if refunded <= 0 || received <= 0 {
            linked.status = paymentStatus(of: invoice)
        } else {
            linked.status = refunded >= received ? .refunded : .partiallyRefunded
        }
        return linked
    }
}
