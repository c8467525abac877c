import Foundation
import PaySyncCore
import PaySyncHTTP

/// FreshBooks on 127.0.0.1, strict as its official SDK's models and fixtures
/// (freshbooks/freshbooks-nodejs-sdk) and `../shared/reference/payments-apis.md` §11:
/// - `POST /auth/oauth/token` with a JSON body (`client_id`, `client_secret`, `grant_type`,
///   `redirect_uri`, `refresh_token`); every refresh **rotates** the refresh token, and the old
///   one is refused (`invalid_grant`); access tokens last 12 hours;
/// - `GET /auth/api/v1/users/me`: the businesses (`business_memberships[].business.account_id`);
/// - `GET /accounting/account/{id}/invoices/invoices` and `…/payments/payments` with `page`,
///   `per_page` (at most 100), `search[updated_min]`, `search[vis_state]`, `search[date_min]`,
///   `search[date_max]` only; `{"response": {"result": {<list>, page, pages, per_page, total}}}`;
///   deleted objects (`vis_state` 1) only when asked for.
/// `updated` is naive America/New_York time, and `search[updated_min]` is compared with it as
/// text, as a naive time can only be: an hour that happens twice sorts as one.
public final class FakeFreshBooksServer: Sendable {
    struct Invoice: Sendable {
        var id: Int64
        var number: String
        var total: Int64
        var paid: Int64 = 0
        var v3Status: String
        var visState = 0
        var created: CalendarDate
        var due: CalendarDate
        var updated: Int64
    }

    struct Payment: Sendable {
        var id: Int64
        var invoice: Int64
        var amount: Int64
        var date: CalendarDate
        var visState = 0
        var updated: Int64
    }

    struct State: Sendable {
        var invoices: [Int64: Invoice] = [:]
        var payments: [Int64: Payment] = [:]
        var now: Int64
        var refreshToken: String
        var accessTokens: Set<String> = []
        var tokenRequests = 0
        var received: [String] = []
        var faults: [ServerReply] = []
        var nextPayment: Int64 = 115_800
        var rotations = 0
        var tokenDelay = 0.0
    }

