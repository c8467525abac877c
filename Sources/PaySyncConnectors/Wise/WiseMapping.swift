import PaySyncCore

/// Wise statement lines → `bank_transaction` observations (pure). Money received from someone
/// (`CREDIT` with details type `DEPOSIT`) is in scope; card spending, conversions, moves between
/// one's own balances, fees and interest are not.
///
/// | `type` | `details.type` | outcome |
/// |--------|----------------|---------|
/// | CREDIT | DEPOSIT | `bank_transaction`, `paid`, booked |
/// | CREDIT | MONEY_ADDED, INCOMING_CROSS_BALANCE, CONVERSION, BALANCE_INTEREST, … | out of scope |
/// | DEBIT | any | out of scope |
public enum WiseMapping {
    public static func observation(of line: WiseStatement.Transaction, profile: String, path: String) throws(ObjectRejection) -> Observation? {
        guard line.type == "CREDIT", line.details?.type == "DEPOSIT" else { return nil }
        let field = { (name: String) in "\(path) (referenceNumber \(line.referenceNumber)).\(name)" }
        guard let currency = Currency(code: line.amount.currency) else {
            throw ObjectRejection(MoneyError(field: field("amount.currency"), text: line.amount.currency, reason: .unknownCurrency))
        }
        guard let amount = try WireValues.money(line.amount.value, currency, field("amount.value")), amount.minorUnits > 0 else {
            throw ObjectRejection(field: field("amount.value"), text: line.amount.value.text, reason: "a CREDIT must be a positive amount")
        }
        guard let booked = Timestamp(iso: line.date) else {
            throw ObjectRejection(field: field("date"), text: line.date, reason: "\"\(line.date)\" is not a time")
        }
        let details = line.details
        var observation = Observation(
            key: ObjectKey(provider: "wise", account: profile, kind: .bankTransaction, externalID: line.referenceNumber),
            updatedAt: booked, status: .paid, providerStatus: "CREDIT DEPOSIT", currency: currency, total: amount, paid: amount,
            customerName: WireValues.nonEmpty(details?.senderName), documentDate: booked.utcDate,
            reference: WireValues.nonEmpty(details?.paymentReference)
        )
        observation[text: .counterpartyName] = WireValues.nonEmpty(details?.senderName)
        observation[text: .counterpartyAccount] = WireValues.nonEmpty(details?.senderAccount).map { "…" + String($0.filter { $0 != " " }.suffix(4)) }
        observation[text: .remittanceText] = WireValues.nonEmpty(details?.description)
        observation[text: .bankReference] = line.referenceNumber
        observation[text: .bookingStatus] = "booked"
        observation[date: .valueDate] = booked.utcDate
        return observation
    }
}
