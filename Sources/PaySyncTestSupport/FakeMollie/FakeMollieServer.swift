import Foundation
import PaySyncCore
import PaySyncHTTP

/// Mollie's API on 127.0.0.1, strict as documented (../shared/reference/payments-apis.md §5;
/// docs.mollie.com): `Authorization: Bearer live_…|test_…`; `GET /v2/payments`, `/v2/refunds`,
/// `/v2/chargebacks` newest first, `limit` 1–250 and `from` an id the list holds, HAL answers
/// (`count`, `_embedded`, `_links.next`); `GET /v2/payments/{id}`, `/v2/payments/{id}/refunds/{id}`,
/// `/v2/payments/{id}/chargebacks/{id}`; errors as `{"status", "title", "detail"}`. A chargeback
/// leaves its payment `paid`, as Mollie does, setting only `amountChargedBack`.
public final class FakeMollieServer: Sendable {
    struct Stored: Sendable {
        var list: String
        var sequence: Int
        var object: JSONObject
    }

    struct State: Sendable {
        var objects: [String: Stored] = [:]
        var now: Int64
        var sequence = 0
        var received: [String] = []
        var faults: [ServerReply] = []
    }

    public let key: String
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }

    public init(key: String = "test_FakeMollieKey0000000000000000", now: Timestamp) throws {
        self.key = key
        let state = Locked(State(now: now.millisecondsSinceEpoch))
        self.state = state
        server = try LoopbackHTTPServer { request in FakeMollieServer.handle(request, key: key, state: state) }
    }

    deinit { server.stop() }

    public var now: Timestamp { Timestamp(millisecondsSinceEpoch: state.value.now) }
    public func advance(seconds: Int64) { state.withLock { $0.now += seconds * 1000 } }
    public var received: [String] { state.value.received }
    public func inject(_ reply: ServerReply) { state.withLock { $0.faults.append(reply) } }

    static func amount(_ value: String, _ currency: String) -> JSONValue {
        .object(JSONObject([("currency", .string(currency)), ("value", .string(value))]))
    }

    static func iso(_ milliseconds: Int64) -> String {
        Timestamp(millisecondsSinceEpoch: milliseconds / 1000 * 1000).iso8601.replacingOccurrences(of: "Z", with: "+00:00")
    }

    // MARK: Mutators

    @discardableResult
    public func payment(_ id: String, value: String, currency: String = "EUR", status: String = "open", description: String = "Order") -> String {
        state.withLock { state in
            state.sequence += 1
            var object = JSONObject([
                ("resource", .string("payment")), ("id", .string(id)), ("mode", .string("test")), ("createdAt", .string(FakeMollieServer.iso(state.now))),
                ("amount", FakeMollieServer.amount(value, currency)), ("description", .string(description)), ("method", .string("ideal")), ("metadata", .null),
                ("status", .string(status)), ("isCancelable", .bool(false)), ("expiresAt", .string(FakeMollieServer.iso(state.now + 900_000))),
                ("profileId", .string("pfl_QkEhN94Ba")), ("sequenceType", .string("oneoff")), ("redirectUrl", .string("https://webshop.example.org/order/12345/")),
            ])
            if status == "paid" { object["paidAt"] = .string(FakeMollieServer.iso(state.now)); object["amountRemaining"] = FakeMollieServer.amount(value, currency); object["amountRefunded"] = FakeMollieServer.amount("0.00", currency) }
            state.objects[id] = Stored(list: "payments", sequence: state.sequence, object: object)
            state.now += 1000
        }
        return id
    }

    /// `paid`, `failed`, `canceled`, `expired`: the time of that state is set, as Mollie does.
    public func setPayment(_ id: String, status: String) {
        state.withLock { state in
            guard var stored = state.objects[id] else { return }
            stored.object["status"] = .string(status)
            let stamp = ["paid": "paidAt", "failed": "failedAt", "canceled": "canceledAt", "expired": "expiredAt"][status]
            if let stamp { stored.object[stamp] = .string(FakeMollieServer.iso(state.now)) }
            if status == "paid", let amount = stored.object["amount"] {
                stored.object["amountRefunded"] = FakeMollieServer.amount("0.00", amount["currency"]?.stringValue ?? "EUR")
            }
            state.objects[id] = stored
            state.now += 1000
        }
    }

    @discardableResult
    public func refund(_ id: String, of payment: String, value: String, status: String = "pending") -> String {
        state.withLock { state in
            guard var paid = state.objects[payment] else { return }
            let currency = paid.object["amount"]?["currency"]?.stringValue ?? "EUR"
            state.sequence += 1
            state.objects[id] = Stored(list: "refunds", sequence: state.sequence, object: JSONObject([
                ("resource", .string("refund")), ("id", .string(id)), ("amount", FakeMollieServer.amount(value, currency)), ("status", .string(status)),
                ("createdAt", .string(FakeMollieServer.iso(state.now))), ("description", .string("Order refund")), ("paymentId", .string(payment)), ("metadata", .null),
            ]))
            let unit = Currency(code: currency)!
            let before = (try? Money(parsing: paid.object["amountRefunded"]?["value"]?.stringValue ?? "0", currency: unit, field: ""))?.minorUnits ?? 0
            let added = (try? Money(parsing: value, currency: unit, field: ""))?.minorUnits ?? 0
            paid.object["amountRefunded"] = FakeMollieServer.amount(Money(minorUnits: before + added, currency: unit).decimalText, currency)
            state.objects[payment] = paid
            state.now += 1000
        }
        return id
    }

    public func setRefund(_ id: String, status: String) {
        state.withLock { state in
            state.objects[id]?.object["status"] = .string(status)
            state.now += 1000
        }
    }

    /// A chargeback: the payment stays `paid`; only `amountChargedBack` says so.
    @discardableResult
    public func chargeback(_ id: String, of payment: String, value: String) -> String {
        state.withLock { state in
            guard var paid = state.objects[payment] else { return }
            let currency = paid.object["amount"]?["currency"]?.stringValue ?? "EUR"
            state.sequence += 1
            state.objects[id] = Stored(list: "chargebacks", sequence: state.sequence, object: JSONObject([
                ("resource", .string("chargeback")), ("id", .string(id)), ("amount", FakeMollieServer.amount(value, currency)), ("settlementAmount", FakeMollieServer.amount("-" + value, currency)),
                ("createdAt", .string(FakeMollieServer.iso(state.now))), ("reversedAt", .null), ("paymentId", .string(payment)),
                ("reason", .object(JSONObject([("code", .string("AC01")), ("description", .string("Account identifier incorrect (i.e. invalid IBAN)"))]))),
            ]))
            paid.object["amountChargedBack"] = FakeMollieServer.amount(value, currency)
            state.objects[payment] = paid
            state.now += 1000
        }
        return id
    }

    public func reverseChargeback(_ id: String) {
        state.withLock { state in
            state.objects[id]?.object["reversedAt"] = .string(FakeMollieServer.iso(state.now))
            if let payment = state.objects[id]?.object["paymentId"]?.stringValue { state.objects[payment]?.object["amountChargedBack"] = nil }
            state.now += 1000
        }
    }

    // MARK: Serving

    static func error(_ status: Int, _ title: String, _ detail: String, field: String? = nil) -> ServerReply {
        var body = JSONObject([("status", .number(String(status))), ("title", .string(title)), ("detail", .string(detail))])
        if let field { body["field"] = .string(field) }
        body["_links"] = .object(JSONObject([("documentation", .object(JSONObject([("href", .string("https://docs.mollie.com/overview/handling-errors")),
                                                                                      ("type", .string("text/html"))])))]))
        return .json(status, JSONWriter.compact(.object(body)), headers: ["Content-Type": "application/hal+json"])
    }

    static func handle(_ request: ServerRequest, key: String, state: Locked<State>) -> ServerReply {
        state.withLock { $0.received.append("\(request.method) \(request.target)") }
        guard request.headers["Authorization"] == "Bearer \(key)" else { return error(401, "Unauthorized Request", "Missing authentication, or failed to authenticate") }
        if let fault = state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) { return fault }
        guard request.method == "GET" else { return error(405, "Method Not Allowed", "The requested method is not allowed") }
        let snapshot = state.value
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.first == "v2" else { return error(404, "Not Found", "The requested resource does not exist") }
        if parts.count == 2 {
            let list = parts[1]
            guard ["payments", "refunds", "chargebacks"].contains(list) else { return error(404, "Not Found", "The requested resource does not exist") }
            let limit = Int(request.queryValue("limit") ?? "50") ?? -1
            guard (1...250).contains(limit) else { return error(400, "Bad Request", "The limit must be between 1 and 250", field: "limit") }
            var items = snapshot.objects.values.filter { $0.list == list }.sorted { $0.sequence > $1.sequence }
            if let from = request.queryValue("from") {
                guard let index = items.firstIndex(where: { $0.object["id"]?.stringValue == from }) else {
                    return error(400, "Bad Request", "The 'from' object does not exist", field: "from")
                }
                items = Array(items[index...])
            }
            let page = items.prefix(limit)
            var links = JSONObject([("self", .object(JSONObject([("href", .string(request.target)), ("type", .string("application/hal+json"))]))), ("previous", .null)])
            if items.count > limit, let nextID = items[limit].object["id"]?.stringValue {
                let host = request.headers["Host"] ?? "127.0.0.1"
                links["next"] = .object(JSONObject([("href", .string("http://\(host)/v2/\(list)?from=\(nextID)&limit=\(limit)")), ("type", .string("application/hal+json"))]))
            } else {
                links["next"] = .null
            }
            return .json(200, JSONWriter.compact(.object(JSONObject([
                ("count", .number(String(page.count))), ("_embedded", .object(JSONObject([(list, .array(page.map { .object($0.object) }))]))), ("_links", .object(links)),
            ]))), headers: ["Content-Type": "application/hal+json"])
        }
        if parts.count == 3, parts[1] == "payments", let stored = snapshot.objects[parts[2]], stored.list == "payments" {
            return .json(200, JSONWriter.compact(.object(stored.object)), headers: ["Content-Type": "application/hal+json"])
        }
        if parts.count == 5, parts[1] == "payments", ["refunds", "chargebacks"].contains(parts[3]), let stored = snapshot.objects[parts[4]],
           stored.list == parts[3], stored.object["paymentId"]?.stringValue == parts[2] {
            return .json(200, JSONWriter.compact(.object(stored.object)), headers: ["Content-Type": "application/hal+json"])
        }
        return error(404, "Not Found", "No payment exists with token \(parts.last ?? "").")
    }
}
