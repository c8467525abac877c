import Foundation
import PaySyncCore
import PaySyncHTTP

/// A line on a Wise balance statement, as the fake keeps it.
public struct FakeWiseTransaction: Sendable {
    public var type: String
    public var detailsType: String
    public var date: Timestamp
    /// Minor units; negative for a DEBIT, as Wise writes it.
    public var amount: Int64
    public var description: String
    public var senderName: String?
    public var senderAccount: String?
    public var paymentReference: String?
    public var referenceNumber: String

    public init(credit amount: Int64, on date: Timestamp, from sender: String, reference: String, number: String) {
        self.type = "CREDIT"
        self.detailsType = "DEPOSIT"
        self.date = date
        self.amount = amount
        self.description = "Received money from \(sender) with reference \(reference)"
        self.senderName = sender
        self.senderAccount = "GB94 BARC 1020 1530 0934 59"
        self.paymentReference = reference
        self.referenceNumber = number
    }

    public init(debit amount: Int64, on date: Timestamp, description: String, number: String, detailsType: String = "CARD") {
        self.type = "DEBIT"
        self.detailsType = detailsType
        self.date = date
        self.amount = -amount
        self.description = description
        self.referenceNumber = number
    }
}

/// Wise's Platform API on 127.0.0.1, strict as documented (../shared/reference/banking-apis.md §1):
/// `GET /v2/profiles`; `GET /v4/profiles/{id}/balances` with `types` required; `GET
/// /v1/profiles/{id}/balance-statements/{balanceId}/statement.json` with `currency` (the
/// balance's), `intervalStart` and `intervalEnd` (UTC, at most 469 days apart) and `type`
/// (COMPACT or FLAT) required, answering in the documented statement shape. A bearer token is
/// required; a profile can be put under strong customer authentication (403 with `x-2fa-approval`).
public final class FakeWiseServer: Sendable {
    struct Balance: Sendable {
        var id: Int64
        var currency: String
        var transactions: [FakeWiseTransaction] = []
    }

    struct State: Sendable {
        var profiles: [(id: Int64, type: String, balances: [Balance])] = []
        var scaProfiles: Set<Int64> = []
        var received: [String] = []
        var faults: [ServerReply] = []
    }

