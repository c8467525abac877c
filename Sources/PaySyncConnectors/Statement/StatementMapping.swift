import PaySyncCore

/// Statement entries → `bank_transaction` observations (pure). Money in only: a debit is out of
/// scope (counted, not stored), as is a pending entry (the booked statement brings it).
///
/// The key is the bank's reference for the entry when the file gives one; otherwise a digest of
/// what the line says (account, booking date, amount, currency, counterparty, remittance) with an
/// occurrence number, since two identical payments on one day happen. Importing a file again
/// gives the same keys, so nothing changes.
public enum StatementMapping {
    public static func observations(_ entries: [StatementEntry], account: String) -> (observations: [Observation], outOfScope: Int) {
        var seen: [String: Int] = [:]
        var observations: [Observation] = []
        var outOfScope = 0
        for entry in entries {
            guard entry.isCredit, entry.isBooked else { outOfScope += 1; continue }
            let id: String
            if let reference = entry.bankReference, !reference.isEmpty, reference != "NOTPROVIDED" {
                id = reference
            } else {
                let what = [account, entry.bookingDate.description, entry.amount.decimalText, entry.amount.currency.code,
                            entry.counterpartyName ?? "", entry.remittance.joined(separator: " "), entry.reference ?? ""].joined(separator: "\u{1F}")
                let digest = String(HMACSHA256.hex(SHA256.hash(Array(what.utf8))).prefix(20))
                seen[digest, default: 0] += 1
                id = "line-\(digest)-\(seen[digest]!)"
            }
            var observation = Observation(
                key: ObjectKey(provider: "statement", account: account, kind: .bankTransaction, externalID: id),
                status: .paid, providerStatus: "BOOK CRDT", currency: entry.amount.currency, total: entry.amount, paid: entry.amount,
                customerName: entry.counterpartyName, documentDate: entry.bookingDate, reference: entry.reference
            )
            observation[text: .counterpartyName] = entry.counterpartyName
            observation[text: .counterpartyAccount] = entry.counterpartyAccount.map { "…" + String($0.suffix(4)) }
            observation[text: .remittanceText] = entry.remittance.isEmpty ? nil : entry.remittance.joined(separator: " ")
            observation[text: .bankReference] = entry.bankReference
            observation[text: .bookingStatus] = "booked"
            observation[date: .valueDate] = entry.valueDate ?? entry.bookingDate
            observations.append(observation)
        }
        return (observations, outOfScope)
    }
}
