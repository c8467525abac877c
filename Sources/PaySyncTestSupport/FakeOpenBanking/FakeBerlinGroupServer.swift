import Foundation
import PaySyncCore
import PaySyncHTTP

/// One booked or pending entry as the fake bank keeps it.
public struct FakeBerlinGroupEntry: Sendable {
    public var transactionID: String?
    public var bookingDate: CalendarDate
    /// Signed: minus is a debit.
    public var amount: String
    public var currency: String
    public var debtorName: String?
    public var remittance: String?
    public var endToEndID: String?
    public var pending: Bool

    public init(id: String?, booked: String, amount: String, currency: String = "EUR", debtor: String?, remittance: String?, endToEnd: String? = nil,
                pending: Bool = false) {
        self.transactionID = id
        self.bookingDate = CalendarDate(iso: booked)!
        self.amount = amount
        self.currency = currency
        self.debtorName = debtor
        self.remittance = remittance
        self.endToEndID = endToEnd
        self.pending = pending
    }
}

/// A bank's Berlin Group NextGenPSD2 v1.3 AIS on 127.0.0.1, strict as
/// ../shared/reference/banking-apis.md §3 documents: `X-Request-ID` (a UUID, echoed) and
/// `Consent-ID` on every call; `GET /v1/accounts`; `GET /v1/accounts/{id}/transactions` with
/// `bookingStatus` and `dateFrom` required, pages linked by `transactions._links.next.href`
/// (root-relative); `tppMessages` errors; a consent that expires (401 `CONSENT_EXPIRED`) and
/// allows `frequencyPerDay` transaction reads per account (then 429 `ACCESS_EXCEEDED`).
public final class FakeBerlinGroupServer: Sendable {
    struct State: Sendable {
        var accounts: [(id: String, iban: String)] = []
        var entries: [String: [FakeBerlinGroupEntry]] = [:]
        var consentExpired = false
        var reads: [String: Int] = [:]
        var received: [String] = []
    }

