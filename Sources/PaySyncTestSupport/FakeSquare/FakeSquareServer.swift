import Foundation
import PaySyncCore
import PaySyncHTTP

/// Square's API on 127.0.0.1, strict as documented (../shared/reference/payments-apis.md §2;
/// developer.squareup.com/reference/square):
/// - `Authorization: Bearer` (a personal token, or an access token this fake issued) and
///   `Square-Version` on every call; `POST /oauth2/token` takes a JSON body and answers
///   `expires_at` as an ISO 8601 time, 30 days ahead;
/// - `GET /v2/locations`; `GET /v2/payments` and `/v2/refunds` with `begin_time`/`end_time` on
///   `created_at` — **one year back by default**, as Square does — `updated_at_begin_time`,
///   `sort_field`, `sort_order`, `location_id` (the main location when absent), `limit` ≤ 100 and
///   `cursor`; `GET /v2/invoices` with `location_id` required and `limit` ≤ 200; `GET /v2/disputes`;
/// - 429 `RATE_LIMITED` on demand.
public final class FakeSquareServer: Sendable {
    struct Stored: Sendable {
        var type: String
        var location: String
        var created: Int64
        var updated: Int64
        var object: JSONObject
    }

    struct State: Sendable {
        var locations: [String]
        var objects: [String: Stored] = [:]
        var now: Int64
        var issued: Set<String> = []
        var refreshToken: String
        var refreshes = 0
        var received: [String] = []
        var faults: [ServerReply] = []
    }

