/// Why one provider object cannot be recorded: the field (with where it sits in the response)
/// and what is wrong with its value. The object goes to the ledger's `rejects` with this line;
/// the rest of its page is recorded, and the run exits 65.
public struct ObjectRejection: PaySyncError, Equatable {
    /// `Invoices[3] (InvoiceID …).DueDate`.
    public var field: String
    /// The value as the provider sent it.
    public var text: String
    public var reason: String

    public init(field: String, text: String, reason: String) {
        self.field = field
        self.text = text
        self.reason = reason
    }

    /// An amount that does not fit its currency.
    public init(_ money: MoneyError) {
        self.init(field: money.field, text: money.text, reason: money.description)
        self.reason = money.description
    }

    public var exitCode: ExitCode { .dataError }

    public var description: String {
        reason.hasPrefix(field) ? reason : "\(field): \(reason)"
    }
}
