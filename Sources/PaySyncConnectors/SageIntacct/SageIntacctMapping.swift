import Foundation
import PaySyncCore

/// Sage Intacct records → observations (pure). Intacct's invoice `STATE` is not a payment status
/// to trust alone: the status comes from the amounts, in the transaction currency (`TRX_` fields,
/// `CURRENCY`; the base-currency ones when those are absent). `docs/connectors/sage-intacct.md`
/// has this table; one parameterised test holds each row.
///
/// | ARINVOICE | canonical |
/// |-----------|-----------|
/// | `STATE` `Draft` | draft |
/// | `STATE` `Reversed` or `Reversal` | voided |
/// | `TOTALDUE` 0 and `TOTALPAID` > 0 | paid |
/// | 0 < `TOTALPAID` < `TOTALENTERED` | partially_paid |
/// | `TOTALPAID` 0 | sent (overdue once `WHENDUE` has passed, as for every invoicing source) |
/// | deleted (`AUDITHISTORY`, `ACCESSMODE` `D`) | voided |
///
/// A receipt (`ARPYMT`) is `paid`; `Reversed`/`Voided`, or deleted, is `voided`; `Draft` is `draft`.
public enum SageIntacctMapping {
    public static let provider = "sage-intacct"
    public static let invoiceFields = ["RECORDNO", "RECORDID", "DOCNUMBER", "STATE", "CUSTOMERID", "CUSTOMERNAME", "WHENCREATED", "WHENDUE", "WHENPAID",
                                       "WHENMODIFIED", "TOTALENTERED", "TOTALPAID", "TOTALDUE", "TRX_TOTALENTERED", "TRX_TOTALPAID", "TRX_TOTALDUE",
                                       "CURRENCY", "BASECURR"]
    public static let paymentFields = ["RECORDNO", "DOCNUMBER", "STATE", "CUSTOMERID", "CUSTOMERNAME", "PAYMENTDATE", "WHENMODIFIED",
                                       "TOTALENTERED", "TRX_TOTALENTERED", "CURRENCY", "BASECURR"]

    public static func invoiceStatus(state: String?, entered: Int64, paid: Int64, due: Int64) -> PaymentStatus {
        switch state {
        case "Draft": return .draft
        case "Reversed", "Reversal": return .voided
        default: break
        }
        if due < 0 || paid < 0 || paid > entered { return .unknown("\(state ?? "no STATE"): TOTALPAID \(paid) of TOTALENTERED \(entered), TOTALDUE \(due)") }
        if due == 0 && paid > 0 { return .paid }
        if paid > 0 { return .partiallyPaid }
        return .sent
    }