    public let version = "2025-04-16"
    public let personalToken: String
    public let clientID = "sq0idp-FakeSquareApp"
    public let clientSecret = "sq0csp-FakeSquareSecret"
    /// When true, each refresh answers a new refresh token (Square's PKCE flow); the code flow's stays.
    public let rotates: Bool
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }

    public init(locations: [String], now: Timestamp, personalToken: String = "EAAAlFakePersonalToken", refreshToken: String = "EQAAlFakeRefresh0",
                rotates: Bool = false) throws {
        self.personalToken = personalToken
        self.rotates = rotates
        let state = Locked(State(locations: locations, now: now.millisecondsSinceEpoch, refreshToken: refreshToken))
        self.state = state
        let (clientID, clientSecret, version) = (self.clientID, self.clientSecret, self.version)
        server = try LoopbackHTTPServer { request in
            FakeSquareServer.handle(request, personal: personalToken, clientID: clientID, clientSecret: clientSecret, version: version, rotates: rotates, state: state)
        }
    }

    deinit { server.stop() }

    public var now: Timestamp { Timestamp(millisecondsSinceEpoch: state.value.now) }
    public func advance(seconds: Int64) { state.withLock { $0.now += seconds * 1000 } }
    public var received: [String] { state.value.received }
    public var refreshes: Int { state.value.refreshes }
    /// Objects of a list in a location last changed at or after `since` (what a read from that
    /// cursor must page through).
    public func count(_ type: String, location: String, updatedSince since: Timestamp) -> Int {
        state.value.objects.values.filter { $0.type == type && $0.location == location && $0.updated >= since.millisecondsSinceEpoch }.count
    }
    public var currentRefreshToken: String { state.value.refreshToken }
    public func inject(_ reply: ServerReply) { state.withLock { $0.faults.append(reply) } }
    public func throttle(times: Int) {
        for _ in 0..<times { inject(.json(429, FakeSquareServer.errors("RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limit exceeded"))) }
    }

    // MARK: Mutators

    static func money(_ amount: Int64, _ currency: String) -> JSONValue {
        .object(JSONObject([("amount", .number(String(amount))), ("currency", .string(currency))]))
    }

    /// A payment created `ageDays` ago (its `created_at`), in a location.
    @discardableResult
    public func payment(_ id: String, location: String, amount: Int64, currency: String = "USD", status: String = "COMPLETED", ageDays: Int64 = 0,
                        reference: String? = nil) -> String {
        var object = JSONObject([
            ("id", .string(id)), ("amount_money", FakeSquareServer.money(amount, currency)),
            ("total_money", FakeSquareServer.money(amount, currency)), ("approved_money", FakeSquareServer.money(amount, currency)),
            ("status", .string(status)), ("delay_duration", .string("PT168H")), ("source_type", .string("CARD")),
            ("card_details", .object(JSONObject([("status", .string("CAPTURED")), ("card", .object(JSONObject([("card_brand", .string("VISA")), ("last_4", .string("1111"))]))),
                                                ("entry_method", .string("KEYED"))]))),
            ("location_id", .string(location)), ("order_id", .string("ord-\(id)")), ("receipt_number", .string(String(id.prefix(4)))),
            ("buyer_email_address", .string("buyer@example.com")), ("version_token", .string("v-\(id)")),
        ])
        if let reference { object["reference_id"] = .string(reference) }
        store(id, type: "payments", location: location, object: object, createdAgo: ageDays * 86_400_000)
        return id
    }

    public func setPayment(_ id: String, status: String) { update(id) { $0["status"] = .string(status) } }

    @discardableResult
    public func refund(_ id: String, of payment: String, amount: Int64, status: String = "COMPLETED") -> String {
        guard let paid = state.value.objects[payment] else { return id }
        let currency = paid.object["amount_money"]?["currency"]?.stringValue ?? "USD"
        store(id, type: "refunds", location: paid.location, object: JSONObject([
            ("id", .string(id)), ("status", .string(status)), ("amount_money", FakeSquareServer.money(amount, currency)), ("payment_id", .string(payment)),
            ("order_id", .string("ord-\(payment)")), ("reason", .string("Returned goods")), ("location_id", .string(paid.location)),
        ]), createdAgo: 0)
        if status == "COMPLETED" { addRefunded(amount, to: payment) }
        return id
    }

    public func setRefund(_ id: String, status: String) {
        guard let refund = state.value.objects[id] else { return }
        update(id) { $0["status"] = .string(status) }
        if status == "COMPLETED", let payment = refund.object["payment_id"]?.stringValue {
            addRefunded(refund.object["amount_money"]?["amount"]?.numberText.flatMap { Int64($0) } ?? 0, to: payment)
        }
    }

    func addRefunded(_ amount: Int64, to payment: String) {
        update(payment) { object in
            let currency = object["amount_money"]?["currency"]?.stringValue ?? "USD"
            let before = object["refunded_money"]?["amount"]?.numberText.flatMap { Int64($0) } ?? 0
            object["refunded_money"] = FakeSquareServer.money(before + amount, currency)
            object["refund_ids"] = .array([])
        }
    }

    @discardableResult
    public func invoice(_ id: String, location: String, number: String, amount: Int64, currency: String = "USD", due: String = "2025-06-01",
                        status: String = "UNPAID") -> String {
        store(id, type: "invoices", location: location, object: JSONObject([
            ("id", .string(id)), ("version", .number("1")), ("location_id", .string(location)), ("order_id", .string("ord-\(id)")),
            ("payment_requests", .array([.object(JSONObject([
                ("uid", .string("pr-\(id)")), ("request_type", .string("BALANCE")), ("due_date", .string(due)), ("tipping_enabled", .bool(false)),
                ("computed_amount_money", FakeSquareServer.money(amount, currency)), ("total_completed_amount_money", FakeSquareServer.money(0, currency)),
                ("automatic_payment_source", .string("NONE")),
            ]))])),
            ("primary_recipient", .object(JSONObject([("customer_id", .string("CUST-\(id)")), ("given_name", .string("Amelia")), ("family_name", .string("Earhart")),
                                                      ("email_address", .string("amelia@example.com"))]))),
            ("invoice_number", .string(number)), ("title", .string("Services")), ("status", .string(status)), ("timezone", .string("America/Los_Angeles")),
            ("delivery_method", .string("EMAIL")), ("sale_or_service_date", .string("2025-04-30")),
        ]), createdAgo: 0)
        return id
    }

    /// A payment towards an invoice: `PARTIALLY_PAID`, then `PAID`.
    public func payInvoice(_ id: String, amount: Int64) {
        update(id) { object in
            guard var request = object["payment_requests"]?.arrayValue?.first?.objectValue else { return }
            let currency = request["computed_amount_money"]?["currency"]?.stringValue ?? "USD"
            let total = request["computed_amount_money"]?["amount"]?.numberText.flatMap { Int64($0) } ?? 0
            let paid = (request["total_completed_amount_money"]?["amount"]?.numberText.flatMap { Int64($0) } ?? 0) + amount
            request["total_completed_amount_money"] = FakeSquareServer.money(paid, currency)
            object["payment_requests"] = .array([.object(request)])
            object["status"] = .string(paid >= total ? "PAID" : "PARTIALLY_PAID")
            object["version"] = .number(String((object["version"]?.intValue ?? 0) + 1))
        }
    }

    public func setInvoice(_ id: String, status: String) {
        update(id) { object in
            object["status"] = .string(status)
            object["version"] = .number(String((object["version"]?.intValue ?? 0) + 1))
        }
    }

    @discardableResult
    public func dispute(_ id: String, of payment: String, amount: Int64, state disputeState: String = "EVIDENCE_REQUIRED") -> String {
        guard let paid = state.value.objects[payment] else { return id }
        let currency = paid.object["amount_money"]?["currency"]?.stringValue ?? "USD"
        store(id, type: "disputes", location: paid.location, object: JSONObject([
            ("dispute_id", .string(id)), ("id", .string(id)), ("amount_money", FakeSquareServer.money(amount, currency)), ("reason", .string("NO_KNOWLEDGE")),
            ("state", .string(disputeState)), ("due_at", .string("2025-05-20T00:00:00.000Z")),
            ("disputed_payment", .object(JSONObject([("payment_id", .string(payment))]))), ("card_brand", .string("VISA")),
            ("brand_dispute_id", .string("100000282394")), ("location_id", .string(paid.location)),
        ]), createdAgo: 0)
        return id
    }

    public func setDispute(_ id: String, state disputeState: String) { update(id) { $0["state"] = .string(disputeState) } }

    private func store(_ id: String, type: String, location: String, object: JSONObject, createdAgo: Int64) {
        state.withLock { state in
            let created = state.now - createdAgo
            var object = object
            object["created_at"] = .string(FakeSquareServer.iso(created))
            object["updated_at"] = .string(FakeSquareServer.iso(state.now))
            state.objects[id] = Stored(type: type, location: location, created: created, updated: state.now, object: object)
            state.now += 1000
        }
    }

    private func update(_ id: String, _ change: (inout JSONObject) -> Void) {
        state.withLock { state in
            guard var stored = state.objects[id] else { return }
            change(&stored.object)
            stored.updated = state.now
            stored.object["updated_at"] = .string(FakeSquareServer.iso(state.now))
            state.objects[id] = stored
            state.now += 1000
        }
    }

    static func iso(_ milliseconds: Int64) -> String {
        let text = Timestamp(millisecondsSinceEpoch: milliseconds).iso8601
        return text.contains(".") ? text : text.replacingOccurrences(of: "Z", with: ".000Z")
    }

    public static func errors(_ category: String, _ code: String, _ detail: String, field: String? = nil) -> String {
        var error = JSONObject([("category", .string(category)), ("code", .string(code)), ("detail", .string(detail))])
        if let field { error["field"] = .string(field) }
        return JSONWriter.compact(.object(JSONObject([("errors", .array([.object(error)]))])))
    }

    // MARK: Serving

    static func handle(_ request: ServerRequest, personal: String, clientID: String, clientSecret: String, version: String, rotates: Bool,
                       state: Locked<State>) -> ServerReply {
        state.withLock { $0.received.append("\(request.method) \(request.target)") }
        if request.path == "/oauth2/token" { return token(request, clientID: clientID, clientSecret: clientSecret, rotates: rotates, state: state) }
        let bearer = request.headers["Authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let bearer, bearer == personal || state.value.issued.contains(bearer) else {
            return .json(401, errors("AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized."))
        }
        if let fault = state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) { return fault }
        guard request.headers["Square-Version"] == version else {
            return .json(400, errors("INVALID_REQUEST_ERROR", "INVALID_VALUE", "Square-Version must be \(version) on this fake", field: "Square-Version"))
        }
        guard request.method == "GET" else { return .json(405, errors("INVALID_REQUEST_ERROR", "METHOD_NOT_ALLOWED", "Method not allowed")) }
        let snapshot = state.value
        func bad(_ field: String, _ detail: String) -> ServerReply { .json(400, errors("INVALID_REQUEST_ERROR", "INVALID_VALUE", detail, field: field)) }
        if request.path == "/v2/locations" {
            return .json(200, JSONWriter.compact(.object(JSONObject([("locations", .array(snapshot.locations.map { id in
                .object(JSONObject([("id", .string(id)), ("name", .string("Shop \(id)")), ("status", .string("ACTIVE")), ("currency", .string("USD")),
                                    ("timezone", .string("America/Los_Angeles")), ("country", .string("US"))]))
            }))]))))
        }
        let lists = ["/v2/payments": ("payments", 100), "/v2/refunds": ("refunds", 100), "/v2/invoices": ("invoices", 200), "/v2/disputes": ("disputes", 100)]
        guard let (type, maximum) = lists[request.path] else { return .json(404, errors("INVALID_REQUEST_ERROR", "NOT_FOUND", "Resource not found")) }
        var limit = maximum == 200 ? 100 : maximum
        if let text = request.queryValue("limit") {
            guard let number = Int(text), (1...maximum).contains(number) else { return bad("limit", "limit must be between 1 and \(maximum)") }
            limit = number
        }
        var items = snapshot.objects.values.filter { $0.type == type }
        let location = request.queryValue("location_id")
        if type == "invoices", location == nil { return bad("location_id", "Field must be set") }
        items = items.filter { $0.location == (location ?? snapshot.locations.first ?? "") }
        if type == "payments" || type == "refunds" {
            var times: [String: Int64] = [:]
            for name in ["begin_time", "end_time", "updated_at_begin_time", "updated_at_end_time"] {
                guard let text = request.queryValue(name) else { continue }
                guard let value = Timestamp(iso: text)?.millisecondsSinceEpoch else { return bad(name, "Invalid timestamp \(text)") }
                times[name] = value
            }
            let (begin, end, updatedBegin, updatedEnd) = (times["begin_time"], times["end_time"], times["updated_at_begin_time"], times["updated_at_end_time"])
            // Square's default: objects created in the last year only.
            let from = begin ?? (snapshot.now - 365 * 86_400_000)
            items = items.filter { $0.created >= from && $0.created < (end ?? Int64.max) }
            if let updatedBegin { items = items.filter { $0.updated >= updatedBegin } }
            if let updatedEnd { items = items.filter { $0.updated < updatedEnd } }
            let field = request.queryValue("sort_field") ?? "CREATED_AT"
            guard ["CREATED_AT", "UPDATED_AT", "OFFLINE_CREATED_AT"].contains(field) else { return bad("sort_field", "Invalid sort_field \(field)") }
            let order = request.queryValue("sort_order") ?? "DESC"
            guard ["ASC", "DESC"].contains(order) else { return bad("sort_order", "Invalid sort_order \(order)") }
            items.sort { field == "UPDATED_AT" ? ($0.updated, $0.created) < ($1.updated, $1.created) : ($0.created, $0.updated) < ($1.created, $1.updated) }
            if order == "DESC" { items.reverse() }
        } else {
            items.sort { $0.created > $1.created }
        }
        var offset = 0
        if let cursor = request.queryValue("cursor") {
            guard cursor.hasPrefix("c-"), let value = Int(cursor.dropFirst(2)), value <= items.count else { return bad("cursor", "Invalid cursor") }
            offset = value
        }
        let page = items.dropFirst(offset).prefix(limit)
        var body = JSONObject()
        if !page.isEmpty { body[type] = .array(page.map { .object($0.object) }) }
        if offset + page.count < items.count { body["cursor"] = .string("c-\(offset + page.count)") }
        return .json(200, JSONWriter.compact(.object(body)))
    }

    static func token(_ request: ServerRequest, clientID: String, clientSecret: String, rotates: Bool, state: Locked<State>) -> ServerReply {
        guard request.method == "POST", request.headers["Content-Type"]?.hasPrefix("application/json") == true,
              let body = try? JSONParser.parse(request.bodyText) else {
            return .json(400, errors("INVALID_REQUEST_ERROR", "BAD_REQUEST", "ObtainToken takes a JSON body"))
        }
        guard body["client_id"]?.stringValue == clientID, body["client_secret"]?.stringValue == clientSecret else {
            return .json(401, errors("AUTHENTICATION_ERROR", "UNAUTHORIZED", "Invalid client credentials"))
        }
        guard body["grant_type"]?.stringValue == "refresh_token", let presented = body["refresh_token"]?.stringValue else {
            return .json(400, errors("INVALID_REQUEST_ERROR", "BAD_REQUEST", "grant_type must be refresh_token with a refresh_token"))
        }
        return state.withLock { state in
            guard presented == state.refreshToken else {
                return .json(401, errors("AUTHENTICATION_ERROR", "UNAUTHORIZED", "The refresh token is invalid"))
            }
            state.refreshes += 1
            let access = "EAAAlFakeAccess\(state.refreshes)"
            state.issued.insert(access)
            if rotates { state.refreshToken = "EQAAlFakeRefresh\(state.refreshes)" }
            return .json(200, JSONWriter.compact(.object(JSONObject([
                ("access_token", .string(access)), ("token_type", .string("bearer")),
                ("expires_at", .string(Timestamp(millisecondsSinceEpoch: state.now + 30 * 86_400_000).iso8601)),
                ("merchant_id", .string("MLFAKEMERCHANT")), ("refresh_token", .string(state.refreshToken)), ("short_lived", .bool(false)),
            ]))))
        }
    }
}
