import PaySyncCore

/// Braintree GraphQL nodes → observations (pure). `docs/connectors/braintree.md` has the table
/// (`reference/payments-apis.md` §4.3; enum values from Braintree's `schema.graphql`).
///
/// | object | status | canonical |
/// |---|---|---|
/// | transaction | SETTLED, SETTLEMENT_CONFIRMED | paid |
/// | | AUTHORIZING, AUTHORIZED, SUBMITTED_FOR_SETTLEMENT, SETTLING, SETTLEMENT_PENDING | pending |
/// | | SETTLEMENT_DECLINED, PROCESSOR_DECLINED, GATEWAY_REJECTED, FAILED | failed |
/// | | VOIDED / AUTHORIZATION_EXPIRED | voided / expired |
/// | refund (parent: `refundedTransaction`) | the same values | refunded when paid, pending, failed, voided |
/// | dispute (parent: `transaction`) | OPEN, UNDER_REVIEW, DISPUTED | disputed |
/// | | WON | paid |
/// | | LOST, ACCEPTED, AUTO_ACCEPTED, EXPIRED | refunded |
public enum BraintreeMapping {
    public static let provider = "braintree"

    public static func paymentStatus(_ status: String) -> PaymentStatus {
        switch status {
        case "SETTLED", "SETTLEMENT_CONFIRMED": .paid
        case "AUTHORIZING", "AUTHORIZED", "SUBMITTED_FOR_SETTLEMENT", "SETTLING", "SETTLEMENT_PENDING": .pending
        case "SETTLEMENT_DECLINED", "PROCESSOR_DECLINED", "GATEWAY_REJECTED", "FAILED": .failed
        case "VOIDED": .voided
        case "AUTHORIZATION_EXPIRED": .expired
        default: .unknown(status)
        }
    }

    public static func disputeStatus(_ status: String) -> PaymentStatus {
        switch status {
        case "OPEN", "UNDER_REVIEW", "DISPUTED": .disputed
        case "WON": .paid
        case "LOST", "ACCEPTED", "AUTO_ACCEPTED", "EXPIRED": .refunded
        default: .unknown(status)
        }
    }

    static func key(_ kind: ObjectKind, _ id: String, _ account: String) -> ObjectKey {
        ObjectKey(provider: provider, account: account, kind: kind, externalID: id)
    }

    static func money(_ value: JSONValue?, _ field: String) throws(ObjectRejection) -> Money {
        guard let text = value?["value"]?.stringValue else { throw ObjectRejection(field: field + ".value", text: "", reason: "is missing") }
        let code = value?["currencyCode"]?.stringValue ?? ""
        guard let currency = Currency(code: code) else { throw ObjectRejection(field: field + ".currencyCode", text: code, reason: "\"\(code)\" is not a currency") }
        do { return try Money(parsing: text, currency: currency, field: field + ".value") } catch { throw ObjectRejection(error) }
    }

    /// The time of a node's latest status: its last `statusHistory` entry, else its creation.
    static func latest(_ node: JSONValue, _ field: String) throws(ObjectRejection) -> Timestamp? {
        var times: [Timestamp] = []
        if let created = try WireValues.isoTimestamp(node["createdAt"]?.stringValue, field + ".createdAt") { times.append(created) }
        for (index, event) in (node["statusHistory"]?.arrayValue ?? []).enumerated() {
            if let time = try WireValues.isoTimestamp(event["timestamp"]?.stringValue, field + ".statusHistory[\(index)].timestamp") { times.append(time) }
        }
        return times.max()
    }

    public static func transaction(_ node: JSONValue, account: String) throws(ObjectRejection) -> Observation {
        guard let id = node["id"]?.stringValue else { throw ObjectRejection(field: "transaction", text: "", reason: "a node without id") }
        let field = "transaction \(id)"
        let status = node["status"]?.stringValue ?? ""
        let amount = try money(node["amount"], field + ".amount")
        let canonical = paymentStatus(status)
        let customer = node["customer"]
        let name = [customer?["firstName"]?.stringValue, customer?["lastName"]?.stringValue].compactMap { WireValues.nonEmpty($0) }.joined(separator: " ")
        let updated = try latest(node, field)
        return Observation(
            key: key(.payment, id, account), updatedAt: updated, status: canonical, providerStatus: status, currency: amount.currency, total: amount,
            paid: canonical == .paid ? amount : Money(minorUnits: 0, currency: amount.currency),
            invoiceNumber: WireValues.nonEmpty(node["orderId"]?.stringValue), customerID: WireValues.nonEmpty(customer?["id"]?.stringValue),
            customerEmail: WireValues.nonEmpty(customer?["email"]?.stringValue),
            customerName: name.isEmpty ? WireValues.nonEmpty(customer?["company"]?.stringValue) : name,
            documentDate: try WireValues.isoTimestamp(node["createdAt"]?.stringValue, field + ".createdAt")?.utcDate,
            lastPaymentDate: canonical == .paid ? updated?.utcDate : nil, lastPaymentID: node["legacyId"]?.stringValue ?? id
        )
    }

    public static func refund(_ node: JSONValue, account: String) throws(ObjectRejection) -> Observation {
        guard let id = node["id"]?.stringValue else { throw ObjectRejection(field: "refund", text: "", reason: "a node without id") }
        let field = "refund \(id)"
        let status = node["status"]?.stringValue ?? ""
        let amount = try money(node["amount"], field + ".amount")
        let settled = paymentStatus(status)
        let canonical: PaymentStatus = settled == .paid ? .refunded : settled
        let parent = node["refundedTransaction"]?["id"]?.stringValue
        return Observation(
            key: key(.refund, id, account), updatedAt: try latest(node, field), status: canonical, providerStatus: status, currency: amount.currency,
            total: amount, paid: canonical == .refunded ? amount : nil, invoiceNumber: WireValues.nonEmpty(node["orderId"]?.stringValue),
            documentDate: try WireValues.isoTimestamp(node["createdAt"]?.stringValue, field + ".createdAt")?.utcDate, lastPaymentID: parent,
            fields: parent.map { [.parentKey: .text(key(.payment, $0, account).description)] } ?? [:]
        )
    }

    public static func dispute(_ node: JSONValue, account: String) throws(ObjectRejection) -> Observation {
        guard let id = node["id"]?.stringValue else { throw ObjectRejection(field: "dispute", text: "", reason: "a node without id") }
        let field = "dispute \(id)"
        let status = node["status"]?.stringValue ?? ""
        let amount = try money(node["amountDisputed"], field + ".amountDisputed")
        let parent = node["transaction"]?["id"]?.stringValue
        return Observation(
            key: key(.dispute, id, account), updatedAt: try latest(node, field), status: disputeStatus(status), providerStatus: status, currency: amount.currency,
            total: amount, documentDate: node["receivedDate"]?.stringValue.flatMap(CalendarDate.init(iso:)), lastPaymentID: parent,
            reference: WireValues.nonEmpty(node["caseNumber"]?.stringValue),
            fields: parent.map { [.parentKey: .text(key(.payment, $0, account).description)] } ?? [:]
        )
    }
}