    /// `MM/DD/YYYY`.
    static func date(_ text: String?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> CalendarDate? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: "/")
        guard parts.count == 3, let date = CalendarDate(iso: "\(parts[2])-\(parts[0])-\(parts[1])") else {
            throw ObjectRejection(field: field(), text: text, reason: "\"\(text)\" is not an MM/DD/YYYY date")
        }
        return date
    }

    /// `MM/DD/YYYY HH:MM:SS` in the company's time zone; nil (no ordering claim) inside the hour
    /// clocks go back over.
    static func modified(_ text: String?, zone: TimeZone, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Timestamp? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: " ")
        guard parts.count == 2, let day = try date(String(parts[0]), field()) else {
            throw ObjectRejection(field: field(), text: text, reason: "\"\(text)\" is not an MM/DD/YYYY HH:MM:SS time")
        }
        let naive = "\(day) \(parts[1])"
        if NaiveLocalTime.isAmbiguous(naive, zone: zone) { return nil }
        guard let instant = NaiveLocalTime.instant(naive, zone: zone) else {
            throw ObjectRejection(field: field(), text: text, reason: "\"\(text)\" is not an MM/DD/YYYY HH:MM:SS time")
        }
        return instant
    }

    static func amounts(_ record: [String: String], _ names: [String], id: String, kind: String) throws(ObjectRejection) -> (Currency, [Money]) {
        let transaction = record["TRX_" + names[0]].map { !$0.isEmpty } ?? false
        let code = (transaction ? record["CURRENCY"] : nil).flatMap { $0.isEmpty ? nil : $0 } ?? record["BASECURR"] ?? record["CURRENCY"] ?? ""
        guard let currency = Currency(code: code) else {
            throw ObjectRejection(MoneyError(field: "\(kind) \(id).CURRENCY", text: code, reason: .unknownCurrency))
        }
        var result: [Money] = []
        for name in names {
            let field = (transaction ? "TRX_" : "") + name
            let text = record[field].flatMap { $0.isEmpty ? nil : $0 } ?? "0"
            do { result.append(try Money(parsing: text, currency: currency, field: "\(kind) \(id).\(field)")) } catch { throw ObjectRejection(error) }
        }
        return (currency, result)
    }

    static func key(_ kind: ObjectKind, _ id: String, _ company: String) -> ObjectKey {
        ObjectKey(provider: provider, account: company, kind: kind, externalID: id)
    }

    public static func invoice(_ record: [String: String], company: String, zone: TimeZone) throws(ObjectRejection) -> Observation {
        guard let id = record["RECORDNO"], !id.isEmpty else { throw ObjectRejection(field: "ARINVOICE.RECORDNO", text: "", reason: "missing") }
        let field = { (name: String) in "ARINVOICE \(id).\(name)" }
        let (currency, money) = try amounts(record, ["TOTALENTERED", "TOTALPAID", "TOTALDUE"], id: id, kind: "ARINVOICE")
        let (entered, paid, due) = (money[0], money[1], money[2])
        return Observation(
            key: key(.invoice, id, company), updatedAt: try modified(record["WHENMODIFIED"], zone: zone, field("WHENMODIFIED")),
            status: invoiceStatus(state: record["STATE"], entered: entered.minorUnits, paid: paid.minorUnits, due: due.minorUnits),
            providerStatus: record["STATE"] ?? "", currency: currency, total: entered, paid: paid, due: due,
            invoiceNumber: WireValues.nonEmpty(record["RECORDID"]), customerID: WireValues.nonEmpty(record["CUSTOMERID"]),
            customerName: WireValues.nonEmpty(record["CUSTOMERNAME"]), documentDate: try date(record["WHENCREATED"], field("WHENCREATED")),
            dueDate: try date(record["WHENDUE"], field("WHENDUE")), lastPaymentDate: try date(record["WHENPAID"], field("WHENPAID")),
            reference: WireValues.nonEmpty(record["DOCNUMBER"])
        )
    }

    public static func payment(_ record: [String: String], company: String, zone: TimeZone) throws(ObjectRejection) -> Observation {
        guard let id = record["RECORDNO"], !id.isEmpty else { throw ObjectRejection(field: "ARPYMT.RECORDNO", text: "", reason: "missing") }
        let field = { (name: String) in "ARPYMT \(id).\(name)" }
        let (currency, money) = try amounts(record, ["TOTALENTERED"], id: id, kind: "ARPYMT")
        let status: PaymentStatus = switch record["STATE"] {
        case "Reversed", "Voided", "Reversal": .voided
        case "Draft": .draft
        default: .paid
        }
        let date = try date(record["PAYMENTDATE"], field("PAYMENTDATE"))
        return Observation(
            key: key(.payment, id, company), updatedAt: try modified(record["WHENMODIFIED"], zone: zone, field("WHENMODIFIED")),
            status: status, providerStatus: record["STATE"] ?? "", currency: currency, total: money[0], paid: status == .paid ? money[0] : nil,
            customerID: WireValues.nonEmpty(record["CUSTOMERID"]), customerName: WireValues.nonEmpty(record["CUSTOMERNAME"]),
            documentDate: date, lastPaymentDate: date, lastPaymentID: id, reference: WireValues.nonEmpty(record["DOCNUMBER"])
        )
    }
}
