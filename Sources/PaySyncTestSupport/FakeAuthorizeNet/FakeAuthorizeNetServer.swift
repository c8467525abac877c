import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake Authorize.Net merchant on 127.0.0.1 serving the Transaction Reporting API as its JSON
/// endpoint does: one URL (`/xml/v1/request.api`), a request named by its one root key, the
/// credentials first in the body and every element in the schema's order (E00003 otherwise, as
/// the XML schema behind the JSON enforces), answers that begin with a UTF-8 byte-order mark,
/// refusals with HTTP 200 and `messages.resultCode` "Error" (E00007 for bad credentials),
/// `I00004` for an empty list, settled-batch windows that give both dates and span at most 31
/// days, 1,000 transactions a page with `paging.offset` a page number, and optionally a list of
/// one answered as the one object. Names from `AnetApiSchema.xsd` (AuthorizeNet/sdk-node's
/// contracts: batchDetailsType, transactionSummaryType, transactionDetailsType, paging);
/// `reference/payments-apis.md` §8. Error codes other than E00003, E00007 and I00004 are the
/// fake's own.
public final class FakeAuthorizeNetServer: Sendable {
    public struct Transaction: Sendable {
        public var id: String
        public var status: String
        public var amount: String
        public var invoiceNumber: String?
        public var submitted: Timestamp
        public var refTransID: String?
        public var firstName = "Ada"
        public var lastName = "Lovelace"
    }

    struct Batch: Sendable {
        var id: String
        var settledAt: Timestamp
        var transactions: [Transaction]
    }

    struct State: Sendable {
        var batches: [Batch] = []
        var unsettled: [Transaction] = []
        var nextBatch = 900_001
        var received: [String] = []  // the request names, in order
        var oneAsObject = false
        var refuseNext: (code: String, text: String)?
    }

    public let login = "5KP3u95bQpv"
    public let transactionKey = "346HZ32z3fP4hTG2"
    private let state = Locked(State())
    private let server: LoopbackHTTPServer
    public var url: String { server.baseURL + "/xml/v1/request.api" }

    public init() throws {
        let state = self.state
        let (login, key) = (login, transactionKey)
        server = try LoopbackHTTPServer { request in FakeAuthorizeNetServer.handle(request, state: state, login: login, key: key) }
    }

    deinit { server.stop() }

    // MARK: What happens at the merchant

    /// A transaction not yet settled (captured, authorised, declined, voided …).
    public func submit(_ id: String, amount: String, status: String = "capturedPendingSettlement", invoice: String? = nil, at time: Timestamp,
                       refTransID: String? = nil) {
        state.withLock { $0.unsettled.append(Transaction(id: id, status: status, amount: amount, invoiceNumber: invoice, submitted: time, refTransID: refTransID)) }
    }

    public func setStatus(_ id: String, _ status: String) {
        state.withLock { state in
            if let index = state.unsettled.firstIndex(where: { $0.id == id }) { state.unsettled[index].status = status }
            for batch in state.batches.indices {
                if let index = state.batches[batch].transactions.firstIndex(where: { $0.id == id }) { state.batches[batch].transactions[index].status = status }
            }
        }
    }

    /// The day's batch settles: captured transactions become settled, refunds refunded; voided,
    /// declined and expired ones leave the unsettled list.
    @discardableResult
    public func settleBatch(at time: Timestamp) -> String {
        state.withLock { state in
            let id = String(state.nextBatch)
            state.nextBatch += 1
            var settled: [Transaction] = []
            var remaining: [Transaction] = []
            for var transaction in state.unsettled {
                switch transaction.status {
                case "capturedPendingSettlement", "pendingSettlement": transaction.status = "settledSuccessfully"; settled.append(transaction)
                case "refundPendingSettlement": transaction.status = "refundSettledSuccessfully"; settled.append(transaction)
                case "authorizedPendingCapture", "underReview", "FDSPendingReview": remaining.append(transaction)
                default: settled.append(transaction)  // declined, voided … are reported in the batch
                }
            }
            state.unsettled = remaining
            state.batches.append(Batch(id: id, settledAt: time, transactions: settled))
            return id
        }
    }

