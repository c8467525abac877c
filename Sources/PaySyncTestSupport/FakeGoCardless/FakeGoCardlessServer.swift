import Foundation
import PaySyncCore
import PaySyncHTTP

/// GoCardless's API on 127.0.0.1, strict as documented (../shared/reference/payments-apis.md §7,
/// developer.gocardless.com/api-reference):
/// - `Authorization: Bearer <token>` and `GoCardless-Version: 2015-07-06` on every call;
/// - `GET /events`, `/payments`, `/refunds`, `/subscriptions`, newest first, `limit` 1–500, `after`
///   an id the list holds, `created_at[gt|gte|lt|lte]` as ISO 8601 times;
/// - `/events` filtered by `resource_type`, and `include` (the singular of that type, only with it)
///   embedding each named resource's current state under `linked`;
/// - a 429 names no `Retry-After`, only `RateLimit-Reset`.
/// Every mutation is an event with GoCardless's `action` and `details.cause`, one second after the last.
public final class FakeGoCardlessServer: Sendable {
    public static let version = "2015-07-06"

    struct Stored: Sendable {
        var type: String
        var sequence: Int
        var created: Int64
        var object: JSONObject
    }

    struct State: Sendable {
        var resources: [String: Stored] = [:]
        var events: [Stored] = []
        var now: Int64
        var sequence = 0
        var received: [String] = []
        var faults: [ServerReply] = []
    }

