/// An invoice with the bank credits matched to it counted (pure). The money received is the larger
/// of what its accounting system says and what matched credits brought, never the sum: an invoice
/// paid by a transfer that the bookkeeper also records in the accounting system is paid once.
///
/// | invoice | matched (M) against received (P) | result |
/// |---------|----------------------------------|--------|
/// | sent, overdue, partially_paid | M ≤ P | unchanged |
/// | sent, overdue, partially_paid | P < M < total | partially_paid, amount_paid M, amount_due total − M |
/// | sent, overdue, partially_paid | M ≥ total | paid, amount_paid total, amount_due 0 |
/// | anything else (paid, voided, draft…) | any | unchanged |
public enum BankPayments {
    static let open: Set<PaymentStatus> = [.sent, .overdue, .partiallyPaid, .viewed, .pending]

    public static func apply(matched: Money?, to invoice: Observation) -> Observation {
        guard invoice.key.kind == .invoice, open.contains(invoice.status), let matched, matched.minorUnits > 0,
              let currency = invoice.currency, matched.currency == currency else { return invoice }
        let received = invoice.paid?.minorUnits ?? 0
        guard matched.minorUnits > received else { return invoice }
        let total = invoice.total?.minorUnits ?? (received + (invoice.due?.minorUnits ?? 0))
        var counted = invoice
        let paid = min(matched.minorUnits, total)
        counted.paid = Money(minorUnits: paid, currency: currency)
        counted.due = Money(minorUnits: max(0, total - paid), currency: currency)
        counted.status = paid >= total ? .paid : .partiallyPaid
        return counted
    }
}