    /// A chargeback arrives as a transaction of its own in a later batch, naming the original.
    public func chargeback(_ id: String, of original: String, amount: String, at time: Timestamp) {
        state.withLock { state in
            let batch = String(state.nextBatch)
            state.nextBatch += 1
            state.batches.append(Batch(id: batch, settledAt: time, transactions: [
                Transaction(id: id, status: "chargeback", amount: amount, invoiceNumber: nil, submitted: time, refTransID: original),
            ]))
        }
    }

    /// Many settled transactions at once (benchmarks): one batch per `perBatch`.
    public func settled(count: Int, perBatch: Int = 500, from start: Timestamp, prefix: String = "6000") {
        state.withLock { state in
            var index = 0
            while index < count {
                let size = min(perBatch, count - index)
                let time = start.adding(seconds: Double(index / perBatch) * 86_400)
                let transactions = (0..<size).map { offset in
                    Transaction(id: "\(prefix)\(index + offset)", status: "settledSuccessfully", amount: "\(10 + (index + offset) % 900).\(String(format: "%02d", (index + offset) % 100))",
                                invoiceNumber: "INV-\(index + offset)", submitted: time.adding(seconds: -3600), refTransID: nil)
                }
                state.batches.append(Batch(id: String(state.nextBatch), settledAt: time, transactions: transactions))
                state.nextBatch += 1
                index += size
            }
        }
    }

    /// Answer lists of one with the one element instead of an array (the XML-to-JSON shape).
    public func setOneAsObject(_ on: Bool) { state.withLock { $0.oneAsObject = on } }
    /// The next call is refused with this code (HTTP 200, resultCode "Error").
    public func refuseNext(code: String, text: String) { state.withLock { $0.refuseNext = (code, text) } }
    public var received: [String] { state.value.received }
    public func clearReceived() { state.withLock { $0.received.removeAll() } }

    // MARK: Handler

    static let order: [String: [String]] = [
        "getSettledBatchListRequest": ["merchantAuthentication", "clientId", "refId", "includeStatistics", "firstSettlementDate", "lastSettlementDate"],
        "getTransactionListRequest": ["merchantAuthentication", "clientId", "refId", "batchId", "sorting", "paging"],
        "getUnsettledTransactionListRequest": ["merchantAuthentication", "clientId", "refId", "status", "sorting", "paging"],
        "getTransactionDetailsRequest": ["merchantAuthentication", "clientId", "refId", "transId"],
    ]

    static func answer(_ members: [(String, JSONValue)], code: String = "I00001", text: String = "Successful.") -> ServerReply {
        let result: JSONValue = ["resultCode": code.hasPrefix("E") ? "Error" : "Ok", "message": [["code": .string(code), "text": .string(text)]]]
        let body = JSONWriter.compact(.object(JSONObject(members + [("messages", result)])))
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(Data(body.utf8))
        return .response(HTTPResponse(status: 200, headers: ["Content-Type": "application/json; charset=utf-8"], body: data))
    }

    static func refuse(_ code: String, _ text: String) -> ServerReply { answer([], code: code, text: text) }

