import Foundation
import PaySyncCore
import PaySyncHTTP

/// Stripe's API on 127.0.0.1, strict as documented (../shared/reference/payments-apis.md §1):
/// - `Authorization: Bearer <secret key>` and `Stripe-Version` (the pinned version) on every call;
///   `Stripe-Account` only for a connected account the key reaches;
/// - `GET` lists (`/v1/events`, `/v1/payment_intents`, `/v1/charges`, `/v1/refunds`,
///   `/v1/disputes`, `/v1/invoices`, `/v1/subscriptions`, `/v1/checkout/sessions`), newest first,
///   `limit` 1–100, `starting_after` an id the list holds, `created[gt|gte|lt|lte]` in Unix seconds;
///   any other parameter is refused as Stripe refuses it (`parameter_unknown`);
/// - canceled subscriptions left out unless `status=all` or `canceled`;
/// - events kept 30 days by the fake's clock.
/// Every object is built from Stripe's own example (`fixtures/stripe/openapi`), and every change a
/// mutator makes is an event carrying the object's snapshot, one second after the last.
public final class FakeStripeServer: Sendable {
    public static let apiVersion = "2024-06-20"

    struct Stored: Sendable {
        var list: String
        var sequence: Int
        var created: Int64
        var object: JSONObject
    }

    struct Account: Sendable {
        var objects: [String: Stored] = [:]
        var events: [Stored] = []
    }

    struct State: Sendable {
        var accounts: [String: Account]
        var now: Int64
        var sequence = 0
        var received: [String] = []
        var faults: [ServerReply] = []
    }

