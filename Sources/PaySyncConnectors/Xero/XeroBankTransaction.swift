import Foundation

/// A Xero bank transaction as `GET /BankTransactions` returns it: money received or spent
/// through a bank account without an invoice (`RECEIVE`), or the bank side of an overpayment or
/// prepayment (`RECEIVE-OVERPAYMENT`, `RECEIVE-PREPAYMENT`).
public struct XeroBankTransaction: Decodable, Sendable, Equatable {
    public var bankTransactionID: String
    public var type: String
    public var status: String
    public var contact: XeroContact?
    public var date: String?
    public var reference: String?
    public var currencyCode: String?
    public var total: WireAmount?
    public var isReconciled: Bool?
    public var bankAccount: Account?
    public var prepaymentID: String?
    public var overpaymentID: String?
    public var updatedDateUTC: String

    public init(bankTransactionID: String, type: String, status: String, contact: XeroContact? = nil, date: String? = nil, reference: String? = nil,
                currencyCode: String? = nil, total: WireAmount? = nil, isReconciled: Bool? = nil, bankAccount: Account? = nil,
                prepaymentID: String? = nil, overpaymentID: String? = nil, updatedDateUTC: String) {
        self.bankTransactionID = bankTransactionID
        self.type = type
        self.status = status
        self.contact = contact
        self.date = date
        self.reference = reference
        self.currencyCode = currencyCode
        self.total = total
        self.isReconciled = isReconciled
        self.bankAccount = bankAccount
        self.prepaymentID = prepaymentID
        self.overpaymentID = overpaymentID
        self.updatedDateUTC = updatedDateUTC
    }

    /// The organisation's bank account the money moved through.
    public struct Account: Decodable, Sendable, Equatable {
        public var accountID: String?
        public var code: String?
        public var name: String?

        enum CodingKeys: String, CodingKey {
            case accountID = "AccountID"
            case code = "Code"
            case name = "Name"
        }
    }

    enum CodingKeys: String, CodingKey {
        case bankTransactionID = "BankTransactionID"
        case type = "Type"
        case status = "Status"
        case contact = "Contact"
        case date = "Date"
        case reference = "Reference"
        case currencyCode = "CurrencyCode"
        case total = "Total"
        case isReconciled = "IsReconciled"
        case bankAccount = "BankAccount"
        case prepaymentID = "PrepaymentID"
        case overpaymentID = "OverpaymentID"
        case updatedDateUTC = "UpdatedDateUTC"
    }
}