    public let consentID = "CONSENT-7c9d2b"
    public let frequencyPerDay: Int
    public let pageSize: Int
    private let state = Locked(State())
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL + "/psd2" }

    public init(frequencyPerDay: Int = 4, pageSize: Int = 2) throws {
        self.frequencyPerDay = frequencyPerDay
        self.pageSize = pageSize
        let state = self.state
        let consent = consentID
        server = try LoopbackHTTPServer { request in
            FakeBerlinGroupServer.handle(request, state: state, consentID: consent, frequency: frequencyPerDay, pageSize: pageSize)
        }
    }

    deinit { server.stop() }

    public func addAccount(_ id: String, iban: String) { state.withLock { $0.accounts.append((id, iban)) } }
    public func add(_ entry: FakeBerlinGroupEntry, account: String) { state.withLock { $0.entries[account, default: []].append(entry) } }
    public func expireConsent() { state.withLock { $0.consentExpired = true } }
    public var received: [String] { state.value.received }

    static func tpp(_ status: Int, _ code: String, _ text: String) -> ServerReply {
        .json(status, JSONWriter.compact(.object(JSONObject([("tppMessages", .array([.object(JSONObject([
            ("category", .string("ERROR")), ("code", .string(code)), ("text", .string(text)),
        ]))]))]))))
    }

    static func handle(_ request: ServerRequest, state: Locked<State>, consentID: String, frequency: Int, pageSize: Int) -> ServerReply {
        state.withLock { $0.received.append("\(request.method) \(request.target)") }
        guard let requestID = request.headers["X-Request-ID"], UUID(uuidString: requestID) != nil else {
            return tpp(400, "FORMAT_ERROR", "X-Request-ID is missing or not a UUID")
        }
        let echo: HTTPHeaders = ["X-Request-ID": requestID]
        guard request.headers["Consent-ID"] == consentID else { return tpp(403, "CONSENT_UNKNOWN", "The Consent-ID is unknown") }
        if state.value.consentExpired { return tpp(401, "CONSENT_EXPIRED", "The consent has expired; a new consent is needed") }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.first == "psd2", request.method == "GET" else { return tpp(404, "RESOURCE_UNKNOWN", "No such resource") }
        let rest = Array(parts.dropFirst())
        let snapshot = state.value
        if rest == ["v1", "accounts"] {
            let accounts = snapshot.accounts.map { JSONValue.object(JSONObject([("resourceId", .string($0.id)), ("iban", .string($0.iban)), ("currency", .string("EUR"))])) }
            return .json(200, JSONWriter.compact(.object(JSONObject([("accounts", .array(accounts))]))), headers: echo)
        }
        guard rest.count == 4, rest[0] == "v1", rest[1] == "accounts", rest[3] == "transactions", let account = snapshot.accounts.first(where: { $0.id == rest[2] }) else {
            return tpp(404, "RESOURCE_UNKNOWN", "No such account")
        }
        guard let status = request.queryValue("bookingStatus"), ["booked", "pending", "both"].contains(status) else {
            return tpp(400, "PARAMETER_NOT_SUPPORTED", "bookingStatus must be booked, pending or both")
        }
        guard let fromText = request.queryValue("dateFrom"), let from = CalendarDate(iso: fromText), fromText.count == 10 else {
            return tpp(400, "FORMAT_ERROR", "dateFrom is required (YYYY-MM-DD)")
        }
        let page = Int(request.queryValue("page") ?? "1") ?? 1
        if page == 1 {
            // Each first page is one access; the consent allows `frequency` a day per account.
            let allowed = state.withLock { state -> Bool in
                state.reads[account.id, default: 0] += 1
                return state.reads[account.id]! <= frequency
            }
            guard allowed else { return tpp(429, "ACCESS_EXCEEDED", "The access frequency of the consent is exceeded for today") }
        }
        let entries = (snapshot.entries[account.id] ?? []).filter { $0.bookingDate >= from }.sorted { $0.bookingDate < $1.bookingDate }
        let booked = entries.filter { !$0.pending && status != "pending" }
        let pending = entries.filter { $0.pending && status != "booked" }
        let slice = Array(booked.dropFirst((page - 1) * pageSize).prefix(pageSize))
        func render(_ entry: FakeBerlinGroupEntry) -> JSONValue {
            var object = JSONObject([("bookingDate", .string(entry.bookingDate.description)), ("valueDate", .string(entry.bookingDate.description)),
                                     ("transactionAmount", .object(JSONObject([("currency", .string(entry.currency)), ("amount", .string(entry.amount))]))),
                                     ("bankTransactionCode", .string("PMNT-RCDT-ESCT"))])
            if let id = entry.transactionID { object["transactionId"] = .string(id) }
            if let name = entry.debtorName { object["debtorName"] = .string(name); object["debtorAccount"] = .object(JSONObject([("iban", .string("DE89370400440532013000"))])) }
            if let text = entry.remittance { object["remittanceInformationUnstructured"] = .string(text) }
            if let endToEnd = entry.endToEndID { object["endToEndId"] = .string(endToEnd) }
            return .object(object)
        }
        var links = JSONObject([("account", .object(JSONObject([("href", .string("/v1/accounts/\(account.id)"))])))])
        if page * pageSize < booked.count {
            links["next"] = .object(JSONObject([("href", .string("/v1/accounts/\(account.id)/transactions?bookingStatus=\(status)&dateFrom=\(fromText)&page=\(page + 1)"))]))
        }
        let body = JSONObject([
            ("account", .object(JSONObject([("iban", .string(account.iban)), ("currency", .string("EUR"))]))),
            ("transactions", .object(JSONObject([("booked", .array(slice.map(render))), ("pending", .array(page == 1 ? pending.map(render) : [])), ("_links", .object(links))]))),
        ])
        return .json(200, JSONWriter.compact(.object(body)), headers: echo)
    }
}