    public let token: String
    private let state = Locked(State())
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }

    public init(token: String = "wise-fake-token-0123456789") throws {
        self.token = token
        let state = self.state
        server = try LoopbackHTTPServer { request in FakeWiseServer.handle(request, token: token, state: state) }
    }

    deinit { server.stop() }

    public func addProfile(_ id: Int64, type: String = "BUSINESS", balances: [(id: Int64, currency: String)]) {
        state.withLock { $0.profiles.append((id, type, balances.map { Balance(id: $0.id, currency: $0.currency) })) }
    }

    public func add(_ transaction: FakeWiseTransaction, profile: Int64, balance: Int64) {
        state.withLock { state in
            guard let p = state.profiles.firstIndex(where: { $0.id == profile }), let b = state.profiles[p].balances.firstIndex(where: { $0.id == balance }) else { return }
            state.profiles[p].balances[b].transactions.append(transaction)
        }
    }

    /// Every statement call for the profile answers 403 asking for strong customer authentication.
    public func requireSCA(profile: Int64) { state.withLock { _ = $0.scaProfiles.insert(profile) } }
    /// The next API call answers this instead.
    public func inject(_ reply: ServerReply) { state.withLock { $0.faults.append(reply) } }
    /// `METHOD /path?query` of each API call, in order.
    public var received: [String] { state.value.received }

    static func errors(_ status: Int, _ code: String, _ message: String) -> ServerReply {
        .json(status, JSONWriter.compact(.object(JSONObject([("errors", .array([.object(JSONObject([("code", .string(code)), ("message", .string(message))]))]))]))))
    }

    static func handle(_ request: ServerRequest, token: String, state: Locked<State>) -> ServerReply {
        state.withLock { $0.received.append("\(request.method) \(request.target)") }
        guard request.headers["Authorization"] == "Bearer \(token)" else {
            return .json(401, #"{"error":"invalid_token","error_description":"Invalid token"}"#)
        }
        if let fault = state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) { return fault }
        guard request.method == "GET" else { return .status(405) }
        let parts = request.path.split(separator: "/").map(String.init)
        let snapshot = state.value
        if parts == ["v2", "profiles"] {
            return .json(200, JSONWriter.compact(.array(snapshot.profiles.map { .object(JSONObject([("id", .number(String($0.id))), ("type", .string($0.type))])) })))
        }
        guard parts.count >= 4, parts[1] == "profiles", let profileID = Int64(parts[2]), let profile = snapshot.profiles.first(where: { $0.id == profileID }) else {
            return errors(404, "NOT_FOUND", "No resource found for \(request.path)")
        }
        if parts[0] == "v4", parts[3] == "balances", parts.count == 4 {
            guard let types = request.queryValue("types"), types.split(separator: ",").allSatisfy({ ["STANDARD", "SAVINGS"].contains($0) }) else {
                return errors(400, "NOT_VALID", "types is required: STANDARD, SAVINGS")
            }
            return .json(200, JSONWriter.compact(.array(profile.balances.map { balance in
                .object(JSONObject([("id", .number(String(balance.id))), ("currency", .string(balance.currency)), ("type", .string("STANDARD")),
                                    ("amount", .object(JSONObject([("value", .number("0")), ("currency", .string(balance.currency))]))),
                                    ("modificationTime", .string("2025-05-01T00:00:00Z"))]))
            })))
        }
        guard parts[0] == "v1", parts.count == 6, parts[3] == "balance-statements", let balanceID = Int64(parts[4]), parts[5] == "statement.json" else {
            return errors(404, "NOT_FOUND", "No resource found for \(request.path)")
        }
        if snapshot.scaProfiles.contains(profileID) {
            return .response(HTTPResponse(status: 403, headers: ["x-2fa-approval": "5f7ba4d8-0e6e-4bb7-8a62-9c6ab0e0f2c1", "x-2fa-approval-result": "REJECTED",
                                                                 "x-trace-id": "trace-fake-1", "Content-Type": "application/json"],
                                          body: Data(#"{"error":"sca_required","message":"This request requires strong customer authentication"}"#.utf8)))
        }
        guard let balance = profile.balances.first(where: { $0.id == balanceID }) else { return errors(404, "NOT_FOUND", "Balance \(balanceID) not found") }
        guard let currency = request.queryValue("currency"), currency == balance.currency else {
            return errors(400, "NOT_VALID", "currency is required and must be the balance's (\(balance.currency))")
        }
        guard let startText = request.queryValue("intervalStart"), let endText = request.queryValue("intervalEnd"),
              startText.hasSuffix("Z"), endText.hasSuffix("Z"), let start = Timestamp(iso: startText), let end = Timestamp(iso: endText), start < end else {
            return errors(400, "NOT_VALID", "intervalStart and intervalEnd are required UTC times, intervalStart first")
        }
        guard end.millisecondsSinceEpoch - start.millisecondsSinceEpoch <= 469 * 86_400_000 else {
            return errors(400, "NOT_VALID", "The interval may not exceed 469 days")
        }
        guard let type = request.queryValue("type"), ["COMPACT", "FLAT"].contains(type) else { return errors(400, "NOT_VALID", "type must be COMPACT or FLAT") }
        let lines = balance.transactions.filter { $0.date >= start && $0.date <= end }.sorted { $0.date < $1.date }
        func money(_ minor: Int64) -> JSONValue {
            .object(JSONObject([("value", .number(DecimalText.format(minorUnits: minor, exponent: 2))), ("currency", .string(balance.currency))]))
        }
        let transactions = lines.map { line -> JSONValue in
            var details = JSONObject([("type", .string(line.detailsType)), ("description", .string(line.description)), ("amount", money(line.amount))])
            if let sender = line.senderName { details["senderName"] = .string(sender) }
            if let account = line.senderAccount { details["senderAccount"] = .string(account) }
            if let reference = line.paymentReference { details["paymentReference"] = .string(reference) }
            return .object(JSONObject([
                ("type", .string(line.type)), ("date", .string(line.date.iso8601)), ("amount", money(line.amount)), ("totalFees", money(0)),
                ("details", .object(details)), ("exchangeDetails", .null), ("runningBalance", money(0)), ("referenceNumber", .string(line.referenceNumber)),
            ]))
        }
        let body = JSONObject([
            ("accountHolder", .object(JSONObject([("type", .string(profile.type))]))),
            ("issuer", .object(JSONObject([("name", .string("Wise Payments Ltd")), ("city", .string("London")), ("country", .string("United Kingdom"))]))),
            ("bankDetails", .null), ("transactions", .array(transactions)), ("endOfStatementBalance", money(0)),
            ("query", .object(JSONObject([("intervalStart", .string(startText)), ("intervalEnd", .string(endText)), ("currency", .string(currency)),
                                          ("accountId", .number(String(balanceID)))]))),
        ])
        return .json(200, JSONWriter.compact(.object(body)))
    }
}
