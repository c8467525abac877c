/// What kind of provider object an observation describes.
public enum ObjectKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case invoice
    case payment
    /// Money paid back to a customer (a cash refund of a credit note or an overpayment).
    case refund
    case creditNote = "credit_note"
    case bankTransaction = "bank_transaction"

    public var description: String { rawValue }
}
