import Foundation
import PaySyncCore

/// A payment accounting report (CSV) → observations (pure). Columns are found by their header
/// names (Adyen lets a merchant add and reorder columns); a report without the columns paysync
/// reads is refused whole, naming them. `docs/connectors/adyen.md` has the table.
///
/// | Record Type | object | canonical |
/// |---|---|---|
/// | Received, Authorised, SentForSettle | payment | pending |
/// | Settled | payment | paid |
/// | Refused, Error | payment | failed |
/// | Cancelled / Expired | payment | voided / expired |
/// | SentForRefund / Refunded / RefundFailed | refund (parent: the payment) | pending / refunded / failed |
/// | Chargeback, SecondChargeback / ChargebackReversed | dispute (parent: the payment) | disputed / paid |
public enum AdyenReport {
    public static let provider = "adyen"
    static let required = ["Psp Reference", "Merchant Reference", "Booking Date", "Main Currency", "Main Amount", "Record Type"]

    public struct Failure: Error, Equatable {
        public var message: String
    }

    public static func paymentStatus(_ recordType: String) -> PaymentStatus? {
        switch recordType {
        case "Received", "Authorised", "SentForSettle": .pending
        case "Settled": .paid
        case "Refused", "Error": .failed
        case "Cancelled": .voided
        case "Expired": .expired
        default: nil
        }
    }

    static func key(_ kind: ObjectKind, _ id: String, _ account: String) -> ObjectKey {
        ObjectKey(provider: provider, account: account, kind: kind, externalID: id)
    }

    /// The report's observations: each payment at its last status in the file, each refund and
    /// chargeback as an object of its own moving its payment; rows paysync cannot read are
    /// rejected one by one.
    public static func observations(_ text: String, account: String, file: String) throws(Failure) -> (observations: [Observation], rejects: [RejectedObject]) {
        let records: [(line: Int, fields: [String])]
        do { records = try CSVRecords.parse(text) } catch { throw Failure(message: "\(file) line \(error.line): \(error.message)") }
        guard let header = records.first?.fields else { return ([], []) }
        var column: [String: Int] = [:]
        for (index, name) in header.enumerated() { column[name.trimmingCharacters(in: .whitespaces)] = index }
        let missing = required.filter { column[$0] == nil }
        guard missing.isEmpty else { throw Failure(message: "\(file): the report has no column \(missing.map { "\"\($0)\"" }.joined(separator: ", ")); add it in the report's column settings") }
        var observations: [String: Observation] = [:]
        var order: [String] = []
        var rejects: [RejectedObject] = []
        func put(_ observation: Observation) {
            let id = observation.key.description
            if observations[id] == nil { order.append(id) }
            observations[id] = observation
        }
        for (line, fields) in records.dropFirst() where !(fields.count == 1 && fields[0].isEmpty) {
            func value(_ name: String) -> String? { column[name].flatMap { $0 < fields.count ? fields[$0].trimmingCharacters(in: .whitespaces) : nil }.flatMap { $0.isEmpty ? nil : $0 } }
            let psp = value("Psp Reference") ?? ""
            let type = value("Record Type") ?? ""
            do throws(ObjectRejection) {
                guard !psp.isEmpty else { throw ObjectRejection(field: "\(file) line \(line)", text: "", reason: "Psp Reference is empty") }
                let field = "\(file) line \(line) (\(psp))"
                let code = value("Main Currency") ?? ""
                guard let currency = Currency(code: code) else { throw ObjectRejection(field: field + " Main Currency", text: code, reason: "\"\(code)\" is not a currency") }
                let amountText = value("Main Amount") ?? ""
                let amount: Money
                do { amount = try Money(parsing: amountText, currency: currency, field: field + " Main Amount") } catch { throw ObjectRejection(error) }
                let bookingText = value("Booking Date") ?? ""
                // "2025-05-01 10:12:33", in the report's time zone setting (UTC recommended).
                guard let booked = Timestamp(iso: bookingText.replacingOccurrences(of: " ", with: "T") + (bookingText.hasSuffix("Z") ? "" : "Z")) else {
                    throw ObjectRejection(field: field + " Booking Date", text: bookingText, reason: "is not a time")
                }
                let reference = value("Merchant Reference")
                let parent = key(.payment, psp, account).description
                if let status = paymentStatus(type) {
                    put(Observation(key: key(.payment, psp, account), updatedAt: booked, status: status, providerStatus: type, currency: currency, total: amount,
                                    paid: status == .paid ? amount : Money(minorUnits: 0, currency: currency), invoiceNumber: reference,
                                    documentDate: booked.utcDate, lastPaymentDate: status == .paid ? booked.utcDate : nil, lastPaymentID: psp, reference: reference))
                } else if ["SentForRefund", "Refunded", "RefundFailed"].contains(type) {
                    let status: PaymentStatus = type == "Refunded" ? .refunded : type == "RefundFailed" ? .failed : .pending
                    // A refund has no reference of its own in this report: one refund per payment
                    // and amount (two refunds of the same amount on one payment are one object).
                    put(Observation(key: key(.refund, "\(psp)-refund-\(amount.minorUnits)", account), updatedAt: booked, status: status, providerStatus: type,
                                    currency: currency, total: amount, paid: status == .refunded ? amount : nil, invoiceNumber: reference,
                                    documentDate: booked.utcDate, lastPaymentID: psp, fields: [.parentKey: .text(parent)]))
                } else if ["Chargeback", "SecondChargeback", "ChargebackReversed"].contains(type) {
                    put(Observation(key: key(.dispute, "\(psp)-chargeback", account), updatedAt: booked, status: type == "ChargebackReversed" ? .paid : .disputed,
                                    providerStatus: type, currency: currency, total: amount, invoiceNumber: reference, documentDate: booked.utcDate,
                                    lastPaymentID: psp, fields: [.parentKey: .text(parent)]))
                } else {
                    // Fees, payouts and other records of the ledger are not payment statuses.
                    continue
                }
            } catch {
                rejects.append(RejectedObject(entity: AdyenSettings.entity, externalID: psp.isEmpty ? nil : psp, error: error.description))
            }
        }
        return (order.map { observations[$0]! }, rejects)
    }
}
