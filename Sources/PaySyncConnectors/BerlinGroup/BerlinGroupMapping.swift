import PaySyncCore

/// A booked entry of a Berlin Group transaction report (the fields paysync reads).
public struct BerlinGroupTransaction: Decodable, Sendable, Equatable {
    public var transactionId: String?
    public var entryReference: String?
    public var endToEndId: String?
    public var bookingDate: String?
    public var valueDate: String?
    public var transactionAmount: Amount
    public var debtorName: String?
    public var debtorAccount: Account?
    public var remittanceInformationUnstructured: String?
    public var remittanceInformationUnstructuredArray: [String]?
    public var remittanceInformationStructured: String?
    public var additionalInformation: String?

    public struct Amount: Decodable, Sendable, Equatable {
        public var currency: String
        public var amount: String
    }

    public struct Account: Decodable, Sendable, Equatable {
        public var iban: String?
    }
}

/// Berlin Group booked entries → `bank_transaction` observations (pure). Money in only: the amount
/// is signed (minus is a debit), and the direction is read from the sign alone.
public enum BerlinGroupMapping {
    public static func observation(of entry: BerlinGroupTransaction, account: String, path: String) throws(ObjectRejection) -> Observation? {
        let field = { (name: String) in "\(path) (transactionId \(entry.transactionId ?? entry.entryReference ?? "none")).\(name)" }
        guard let currency = Currency(code: entry.transactionAmount.currency) else {
            throw ObjectRejection(MoneyError(field: field("transactionAmount.currency"), text: entry.transactionAmount.currency, reason: .unknownCurrency))
        }
        let amount: Money
        do { amount = try Money(parsing: entry.transactionAmount.amount, currency: currency, field: field("transactionAmount.amount")) } catch { throw ObjectRejection(error) }
        guard amount.minorUnits > 0 else { return nil }
        guard let dayText = entry.bookingDate ?? entry.valueDate, let day = CalendarDate(iso: dayText) else {
            throw ObjectRejection(field: field("bookingDate"), text: entry.bookingDate ?? "", reason: "a booked entry needs its booking date")
        }
        let endToEnd = entry.endToEndId.flatMap { $0 == "NOTPROVIDED" || $0.isEmpty ? nil : $0 }
        let texts = [entry.remittanceInformationUnstructured].compactMap { $0 } + (entry.remittanceInformationUnstructuredArray ?? [])
            + [entry.additionalInformation].compactMap { $0 }
        let id = entry.transactionId ?? entry.entryReference ?? {
            let what = [account, dayText, entry.transactionAmount.amount, entry.transactionAmount.currency, entry.debtorName ?? "", texts.joined(separator: " "),
                        endToEnd ?? ""].joined(separator: "\u{1F}")
            return "digest-" + String(HMACSHA256.hex(SHA256.hash(Array(what.utf8))).prefix(24))
        }()
        var observation = Observation(
            key: ObjectKey(provider: "berlin-group", account: account, kind: .bankTransaction, externalID: id),
            updatedAt: day.startOfDayUTC, status: .paid, providerStatus: "booked", currency: currency, total: amount, paid: amount,
            customerName: entry.debtorName, documentDate: day, reference: entry.remittanceInformationStructured ?? endToEnd
        )
        observation[text: .counterpartyName] = entry.debtorName
        observation[text: .counterpartyAccount] = entry.debtorAccount?.iban.map { "…" + String($0.suffix(4)) }
        observation[text: .remittanceText] = texts.isEmpty ? nil : texts.joined(separator: " ")
        observation[text: .bankReference] = entry.transactionId ?? entry.entryReference
        observation[text: .bookingStatus] = "booked"
        observation[date: .valueDate] = entry.valueDate.flatMap { CalendarDate(iso: $0) } ?? day
        return observation
    }
}