    public let token: String
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }

    public init(token: String = "live_FakeGoCardlessToken000000000000", now: Timestamp) throws {
        self.token = token
        let state = Locked(State(now: now.millisecondsSinceEpoch))
        self.state = state
        server = try LoopbackHTTPServer { request in FakeGoCardlessServer.handle(request, token: token, state: state) }
    }

    deinit { server.stop() }

    public var now: Timestamp { Timestamp(millisecondsSinceEpoch: state.value.now) }
    public func advance(seconds: Int64) { state.withLock { $0.now += seconds * 1000 } }
    public var received: [String] { state.value.received }
    public func inject(_ reply: ServerReply) { state.withLock { $0.faults.append(reply) } }

    /// The next `times` calls answer 429 as GoCardless does: no Retry-After, the minute's reset time.
    public func throttle(times: Int, resetInSeconds: Int64 = 2) {
        let reset = RetryAfter.httpDateText(now.adding(milliseconds: resetInSeconds * 1000))
        for _ in 0..<times {
            inject(.json(429, FakeGoCardlessServer.errorBody(type: "invalid_api_usage", code: 429, reason: "rate_limit_exceeded",
                                                               message: "You have exceeded the rate limit for this endpoint"),
                         headers: ["RateLimit-Limit": "1000", "RateLimit-Remaining": "0", "RateLimit-Reset": reset]))
        }
    }

    // MARK: Mutators

    @discardableResult
    public func payment(_ id: String, amount: Int64, currency: String = "GBP", status: String = "pending_submission", reference: String? = nil,
                        metadata: [String: String] = [:], subscription: String? = nil) -> String {
        var links = JSONObject([("mandate", .string("MD0000FAKE0001")), ("creditor", .string("CR0000FAKE0001"))])
        if let subscription { links["subscription"] = .string(subscription) }
        let object = JSONObject([
            ("id", .string(id)), ("created_at", .string("")), ("charge_date", .string("2025-05-06")), ("amount", .number(String(amount))),
            ("description", .null), ("currency", .string(currency)), ("status", .string(status)), ("reference", reference.map(JSONValue.string) ?? .null),
            ("metadata", FakeGoCardlessServer.json(metadata)), ("amount_refunded", .number("0")), ("retry_if_possible", .bool(true)),
            ("faster_ach", .bool(false)), ("links", .object(links)),
        ])
        store(object, type: "payments", action: "created", cause: "payment_created", link: "payment")
        return id
    }

    /// Moves a payment on with GoCardless's action and cause: `confirmed`/`payment_confirmed`,
    /// `failed`/`mandate_cancelled`, `charged_back`/`payment_charged_back`, `paid_out`/`payment_paid_out`.
    public func setPayment(_ id: String, status: String, cause: String? = nil) {
        guard var object = resource(id) else { return }
        object["status"] = .string(status)
        store(object, type: "payments", action: status, cause: cause ?? "payment_\(status)", link: "payment")
    }

    /// A refund of a payment: `created`, later `paid` (`setRefund`).
    @discardableResult
    public func refund(_ id: String, of payment: String, amount: Int64, status: String = "created") -> String {
        guard var paymentObject = resource(payment) else { return id }
        let object = JSONObject([
            ("id", .string(id)), ("created_at", .string("")), ("amount", .number(String(amount))), ("currency", paymentObject["currency"] ?? .string("GBP")),
            ("reference", .string("Refund")), ("metadata", .object(JSONObject())), ("status", .string(status)),
            ("links", .object(JSONObject([("payment", .string(payment)), ("mandate", .string("MD0000FAKE0001"))]))),
        ])
        store(object, type: "refunds", action: "created", cause: "payment_refunded", link: "refund")
        let refunded = (paymentObject["amount_refunded"]?.numberText.flatMap { Int64($0) } ?? 0) + amount
        paymentObject["amount_refunded"] = .number(String(refunded))
        store(paymentObject, type: "payments", action: "refunded", cause: "payment_refunded", link: "payment")
        return id
    }

    public func setRefund(_ id: String, status: String) {
        guard var object = resource(id) else { return }
        object["status"] = .string(status)
        store(object, type: "refunds", action: status, cause: "refund_\(status)", link: "refund")
    }

    @discardableResult
    public func subscription(_ id: String, amount: Int64, currency: String = "GBP", status: String = "active") -> String {
        let object = JSONObject([
            ("id", .string(id)), ("created_at", .string("")), ("amount", .number(String(amount))), ("currency", .string(currency)), ("status", .string(status)),
            ("name", .string("Monthly plan")), ("start_date", .string("2025-05-01")), ("end_date", .null), ("interval", .number("1")),
            ("interval_unit", .string("monthly")), ("day_of_month", .number("1")), ("month", .null), ("count", .null), ("metadata", .object(JSONObject())),
            ("upcoming_payments", .array([])), ("payment_reference", .null), ("app_fee", .null), ("retry_if_possible", .bool(true)),
            ("links", .object(JSONObject([("mandate", .string("MD0000FAKE0001"))]))),
        ])
        store(object, type: "subscriptions", action: "created", cause: "subscription_created", link: "subscription")
        return id
    }

    public func setSubscription(_ id: String, status: String) {
        guard var object = resource(id) else { return }
        object["status"] = .string(status)
        store(object, type: "subscriptions", action: status, cause: "subscription_\(status)", link: "subscription")
    }

    /// A mandate (a customer's Direct Debit authority), `pending_submission` at first.
    @discardableResult
    public func mandate(_ id: String, status: String = "pending_submission", reference: String = "REF-MANDATE") -> String {
        let object = JSONObject([
            ("id", .string(id)), ("created_at", .string("")), ("reference", .string(reference)), ("status", .string(status)), ("scheme", .string("bacs")),
            ("next_possible_charge_date", .string("2025-05-08")), ("payments_require_approval", .bool(false)), ("metadata", .object(JSONObject())),
            ("links", .object(JSONObject([("customer_bank_account", .string("BA0000FAKE0001")), ("creditor", .string("CR0000FAKE0001")),
                                          ("customer", .string("CU0000FAKE0001"))]))),
        ])
        store(object, type: "mandates", action: "created", cause: "mandate_created", link: "mandate")
        return id
    }

    /// A mandate moves on: `active`, `cancelled` (by the payer's bank), `expired`, `failed`.
    public func setMandate(_ id: String, status: String) {
        guard var object = resource(id) else { return }
        object["status"] = .string(status)
        store(object, type: "mandates", action: status, cause: "mandate_\(status)", link: "mandate")
    }

    /// A payout event: GoCardless lists it; paysync reads no payouts.
    public func payoutEvent() {
        state.withLock { state in
            state.sequence += 1
            state.events.append(Stored(type: "events", sequence: state.sequence, created: state.now, object: FakeGoCardlessServer.event(
                id: "EV\(String(format: "%012d", state.sequence))", at: state.now, type: "payouts", action: "paid", cause: "payout_paid",
                link: ("payout", "PO0000FAKE0001"))))
            state.now += 1000
        }
    }

    func resource(_ id: String) -> JSONObject? { state.value.resources[id]?.object }

    private func store(_ object: JSONObject, type: String, action: String, cause: String, link: String) {
        state.withLock { state in
            guard let id = object["id"]?.stringValue else { return }
            state.sequence += 1
            var object = object
            var stored = state.resources[id] ?? Stored(type: type, sequence: state.sequence, created: state.now, object: object)
            if object["created_at"]?.stringValue == "" { object["created_at"] = .string(FakeGoCardlessServer.iso(stored.created)) }
            stored.object = object
            state.resources[id] = stored
            state.events.append(Stored(type: "events", sequence: state.sequence, created: state.now,
                                       object: FakeGoCardlessServer.event(id: "EV\(String(format: "%012d", state.sequence))", at: state.now, type: type,
                                                                          action: action, cause: cause, link: (link, id))))
            state.now += 1000
        }
    }

    static func event(id: String, at: Int64, type: String, action: String, cause: String, link: (String, String)) -> JSONObject {
        JSONObject([
            ("id", .string(id)), ("created_at", .string(iso(at))), ("action", .string(action)), ("resource_type", .string(type)),
            ("links", .object(JSONObject([(link.0, .string(link.1))]))),
            ("details", .object(JSONObject([("origin", .string("gocardless")), ("cause", .string(cause)),
                                            ("description", .string("The \(type.dropLast()) was \(action.replacingOccurrences(of: "_", with: " ")).")),
                                            ("scheme", .string("bacs"))]))),
            ("metadata", .object(JSONObject())), ("resource_metadata", .object(JSONObject())),
        ])
    }

    static func iso(_ milliseconds: Int64) -> String {
        let text = Timestamp(millisecondsSinceEpoch: milliseconds).iso8601
        return text.contains(".") ? text : text.replacingOccurrences(of: "Z", with: ".000Z")
    }

    static func json(_ pairs: [String: String]) -> JSONValue {
        .object(JSONObject(pairs.keys.sorted().map { ($0, JSONValue.string(pairs[$0]!)) }))
    }

    public static func errorBody(type: String, code: Int, reason: String, message: String, field: String? = nil) -> String {
        var item = JSONObject([("reason", .string(reason)), ("message", .string(message))])
        if let field { item["field"] = .string(field) }
        return JSONWriter.compact(.object(JSONObject([("error", .object(JSONObject([
            ("message", .string(message)), ("documentation_url", .string("https://developer.gocardless.com/api-reference#\(reason)")),
            ("type", .string(type)), ("request_id", .string("0AAA0000FAKE")), ("code", .number(String(code))), ("errors", .array([.object(item)])),
        ])))])))
    }

    // MARK: Serving

    static let include = ["payments": "payment", "refunds": "refund", "subscriptions": "subscription", "mandates": "mandate", "payouts": "payout"]

    static func handle(_ request: ServerRequest, token: String, state: Locked<State>) -> ServerReply {
        state.withLock { $0.received.append("\(request.method) \(request.target)") }
        guard request.headers["Authorization"] == "Bearer \(token)" else {
            return .json(401, errorBody(type: "invalid_api_usage", code: 401, reason: "authentication_failed", message: "Invalid token"))
        }
        if let fault = state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) { return fault }
        guard request.headers["GoCardless-Version"] == version else {
            return .json(400, errorBody(type: "invalid_api_usage", code: 400, reason: "missing_version_header",
                                        message: "GoCardless-Version header must be \(version) on this fake"))
        }
        guard request.method == "GET" else { return .json(405, errorBody(type: "invalid_api_usage", code: 405, reason: "method_not_allowed", message: "Method not allowed")) }
        let snapshot = state.value
        let type = String(request.path.dropFirst())
        guard ["events", "payments", "refunds", "subscriptions", "mandates"].contains(type) else {
            return .json(404, errorBody(type: "invalid_api_usage", code: 404, reason: "path_not_found", message: "Path not found"))
        }
        func invalid(_ field: String, _ message: String) -> ServerReply {
            .json(422, errorBody(type: "validation_failed", code: 422, reason: "validation_failed", message: message, field: field))
        }
        var limit = 50
        if let text = request.queryValue("limit") {
            guard let number = Int(text), (1...500).contains(number) else { return invalid("limit", "must be between 1 and 500") }
            limit = number
        }
        var items = type == "events" ? snapshot.events : snapshot.resources.values.filter { $0.type == type }
        for comparison in ["gt", "gte", "lt", "lte"] {
            guard let text = request.queryValue("created_at[\(comparison)]") else { continue }
            guard let bound = Timestamp(iso: text)?.millisecondsSinceEpoch else { return invalid("created_at[\(comparison)]", "is not a valid ISO 8601 time") }
            items = items.filter { item in
                switch comparison {
                case "gt": item.created > bound
                case "gte": item.created >= bound
                case "lt": item.created < bound
                default: item.created <= bound
                }
            }
        }
        var included: String?
        if type == "events" {
            let resourceType = request.queryValue("resource_type")
            if let resourceType {
                guard include[resourceType] != nil else { return invalid("resource_type", "is not a resource type") }
                items = items.filter { $0.object["resource_type"]?.stringValue == resourceType }
            }
            if let wanted = request.queryValue("include") {
                guard let resourceType, include[resourceType] == wanted else { return invalid("include", "must be used with, and match, resource_type") }
                included = resourceType
            }
        } else if request.queryValue("include") != nil || request.queryValue("resource_type") != nil {
            return invalid("include", "is only accepted by the events list")
        }
        items.sort { ($0.created, $0.sequence) > ($1.created, $1.sequence) }
        if let after = request.queryValue("after") {
            guard let index = items.firstIndex(where: { $0.object["id"]?.stringValue == after }) else { return invalid("after", "is not a valid cursor") }
            items = Array(items[(index + 1)...])
        }
        let page = Array(items.prefix(limit))
        var body = JSONObject([(type, .array(page.map { .object($0.object) }))])
        if let included {
            let ids = page.compactMap { $0.object["links"]?[include[included]!]?.stringValue }
            var seen = Set<String>()
            let linked = ids.filter { seen.insert($0).inserted }.compactMap { snapshot.resources[$0]?.object }.map(JSONValue.object)
            body["linked"] = .object(JSONObject([(included, .array(linked))]))
        }
        let after: JSONValue = items.count > limit ? .string(page.last?.object["id"]?.stringValue ?? "") : .null
        body["meta"] = .object(JSONObject([("cursors", .object(JSONObject([("before", .null), ("after", after)]))), ("limit", .number(String(limit)))]))
        return .json(200, JSONWriter.compact(.object(body)), headers: ["RateLimit-Limit": "1000", "RateLimit-Remaining": "999"])
    }
}
