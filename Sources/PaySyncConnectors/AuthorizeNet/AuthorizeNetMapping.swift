import PaySyncCore

/// Authorize.Net transactions → observations (pure). `docs/connectors/authorize-net.md` has the
/// table (`reference/payments-apis.md` §8.3).
///
/// | `transactionStatus` | object | canonical |
/// |---|---|---|
/// | settledSuccessfully | payment | paid |
/// | authorizedPendingCapture, capturedPendingSettlement, pendingSettlement, pendingFinalSettlement, authorizedPendingRelease, underReview, approvedReview, FDSPendingReview, FDSAuthorizedPendingReview | payment | pending |
/// | declined, generalError, settlementError, failedReview, communicationError, returnedItem | payment | failed |
/// | voided / expired | payment | voided / expired |
/// | refundSettledSuccessfully / refundPendingSettlement | refund (parent: `refTransId`) | refunded / pending |
/// | chargeback / chargebackReversal | dispute (parent: `refTransId`) | disputed / paid |
/// | couldNotVoid | payment | pending (it stays as it was before the void was asked for) |
public enum AuthorizeNetMapping {
    public static let provider = "authorize-net"

    static let pending: Set<String> = ["authorizedPendingCapture", "capturedPendingSettlement", "pendingSettlement", "pendingFinalSettlement",
                                       "authorizedPendingRelease", "underReview", "approvedReview", "FDSPendingReview", "FDSAuthorizedPendingReview", "couldNotVoid"]
    static let failed: Set<String> = ["declined", "generalError", "settlementError", "failedReview", "communicationError", "returnedItem"]

    /// The kind a status makes of a transaction.
    public static func kind(of status: String) -> ObjectKind {
        switch status {
        case "refundSettledSuccessfully", "refundPendingSettlement": .refund
        case "chargeback", "chargebackReversal": .dispute
        default: .payment
        }
    }

    public static func status(_ status: String) -> PaymentStatus {
        switch status {
        case "settledSuccessfully": .paid
        case _ where pending.contains(status): .pending
        case _ where failed.contains(status): .failed
        case "voided": .voided
        case "expired": .expired
        case "refundSettledSuccessfully": .refunded
        case "refundPendingSettlement": .pending
        case "chargeback": .disputed
        case "chargebackReversal": .paid
        default: .unknown(status)
        }
    }

    static func key(_ kind: ObjectKind, _ id: String, _ account: String) -> ObjectKey {
        ObjectKey(provider: provider, account: account, kind: kind, externalID: id)
    }

    /// One transaction of a list (a `transactionSummaryType`).
    /// - Parameters:
    ///   - settledAt: its batch's `settlementTimeUTC`, for a settled batch's transactions.
    ///   - parent: the `refTransId` of a refund or chargeback (read from its details).
    ///   - currency: the merchant's currency (a summary carries none).
    public static func transaction(_ wire: JSONValue, account: String, currency: Currency, settledAt: Timestamp?, parent: String?) throws(ObjectRejection) -> Observation {
        guard let id = wire["transId"]?.stringValue ?? wire["transId"]?.numberText, !id.isEmpty else {
            throw ObjectRejection(field: "transaction", text: "", reason: "a transaction without transId")
        }
        let field = { (name: String) in "transaction \(id).\(name)" }
        guard let providerStatus = wire["transactionStatus"]?.stringValue else { throw ObjectRejection(field: field("transactionStatus"), text: "", reason: "is missing") }
        guard let amountText = wire["settleAmount"]?.numberText ?? wire["settleAmount"]?.stringValue else {
            throw ObjectRejection(field: field("settleAmount"), text: "", reason: "is missing")
        }
        let amount: Money
        do { amount = try Money(parsing: amountText, currency: currency, field: field("settleAmount")) } catch { throw ObjectRejection(error) }
        let submitted = try WireValues.isoTimestamp(wire["submitTimeUTC"]?.stringValue, field("submitTimeUTC"))
        let kind = kind(of: providerStatus)
        let status = status(providerStatus)
        let name = [wire["firstName"]?.stringValue, wire["lastName"]?.stringValue].compactMap { WireValues.nonEmpty($0) }.joined(separator: " ")
        var fields: [Field: FieldValue] = [:]
        if let parent { fields[.parentKey] = .text(key(.payment, parent, account).description) }
        return Observation(
            key: key(kind, id, account), updatedAt: settledAt ?? submitted, status: status, providerStatus: providerStatus, currency: currency,
            total: amount, paid: status == .paid && kind == .payment ? amount : (status == .refunded ? amount : nil),
            invoiceNumber: WireValues.nonEmpty(wire["invoiceNumber"]?.stringValue), customerID: WireValues.nonEmpty(wire["profile"]?["customerProfileId"]?.stringValue),
            customerName: name.isEmpty ? nil : name, documentDate: submitted?.utcDate,
            lastPaymentDate: status == .paid ? (settledAt ?? submitted)?.utcDate : nil, lastPaymentID: kind == .payment ? id : parent,
            fields: fields
        )
    }
}
