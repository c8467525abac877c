import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake QuickBooks Online on 127.0.0.1: the query endpoint
/// (`GET /v3/company/{realmId}/query?query=…&minorversion=75`) and Intuit's token endpoint
/// (`POST /oauth2/v1/tokens/bearer`), strict about what it is sent and answering in Intuit's
/// documented shapes (docs/connectors/quickbooks.md, ../shared/reference/accounting-apis.md):
///
/// - the query is parsed, not matched: `SELECT * FROM Invoice|Payment`, conditions on
///   `MetaData.LastUpdatedTime` and `TxnDate` joined by `AND`, string literals with backslash
///   escapes, `ORDERBY MetaData.LastUpdatedTime ASC`, `STARTPOSITION` (1-based) and `MAXRESULTS`
///   (at most 1000); anything else is a 400 `QueryParserError` fault;
/// - `minorversion` must be given and at least 75; `Accept: application/json` is required;
/// - an entity with no matching rows is left out of `QueryResponse`, as Intuit does;
/// - a bad access token gets 401 with the lower-case `fault` body; a refresh needs HTTP Basic
///   client authentication and rotates the refresh token; a dead one is `invalid_grant`;
/// - faults can be queued: the XML throttling answer (429), a `Fault` with HTTP 200, a 5xx.
public final class FakeQuickBooksServer: Sendable {
    public struct Fault: QueuedFault {
        public var pathSuffix: String
        public var reply: ServerReply
        public var after: Int

        public init(pathSuffix: String, reply: ServerReply, after: Int = 0) {
            self.pathSuffix = pathSuffix
            self.reply = reply
            self.after = after
        }
    }

    /// A query the fake answered, for assertions.
    public struct Received: Sendable {
        public var realm: String
        public var query: String
        public var minorVersion: String?
        public var authorization: String?
        /// The HTTP request it came in (the queries of one batch share it), counted from 1.
        public var call: Int
    }

    struct Company: Sendable {
        var invoices: [String: FakeQuickBooksInvoice] = [:]
        var payments: [String: FakeQuickBooksPayment] = [:]
        var refunds: [String: FakeQuickBooksRefundReceipt] = [:]
        var creditMemos: [String: FakeQuickBooksCreditMemo] = [:]
        /// Deleted objects, which only change data capture still names: (entity, id, when).
        var deleted: [(table: String, id: String, at: Timestamp)] = []
    }

    struct State: Sendable {
        var companies: [String: Company]
        var clock: Timestamp
        var validRefreshTokens: Set<String>
        var validAccessTokens: Set<String> = []
        var issued = 0
        var faults: [Fault] = []
        var received: [Received] = []
        var calls = 0
        var nextID = 1000
    }

    public let clientID: String
    public let clientSecret: String
    /// Intuit's consent screen (`paysync auth`); its redirect names the company in `realmId`.
    public let consent: FakeConsentScreen
    /// The company's UTC offset, in which `MetaData` times are written (Intuit writes local times).
    public let offsetHours: Int
    private let state: Locked<State>
    private let server: LoopbackHTTPServer

    /// `http://127.0.0.1:PORT`: the API base URL to configure (`base_url`).
    public var baseURL: String { server.baseURL }
    /// `http://127.0.0.1:PORT/oauth2/v1/tokens/bearer` (`token_url`).
    public var tokenURL: String { server.baseURL + "/oauth2/v1/tokens/bearer" }
    /// `http://127.0.0.1:PORT/connect/oauth2` (`authorize_url`): the consent screen.
    public var authorizeURL: String { server.baseURL + "/connect/oauth2" }

    public init(realms: [String], clientID: String = "fake-qbo-client", clientSecret: String = "fake-qbo-secret",
                refreshToken: String = "qbo-initial-refresh", clock: Timestamp = Timestamp(iso: "2025-05-02T16:00:00Z")!, offsetHours: Int = -7) throws {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.offsetHours = offsetHours
        self.state = Locked(State(companies: Dictionary(uniqueKeysWithValues: realms.map { ($0, Company()) }), clock: clock,
                                  validRefreshTokens: [refreshToken]))
        let state = self.state
        let credentials = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        let consent = FakeConsentScreen(clientID: clientID, requiredScopes: ["com.intuit.quickbooks.accounting"], requirePKCE: false,
                                        extraParameters: realms.first.map { [("realmId", $0)] } ?? [])
        self.consent = consent
        self.server = try LoopbackHTTPServer { request in
            if request.path == "/connect/oauth2" { return consent.authorize(request) }
            return FakeQuickBooksServer.handle(request, state: state, credentials: credentials, consent: consent, offsetHours: offsetHours)
        }
    }

