import Foundation
import PaySyncCore
import PaySyncHTTP

/// One transaction as the fake bank keeps it (`OBTransaction6`).
public struct FakeOBIETransaction: Sendable {
    public var accountID: String
    public var transactionID: String?
    public var reference: String?
    public var credit: Bool
    public var status: String
    public var booked: Timestamp
    public var amount: String
    public var currency: String
    public var information: String?
    public var debtorName: String?

    public init(account: String, id: String?, credit: Bool = true, status: String = "Booked", booked: Timestamp, amount: String, currency: String = "GBP",
                reference: String?, information: String?, debtorName: String?) {
        self.accountID = account
        self.transactionID = id
        self.credit = credit
        self.status = status
        self.booked = booked
        self.amount = amount
        self.currency = currency
        self.reference = reference
        self.information = information
        self.debtorName = debtorName
    }
}

/// A UK bank's Open Banking AISP (Account and Transaction API v3.1) on 127.0.0.1, strict as
/// ../shared/reference/banking-apis.md §2 documents: the refresh-token grant (client Basic auth),
/// `GET /accounts`, `GET /accounts/{id}/transactions` with `fromBookingDateTime` read as UTC,
/// paged by `Links.Next` (`pageSize` a page), `x-fapi-interaction-id` required as a UUID and
/// echoed, `OBErrorResponse1` errors, and a consent that can expire or be revoked (403).
public final class FakeOBIEServer: Sendable {
    public enum Consent: Sendable { case authorised, expired, revoked }

    struct State: Sendable {
        var transactions: [FakeOBIETransaction] = []
        var accounts: [String] = []
        var consent = Consent.authorised
        var refreshTokens: Set<String>
        var accessTokens: Set<String> = []
        var issued = 0
        var received: [String] = []
        var interactionIDs: [String] = []
    }

