/// What kind of provider object an observation describes.
public enum ObjectKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case invoice
    case payment
    /// Money paid back to a customer (a cash refund of a credit note or an overpayment).
    case refund
    case creditNote = "credit_note"
    case bankTransaction = "bank_transaction"
    /// A recurring charge agreement (at a card or direct-debit processor): its status says
    /// whether the customer is still paying (`docs/statuses.md`, "Subscriptions").
    case subscription
    /// A Direct Debit mandate: the customer's standing authority to be charged. Its status (the
    /// subscription statuses: `pending`, `active`, `failed`, `canceled`, `expired`) says whether
    /// future payments can be collected.
    case mandate
    /// A card-network chargeback against a payment; its parent is the payment it disputes.
    case dispute
    /// A hosted payment page offered to a customer (a processor's checkout session): open, paid or expired.
    case paymentLink = "payment_link"

    public var description: String { rawValue }
}
