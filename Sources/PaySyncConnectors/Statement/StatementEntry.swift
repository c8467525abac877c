import PaySyncCore

/// One booked line of a bank statement, as a file states it, before it becomes an observation.
public struct StatementEntry: Sendable, Equatable {
    /// The bank's own reference for the entry (camt `AcctSvcrRef`, `NtryRef`; a CSV id column), if any.
    public var bankReference: String?
    /// The amount as written, always positive; `isCredit` says which way it went.
    public var amount: Money
    public var isCredit: Bool
    public var isBooked: Bool
    public var bookingDate: CalendarDate
    public var valueDate: CalendarDate?
    /// Unstructured remittance lines, then other free text the bank added.
    public var remittance: [String]
    /// A structured creditor reference (ISO 11649 RF…, or a national one), or an end-to-end id.
    public var reference: String?
    public var counterpartyName: String?
    public var counterpartyAccount: String?
    /// Where in the file it was (`Ntry 3 (line 120)`, `line 14`), for errors.
    public var location: String

    public init(bankReference: String?, amount: Money, isCredit: Bool, isBooked: Bool, bookingDate: CalendarDate, valueDate: CalendarDate?,
                remittance: [String], reference: String?, counterpartyName: String?, counterpartyAccount: String?, location: String) {
        self.bankReference = bankReference
        self.amount = amount
        self.isCredit = isCredit
        self.isBooked = isBooked
        self.bookingDate = bookingDate
        self.valueDate = valueDate
        self.remittance = remittance
        self.reference = reference
        self.counterpartyName = counterpartyName
        self.counterpartyAccount = counterpartyAccount
        self.location = location
    }
}

/// A statement file that cannot be read: refused whole, naming where.
public struct StatementError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var location: String
    public var message: String

    public init(file: String, location: String, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String { "\(file): \(location): \(message)" }
}