    public let clientID = "obie-fake-client"
    public let clientSecret = "obie-fake-secret"
    public let pageSize: Int
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL + "/open-banking/v3.1/aisp" }
    public var tokenURL: String { server.baseURL + "/as/token.oauth2" }

    public init(refreshToken: String = "obie-refresh-1", pageSize: Int = 2) throws {
        self.pageSize = pageSize
        let state = Locked(State(refreshTokens: [refreshToken]))
        self.state = state
        let credentials = "Basic " + Data("obie-fake-client:obie-fake-secret".utf8).base64EncodedString()
        server = try LoopbackHTTPServer { request in FakeOBIEServer.handle(request, state: state, credentials: credentials, pageSize: pageSize) }
    }

    deinit { server.stop() }

    public func addAccount(_ id: String) { state.withLock { $0.accounts.append(id) } }
    public func add(_ transaction: FakeOBIETransaction) { state.withLock { $0.transactions.append(transaction) } }
    public func setConsent(_ consent: Consent) { state.withLock { $0.consent = consent } }
    /// `METHOD /path?query` of each API call (not token calls), in order.
    public var received: [String] { state.value.received }
    public var interactionIDs: [String] { state.value.interactionIDs }

    static func error(_ status: Int, code: String, message: String, errorCode: String) -> ServerReply {
        .json(status, JSONWriter.compact(.object(JSONObject([
            ("Code", .string(code)), ("Id", .string(UUID().uuidString.lowercased())), ("Message", .string(message)),
            ("Errors", .array([.object(JSONObject([("ErrorCode", .string(errorCode)), ("Message", .string(message))]))])),
        ]))))
    }

    static func handle(_ request: ServerRequest, state: Locked<State>, credentials: String, pageSize: Int) -> ServerReply {
        if request.path == "/as/token.oauth2" {
            guard request.method == "POST", request.headers["Authorization"] == credentials else { return .json(401, #"{"error":"invalid_client"}"#) }
            let form = request.formFields
            return state.withLock { state -> ServerReply in
                guard form["grant_type"] == "refresh_token", let presented = form["refresh_token"], state.refreshTokens.contains(presented) else {
                    return .json(400, #"{"error":"invalid_grant"}"#)
                }
                state.issued += 1
                let access = "obie-access-\(state.issued)"
                state.accessTokens.insert(access)
                return .json(200, #"{"access_token":"\#(access)","token_type":"Bearer","expires_in":300}"#)
            }
        }
        state.withLock { $0.received.append("\(request.method) \(request.target)") }
        let authorization = request.headers["Authorization"] ?? ""
        guard authorization.hasPrefix("Bearer "), state.value.accessTokens.contains(String(authorization.dropFirst(7))) else {
            return error(401, code: "401 Unauthorized", message: "The access token is invalid or has expired", errorCode: "UK.OBIE.Reauthenticate")
        }
        guard let interaction = request.headers["x-fapi-interaction-id"], UUID(uuidString: interaction) != nil else {
            return error(400, code: "400 BadRequest", message: "x-fapi-interaction-id must be an RFC 4122 UUID", errorCode: "UK.OBIE.Header.Invalid")
        }
        state.withLock { $0.interactionIDs.append(interaction) }
        switch state.value.consent {
        case .authorised: break
        case .expired:
            return error(403, code: "403 Forbidden", message: "The consent has expired", errorCode: "UK.OBIE.Resource.InvalidConsentStatus")
        case .revoked:
            return error(403, code: "403 Forbidden", message: "The consent was revoked by the PSU", errorCode: "UK.OBIE.Resource.InvalidConsentStatus")
        }
        let headers: HTTPHeaders = ["x-fapi-interaction-id": interaction]
        let base = "http://\(request.headers["Host"] ?? "127.0.0.1")/open-banking/v3.1/aisp"
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 4, Array(parts.prefix(3)) == ["open-banking", "v3.1", "aisp"], request.method == "GET" else {
            return error(404, code: "404 NotFound", message: "No such resource", errorCode: "UK.OBIE.Resource.NotFound")
        }
        let rest = Array(parts.dropFirst(3))
        let snapshot = state.value
        if rest == ["accounts"] {
            let accounts = snapshot.accounts.map { id in
                JSONValue.object(JSONObject([("AccountId", .string(id)), ("Currency", .string("GBP")), ("AccountType", .string("Business")),
                                             ("AccountSubType", .string("CurrentAccount")), ("Nickname", .string("Main"))]))
            }
            return .json(200, JSONWriter.compact(.object(JSONObject([("Data", .object(JSONObject([("Account", .array(accounts))]))),
                                                                     ("Links", .object(JSONObject([("Self", .string(base + "/accounts"))]))),
                                                                     ("Meta", .object(JSONObject([("TotalPages", .number("1"))])))]))), headers: headers)
        }
        guard rest.count == 3, rest[0] == "accounts", rest[2] == "transactions", snapshot.accounts.contains(rest[1]) else {
            return error(404, code: "404 NotFound", message: "No such resource", errorCode: "UK.OBIE.Resource.NotFound")
        }
        var from: Timestamp?
        if let text = request.queryValue("fromBookingDateTime") {
            // Read as UTC; a zone the client adds is ignored, as the standard says.
            guard let parsed = Timestamp(iso: String(text.prefix(19)) + "Z") else {
                return error(400, code: "400 BadRequest", message: "fromBookingDateTime is not an ISODateTime", errorCode: "UK.OBIE.Field.InvalidDate")
            }
            from = parsed
        }
        let page = Int(request.queryValue("page") ?? "1") ?? 1
        let matching = snapshot.transactions.filter { line in line.accountID == rest[1] && (from.map { line.booked >= $0 } ?? true) }.sorted { $0.booked < $1.booked }
        let slice = matching.dropFirst((page - 1) * pageSize).prefix(pageSize)
        let pages = max(1, (matching.count + pageSize - 1) / pageSize)
        let query = request.queryValue("fromBookingDateTime").map { "fromBookingDateTime=\(URLBuilder.encode($0))&" } ?? ""
        var links = JSONObject([("Self", .string("\(base)/accounts/\(rest[1])/transactions?\(query)page=\(page)"))])
        if page < pages { links["Next"] = .string("\(base)/accounts/\(rest[1])/transactions?\(query)page=\(page + 1)") }
        let transactions = slice.map { line -> JSONValue in
            var object = JSONObject([("AccountId", .string(line.accountID)), ("CreditDebitIndicator", .string(line.credit ? "Credit" : "Debit")),
                                     ("Status", .string(line.status)), ("BookingDateTime", .string(FakeOBIEServer.dateTime(line.booked))),
                                     ("Amount", .object(JSONObject([("Amount", .string(line.amount)), ("Currency", .string(line.currency))])))])
            if let id = line.transactionID { object["TransactionId"] = .string(id) }
            if let reference = line.reference { object["TransactionReference"] = .string(reference) }
            if let information = line.information { object["TransactionInformation"] = .string(information) }
            if let name = line.debtorName {
                object["DebtorAccount"] = .object(JSONObject([("SchemeName", .string("UK.OBIE.SortCodeAccountNumber")), ("Identification", .string("40400412345678")),
                                                              ("Name", .string(name))]))
            }
            return .object(object)
        }
        return .json(200, JSONWriter.compact(.object(JSONObject([("Data", .object(JSONObject([("Transaction", .array(transactions))]))), ("Links", .object(links)),
                                                                 ("Meta", .object(JSONObject([("TotalPages", .number(String(pages)))])))]))), headers: headers)
    }

    /// `2025-03-14T09:21:07+00:00`: responses carry a zone.
    static func dateTime(_ instant: Timestamp) -> String { String(instant.iso8601.prefix(19)) + "+00:00" }
}
