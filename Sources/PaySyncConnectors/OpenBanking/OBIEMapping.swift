import PaySyncCore

/// `OBTransaction6` (the fields paysync reads).
public struct OBIETransaction: Decodable, Sendable, Equatable {
    public var AccountId: String
    public var TransactionId: String?
    public var TransactionReference: String?
    public var CreditDebitIndicator: String
    public var Status: String
    public var BookingDateTime: String
    public var ValueDateTime: String?
    public var TransactionInformation: String?
    public var Amount: Money
    public var DebtorAccount: Party?

    public struct Money: Decodable, Sendable, Equatable {
        public var Amount: String
        public var Currency: String
    }

    public struct Party: Decodable, Sendable, Equatable {
        public var Name: String?
        public var Identification: String?
    }
}

/// OBIE transactions → `bank_transaction` observations (pure).
///
/// | `CreditDebitIndicator` | `Status` | outcome |
/// |------------------------|----------|---------|
/// | Credit | Booked | `bank_transaction`, `paid`, booked |
/// | Credit | Pending | left out: the booked entry comes later, often under another id, and only booked money pays an invoice |
/// | Credit | Rejected (v3.1.8) | left out |
/// | Debit | any | left out |
///
/// The key is `TransactionId` (unique and immutable, though optional); without one, a digest of
/// the account, booking time, amount, reference, narrative and payer.
public enum OBIEMapping {
    public static func observation(of line: OBIETransaction, path: String) throws(ObjectRejection) -> Observation? {
        guard line.CreditDebitIndicator == "Credit", line.Status == "Booked" else { return nil }
        let field = { (name: String) in "\(path) (TransactionId \(line.TransactionId ?? "none")).\(name)" }
        guard let currency = Currency(code: line.Amount.Currency) else {
            throw ObjectRejection(MoneyError(field: field("Amount.Currency"), text: line.Amount.Currency, reason: .unknownCurrency))
        }
        let amount: PaySyncCore.Money
        do { amount = try PaySyncCore.Money(parsing: line.Amount.Amount, currency: currency, field: field("Amount.Amount")) } catch { throw ObjectRejection(error) }
        guard amount.minorUnits > 0 else { throw ObjectRejection(field: field("Amount.Amount"), text: line.Amount.Amount, reason: "a credit must be a positive amount") }
        guard let booked = Timestamp(iso: line.BookingDateTime) else {
            throw ObjectRejection(field: field("BookingDateTime"), text: line.BookingDateTime, reason: "\"\(line.BookingDateTime)\" is not a date-time with a zone")
        }
        let id = line.TransactionId.flatMap { $0.isEmpty ? nil : $0 } ?? {
            let what = [line.AccountId, line.BookingDateTime, line.Amount.Amount, line.Amount.Currency, line.TransactionReference ?? "",
                        line.TransactionInformation ?? "", line.DebtorAccount?.Name ?? ""].joined(separator: "\u{1F}")
            return "digest-" + String(HMACSHA256.hex(SHA256.hash(Array(what.utf8))).prefix(24))
        }()
        var observation = Observation(
            key: ObjectKey(provider: "obie", account: line.AccountId, kind: .bankTransaction, externalID: id),
            updatedAt: booked, status: .paid, providerStatus: "Credit Booked", currency: currency, total: amount, paid: amount,
            customerName: line.DebtorAccount?.Name, documentDate: booked.utcDate, reference: line.TransactionReference
        )
        observation[text: .counterpartyName] = line.DebtorAccount?.Name
        observation[text: .counterpartyAccount] = line.DebtorAccount?.Identification.map { "…" + String($0.suffix(4)) }
        observation[text: .remittanceText] = line.TransactionInformation
        observation[text: .bankReference] = line.TransactionId
        observation[text: .bookingStatus] = "booked"
        observation[date: .valueDate] = line.ValueDateTime.flatMap(Timestamp.init(iso:))?.utcDate ?? booked.utcDate
        return observation
    }
}