    deinit { server.stop() }

    public func stop() { server.stop() }

    // MARK: Data

    public var now: Timestamp { state.value.clock }

    /// Advances the clock and returns the new time (stamp for a change).
    @discardableResult
    public func tick(_ seconds: Int64 = 1) -> Timestamp {
        state.withLock { $0.clock = $0.clock.adding(milliseconds: seconds * 1000); return $0.clock }
    }

    public func put(invoices: [FakeQuickBooksInvoice], realm: String) {
        state.withLock { state in
            for invoice in invoices { state.companies[realm, default: Company()].invoices[invoice.id] = invoice }
        }
    }

    /// Adds or replaces payments as they are (their `updated` is kept; the invoices they pay are
    /// expected to carry them in `payments` already).
    public func put(payments: [FakeQuickBooksPayment], realm: String) {
        state.withLock { state in
            for payment in payments { state.companies[realm, default: Company()].payments[payment.id] = payment }
        }
    }

    /// Sets the server clock (the next change is stamped one tick after it).
    public func setClock(_ time: Timestamp) { state.withLock { $0.clock = time } }

    public func invoice(_ id: String, realm: String) -> FakeQuickBooksInvoice? { state.value.companies[realm]?.invoices[id] }

    public func payments(realm: String) -> [FakeQuickBooksPayment] {
        state.value.companies[realm]?.payments.values.sorted { $0.id < $1.id } ?? []
    }

    public func invoices(realm: String) -> [FakeQuickBooksInvoice] {
        (state.value.companies[realm]?.invoices.values).map(Array.init)?.sorted { $0.id < $1.id } ?? []
    }

    /// Receives a payment against one invoice, as QuickBooks records it: a new Payment with one
    /// line linked to the invoice, and the invoice's balance and `LinkedTxn`; both stamped now.
    @discardableResult
    public func pay(invoice id: String, amount: Int64, realm: String) -> String? {
        let stamp = tick()
        return state.withLock { state -> String? in
            guard var invoice = state.companies[realm]?.invoices[id] else { return nil }
            state.nextID += 1
            let paymentID = String(state.nextID)
            invoice.balance -= amount
            invoice.payments.append(paymentID)
            invoice.syncToken += 1
            invoice.updated = stamp
            state.companies[realm]?.invoices[id] = invoice
            state.companies[realm]?.payments[paymentID] = FakeQuickBooksPayment(
                id: paymentID, txnDate: stamp.utcDate, total: amount, currency: invoice.currency, customerID: invoice.customerID,
                customerName: invoice.customerName, refNum: "CHK-\(paymentID)", lines: [(id, amount)], updated: stamp)
            return paymentID
        }
    }

    /// Voids a payment as QuickBooks does: it stays, with `TotalAmt` 0, no lines and "Voided" in
    /// its note; the invoices it paid are open again for those amounts. All stamped now.
    public func voidPayment(_ paymentID: String, realm: String) {
        let stamp = tick()
        state.withLock { state in
            guard var payment = state.companies[realm]?.payments[paymentID] else { return }
            FakeQuickBooksServer.reopenInvoices(paidBy: payment, realm: realm, at: stamp, in: &state)
            payment.total = 0
            payment.lines = []
            payment.privateNote = "Voided"
            payment.syncToken += 1
            payment.updated = stamp
            state.companies[realm]?.payments[paymentID] = payment
        }
    }

    /// Voids an invoice as QuickBooks does: amounts zeroed, links dropped, "Voided" before its note.
    public func voidInvoice(_ id: String, realm: String) {
        let stamp = tick()
        state.withLock { state in
            guard var invoice = state.companies[realm]?.invoices[id] else { return }
            invoice.total = 0
            invoice.balance = 0
            invoice.payments = []
            invoice.privateNote = "Voided" + (invoice.privateNote.map { " - \($0)" } ?? "")
            invoice.syncToken += 1
            invoice.updated = stamp
            state.companies[realm]?.invoices[id] = invoice
        }
    }