    public let key: String
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }

    /// - Parameters:
    ///   - now: the fake's clock (events are stamped with it).
    ///   - connected: connected accounts (`acct_…`) the key may read with `Stripe-Account`.
    public init(key: String = "sk_test_51FakeStripeKey00000000000000", now: Timestamp, connected: [String] = []) throws {
        self.key = key
        var accounts: [String: Account] = ["self": Account()]
        for account in connected { accounts[account] = Account() }
        let state = Locked(State(accounts: accounts, now: now.millisecondsSinceEpoch / 1000))
        self.state = state
        server = try LoopbackHTTPServer { request in FakeStripeServer.handle(request, key: key, state: state) }
    }

    deinit { server.stop() }

    // MARK: Clock, faults, what was asked

    public var now: Timestamp { Timestamp(millisecondsSinceEpoch: state.value.now * 1000) }
    public func advance(seconds: Int64) { state.withLock { $0.now += seconds } }
    /// The next API call answers this instead.
    public func inject(_ reply: ServerReply) { state.withLock { $0.faults.append(reply) } }
    /// The next `times` calls answer 429 as Stripe does, with `Retry-After` and `Stripe-Should-Retry`.
    public func throttle(times: Int, retryAfter: Int = 1, shouldRetry: Bool = true) {
        for _ in 0..<times {
            inject(.json(429, #"{"error":{"message":"Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.","type":"invalid_request_error","code":"rate_limit"}}"#,
                         headers: ["Retry-After": String(retryAfter), "Stripe-Should-Retry": shouldRetry ? "true" : "false", "Request-Id": "req_fake_throttled"]))
        }
    }
    /// `METHOD /path?query` of each API call, in order, with `[acct_…]` for a connected account.
    public var received: [String] { state.value.received }
    public func calls(to path: String) -> Int { received.filter { $0.contains(" \(path)?") || $0.hasSuffix(" \(path)") }.count }
    public func object(_ id: String, account: String = "self") -> JSONObject? { state.value.accounts[account]?.objects[id]?.object }
    public var eventCount: Int { state.value.accounts.values.map(\.events.count).reduce(0, +) }

    // MARK: Mutators

    /// A PaymentIntent, and its charge when it succeeded or failed; returns its id.
    @discardableResult
    public func paymentIntent(_ id: String, amount: Int64, currency: String = "usd", status: String = "succeeded", declineCode: String? = nil,
                              metadata: [String: String] = [:], email: String? = nil, customer: String? = nil, account: String = "self") -> String {
        var object = FakeStripeServer.template("payment_intent")
        object["id"] = .string(id)
        object["amount"] = .number(String(amount))
        object["amount_received"] = .number("0")
        object["currency"] = .string(currency)
        object["status"] = .string("requires_payment_method")
        object["last_payment_error"] = .null
        object["canceled_at"] = .null
        object["next_action"] = .null
        object["metadata"] = FakeStripeServer.json(metadata)
        object["receipt_email"] = email.map(JSONValue.string) ?? .null
        object["customer"] = customer.map(JSONValue.string) ?? .null
        store(object, list: "payment_intents", account: account, event: "payment_intent.created")
        if status != "requires_payment_method" || declineCode != nil { setPaymentIntent(id, status: status, declineCode: declineCode, account: account) }
        return id
    }

    /// Moves a PaymentIntent on: `succeeded` (charged in full), `requires_payment_method` with a
    /// decline code (a failed attempt), `processing`, `canceled`.
    public func setPaymentIntent(_ id: String, status: String, declineCode: String? = nil, account: String = "self") {
        guard var object = object(id, account: account) else { return }
        let amount = FakeStripeServer.integer(object["amount"])
        object["status"] = .string(status)
        var eventType = "payment_intent.\(status)"
        if status == "succeeded" || declineCode != nil {
            let charge = "ch_\(id.dropFirst(3))\(declineCode == nil ? "" : "_\(state.value.sequence)")"
            var chargeObject = FakeStripeServer.template("charge")
            chargeObject["id"] = .string(charge)
            chargeObject["amount"] = .number(String(amount))
            chargeObject["amount_captured"] = .number(declineCode == nil ? String(amount) : "0")
            chargeObject["captured"] = .bool(declineCode == nil)
            chargeObject["currency"] = object["currency"] ?? .string("usd")
            chargeObject["payment_intent"] = .string(id)
            chargeObject["status"] = .string(declineCode == nil ? "succeeded" : "failed")
            chargeObject["paid"] = .bool(declineCode == nil)
            chargeObject["failure_code"] = declineCode.map { _ in JSONValue.string("card_declined") } ?? .null
            store(chargeObject, list: "charges", account: account, event: declineCode == nil ? "charge.succeeded" : "charge.failed")
            object["latest_charge"] = .string(charge)
        }
        if status == "succeeded" { object["amount_received"] = .number(String(amount)) }
        if let declineCode {
            object["status"] = .string("requires_payment_method")
            object["last_payment_error"] = .object(JSONObject([("type", .string("card_error")), ("code", .string(declineCode == "expired_card" ? "expired_card" : "card_declined")),
                                                                ("decline_code", .string(declineCode)), ("message", .string("Your card was declined."))]))
            eventType = "payment_intent.payment_failed"
        }
        store(object, list: "payment_intents", account: account, event: eventType)
    }

    /// A charge made without a PaymentIntent (the legacy Charges API).
    @discardableResult
    public func legacyCharge(_ id: String, amount: Int64, currency: String = "usd", failed: Bool = false, account: String = "self") -> String {
        var object = FakeStripeServer.template("charge")
        object["id"] = .string(id)
        object["amount"] = .number(String(amount))
        object["amount_captured"] = .number(failed ? "0" : String(amount))
        object["captured"] = .bool(!failed)
        object["paid"] = .bool(!failed)
        object["currency"] = .string(currency)
        object["status"] = .string(failed ? "failed" : "succeeded")
        object["failure_code"] = failed ? .string("insufficient_funds") : .null
        store(object, list: "charges", account: account, event: failed ? "charge.failed" : "charge.succeeded")
        return id
    }

    /// A refund of part or all of a payment (by PaymentIntent, or a legacy charge).
    @discardableResult
    public func refund(_ id: String, of payment: String, amount: Int64, status: String = "succeeded", account: String = "self") -> String {
        guard let paymentObject = object(payment, account: account) else { return id }
        let isIntent = payment.hasPrefix("pi_")
        let charge = isIntent ? paymentObject["latest_charge"]?.stringValue : payment
        var object = FakeStripeServer.template("refund")
        object["id"] = .string(id)
        object["amount"] = .number(String(amount))
        object["currency"] = paymentObject["currency"] ?? .string("usd")
        object["charge"] = charge.map(JSONValue.string) ?? .null
        object["payment_intent"] = isIntent ? .string(payment) : .null
        object["status"] = .string(status)
        store(object, list: "refunds", account: account, event: "refund.created")
        if let charge, var chargeObject = self.object(charge, account: account), status == "succeeded" {
            let refunded = FakeStripeServer.integer(chargeObject["amount_refunded"]) + amount
            chargeObject["amount_refunded"] = .number(String(refunded))
            chargeObject["refunded"] = .bool(refunded >= FakeStripeServer.integer(chargeObject["amount"]))
            store(chargeObject, list: "charges", account: account, event: "charge.refunded")
        }
        return id
    }

    /// A chargeback against a payment: `needs_response` until closed.
    @discardableResult
    public func dispute(_ id: String, of payment: String, amount: Int64, account: String = "self") -> String {
        guard let paymentObject = object(payment, account: account) else { return id }
        let isIntent = payment.hasPrefix("pi_")
        var object = FakeStripeServer.template("dispute")
        object["id"] = .string(id)
        object["amount"] = .number(String(amount))
        object["currency"] = paymentObject["currency"] ?? .string("usd")
        object["charge"] = .string(isIntent ? paymentObject["latest_charge"]?.stringValue ?? "" : payment)
        object["payment_intent"] = isIntent ? .string(payment) : .null
        object["status"] = .string("needs_response")
        object["reason"] = .string("fraudulent")
        store(object, list: "disputes", account: account, event: "charge.dispute.created")
        return id
    }

    public func closeDispute(_ id: String, won: Bool, account: String = "self") {
        guard var object = object(id, account: account) else { return }
        object["status"] = .string(won ? "won" : "lost")
        store(object, list: "disputes", account: account, event: "charge.dispute.closed")
    }

    /// A finalised (open) invoice.
    @discardableResult
    public func invoice(_ id: String, number: String, amount: Int64, currency: String = "usd", due: CalendarDate? = nil, email: String? = nil,
                        subscription: String? = nil, metadata: [String: String] = [:], account: String = "self") -> String {
        var object = FakeStripeServer.template("invoice")
        object["id"] = .string(id)
        object["number"] = .string(number)
        object["currency"] = .string(currency)
        for field in ["total", "subtotal", "amount_due", "amount_remaining", "total_excluding_tax", "subtotal_excluding_tax"] { object[field] = .number(String(amount)) }
        object["amount_paid"] = .number("0")
        object["amount_overpaid"] = .number("0")
        object["status"] = .string("open")
        object["due_date"] = due.map { .number(String($0.startOfDayUTC.millisecondsSinceEpoch / 1000)) } ?? .null
        object["customer_email"] = email.map(JSONValue.string) ?? .null
        object["subscription"] = subscription.map(JSONValue.string) ?? .null
        object["metadata"] = FakeStripeServer.json(metadata)
        store(object, list: "invoices", account: account, event: "invoice.finalized")
        return id
    }

    /// A payment towards an invoice: `paid` once nothing remains.
    public func payInvoice(_ id: String, amount: Int64, account: String = "self") {
        guard var object = object(id, account: account) else { return }
        let paid = FakeStripeServer.integer(object["amount_paid"]) + amount
        let due = FakeStripeServer.integer(object["amount_due"])
        object["amount_paid"] = .number(String(paid))
        object["amount_remaining"] = .number(String(max(0, due - paid)))
        if paid >= due {
            object["status"] = .string("paid")
            var transitions = object["status_transitions"]?.objectValue ?? JSONObject()
            transitions["paid_at"] = .number(String(state.value.now))
            object["status_transitions"] = .object(transitions)
        }
        store(object, list: "invoices", account: account, event: paid >= due ? "invoice.paid" : "invoice.updated")
    }

    public func voidInvoice(_ id: String, account: String = "self") {
        guard var object = object(id, account: account) else { return }
        object["status"] = .string("void")
        store(object, list: "invoices", account: account, event: "invoice.voided")
    }

    @discardableResult
    public func subscription(_ id: String, status: String = "active", currency: String = "usd", account: String = "self") -> String {
        var object = FakeStripeServer.template("subscription")
        object["id"] = .string(id)
        object["status"] = .string(status)
        object["currency"] = .string(currency)
        object["canceled_at"] = .null
        object["ended_at"] = .null
        object["cancel_at"] = .null
        object["cancel_at_period_end"] = .bool(false)
        store(object, list: "subscriptions", account: account, event: "customer.subscription.created")
        return id
    }

    /// A subscription's status moves (`past_due` after a failed renewal, `active` after a paid one,
    /// `canceled` as `customer.subscription.deleted`).
    public func setSubscription(_ id: String, status: String, account: String = "self") {
        guard var object = object(id, account: account) else { return }
        object["status"] = .string(status)
        if status == "canceled" {
            object["canceled_at"] = .number(String(state.value.now))
            object["ended_at"] = .number(String(state.value.now))
        }
        store(object, list: "subscriptions", account: account, event: status == "canceled" ? "customer.subscription.deleted" : "customer.subscription.updated")
    }

    /// An open Checkout Session (a payment link sent to a customer). Stripe emits no event for it.
    @discardableResult
    public func checkoutSession(_ id: String, amount: Int64, currency: String = "usd", reference: String? = nil, metadata: [String: String] = [:],
                                account: String = "self") -> String {
        var object = FakeStripeServer.template("checkout_session")
        object["id"] = .string(id)
        object["amount_total"] = .number(String(amount))
        object["amount_subtotal"] = .number(String(amount))
        object["currency"] = .string(currency)
        object["status"] = .string("open")
        object["payment_status"] = .string("unpaid")
        object["client_reference_id"] = reference.map(JSONValue.string) ?? .null
        object["metadata"] = FakeStripeServer.json(metadata)
        object["expires_at"] = .number(String(state.value.now + 86_400))
        store(object, list: "checkout_sessions", account: account, event: nil)
        return id
    }

    public func completeCheckoutSession(_ id: String, account: String = "self") {
        guard var object = object(id, account: account) else { return }
        object["status"] = .string("complete")
        object["payment_status"] = .string("paid")
        store(object, list: "checkout_sessions", account: account, event: "checkout.session.completed")
    }

    public func expireCheckoutSession(_ id: String, account: String = "self") {
        guard var object = object(id, account: account) else { return }
        object["status"] = .string("expired")
        store(object, list: "checkout_sessions", account: account, event: "checkout.session.expired")
    }

    /// An event about something paysync does not read (a customer's details changed).
    public func unrelatedEvent(account: String = "self") {
        var object = FakeStripeServer.template("event")["data"]?["object"]?.objectValue ?? JSONObject()
        object["id"] = .string("price_fake_\(state.value.sequence)")
        store(object, list: "prices", account: account, event: "price.updated")
    }

    /// Stores the object (new or changed) and, unless `event` is nil, an event with its snapshot;
    /// the clock then moves one second.
    private func store(_ object: JSONObject, list: String, account: String, event: String?) {
        state.withLock { state in
            guard let id = object["id"]?.stringValue else { return }
            state.sequence += 1
            var object = object
            var stored = state.accounts[account]?.objects[id] ?? Stored(list: list, sequence: state.sequence, created: state.now, object: object)
            if state.accounts[account]?.objects[id] == nil { object["created"] = .number(String(state.now)) }
            object["livemode"] = .bool(false)
            stored.object = object
            if list != "prices" { state.accounts[account, default: Account()].objects[id] = stored }
            if let event {
                var envelope = FakeStripeServer.template("event")
                envelope["id"] = .string("evt_fake\(String(format: "%08d", state.sequence))")
                envelope["api_version"] = .string(FakeStripeServer.apiVersion)
                envelope["created"] = .number(String(state.now))
                envelope["type"] = .string(event)
                envelope["data"] = .object(JSONObject([("object", .object(object))]))
                state.accounts[account, default: Account()].events.append(Stored(list: "events", sequence: state.sequence, created: state.now, object: envelope))
            }
            state.now += 1
        }
    }

    // MARK: Templates

    static let templates: [String: JSONObject] = {
        var templates: [String: JSONObject] = [:]
        for name in ["payment_intent", "charge", "refund", "dispute", "invoice", "subscription", "checkout_session", "event"] {
            templates[name] = (try? JSONParser.parse(Repository.fixture("stripe/openapi/\(name).json")))?.objectValue
        }
        return templates
    }()

    static func template(_ name: String) -> JSONObject {
        guard let template = templates[name] else { preconditionFailure("fixtures/stripe/openapi/\(name).json is missing") }
        return template
    }

    static func integer(_ value: JSONValue?) -> Int64 { value?.numberText.flatMap { Int64($0) } ?? 0 }

    static func json(_ pairs: [String: String]) -> JSONValue {
        .object(JSONObject(pairs.keys.sorted().map { ($0, JSONValue.string(pairs[$0]!)) }))
    }

    // MARK: Serving

    static let lists: [String: (name: String, filters: Set<String>)] = [
        "/v1/events": ("events", ["type", "types[]", "delivery_success"]),
        "/v1/payment_intents": ("payment_intents", ["customer"]),
        "/v1/charges": ("charges", ["customer", "payment_intent", "transfer_group"]),
        "/v1/refunds": ("refunds", ["charge", "payment_intent"]),
        "/v1/disputes": ("disputes", ["charge", "payment_intent"]),
        "/v1/invoices": ("invoices", ["customer", "status", "subscription", "collection_method", "due_date"]),
        "/v1/subscriptions": ("subscriptions", ["customer", "status", "price", "collection_method"]),
        "/v1/checkout/sessions": ("checkout_sessions", ["customer", "payment_intent", "payment_link", "status", "subscription"]),
    ]
    static let common: Set<String> = ["limit", "starting_after", "ending_before", "created[gt]", "created[gte]", "created[lt]", "created[lte]", "expand[]"]

    static func error(_ status: Int, _ type: String, _ message: String, code: String? = nil, param: String? = nil) -> ServerReply {
        var error = JSONObject([("message", .string(message)), ("type", .string(type))])
        if let code { error["code"] = .string(code) }
        if let param { error["param"] = .string(param) }
        return .json(status, JSONWriter.compact(.object(JSONObject([("error", .object(error))]))), headers: ["Request-Id": "req_fake_error"])
    }

    static func handle(_ request: ServerRequest, key: String, state: Locked<State>) -> ServerReply {
        let account = request.headers["Stripe-Account"]
        state.withLock { $0.received.append("\(request.method) \(request.target)\(account.map { " [\($0)]" } ?? "")") }
        guard request.headers["Authorization"] == "Bearer \(key)" else {
            return error(401, "invalid_request_error", "Invalid API Key provided: sk_test_****\(key.suffix(4))")
        }
        if let fault = state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) { return fault }
        guard let version = request.headers["Stripe-Version"], version == apiVersion else {
            return error(400, "invalid_request_error", "This fake serves Stripe-Version \(apiVersion) only; the request pinned \(request.headers["Stripe-Version"] ?? "none")")
        }
        let snapshot = state.value
        guard let stored = snapshot.accounts[account ?? "self"] else {
            return error(403, "invalid_request_error", "The provided key 'sk_test_****\(key.suffix(4))' does not have access to account '\(account ?? "")' (or that account does not exist). Application access may have been revoked.",
                         code: "account_invalid")
        }
        guard request.method == "GET" else { return error(405, "invalid_request_error", "Unrecognized request URL (\(request.method): \(request.path)).") }
        guard let list = lists[request.path] else {
            return error(404, "invalid_request_error", "Unrecognized request URL (GET: \(request.path)). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.")
        }
        var created: [(String, Int64)] = []
        var limit = 10
        for (name, value) in request.query {
            guard common.contains(name) || list.filters.contains(name) else {
                return error(400, "invalid_request_error", "Received unknown parameter: \(name)", code: "parameter_unknown", param: name)
            }
            if name == "limit" {
                guard let number = Int(value) else { return error(400, "invalid_request_error", "Invalid integer: \(value)", code: "parameter_invalid_integer", param: "limit") }
                guard (1...100).contains(number) else {
                    return error(400, "invalid_request_error", "This value must be \(number < 1 ? "greater than or equal to 1" : "less than or equal to 100").", code: "parameter_invalid_integer", param: "limit")
                }
                limit = number
            } else if name.hasPrefix("created[") {
                guard let seconds = Int64(value) else { return error(400, "invalid_request_error", "Invalid integer: \(value)", code: "parameter_invalid_integer", param: name) }
                created.append((name, seconds))
            }
        }
        var items: [Stored]
        if list.name == "events" {
            let horizon = snapshot.now - 30 * 86_400
            items = stored.events.filter { $0.created >= horizon }
        } else {
            items = stored.objects.values.filter { $0.list == list.name }
        }
        if list.name == "subscriptions" {
            let status = request.queryValue("status")
            let allowed = ["active", "all", "canceled", "ended", "incomplete", "incomplete_expired", "past_due", "paused", "trialing", "unpaid"]
            if let status, !allowed.contains(status) {
                return error(400, "invalid_request_error", "Invalid status: must be one of \(allowed.joined(separator: ", "))", code: "parameter_invalid_string", param: "status")
            }
            if status != "all" {
                items = items.filter { item in
                    let itemStatus = item.object["status"]?.stringValue
                    return status.map { itemStatus == $0 } ?? (itemStatus != "canceled")
                }
            }
        }
        for (name, seconds) in created {
            items = items.filter { item in
                switch name {
                case "created[gt]": item.created > seconds
                case "created[gte]": item.created >= seconds
                case "created[lt]": item.created < seconds
                default: item.created <= seconds
                }
            }
        }
        items.sort { ($0.created, $0.sequence) > ($1.created, $1.sequence) }
        if let after = request.queryValue("starting_after") {
            guard let index = items.firstIndex(where: { $0.object["id"]?.stringValue == after }) else {
                return error(400, "invalid_request_error", "No such \(list.name.dropLast()): '\(after)'", code: "resource_missing", param: "starting_after")
            }
            items = Array(items[(index + 1)...])
        }
        let page = items.prefix(limit)
        let body = JSONObject([
            ("object", .string("list")), ("data", .array(page.map { .object($0.object) })), ("has_more", .bool(items.count > limit)), ("url", .string(request.path)),
        ])
        return .json(200, JSONWriter.compact(.object(body)), headers: ["Request-Id": "req_fake_\(snapshot.sequence)", "Stripe-Version": apiVersion])
    }
}