    static func handle(_ request: ServerRequest, state: Locked<State>, login: String, key: String) -> ServerReply {
        guard request.method == "POST", request.path == "/xml/v1/request.api" else { return .status(404) }
        guard request.headers["Content-Type"]?.hasPrefix("application/json") == true, let body = try? JSONParser.parse(request.body),
              let root = body.objectValue, root.members.count == 1, let (name, value) = root.members.first, let fields = value.objectValue else {
            return refuse("E00001", "An error occurred during processing. Please try again.")
        }
        guard let order = order[name] else { return refuse("E00003", "The element '\(name)' is not a known request.") }
        // The schema's sequence: each element after the previous one, none unknown.
        var position = -1
        for key in fields.keys {
            guard let at = order.firstIndex(of: key), at > position else {
                return refuse("E00003", "The element '\(name)' in namespace 'AnetApi/xml/v1/schema/AnetApiSchema.xsd' has invalid child element '\(key)' in namespace 'AnetApi/xml/v1/schema/AnetApiSchema.xsd'.")
            }
            position = at
        }
        guard fields["merchantAuthentication"]?["name"]?.stringValue == login, fields["merchantAuthentication"]?["transactionKey"]?.stringValue == key else {
            return refuse("E00007", "User authentication failed due to invalid authentication values.")
        }
        if let refusal = state.withLock({ state -> (code: String, text: String)? in defer { state.refuseNext = nil }; return state.refuseNext }) {
            return refuse(refusal.code, refusal.text)
        }
        state.withLock { $0.received.append(name) }
        let snapshot = state.value
        func list(_ items: [JSONValue], _ key: String) -> [(String, JSONValue)] {
            items.isEmpty ? [] : [(key, snapshot.oneAsObject && items.count == 1 ? items[0] : .array(items))]
        }
        switch name {
        case "getSettledBatchListRequest":
            let first = fields["firstSettlementDate"]?.stringValue, last = fields["lastSettlementDate"]?.stringValue
            guard (first == nil) == (last == nil) else { return refuse("E00059", "firstSettlementDate and lastSettlementDate must both be given.") }
            var from = Timestamp(millisecondsSinceEpoch: 0), until = Timestamp(millisecondsSinceEpoch: Int64.max / 2)
            if let first, let last {
                guard let start = Timestamp(iso: first), let end = Timestamp(iso: last) else { return refuse("E00003", "Invalid settlement date.") }
                guard end.millisecondsSinceEpoch - start.millisecondsSinceEpoch <= 31 * 86_400_000 else {
                    return refuse("E00061", "The date range can not exceed 31 days.")
                }
                (from, until) = (start, end)
            }
            let batches = snapshot.batches.filter { $0.settledAt >= from && $0.settledAt <= until }
            let items: [JSONValue] = batches.map { batch in
                ["batchId": .string(batch.id), "settlementTimeUTC": .string(batch.settledAt.iso8601), "settlementTimeLocal": .string(batch.settledAt.iso8601),
                 "settlementState": "settledSuccessfully", "paymentMethod": "creditCard", "marketType": "eCommerce", "product": "Card Not Present"]
            }
            return items.isEmpty ? answer([], code: "I00004", text: "No records found.") : answer(list(items, "batchList"))
        case "getTransactionListRequest", "getUnsettledTransactionListRequest":
            let limit = fields["paging"]?["limit"]?.numberText.flatMap { Int($0) } ?? 1000
            let offset = fields["paging"]?["offset"]?.numberText.flatMap { Int($0) } ?? 1
            guard (1...1000).contains(limit), offset >= 1 else { return refuse("E00003", "paging: limit must be 1 to 1000 and offset at least 1.") }
            let all: [Transaction]
            if name == "getTransactionListRequest" {
                guard let batch = fields["batchId"]?.stringValue, let found = snapshot.batches.first(where: { $0.id == batch }) else {
                    return refuse("E00040", "The record cannot be found.")
                }
                all = found.transactions
            } else {
                all = snapshot.unsettled
            }
            let sorted = all.sorted { $0.submitted < $1.submitted }
            let page = Array(sorted.dropFirst((offset - 1) * limit).prefix(limit))
            let items: [JSONValue] = page.map(summary)
            return items.isEmpty ? answer([], code: "I00004", text: "No records found.")
                                 : answer(list(items, "transactions") + [("totalNumInResultSet", .number(String(all.count)))])
        default:  // getTransactionDetailsRequest
            let id = fields["transId"]?.stringValue ?? ""
            let all = snapshot.unsettled + snapshot.batches.flatMap(\.transactions)
            guard let found = all.first(where: { $0.id == id }) else { return refuse("E00040", "The record cannot be found.") }
            var members = summary(found).objectValue!.members
            if let parent = found.refTransID { members.insert(("refTransId", .string(parent)), at: 1) }
            return answer([("transaction", .object(JSONObject(members)))])
        }
    }

    static func summary(_ transaction: Transaction) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("transId", .string(transaction.id)), ("submitTimeUTC", .string(transaction.submitted.iso8601)),
            ("submitTimeLocal", .string(transaction.submitted.iso8601)), ("transactionStatus", .string(transaction.status)),
        ]
        if let invoice = transaction.invoiceNumber { members.append(("invoiceNumber", .string(invoice))) }
        members += [("firstName", .string(transaction.firstName)), ("lastName", .string(transaction.lastName)), ("accountType", "Visa"),
                    ("accountNumber", "XXXX1111"), ("settleAmount", .number(transaction.amount)), ("marketType", "eCommerce"),
                    ("product", "Card Not Present"), ("hasReturnedItems", false)]
        return .object(JSONObject(members))
    }
}
