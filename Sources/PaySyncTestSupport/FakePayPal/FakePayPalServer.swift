import Foundation
import PaySyncCore
import PaySyncHTTP

/// PayPal's REST API on 127.0.0.1, strict as its specifications say (paypal/paypal-rest-api-specifications;
/// ../shared/reference/payments-apis.md §3):
/// - `POST /v1/oauth2/token` with HTTP Basic client credentials and `grant_type=client_credentials`;
/// - `GET /v1/reporting/transactions`: `start_date` and `end_date` required, at most 31 days apart,
///   not before three years ago; `page_size` 1–500, `page` ≥ 1; rows appear only once PayPal has
///   "refreshed" past them (a lag, three hours by default), and `last_refreshed_datetime` says when;
/// - `GET /v1/customer/disputes` (`update_time_after`, `page_size` ≤ 50, a `next` link) and
///   `GET /v1/customer/disputes/{id}`;
/// - `GET /v2/invoicing/invoices` (`page`, `page_size` ≤ 100, `total_required`);
/// - errors as `{"name", "message", "debug_id", "details"}`; 429 `RATE_LIMIT_REACHED` on demand.
public final class FakePayPalServer: Sendable {
    struct Row: Sendable {
        var id: String
        var code: String
        var status: String
        var amount: String
        var currency: String
        var reference: String?
        var invoice: String?
        var initiated: Int64
        var updated: Int64
        var email: String
    }

    struct State: Sendable {
        var rows: [Row] = []
        var disputes: [String: JSONObject] = [:]
        var invoices: [(id: String, object: JSONObject)] = []
        var now: Int64
        var lagMilliseconds: Int64 = 3 * 3_600_000
        var tokens: Set<String> = []
        var tokenRequests = 0
        var received: [String] = []
        var faults: [ServerReply] = []
    }

