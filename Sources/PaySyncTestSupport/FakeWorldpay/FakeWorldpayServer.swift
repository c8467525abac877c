import Foundation
import PaySyncCore
import PaySyncHTTP

/// Access Worldpay's Payment Queries API on 127.0.0.1, strict as its v1 OpenAPI description
/// (docs.worldpay.com `payment-queries/@v1/openapi.json`; ../shared/reference/payments-apis.md §9):
/// - `Authorization: Basic …` of the API username and password, and
///   `Accept: application/vnd.worldpay.payment-queries-v1.hal+json` on every call;
/// - `GET /paymentQueries/payments?startDate&endDate` (both required, ISO 8601; `startDate` at
///   most a year back, else 400 `startDateTooOld`), `pageSize` 1–300 (else `invalidPageSize`),
///   `entityReferences`, `receivedEvents`; newest first, no events or `lastEvent` in the items,
///   and a HAL `next` link that moves `endDate` to the page's last payment and names its
///   `paymentId`, as the spec's examples do;
/// - `GET /paymentQueries/payments/{paymentId}`: the payment with its `events` and `lastEvent`,
///   or 404 `paymentNotFound`.
/// The 401 and 406 bodies are the fake's own wording in Worldpay's `{errorName, message}` shape.
public final class FakeWorldpayServer: Sendable {
    struct Payment: Sendable {
        var id: String
        var timestamp: Int64
        var reference: String
        var entity: String
        var amount: Int64
        var currency: String
        var events: [JSONObject] = []
        /// Listed by date, but not yet readable by id (the API's "up to 60 seconds").
        var hidden = false
        var commands = 0
    }

    struct State: Sendable {
        var payments: [String: Payment] = [:]
        var now: Int64
        var received: [String] = []
        var faults: [ServerReply] = []
    }