    /// Deletes a payment outright, as QuickBooks does: it is no longer listed (only `/cdc` names
    /// it), and the invoices it paid are open again for those amounts, stamped now.
    public func deletePayment(_ paymentID: String, realm: String) {
        let stamp = tick()
        state.withLock { state in
            guard let payment = state.companies[realm]?.payments[paymentID] else { return }
            FakeQuickBooksServer.reopenInvoices(paidBy: payment, realm: realm, at: stamp, in: &state)
            state.companies[realm]?.payments[paymentID] = nil
            state.companies[realm]?.deleted.append(("Payment", paymentID, stamp))
        }
    }

    /// Pays money back to an invoice's customer (a `RefundReceipt`, which names no invoice), stamped now.
    @discardableResult
    public func refund(_ amount: Int64, toCustomerOf invoiceID: String, realm: String) -> String? {
        let stamp = tick()
        return state.withLock { state -> String? in
            guard let invoice = state.companies[realm]?.invoices[invoiceID] else { return nil }
            state.nextID += 1
            var refund = FakeQuickBooksRefundReceipt(id: String(state.nextID), docNumber: "R-\(state.nextID)", txnDate: stamp.utcDate, total: amount, updated: stamp)
            (refund.currency, refund.customerID, refund.customerName) = (invoice.currency, invoice.customerID, invoice.customerName)
            state.companies[realm]?.refunds[refund.id] = refund
            return refund.id
        }
    }

    /// Issues a credit memo to an invoice's customer, stamped now; with `referencing`, it names the
    /// invoice in `InvoiceRef`.
    @discardableResult
    public func issueCreditMemo(_ amount: Int64, forCustomerOf invoiceID: String, referencing: Bool, realm: String) -> String? {
        let stamp = tick()
        return state.withLock { state -> String? in
            guard let invoice = state.companies[realm]?.invoices[invoiceID] else { return nil }
            state.nextID += 1
            var memo = FakeQuickBooksCreditMemo(id: String(state.nextID), docNumber: "CM-\(state.nextID)", txnDate: stamp.utcDate, total: amount,
                                                invoiceRef: referencing ? invoiceID : nil, updated: stamp)
            (memo.currency, memo.customerID, memo.customerName) = (invoice.currency, invoice.customerID, invoice.customerName)
            state.companies[realm]?.creditMemos[memo.id] = memo
            return memo.id
        }
    }

    /// Voids a credit memo as QuickBooks does: amounts zeroed, "Voided" in its note; stamped now.
    public func voidCreditMemo(_ id: String, realm: String) {
        let stamp = tick()
        state.withLock { state in
            guard var memo = state.companies[realm]?.creditMemos[id] else { return }
            (memo.total, memo.remainingCredit, memo.privateNote) = (0, 0, "Voided")
            memo.syncToken += 1
            memo.updated = stamp
            state.companies[realm]?.creditMemos[id] = memo
        }
    }

    /// The invoices a payment paid, open again for its amounts (a void or a deletion), stamped.
    static func reopenInvoices(paidBy payment: FakeQuickBooksPayment, realm: String, at stamp: Timestamp, in state: inout State) {
        for line in payment.lines {
            guard var invoice = state.companies[realm]?.invoices[line.invoiceID] else { continue }
            invoice.balance += line.amount
            invoice.payments.removeAll { $0 == payment.id }
            invoice.syncToken += 1
            invoice.updated = stamp
            state.companies[realm]?.invoices[line.invoiceID] = invoice
        }
    }

    /// Deletes an invoice outright (only `/cdc` names it afterwards).
    public func deleteInvoice(_ id: String, realm: String) {
        let stamp = tick()
        state.withLock { state in
            guard state.companies[realm]?.invoices[id] != nil else { return }
            state.companies[realm]?.invoices[id] = nil
            state.companies[realm]?.deleted.append(("Invoice", id, stamp))
        }
    }

    // MARK: Behaviour

    public func inject(_ fault: Fault) { state.withLock { $0.faults.append(fault) } }
    /// Accepts one more refresh token, as another authorisation of the same app would issue.
    public func authorise(refreshToken: String) { state.withLock { _ = $0.validRefreshTokens.insert(refreshToken) } }
    public func expireAccessTokens() { state.withLock { $0.validAccessTokens.removeAll() } }
    public func revokeRefreshTokens() { state.withLock { $0.validRefreshTokens.removeAll() } }
    public var validRefreshTokens: Set<String> { state.value.validRefreshTokens }
    public var tokenRefreshes: Int { state.value.issued }
    public var received: [Received] { state.value.received }
    public func clearReceived() { state.withLock { $0.received.removeAll() } }