    public static let account = "xZNQ1X"
    public let clientID = "fb-client-7dc2"
    public let clientSecret = "fbSecretQ81xZ"
    public let redirectURI = "https://paysync.example/callback"
    public let firstRefreshToken = "fbRefresh-0"
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }
    static let zone = TimeZone(identifier: "America/New_York")!

    public init(now: Timestamp) throws {
        let state = Locked(State(now: now.millisecondsSinceEpoch, refreshToken: firstRefreshToken))
        self.state = state
        let (clientID, clientSecret, redirect) = (clientID, clientSecret, redirectURI)
        server = try LoopbackHTTPServer { request in
            FakeFreshBooksServer.handle(request, state: state, clientID: clientID, clientSecret: clientSecret, redirectURI: redirect)
        }
    }

    deinit { server.stop() }

    public var now: Timestamp { Timestamp(millisecondsSinceEpoch: state.value.now) }
    public func advance(seconds: Int64) { state.withLock { $0.now += seconds * 1000 } }
    public func set(now: Timestamp) { state.withLock { $0.now = now.millisecondsSinceEpoch } }
    public var received: [String] { state.value.received }
    public var tokenRequests: Int { state.value.tokenRequests }
    /// The refresh token FreshBooks would accept now (the last rotated one).
    public var currentRefreshToken: String { state.value.refreshToken }
    public func inject(_ reply: ServerReply) { state.withLock { $0.faults.append(reply) } }
    public func expireAccessTokens() { state.withLock { $0.accessTokens.removeAll() } }
    /// Token answers take this long (the grant is decided when the request arrives).
    public func setTokenDelay(_ seconds: Double) { state.withLock { $0.tokenDelay = seconds } }

    /// An old-style accounting error, sent with HTTP 200 (the SDK's own fixture).
    public static let errorWith200 = ServerReply.json(200, #"{"response":{"errors":[{"errno":1012,"field":"itemid","message":"Item not found.","object":"item","value":"123432"}]}}"#)

    // MARK: Mutators

    public func invoice(_ id: Int64, number: String, total: Int64, status: String = "sent") {
        state.withLock { state in
            let day = Timestamp(millisecondsSinceEpoch: state.now).utcDate
            state.invoices[id] = Invoice(id: id, number: number, total: total, v3Status: status, created: day, due: day.adding(days: 30), updated: state.now)
            state.now += 1000
        }
    }

    func edit(_ id: Int64, _ change: (inout Invoice) -> Void) {
        state.withLock { state in
            guard var invoice = state.invoices[id] else { return }
            change(&invoice)
            invoice.updated = state.now
            state.invoices[id] = invoice
            state.now += 1000
        }
    }

    public func setStatus(_ id: Int64, _ status: String) { edit(id) { $0.v3Status = status } }
    public func delete(_ id: Int64) { edit(id) { $0.visState = 1 } }

    public func pay(_ id: Int64, amount: Int64) {
        state.withLock { state in
            guard var invoice = state.invoices[id] else { return }
            invoice.paid += amount
            invoice.v3Status = invoice.paid >= invoice.total ? "paid" : "partial"
            invoice.updated = state.now
            state.invoices[id] = invoice
            state.nextPayment += 1
            state.payments[state.nextPayment] = Payment(id: state.nextPayment, invoice: id, amount: amount,
                                                        date: Timestamp(millisecondsSinceEpoch: state.now).utcDate, updated: state.now)
            state.now += 1000
        }
    }

    // MARK: Serving

    /// Foundation's own formatter, not paysync's conversion: the fake checks it independently.
    static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }

    static func naive(_ milliseconds: Int64) -> String { formatter().string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)) }

    static func money(_ minor: Int64) -> JSONValue {
        .object(JSONObject([("amount", .string(Money(minorUnits: minor, currency: Currency(code: "USD")!).decimalText)), ("code", .string("USD"))]))
    }

    static func invoiceJSON(_ invoice: Invoice) -> JSONValue {
        let paymentStatus = invoice.paid == 0 ? "unpaid" : (invoice.paid >= invoice.total ? "paid" : "partial")
        return .object(JSONObject([
            ("accountid", .string(account)), ("amount", money(invoice.total)), ("auto_bill", .bool(false)), ("create_date", .string(invoice.created.description)),
            ("created_at", .string(naive(invoice.updated))), ("currency_code", .string("USD")), ("current_organization", .string("Hooli")),
            ("customerid", .number("217572")), ("date_paid", invoice.paid >= invoice.total ? .string(naive(invoice.updated).prefix(10).description) : .null),
            ("display_status", .string(invoice.v3Status == "draft" ? "draft" : "sent")), ("due_date", .string(invoice.due.description)),
            ("email", .string("gavin.belson@domain.com")), ("fname", .string("Gavin")), ("id", .number(String(invoice.id))),
            ("invoice_number", .string(invoice.number)), ("invoiceid", .number(String(invoice.id))), ("lname", .string("Belson")),
            ("organization", .string("Hooli")), ("outstanding", money(invoice.total - invoice.paid)), ("paid", money(invoice.paid)),
            ("payment_status", .string(paymentStatus)), ("po_number", .null), ("status", .number("2")), ("updated", .string(naive(invoice.updated))),
            ("v3_status", .string(invoice.v3Status)), ("vis_state", .number(String(invoice.visState))),
        ]))
    }

    static func paymentJSON(_ payment: Payment) -> JSONValue {
        .object(JSONObject([
            ("accounting_systemid", .string(account)), ("amount", money(payment.amount)), ("clientid", .number("217572")), ("creditid", .null),
            ("date", .string(payment.date.description)), ("from_credit", .bool(false)), ("gateway", .null), ("id", .number(String(payment.id))),
            ("invoiceid", .number(String(payment.invoice))), ("logid", .number(String(payment.id))), ("note", .string("")), ("orderid", .null),
            ("overpaymentid", .null), ("transactionid", .null), ("type", .string("Cash")), ("updated", .string(naive(payment.updated))),
            ("vis_state", .number(String(payment.visState))),
        ]))
    }

    static func handle(_ request: ServerRequest, state: Locked<State>, clientID: String, clientSecret: String, redirectURI: String) -> ServerReply {
        if request.path == "/auth/oauth/token" {
            let reply = token(request, state: state, clientID: clientID, clientSecret: clientSecret, redirectURI: redirectURI)
            let delay = state.value.tokenDelay
            return delay > 0 ? .delayed(seconds: delay, reply) : reply
        }
        state.withLock { $0.received.append("\(request.method) \(request.target)") }
        let auth = request.headers["Authorization"] ?? ""
        guard auth.hasPrefix("Bearer "), state.value.accessTokens.contains(String(auth.dropFirst(7))) else {
            return .json(401, #"{"error":"unauthenticated","error_description":"This action requires authentication to continue."}"#)
        }
        if let fault = state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) { return fault }
        guard request.method == "GET" else { return .json(405, #"{"error":"method_not_allowed"}"#) }
        if request.path == "/auth/api/v1/users/me" {
            return .json(200, #"{"response":{"id":2192788,"first_name":"Johnny","last_name":"Appleseed","email":"johnnyappleseed@test.com","business_memberships":[{"id":6765686,"role":"owner","business":{"id":2122866,"name":"Fruity Loops","account_id":"\#(account)","timezone":"America/New_York","date_format":"mm/dd/yyyy"}}]}}"#)
        }
        let parts = request.path.split(separator: "/").map(String.init)  // accounting account ID invoices invoices
        guard parts.count == 5, parts[0] == "accounting", parts[1] == "account", [["invoices", "invoices"], ["payments", "payments"]].contains(Array(parts[3...])) else {
            return .json(404, #"{"response":{"errors":[{"errno":1012,"message":"Requested resource could not be found."}]}}"#)
        }
        guard parts[2] == account else { return .json(403, #"{"response":{"errors":[{"errno":1003,"message":"The server could not verify that you are authorized to access the URL requested."}]}}"#) }
        let allowed = ["page", "per_page", "search[updated_min]", "search[vis_state]", "search[date_min]", "search[date_max]"]
        for (name, _) in request.query where !allowed.contains(name) {
            return .json(400, #"{"response":{"errors":[{"errno":2001,"field":"\#(name)","message":"Invalid search filter."}]}}"#)
        }
        let page = Int(request.queryValue("page") ?? "1") ?? 0, perPage = Int(request.queryValue("per_page") ?? "15") ?? 0
        guard page >= 1, (1...100).contains(perPage) else { return .json(400, #"{"response":{"errors":[{"errno":2001,"message":"Invalid page or per_page."}]}}"#) }
        let updatedMin = request.queryValue("search[updated_min]")
        if let updatedMin, updatedMin.count != 19 || CalendarDate(iso: String(updatedMin.prefix(10))) == nil || updatedMin.dropFirst(10).first != " " {
            return .json(400, #"{"response":{"errors":[{"errno":2001,"field":"updated_min","message":"Invalid date."}]}}"#)
        }
        let deleted = request.queryValue("search[vis_state]") == "1"
        let dateMin = request.queryValue("search[date_min]").flatMap { CalendarDate(iso: $0) }
        let dateMax = request.queryValue("search[date_max]").flatMap { CalendarDate(iso: $0) }
        func keep(updated: Int64, visState: Int, date: CalendarDate) -> Bool {
            // A naive time is compared as text: the only comparison it allows.
            (updatedMin.map { naive(updated) >= $0 } ?? true) && (deleted ? visState == 1 : visState != 1)
                && (dateMin.map { date >= $0 } ?? true) && (dateMax.map { date <= $0 } ?? true)
        }
        let snapshot = state.value
        let key = parts[3]
        let rows: [(Int64, JSONValue)] = key == "invoices"
            ? snapshot.invoices.values.filter { keep(updated: $0.updated, visState: $0.visState, date: $0.created) }.map { ($0.id, invoiceJSON($0)) }
            : snapshot.payments.values.filter { keep(updated: $0.updated, visState: $0.visState, date: $0.date) }.map { ($0.id, paymentJSON($0)) }
        let sorted = rows.sorted { $0.0 > $1.0 }
        let slice = sorted.dropFirst((page - 1) * perPage).prefix(perPage).map(\.1)
        let pages = max(1, (sorted.count + perPage - 1) / perPage)
        return .json(200, JSONWriter.compact(.object(JSONObject([("response", .object(JSONObject([("result", .object(JSONObject([
            (key, .array(Array(slice))), ("page", .number(String(page))), ("pages", .number(String(pages))), ("per_page", .number(String(perPage))),
            ("total", .number(String(sorted.count))),
        ])))])))]))))
    }

    static func token(_ request: ServerRequest, state: Locked<State>, clientID: String, clientSecret: String, redirectURI: String) -> ServerReply {
        let invalid = ServerReply.json(400, #"{"error":"invalid_grant","error_description":"The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."}"#)
        guard request.method == "POST", request.headers["Content-Type"]?.hasPrefix("application/json") == true,
              let body = try? JSONParser.parse(request.body) else {
            return .json(400, #"{"error":"invalid_request","error_description":"The request is missing a required parameter."}"#)
        }
        return state.withLock { state -> ServerReply in
            state.tokenRequests += 1
            guard body["grant_type"]?.stringValue == "refresh_token", body["client_id"]?.stringValue == clientID,
                  body["client_secret"]?.stringValue == clientSecret else {
                return .json(401, #"{"error":"invalid_client","error_description":"Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."}"#)
            }
            guard body["redirect_uri"]?.stringValue == redirectURI, body["refresh_token"]?.stringValue == state.refreshToken else { return invalid }
            state.rotations += 1
            state.refreshToken = "fbRefresh-\(state.rotations)"
            let access = "fbAccess-\(UUID().uuidString.prefix(8))"
            state.accessTokens.insert(access)
            return .json(200, #"{"access_token":"\#(access)","token_type":"Bearer","expires_in":43200,"refresh_token":"\#(state.refreshToken)","scope":"user:profile:read user:invoices:read user:payments:read","created_at":\#(state.now / 1000)}"#)
        }
    }
}