    public let clientID = "AeFakePayPalClient"
    public let clientSecret = "EFakePayPalSecret"
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }

    public init(now: Timestamp) throws {
        let state = Locked(State(now: now.millisecondsSinceEpoch))
        self.state = state
        let (id, secret) = (clientID, clientSecret)
        server = try LoopbackHTTPServer { request in FakePayPalServer.handle(request, clientID: id, clientSecret: secret, state: state) }
    }

    deinit { server.stop() }

    public var now: Timestamp { Timestamp(millisecondsSinceEpoch: state.value.now) }
    public func advance(seconds: Int64) { state.withLock { $0.now += seconds * 1000 } }
    public func setLag(hours: Int64) { state.withLock { $0.lagMilliseconds = hours * 3_600_000 } }
    public var received: [String] { state.value.received }
    public var tokenRequests: Int { state.value.tokenRequests }
    /// Rows PayPal would list for a window now (initiated in `[from, until)`, refreshed past).
    public func rows(initiatedFrom from: Timestamp, until: Timestamp) -> Int {
        let snapshot = state.value
        return snapshot.rows.filter { $0.updated <= snapshot.now - snapshot.lagMilliseconds && $0.initiated >= from.millisecondsSinceEpoch && $0.initiated < until.millisecondsSinceEpoch }.count
    }
    public func inject(_ reply: ServerReply) { state.withLock { $0.faults.append(reply) } }
    public func throttle(times: Int) {
        for _ in 0..<times {
            inject(.json(429, #"{"name":"RATE_LIMIT_REACHED","message":"Too many requests. Blocked due to rate limiting.","debug_id":"f0a1b2c3d4e5f"}"#))
        }
    }

    // MARK: Mutators

    /// A payment received (`T0006`, express checkout), `ageHours` ago, in status `S`, `P` or `D`.
    public func payment(_ id: String, amount: String, currency: String = "USD", status: String = "S", ageHours: Int64 = 0, invoice: String? = nil) {
        state.withLock { state in
            let at = state.now - ageHours * 3_600_000
            state.rows.append(Row(id: id, code: "T0006", status: status, amount: amount, currency: currency, reference: nil, invoice: invoice,
                                  initiated: at, updated: at, email: "buyer@example.com"))
        }
    }

    /// The payment's status changes (a pending eCheck clears: `S`; a reversal: `V`).
    public func setPayment(_ id: String, status: String) {
        state.withLock { state in
            guard let index = state.rows.lastIndex(where: { $0.id == id }) else { return }
            state.rows[index].status = status
            state.rows[index].updated = state.now
        }
    }

    /// A refund of a payment (`T1107`), the amount negative as PayPal writes it.
    public func refund(_ id: String, of payment: String, amount: String, currency: String = "USD") {
        state.withLock { state in
            state.rows.append(Row(id: id, code: "T1107", status: "S", amount: "-" + amount, currency: currency, reference: payment, invoice: nil,
                                  initiated: state.now, updated: state.now, email: "buyer@example.com"))
        }
    }

    /// A fee row, or money sent: out of scope for paysync.
    public func fee(_ id: String, amount: String) {
        state.withLock { state in
            state.rows.append(Row(id: id, code: "T0001", status: "S", amount: "-" + amount, currency: "USD", reference: nil, invoice: nil,
                                  initiated: state.now, updated: state.now, email: "supplier@example.com"))
        }
    }

    public func dispute(_ id: String, of transaction: String, amount: String, status: String = "WAITING_FOR_SELLER_RESPONSE", outcome: String? = nil) {
        state.withLock { state in
            var object = JSONObject([
                ("dispute_id", .string(id)), ("create_time", .string(FakePayPalServer.iso(state.now))), ("update_time", .string(FakePayPalServer.iso(state.now))),
                ("disputed_transactions", .array([.object(JSONObject([("seller_transaction_id", .string(transaction)), ("transaction_status", .string("COMPLETED")),
                                                                      ("gross_amount", FakePayPalServer.money(amount, "USD"))]))])),
                ("reason", .string("MERCHANDISE_OR_SERVICE_NOT_RECEIVED")), ("status", .string(status)), ("dispute_amount", FakePayPalServer.money(amount, "USD")),
                ("dispute_life_cycle_stage", .string("CHARGEBACK")), ("dispute_channel", .string("EXTERNAL")),
            ])
            if let outcome { object["dispute_outcome"] = .object(JSONObject([("outcome_code", .string(outcome))])) }
            state.disputes[id] = object
            state.now += 1000
        }
    }

    public func resolveDispute(_ id: String, outcome: String) {
        state.withLock { state in
            guard var object = state.disputes[id] else { return }
            object["status"] = .string("RESOLVED")
            object["dispute_outcome"] = .object(JSONObject([("outcome_code", .string(outcome))]))
            object["update_time"] = .string(FakePayPalServer.iso(state.now))
            state.disputes[id] = object
            state.now += 1000
        }
    }

    public func invoice(_ id: String, number: String, amount: String, paid: String = "0.00", status: String = "UNPAID", due: String = "2025-06-01") {
        state.withLock { state in
            let object = FakePayPalServer.invoiceObject(id: id, number: number, amount: amount, paid: paid, status: status, due: due, at: state.now)
            if let index = state.invoices.firstIndex(where: { $0.id == id }) { state.invoices[index].object = object } else { state.invoices.append((id, object)) }
            state.now += 1000
        }
    }

    static func invoiceObject(id: String, number: String, amount: String, paid: String, status: String, due: String, at: Int64) -> JSONObject {
        let dueAmount = (Decimal(string: amount) ?? 0) - (Decimal(string: paid) ?? 0)
        return JSONObject([
            ("id", .string(id)), ("status", .string(status)),
            ("detail", .object(JSONObject([
                ("invoice_number", .string(number)), ("reference", .string("deal-ref")), ("invoice_date", .string("2025-04-30")), ("currency_code", .string("USD")),
                ("payment_term", .object(JSONObject([("term_type", .string("NET_30")), ("due_date", .string(due))]))),
                ("metadata", .object(JSONObject([("create_time", .string(iso(at))), ("last_update_time", .string(iso(at)))]))),
            ]))),
            ("invoicer", .object(JSONObject([("email_address", .string("merchant@example.com"))]))),
            ("primary_recipients", .array([.object(JSONObject([("billing_info", .object(JSONObject([
                ("name", .object(JSONObject([("given_name", .string("Stephanie")), ("surname", .string("Meyers"))]))), ("email_address", .string("bill-me@example.com")),
            ])))]))])),
            ("amount", money(amount, "USD")), ("due_amount", money(DecimalText.normalized("\(dueAmount)") ?? "0.00", "USD")),
            ("payments", .object(JSONObject([("paid_amount", money(paid, "USD"))]))),
            ("links", .array([.object(JSONObject([("href", .string("https://api-m.paypal.com/v2/invoicing/invoices/\(id)")), ("rel", .string("self")),
                                                  ("method", .string("GET"))]))])),
        ])
    }

    static func money(_ value: String, _ currency: String) -> JSONValue {
        .object(JSONObject([("currency_code", .string(currency)), ("value", .string(value))]))
    }

    static func iso(_ milliseconds: Int64) -> String {
        // PayPal writes offsets without a colon.
        Timestamp(millisecondsSinceEpoch: milliseconds / 1000 * 1000).iso8601.replacingOccurrences(of: "Z", with: "+0000")
    }

    static func error(_ status: Int, _ name: String, _ message: String, issue: String? = nil, field: String? = nil) -> ServerReply {
        var body = JSONObject([("name", .string(name)), ("message", .string(message)), ("debug_id", .string("f0a1b2c3d4e5f"))])
        if let issue {
            var detail = JSONObject([("issue", .string(issue))])
            if let field { detail["field"] = .string(field) }
            body["details"] = .array([.object(detail)])
        }
        return .json(status, JSONWriter.compact(.object(body)))
    }

    // MARK: Serving

    static func handle(_ request: ServerRequest, clientID: String, clientSecret: String, state: Locked<State>) -> ServerReply {
        state.withLock { $0.received.append("\(request.method) \(request.target)") }
        if request.path == "/v1/oauth2/token" {
            let basic = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
            guard request.method == "POST", request.headers["Authorization"] == basic else {
                return .json(401, #"{"error":"invalid_client","error_description":"Client Authentication failed"}"#)
            }
            guard request.formFields["grant_type"] == "client_credentials" else {
                return .json(400, #"{"error":"unsupported_grant_type","error_description":"Grant Type is NULL"}"#)
            }
            return state.withLock { state in
                state.tokenRequests += 1
                let token = "A21AAFakePayPalAccess\(state.tokenRequests)"
                state.tokens.insert(token)
                return .json(200, JSONWriter.compact(.object(JSONObject([
                    ("scope", .string("https://uri.paypal.com/services/reporting/search/read https://uri.paypal.com/services/disputes/read-seller https://uri.paypal.com/services/invoicing")),
                    ("access_token", .string(token)), ("token_type", .string("Bearer")), ("app_id", .string("APP-80W284485P519543T")),
                    ("expires_in", .number("32400")), ("nonce", .string("2025-05-01T09:00:00Zfake")),
                ]))))
            }
        }
        guard let bearer = request.headers["Authorization"], bearer.hasPrefix("Bearer "), state.value.tokens.contains(String(bearer.dropFirst(7))) else {
            return .json(401, #"{"error":"invalid_token","error_description":"Token signature verification failed"}"#)
        }
        if let fault = state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) { return fault }
        guard request.method == "GET" else { return error(405, "METHOD_NOT_SUPPORTED", "The server does not implement the requested HTTP method.") }
        let snapshot = state.value
        switch request.path {
        case "/v1/reporting/transactions": return transactions(request, snapshot)
        case "/v1/customer/disputes": return disputes(request, snapshot)
        case "/v2/invoicing/invoices": return invoices(request, snapshot)
        default:
            if request.path.hasPrefix("/v1/customer/disputes/"), let dispute = snapshot.disputes[String(request.path.dropFirst("/v1/customer/disputes/".count))] {
                return .json(200, JSONWriter.compact(.object(dispute)))
            }
            return error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.")
        }
    }

    static func transactions(_ request: ServerRequest, _ state: State) -> ServerReply {
        func invalid(_ field: String, _ issue: String) -> ServerReply { error(400, "INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema.", issue: issue, field: field) }
        guard let startText = request.queryValue("start_date"), let start = Timestamp(iso: startText)?.millisecondsSinceEpoch else { return invalid("start_date", "MISSING_REQUIRED_PARAMETER") }
        guard let endText = request.queryValue("end_date"), let end = Timestamp(iso: endText)?.millisecondsSinceEpoch else { return invalid("end_date", "MISSING_REQUIRED_PARAMETER") }
        guard start < end, end - start <= 31 * 86_400_000 else { return invalid("end_date", "Date range is greater than 31 days") }
        guard start >= state.now - 3 * 365 * 86_400_000 - 86_400_000 else { return invalid("start_date", "Start date is more than 3 years in the past") }
        let size = Int(request.queryValue("page_size") ?? "100") ?? -1
        guard (1...500).contains(size) else { return invalid("page_size", "INVALID_PARAMETER_VALUE") }
        let page = Int(request.queryValue("page") ?? "1") ?? 0
        guard page >= 1 else { return invalid("page", "INVALID_PARAMETER_VALUE") }
        let refreshed = state.now - state.lagMilliseconds
        // A row is seen once PayPal's data has caught up with its last change.
        let id = request.queryValue("transaction_id")
        let rows = state.rows.filter { $0.updated <= refreshed && $0.initiated >= start && $0.initiated < end && (id == nil || $0.id == id) }
            .sorted { $0.initiated < $1.initiated }
        let total = rows.count
        let pages = max(1, (total + size - 1) / size)
        let slice = rows.dropFirst((page - 1) * size).prefix(size)
        let details = slice.map { row -> JSONValue in
            var info = JSONObject([
                ("paypal_account_id", .string("BUYERACCOUNT1")), ("transaction_id", .string(row.id)), ("transaction_event_code", .string(row.code)),
                ("transaction_initiation_date", .string(iso(row.initiated))), ("transaction_updated_date", .string(iso(row.updated))),
                ("transaction_amount", money(row.amount, row.currency)), ("transaction_status", .string(row.status)),
                ("protection_eligibility", .string("01")),
            ])
            if let reference = row.reference { info["paypal_reference_id"] = .string(reference); info["paypal_reference_id_type"] = .string("TXN") }
            if let invoice = row.invoice { info["invoice_id"] = .string(invoice) }
            return .object(JSONObject([
                ("transaction_info", .object(info)),
                ("payer_info", .object(JSONObject([("account_id", .string("BUYERACCOUNT1")), ("email_address", .string(row.email)), ("address_status", .string("Y")),
                                                   ("payer_status", .string("Y")), ("payer_name", .object(JSONObject([("given_name", .string("Norma")), ("surname", .string("Ruiz")),
                                                                                                                        ("alternate_full_name", .string("Norma Ruiz"))])))]))),
                ("cart_info", .object(JSONObject())), ("store_info", .object(JSONObject())), ("auction_info", .object(JSONObject())), ("incentive_info", .object(JSONObject())),
            ]))
        }
        return .json(200, JSONWriter.compact(.object(JSONObject([
            ("transaction_details", .array(details)), ("account_number", .string("XZXSPECYZZ5JA")),
            ("start_date", .string(startText)), ("end_date", .string(endText)), ("last_refreshed_datetime", .string(iso(refreshed))),
            ("page", .number(String(page))), ("total_items", .number(String(total))), ("total_pages", .number(String(pages))),
        ]))))
    }

    static func disputes(_ request: ServerRequest, _ state: State) -> ServerReply {
        let size = Int(request.queryValue("page_size") ?? "10") ?? -1
        guard (1...50).contains(size) else { return error(400, "INVALID_REQUEST", "Request is not well-formed.", issue: "INVALID_PAGE_SIZE", field: "page_size") }
        var items = state.disputes.values.map { $0 }
        if let after = request.queryValue("update_time_after") {
            guard let bound = Timestamp(iso: after) else { return error(400, "INVALID_REQUEST", "Request is not well-formed.", issue: "INVALID_DATE_TIME", field: "update_time_after") }
            items = items.filter { ($0["update_time"]?.stringValue.flatMap(Timestamp.init(iso:)) ?? bound) > bound }
        }
        items.sort { ($0["dispute_id"]?.stringValue ?? "") < ($1["dispute_id"]?.stringValue ?? "") }
        let offset = Int(request.queryValue("next_page_token") ?? "0") ?? 0
        let page = items.dropFirst(offset).prefix(size)
        var links: [JSONValue] = []
        if offset + page.count < items.count {
            var query = request.query.filter { $0.0 != "next_page_token" }
            query.append(("next_page_token", String(offset + page.count)))
            let next = URLBuilder.url("http://127.0.0.1:\(request.headers["Host"]?.split(separator: ":").last ?? "0")", path: "/v1/customer/disputes", query: query)
            links.append(.object(JSONObject([("href", .string(next?.absoluteString ?? "")), ("rel", .string("next")), ("method", .string("GET"))])))
        }
        let summaries = page.map { dispute -> JSONValue in
            .object(JSONObject([
                ("dispute_id", dispute["dispute_id"] ?? .null), ("create_time", dispute["create_time"] ?? .null), ("update_time", dispute["update_time"] ?? .null),
                ("reason", dispute["reason"] ?? .null), ("status", dispute["status"] ?? .null), ("dispute_amount", dispute["dispute_amount"] ?? .null),
            ]))
        }
        return .json(200, JSONWriter.compact(.object(JSONObject([("items", .array(summaries)), ("links", .array(links))]))))
    }

    static func invoices(_ request: ServerRequest, _ state: State) -> ServerReply {
        let size = Int(request.queryValue("page_size") ?? "20") ?? -1
        guard (1...100).contains(size) else { return error(400, "INVALID_REQUEST", "Request is not well-formed.", issue: "INVALID_PARAMETER_VALUE", field: "page_size") }
        let page = Int(request.queryValue("page") ?? "1") ?? 0
        guard page >= 1 else { return error(400, "INVALID_REQUEST", "Request is not well-formed.", issue: "INVALID_PARAMETER_VALUE", field: "page") }
        let all = state.invoices.map(\.object)
        let slice = all.dropFirst((page - 1) * size).prefix(size)
        var body = JSONObject([("items", .array(slice.map(JSONValue.object))), ("links", .array([]))])
        if request.queryValue("total_required") == "true" {
            body["total_items"] = .number(String(all.count))
            body["total_pages"] = .number(String(max(1, (all.count + size - 1) / size)))
        }
        return .json(200, JSONWriter.compact(.object(body)))
    }
}