    /// Intuit's throttling answer: HTTP 429 with an XML body, whatever `Accept` said.
    public static let throttled = ServerReply.response(HTTPResponse(
        status: 429, headers: ["Content-Type": "application/xml"],
        body: Data(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2025-05-02T09:14:00.000-07:00"><Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message><Detail>The request limit was reached.</Detail></Error></Fault></IntuitResponse>"#.utf8)))

    /// A `Fault` sent with HTTP 200, as Intuit sometimes does.
    public static func faultWith200(code: String, message: String, detail: String, type: String = "SystemFault") -> ServerReply {
        .json(200, #"{"Fault":{"Error":[{"Message":"\#(message)","Detail":"\#(detail)","code":"\#(code)","element":""}],"type":"\#(type)"},"time":"2025-05-02T09:20:00.000-07:00"}"#)
    }

    // MARK: Rendering

    /// Minor units as a JSON number with two decimals (`1200.00`).
    static func amount(_ cents: Int64) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// `2025-04-20T14:40:05-07:00`: local time at the company's offset, whole seconds.
    static func time(_ instant: Timestamp, offsetHours: Int) -> String {
        let local = Timestamp(millisecondsSinceEpoch: instant.millisecondsSinceEpoch + Int64(offsetHours) * 3_600_000).iso8601
        let seconds = local.prefix(19)
        let sign = offsetHours < 0 ? "-" : "+"
        let hours = abs(offsetHours)
        return "\(seconds)\(sign)\(hours < 10 ? "0" : "")\(hours):00"
    }

    // MARK: Handler

    static func handle(_ request: ServerRequest, state: Locked<State>, credentials: String, consent: FakeConsentScreen, offsetHours: Int) -> ServerReply {
        let path = request.path
        // A queued fault answers the next matching request that would otherwise have been served.
        let queuedFault = {
            state.withLock { state in state.faults.take { path.hasSuffix($0.pathSuffix) } }
        }
        if path == "/oauth2/v1/tokens/bearer" {
            if let fault = queuedFault() { return fault }
            guard request.method == "POST" else { return .status(405) }
            return token(request, state: state, credentials: credentials, consent: consent)
        }
        let parts = path.split(separator: "/").map(String.init)
        let endpoint = parts.count == 4 && parts[0] == "v3" && parts[1] == "company" ? parts[3] : ""
        guard (["query", "cdc"].contains(endpoint) && request.method == "GET") || (endpoint == "batch" && request.method == "POST") else {
            return faultReply("Unsupported Operation", detail: "Operation \(request.method) \(path) is not supported.", code: "500", type: "ValidationFault", status: 400)
        }
        let realm = parts[2]
        let authorization = request.headers["Authorization"] ?? ""
        let authorized = state.withLock { state in
            authorization.hasPrefix("Bearer ") && state.validAccessTokens.contains(String(authorization.dropFirst(7)))
        }
        guard authorized else {
            return .json(401, #"{"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token expired: fake","code":"3200"}],"type":"AUTHENTICATION"},"time":1746201600000}"#)
        }
        guard request.headers["Accept"]?.contains("application/json") == true else {
            return faultReply("Unsupported Media Type", detail: "Accept must be application/json for this fake", code: "4000", type: "ValidationFault", status: 400)
        }
        guard let minor = request.queryValue("minorversion").flatMap(Int.init), minor >= 75 else {
            return faultReply("Invalid minor version", detail: "minorversion must be given and at least 75 (versions 1-74 are no longer supported)", code: "2130", type: "ValidationFault", status: 400)
        }
        let call = state.withLock { state -> Int in state.calls += 1; return state.calls }
        func record(_ query: String) {
            state.withLock { $0.received.append(Received(realm: realm, query: query, minorVersion: request.queryValue("minorversion"), authorization: authorization, call: call)) }
        }
        switch endpoint {
        case "cdc":
            record("CDC " + (request.queryValue("entities") ?? ""))
            if let fault = queuedFault() { return fault }
            return changeDataCapture(request, realm: realm, state: state, offsetHours: offsetHours)
        case "batch":
            return batch(request, realm: realm, state: state, offsetHours: offsetHours, record: record, queuedFault: queuedFault)
        default:
            let text = request.queryValue("query") ?? ""
            record(text)
            if let fault = queuedFault() { return fault }
            guard state.value.companies[realm] != nil else { return notAuthorized(realm) }
            switch answer(text, realm: realm, state: state, offsetHours: offsetHours) {
            case .success(let response):
                let body = JSONObject([("QueryResponse", .object(response)), ("time", .string(time(state.value.clock, offsetHours: offsetHours)))])
                return .json(200, JSONWriter.compact(.object(body)))
            case .failure(let fault):
                return .json(400, JSONWriter.compact(.object(JSONObject([("Fault", .object(fault.fault)), ("time", .string("2025-05-02T09:20:00.000-07:00"))]))))
            }
        }
    }

    /// The most operations Intuit takes in one batch request ("recommended maximum … is 30",
    /// developer.intuit.com, API call limits and throttles).
    static let batchMaximum = 30

    /// `POST /batch` with `{"BatchItemRequest": [{"bId": …, "Query": …}, …]}` (tap-quickbooks
    /// reads this way): each query is answered as the query endpoint would, in
    /// `{"BatchItemResponse": [{"QueryResponse": …, "bId": …}, …]}`, a failing one as
    /// `{"Fault": …, "bId": …}` beside the others. Each query is recorded as received.
    static func batch(_ request: ServerRequest, realm: String, state: Locked<State>, offsetHours: Int,
                      record: (String) -> Void, queuedFault: () -> ServerReply?) -> ServerReply {
        guard request.headers["Content-Type"]?.hasPrefix("application/json") == true else {
            return faultReply("Unsupported Media Type", detail: "Content-Type must be application/json", code: "4000", type: "ValidationFault", status: 415)
        }
        guard let body = try? JSONParser.parse(request.body), let items = body["BatchItemRequest"]?.arrayValue,
              body.objectValue?.keys.allSatisfy({ $0 == "BatchItemRequest" }) == true else {
            return faultReply("Request has invalid or unsupported property", detail: "the body must be {\"BatchItemRequest\": [...]}", code: "2010", type: "ValidationFault", status: 400)
        }
        guard (1...batchMaximum).contains(items.count) else {
            return faultReply("Batch size exceeded", detail: "a batch carries 1 to \(batchMaximum) operations, not \(items.count)", code: "2010", type: "ValidationFault", status: 400)
        }
        var seen: Set<String> = []
        var queries: [(bId: String, query: String)] = []
        for item in items {
            guard let bId = item["bId"]?.stringValue, !bId.isEmpty, let query = item["Query"]?.stringValue,
                  item.objectValue?.keys.allSatisfy({ ["bId", "Query"].contains($0) }) == true else {
                return faultReply("Request has invalid or unsupported property", detail: "each operation is {\"bId\": string, \"Query\": string} for this fake", code: "2010", type: "ValidationFault", status: 400)
            }
            guard seen.insert(bId).inserted else {
                return faultReply("Duplicate bId", detail: "bId \(bId) is used twice in one batch", code: "2010", type: "ValidationFault", status: 400)
            }
            queries.append((bId, query))
        }
        queries.forEach { record($0.query) }
        if let fault = queuedFault() { return fault }
        guard state.value.companies[realm] != nil else { return notAuthorized(realm) }
        let responses = queries.map { item -> JSONValue in
            switch answer(item.query, realm: realm, state: state, offsetHours: offsetHours) {
            case .success(let response): return .object(JSONObject([("QueryResponse", .object(response)), ("bId", .string(item.bId))]))
            case .failure(let fault): return .object(JSONObject([("Fault", .object(fault.fault)), ("bId", .string(item.bId))]))
            }
        }
        let reply = JSONObject([("BatchItemResponse", .array(responses)), ("time", .string(time(state.value.clock, offsetHours: offsetHours)))])
        return .json(200, JSONWriter.compact(.object(reply)))
    }

    struct QueryFault: Error {
        var fault: JSONObject
    }

    /// One query's `QueryResponse` (rows under the entity's name, left out when there are none,
    /// as Intuit does), or the `Fault` object a bad query gets.
    static func answer(_ text: String, realm: String, state: Locked<State>, offsetHours: Int) -> Result<JSONObject, QueryFault> {
        let query: FakeQuickBooksQuery
        do { query = try FakeQuickBooksQuery(text) } catch {
            return .failure(QueryFault(fault: faultObject("Error parsing query", detail: "QueryParserError: \(error)", code: "4000", type: "ValidationFault")))
        }
        guard query.maxResults <= 1000 else {
            return .failure(QueryFault(fault: faultObject("Invalid query", detail: "QueryValidationError: value \(query.maxResults) is too large. Max allowed value is: 1000", code: "4001", type: "ValidationFault")))
        }
        let rows = state.withLock { state -> [JSONValue] in
            guard let company = state.companies[realm] else { return [] }
            let matching: [(updated: Timestamp, id: String, json: () -> JSONValue)]
            switch query.table {
            case "Invoice":
                matching = company.invoices.values.filter { query.matches(updated: $0.updated, txnDate: $0.txnDate) }
                    .map { invoice in (invoice.updated, invoice.id, { invoice.json(offsetHours: offsetHours) }) }
            case "RefundReceipt":
                matching = company.refunds.values.filter { query.matches(updated: $0.updated, txnDate: $0.txnDate) }
                    .map { refund in (refund.updated, refund.id, { refund.json(offsetHours: offsetHours) }) }
            case "CreditMemo":
                matching = company.creditMemos.values.filter { query.matches(updated: $0.updated, txnDate: $0.txnDate) }
                    .map { memo in (memo.updated, memo.id, { memo.json(offsetHours: offsetHours) }) }
            default:
                matching = company.payments.values.filter { query.matches(updated: $0.updated, txnDate: $0.txnDate) }
                    .map { payment in (payment.updated, payment.id, { payment.json(offsetHours: offsetHours) }) }
            }
            let sorted = matching.sorted { ($0.updated, $0.id) < ($1.updated, $1.id) }
            return sorted.dropFirst(query.startPosition - 1).prefix(query.maxResults).map { $0.json() }
        }
        var response = JSONObject()
        if !rows.isEmpty { response[query.table] = .array(rows) }
        response["startPosition"] = .number(String(query.startPosition))
        response["maxResults"] = .number(String(rows.count))
        return .success(response)
    }

    static func notAuthorized(_ realm: String) -> ServerReply {
        faultReply("message=AuthorizationFailure; errorCode=003100; statusCode=403", detail: "The application is not authorized for company \(realm)", code: "3100", type: "AuthorizationFault", status: 403)
    }

    /// `GET /cdc?entities=Invoice,Payment&changedSince=…`: every object of those entities changed
    /// since then (in full) and every one deleted (`{"status": "Deleted", "Id": …}`), at most 30
    /// days back, as Intuit documents.
    static func changeDataCapture(_ request: ServerRequest, realm: String, state: Locked<State>, offsetHours: Int) -> ServerReply {
        let tables = (request.queryValue("entities") ?? "").split(separator: ",").map(String.init)
        guard !tables.isEmpty, tables.allSatisfy({ ["Invoice", "Payment", "CreditMemo", "RefundReceipt"].contains($0) }) else {
            return faultReply("Invalid entities", detail: "entities must name Invoice, Payment, CreditMemo or RefundReceipt for this fake", code: "4000", type: "ValidationFault", status: 400)
        }
        guard let since = request.queryValue("changedSince").flatMap({ Timestamp(iso: $0) }) else {
            return faultReply("Invalid changedSince", detail: "changedSince must be an ISO 8601 time", code: "4000", type: "ValidationFault", status: 400)
        }
        let (responses, now) = state.withLock { state -> ([JSONValue], Timestamp) in
            guard let company = state.companies[realm] else { return ([], state.clock) }
            guard since.millisecondsSinceEpoch >= state.clock.millisecondsSinceEpoch - 30 * 86_400_000 else { return ([], state.clock) }
            let responses = tables.map { table -> JSONValue in
                var rows: [(Timestamp, JSONValue)]
                switch table {
                case "Invoice": rows = company.invoices.values.filter { $0.updated >= since }.map { ($0.updated, $0.json(offsetHours: offsetHours)) }
                case "Payment": rows = company.payments.values.filter { $0.updated >= since }.map { ($0.updated, $0.json(offsetHours: offsetHours)) }
                case "CreditMemo": rows = company.creditMemos.values.filter { $0.updated >= since }.map { ($0.updated, $0.json(offsetHours: offsetHours)) }
                default: rows = company.refunds.values.filter { $0.updated >= since }.map { ($0.updated, $0.json(offsetHours: offsetHours)) }
                }
                rows.sort { $0.0 < $1.0 }
                // Deleted rows come last, as Intuit documents.
                for deletion in company.deleted where deletion.table == table && deletion.at >= since {
                    rows.append((deletion.at, .object(JSONObject([("domain", .string("QBO")), ("status", .string("Deleted")), ("Id", .string(deletion.id)),
                        ("MetaData", .object(JSONObject([("LastUpdatedTime", .string(time(deletion.at, offsetHours: offsetHours)))])))]))))
                }
                var response = JSONObject()
                if !rows.isEmpty { response[table] = .array(rows.map(\.1)) }
                response["startPosition"] = .number("1")
                response["maxResults"] = .number(String(rows.count))
                return .object(response)
            }
            return (responses, state.clock)
        }
        let body = JSONObject([("CDCResponse", .array([.object(JSONObject([("QueryResponse", .array(responses))]))])),
                               ("time", .string(time(now, offsetHours: offsetHours)))])
        return .json(200, JSONWriter.compact(.object(body)))
    }

    private static func faultReply(_ message: String, detail: String, code: String, type: String, status: Int) -> ServerReply {
        let body = JSONObject([("Fault", .object(faultObject(message, detail: detail, code: code, type: type))),
                               ("time", .string("2025-05-02T09:20:00.000-07:00"))])
        return .json(status, JSONWriter.compact(.object(body)))
    }

    /// `{"Error": [{"Message", "Detail", "code", "element"}], "type": …}`: Intuit's fault object.
    static func faultObject(_ message: String, detail: String, code: String, type: String) -> JSONObject {
        let error = JSONObject([("Message", .string(message)), ("Detail", .string(detail)), ("code", .string(code)), ("element", .string(""))])
        return JSONObject([("Error", .array([.object(error)])), ("type", .string(type))])
    }

    static func token(_ request: ServerRequest, state: Locked<State>, credentials: String, consent: FakeConsentScreen) -> ServerReply {
        guard request.headers["Content-Type"]?.hasPrefix("application/x-www-form-urlencoded") == true else {
            return .json(400, #"{"error":"invalid_request"}"#)
        }
        let form = request.formFields
        // The client authenticates by HTTP Basic (Intuit's documented way, and paysync's) or with
        // `client_id` and `client_secret` in the form (RFC 6749 §2.3.1, as tap-quickbooks does);
        // never both at once.
        let inForm = form["client_id"] != nil || form["client_secret"] != nil
        let basic = request.headers["Authorization"]
        guard inForm ? basic == nil && "Basic " + Data("\(form["client_id"] ?? ""):\(form["client_secret"] ?? "")".utf8).base64EncodedString() == credentials
                     : basic == credentials else {
            return .json(401, #"{"error":"invalid_client"}"#)
        }
        if form["grant_type"] == "authorization_code" {
            if let refusal = consent.exchange(form) { return refusal }
            return state.withLock { state -> ServerReply in
                state.issued += 1
                let access = "qbo-access-\(state.issued)-\(UUID().uuidString.prefix(8))"
                let refresh = "qbo-refresh-\(state.issued)-\(UUID().uuidString.prefix(8))"
                state.validAccessTokens.insert(access)
                state.validRefreshTokens.insert(refresh)
                return .json(200, #"{"token_type":"bearer","access_token":"\#(access)","expires_in":3600,"refresh_token":"\#(refresh)","x_refresh_token_expires_in":8726400}"#)
            }
        }
        guard form["grant_type"] == "refresh_token", let presented = form["refresh_token"] else {
            return .json(400, #"{"error":"unsupported_grant_type"}"#)
        }
        return state.withLock { state -> ServerReply in
            guard state.validRefreshTokens.contains(presented) else { return .json(400, #"{"error":"invalid_grant"}"#) }
            state.issued += 1
            let access = "qbo-access-\(state.issued)-\(UUID().uuidString.prefix(8))"
            state.validAccessTokens.insert(access)
            // Intuit may hand out a new refresh token on any refresh; this fake always does.
            let refresh = "qbo-refresh-\(state.issued)-\(UUID().uuidString.prefix(8))"
            state.validRefreshTokens.remove(presented)
            state.validRefreshTokens.insert(refresh)
            return .json(200, #"{"token_type":"bearer","access_token":"\#(access)","expires_in":3600,"refresh_token":"\#(refresh)","x_refresh_token_expires_in":8726400}"#)
        }
    }
}