    public static let mediaType = "application/vnd.worldpay.payment-queries-v1.hal+json"
    public let username: String
    public let password: String
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }

    public init(username: String = "wpUserQz7Lk", password: String = "wpPassR8vT2mXc", now: Timestamp) throws {
        self.username = username
        self.password = password
        let state = Locked(State(now: now.millisecondsSinceEpoch))
        self.state = state
        let expected = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        server = try LoopbackHTTPServer { request in FakeWorldpayServer.handle(request, authorization: expected, state: state) }
    }

    deinit { server.stop() }

    public var now: Timestamp { Timestamp(millisecondsSinceEpoch: state.value.now) }
    public func advance(seconds: Int64) { state.withLock { $0.now += seconds * 1000 } }
    public var received: [String] { state.value.received }
    public func inject(_ reply: ServerReply) { state.withLock { $0.faults.append(reply) } }

    static func iso(_ milliseconds: Int64) -> String {
        let text = Timestamp(millisecondsSinceEpoch: milliseconds).iso8601
        return text.contains(".") ? text : text.replacingOccurrences(of: "Z", with: ".000Z")
    }

    static func value(_ amount: Int64, _ currency: String) -> JSONValue {
        .object(JSONObject([("currency", .string(currency)), ("amount", .number(String(amount)))]))
    }

    // MARK: Mutators

    /// A card payment: `authorized` (an authorization that succeeded), `refused`, `failed`,
    /// `sale` (authorised and captured in one), or `requested` (no answer yet).
    public func payment(_ id: String, amount: Int64, currency: String = "GBP", outcome: String = "authorized", reference: String? = nil,
                        entity: String = "default", hidden: Bool = false) {
        state.withLock { state in
            var payment = Payment(id: id, timestamp: state.now, reference: reference ?? "order-\(id)", entity: entity, amount: amount, currency: currency)
            payment.hidden = hidden
            let type = outcome == "sale" ? "sale" : "authorization"
            FakeWorldpayServer.add(&payment, "\(type)Requested", at: state.now, command: true)
            switch outcome {
            case "authorized", "sale": FakeWorldpayServer.add(&payment, "\(type)Succeeded", at: state.now + 500, extra: [("outcome", .string("authorized"))])
            case "refused":
                FakeWorldpayServer.add(&payment, "\(type)Refused", at: state.now + 500,
                                       extra: [("outcome", .string("refused")), ("code", .string("5")), ("description", .string("REFUSED"))])
            case "failed":
                FakeWorldpayServer.add(&payment, "\(type)Failed", at: state.now + 500, extra: [("error", .object(JSONObject([
                    ("name", .string("internalErrorOccurred")), ("message", .string("Payment failed to be authorized"))])))])
            default: break
            }
            state.payments[id] = payment
            state.now += 1000
        }
    }

    public func publish(_ id: String) { state.withLock { $0.payments[id]?.hidden = false } }

    /// A settlement request and its submission (`amount` nil: a full settlement).
    public func settle(_ id: String, amount: Int64? = nil) {
        request(id, "settlement", type: amount == nil ? "fullSettlement" : "partialSettlement", amount: amount, outcome: "Submitted")
    }

    /// A refund request and its submission, or (`fails`) its submission failing.
    public func refund(_ id: String, amount: Int64? = nil, fails: Bool = false) {
        request(id, "refund", type: amount == nil ? "fullRefund" : "partialRefund", amount: amount, outcome: fails ? "SubmissionFailed" : "Submitted")
    }

    public func cancel(_ id: String) { request(id, "cancellation", type: nil, amount: nil, outcome: "Submitted") }
    public func reverse(_ id: String, amount: Int64? = nil) { request(id, "reversal", type: nil, amount: amount, outcome: "Submitted") }

    func request(_ id: String, _ action: String, type: String?, amount: Int64?, outcome: String) {
        state.withLock { state in
            guard var payment = state.payments[id] else { return }
            var extra: [(String, JSONValue)] = []
            if let type { extra.append(("type", .string(type))) }
            if action == "settlement" || action == "refund" { extra.append(("\(action)Reference", .string("ref-\(payment.commands)"))) }
            if let amount { extra.append(("value", FakeWorldpayServer.value(amount, payment.currency))) }
            FakeWorldpayServer.add(&payment, "\(action)Requested", at: state.now, extra: extra, command: true)
            FakeWorldpayServer.add(&payment, "\(action)Request\(outcome)", at: state.now + 100)
            state.payments[id] = payment
            state.now += 1000
        }
    }

    static func add(_ payment: inout Payment, _ name: String, at time: Int64, extra: [(String, JSONValue)] = [], command: Bool = false) {
        if command { payment.commands += 1 }
        var event = JSONObject([("eventName", .string(name)), ("timestamp", .string(iso(time)))])
        for (key, value) in extra { event[key] = value }
        event["commandId"] = .string("cmd\(payment.id.suffix(6))\(payment.commands)Xk_0")
        payment.events.append(event)
    }

    // MARK: Serving

    static func error(_ status: Int, _ name: String, _ message: String) -> ServerReply {
        .json(status, JSONWriter.compact(.object(JSONObject([("errorName", .string(name)), ("message", .string(message))]))),
              headers: ["Content-Type": mediaType])
    }

    static func summary(_ payment: Payment) -> JSONObject {
        JSONObject([
            ("timestamp", .string(iso(payment.timestamp))), ("paymentId", .string(payment.id)), ("transactionReference", .string(payment.reference)),
            ("transactionType", .string("oneTime")), ("authorizationType", .string(payment.events.first?["eventName"]?.stringValue == "saleRequested" ? "sale" : "authorization")),
            ("entity", .string(payment.entity)), ("issuer", .object(JSONObject([("authorizationCode", .string("T31306"))]))),
            ("paymentInstrument", .object(JSONObject([("type", .string("card/plain+masked")), ("card", .object(JSONObject([
                ("number", .object(JSONObject([("last4Digits", .string("1111")), ("cardBin", .string("444433"))]))), ("brand", .string("visa")),
                ("expiryDate", .object(JSONObject([("month", .number("9")), ("year", .number("2029"))]))), ("fundingType", .string("credit")),
            ])))]))),
            ("value", value(payment.amount, payment.currency)),
            ("_links", .object(JSONObject([("self", .object(JSONObject([("href", .string("/paymentQueries/payments/\(payment.id)"))])))]))),
        ])
    }

    static func handle(_ request: ServerRequest, authorization: String, state: Locked<State>) -> ServerReply {
        state.withLock { $0.received.append("\(request.method) \(request.target)") }
        guard request.headers["Authorization"] == authorization else { return error(401, "accessDenied", "Access to the requested resource has been denied") }
        guard request.headers["Accept"] == mediaType else {
            return error(406, "headerHasInvalidValue", "The Accept header must be \(mediaType)")
        }
        if let fault = state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) { return fault }
        guard request.method == "GET" else { return error(405, "methodNotAllowed", "The requested method is not allowed") }
        let snapshot = state.value
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "paymentQueries", parts[1] == "payments" else { return error(404, "resourceNotFound", "The resource does not exist") }
        if parts.count == 3 {
            guard let payment = snapshot.payments[parts[2]], !payment.hidden else {
                return error(404, "paymentNotFound", "The payment you are trying to access does not exist.")
            }
            var body = summary(payment)
            body["lastEvent"] = payment.events.last?["eventName"] ?? .null
            body["events"] = .array(payment.events.map { .object($0) })
            body["_links"] = .object(JSONObject([("self", .object(JSONObject([("href", .string("/paymentQueries/payments/\(payment.id)"))]))),
                                                 ("cardPayments:events", .object(JSONObject([("href", .string("https://access.worldpay.com/payments/events/{linkData}"))])))]))
            return .json(200, JSONWriter.compact(.object(body)), headers: ["Content-Type": mediaType])
        }
        guard parts.count == 2 else { return error(404, "resourceNotFound", "The resource does not exist") }
        let known = ["startDate", "endDate", "pageSize", "currency", "minAmount", "maxAmount", "last4Digits", "entityReferences", "receivedEvents",
                     "transactionReference", "paymentId"]
        for (name, _) in request.query where !known.contains(name) { return error(400, "fieldIsNotAllowed", "\(name) is not an allowed query parameter") }
        guard let startText = request.queryValue("startDate"), let endText = request.queryValue("endDate"),
              let start = Timestamp(iso: startText), let end = Timestamp(iso: endText) else {
            return error(400, "fieldHasInvalidValue", "startDate and endDate must both be supplied as ISO 8601 date-times")
        }
        guard start.millisecondsSinceEpoch >= snapshot.now - 365 * 86_400_000 else {
            return error(400, "startDateTooOld", "Provided start date must not be older than 1 year.")
        }
        let pageSize = Int(request.queryValue("pageSize") ?? "20") ?? -1
        guard (1...300).contains(pageSize) else { return error(400, "invalidPageSize", "Provided page size is not valid.") }
        let entities = request.queryValue("entityReferences")?.split(separator: ",").map { String($0) }
        let events = request.queryValue("receivedEvents")?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let after = request.queryValue("paymentId")
        let items = snapshot.payments.values.filter { payment in
            guard payment.timestamp > start.millisecondsSinceEpoch else { return false }
            let endMillis = end.millisecondsSinceEpoch
            guard payment.timestamp < endMillis || (after != nil && payment.timestamp == endMillis && payment.id < after!) else { return false }
            if let entities, !entities.contains(payment.entity) { return false }
            if let events, !payment.events.contains(where: { events.contains($0["eventName"]?.stringValue ?? "") }) { return false }
            return true
        }.sorted { ($0.timestamp, $0.id) > ($1.timestamp, $1.id) }
        let page = items.prefix(pageSize)
        var links = JSONObject([("self", .object(JSONObject([("href", .string(request.target))])))])
        if items.count > pageSize, let last = page.last {
            var query = [("startDate", startText), ("endDate", iso(last.timestamp)), ("paymentId", last.id)]
            for name in ["currency", "entityReferences", "receivedEvents"] { if let value = request.queryValue(name) { query.append((name, value)) } }
            query.append(("pageSize", String(pageSize)))
            links["next"] = .object(JSONObject([("href", .string("/paymentQueries/payments?" + query.map { "\($0.0)=\(URLBuilder.encode($0.1))" }.joined(separator: "&")))]))
        }
        return .json(200, JSONWriter.compact(.object(JSONObject([
            ("_links", .object(links)), ("_embedded", .object(JSONObject([("payments", .array(page.map { .object(summary($0)) }))]))),
        ]))), headers: ["Content-Type": mediaType])
    }
}
