import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake Xero on 127.0.0.1: the Accounting API's `/Invoices` and `/Payments` list endpoints,
/// `/connections`, and the identity server's `/connect/token`, answering in Xero's documented
/// shapes — paging with `pagination`, `If-Modified-Since` against `UpdatedDateUTC`,
/// `order=UpdatedDateUTC ASC`, `where` filters on `Type` and `Date`, rate-limit headers, 401/403
/// bodies, 429 with `Retry-After`, and refresh-token rotation. Faults can be scripted per path.
public final class FakeXeroServer: Sendable {
    public struct Fault: QueuedFault {
        /// Applies to the next request whose path ends with this (`/Invoices`, `/connect/token`).
        public var pathSuffix: String
        public var reply: ServerReply
        /// Skip this many matching requests first.
        public var after: Int
        /// Only requests for this tenant (`xero-tenant-id`) match, when set.
        public var tenant: String?

        public init(pathSuffix: String, reply: ServerReply, after: Int = 0, tenant: String? = nil) {
            self.pathSuffix = pathSuffix
            self.reply = reply
            self.after = after
            self.tenant = tenant
        }
    }

    /// A request the fake answered, for assertions.
    public struct Received: Sendable {
        public var method: String
        public var path: String
        public var query: [String: String]
        public var ifModifiedSince: String?
        public var tenant: String?
        public var authorization: String?
    }

    /// A change the fake makes to its own data just before serving a request, to reproduce
    /// objects modified while a client pages through them.
    public struct ScheduledChange: Sendable {
        public var pathSuffix: String
        /// Apply before the request with this 1-based number among matching requests.
        public var beforeRequest: Int
        public var tenant: String
        /// The invoice to touch: its `Reference` is edited and `UpdatedDateUTC` moves to now.
        public var invoiceID: String

        public init(pathSuffix: String, beforeRequest: Int, tenant: String, invoiceID: String) {
            self.pathSuffix = pathSuffix
            self.beforeRequest = beforeRequest
            self.tenant = tenant
            self.invoiceID = invoiceID
        }
    }

    struct Tenant: Sendable {
        var invoices: [String: FakeXeroInvoice] = [:]
        var payments: [String: FakeXeroPayment] = [:]
        var sortedInvoices: [FakeXeroInvoice]?
        var sortedPayments: [FakeXeroPayment]?
        var bankTransactions: [String: FakeXeroBankTransaction] = [:]
        var creditNotes: [String: FakeXeroCreditNote] = [:]
        /// The matches of the last query, so paging through it costs O(N) once, not per page.
        var lastQuery: (key: String, invoices: [FakeXeroInvoice], payments: [FakeXeroPayment])?
    }

    struct State: Sendable {
        var tenants: [String: Tenant]
        var tenantOrder: [String]
        var clock: Timestamp
        var validRefreshTokens: Set<String>
        var validAccessTokens: Set<String>
        var issued = 0
        var faults: [Fault] = []
        var changes: [ScheduledChange] = []
        var delays: [(pathSuffix: String, seconds: Double, after: Int)] = []
        /// Added to every API call (not token calls): a network's round trip.
        var latency: Double = 0
        var received: [Received] = []
        /// Per distinct query since the last `clearReceived()`, how many objects matched it.
        var served: [String: Int] = [:]
        var rotateRefreshTokens = true
        var dayCalls = 0
    }

    public let clientID: String
    public let clientSecret: String
    /// The identity server's consent screen (`paysync auth`): PKCE required, as Xero supports it.
    public let consent: FakeConsentScreen
    private let state: Locked<State>
    private let server: LoopbackHTTPServer

    /// `http://127.0.0.1:PORT/api.xro/2.0` — the Accounting API base URL to configure.
    public var apiBaseURL: String { server.baseURL + "/api.xro/2.0" }
    /// `http://127.0.0.1:PORT/connect/token`.
    public var tokenURL: String { server.baseURL + "/connect/token" }
    /// `http://127.0.0.1:PORT/identity/connect/authorize`: the consent screen.
    public var authorizeURL: String { server.baseURL + "/identity/connect/authorize" }
    public var baseURL: String { server.baseURL }

    /// - Parameters:
    ///   - refreshToken: the one valid refresh token to start with.
    ///   - clock: the server's clock, which stamps `UpdatedDateUTC` on every change.
    public init(tenants: [String], clientID: String = "fake-client-id", clientSecret: String = "fake-client-secret",
                refreshToken: String = "initial-refresh-token", clock: Timestamp = Timestamp(iso: "2025-05-02T08:00:00Z")!) throws {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.state = Locked(State(
            tenants: Dictionary(uniqueKeysWithValues: tenants.map { ($0, Tenant()) }), tenantOrder: tenants,
            clock: clock, validRefreshTokens: [refreshToken], validAccessTokens: []
        ))
        let state = self.state
        let credentials = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        let consent = FakeConsentScreen(clientID: clientID, requiredScopes: ["offline_access"], requirePKCE: true)
        self.consent = consent
        self.server = try LoopbackHTTPServer { request in
            if request.path.hasSuffix("/identity/connect/authorize") { return consent.authorize(request) }
            return FakeXeroServer.handle(request, state: state, credentials: credentials, consent: consent)
        }
    }

    deinit { server.stop() }

    public func stop() { server.stop() }

    // MARK: Data

    /// Advances the server clock by `seconds` and returns the new time (stamp for a change).
    @discardableResult
    public func tick(_ seconds: Int64 = 1) -> Timestamp {
        state.withLock { $0.clock = $0.clock.adding(milliseconds: seconds * 1000); return $0.clock }
    }

    public var now: Timestamp { state.value.clock }

    /// Accepts one more refresh token, as a second authorisation of the same app would issue
    /// (each ledger then rotates its own token).
    public func authorise(refreshToken: String) {
        state.withLock { _ = $0.validRefreshTokens.insert(refreshToken) }
    }

    /// Sets the server clock (the next change is stamped one tick after it).
    public func setClock(_ time: Timestamp) { state.withLock { $0.clock = time } }

    /// Adds or replaces invoices as they are (their `updated` is kept).
    public func put(invoices: [FakeXeroInvoice], tenant: String) {
        state.withLock { state in
            for invoice in invoices { state.tenants[tenant, default: Tenant()].invoices[invoice.invoiceID] = invoice }
            state.tenants[tenant]?.sortedInvoices = nil
            state.tenants[tenant]?.lastQuery = nil
        }
    }

    public func put(payments: [FakeXeroPayment], tenant: String) {
        state.withLock { state in
            for payment in payments { state.tenants[tenant, default: Tenant()].payments[payment.paymentID] = payment }
            state.tenants[tenant]?.sortedPayments = nil
            state.tenants[tenant]?.lastQuery = nil
        }
    }

    /// A newly authorised organisation: listed by `/connections` from now on.
    /// Adds or replaces credit notes as they are (their refunds are expected in `/Payments` too).
    public func put(creditNotes: [FakeXeroCreditNote], tenant: String) {
        state.withLock { state in
            for note in creditNotes { state.tenants[tenant]?.creditNotes[note.creditNoteID] = note }
        }
    }

    public func connect(tenant: String) {
        state.withLock { state in
            if state.tenants[tenant] == nil { state.tenants[tenant] = Tenant() }
            if !state.tenantOrder.contains(tenant) { state.tenantOrder.append(tenant) }
        }
    }

    /// An organisation disconnected from the app: no longer listed by `/connections`, and its
    /// API calls refused with 403, as Xero does.
    public func disconnect(tenant: String) {
        state.withLock { state in state.tenantOrder.removeAll { $0 == tenant } }
    }

    /// Adds or replaces bank transactions as they are (their `updated` is kept).
    public func put(bankTransactions: [FakeXeroBankTransaction], tenant: String) {
        state.withLock { state in
            for transaction in bankTransactions { state.tenants[tenant, default: Tenant()].bankTransactions[transaction.bankTransactionID] = transaction }
        }
    }

    /// Changes a bank transaction and stamps it now (deleting one keeps it listed as `DELETED`).
    public func updateBankTransaction(_ id: String, tenant: String, _ change: (inout FakeXeroBankTransaction) -> Void) {
        let stamp = tick()
        state.withLock { state in
            guard var transaction = state.tenants[tenant]?.bankTransactions[id] else { return }
            change(&transaction)
            transaction.updated = stamp
            state.tenants[tenant]?.bankTransactions[id] = transaction
        }
    }

    /// Changes an invoice and stamps it with the next tick of the server clock, as Xero does.
    public func updateInvoice(_ id: String, tenant: String, _ change: (inout FakeXeroInvoice) -> Void) {
        let stamp = tick()
        state.withLock { state in
            guard var invoice = state.tenants[tenant]?.invoices[id] else { return }
            change(&invoice)
            invoice.updated = stamp
            state.tenants[tenant]?.invoices[id] = invoice
            state.tenants[tenant]?.sortedInvoices = nil
            state.tenants[tenant]?.lastQuery = nil
        }
    }

    /// Records a customer payment against an invoice: a new `/Payments` object and the invoice's
    /// amounts and status, both stamped now.
    @discardableResult
    public func pay(invoice id: String, amount: Int64, tenant: String, paymentID: String? = nil, on date: CalendarDate? = nil) -> String? {
        let stamp = tick()
        return state.withLock { state -> String? in
            guard var invoice = state.tenants[tenant]?.invoices[id] else { return nil }
            let payment = paymentID ?? "pay-" + id + "-" + String(invoice.payments.count + 1)
            let day = date ?? stamp.utcDate
            invoice.amountPaid += amount
            invoice.payments.append((payment, day, amount))
            if invoice.amountDue <= 0 { invoice.status = "PAID" }
            invoice.updated = stamp
            state.tenants[tenant]?.invoices[id] = invoice
            state.tenants[tenant]?.payments[payment] = FakeXeroPayment(
                paymentID: payment, date: day, amount: amount, reference: "BACS \(invoice.invoiceNumber)",
                documentID: invoice.invoiceID, documentNumber: invoice.invoiceNumber, currency: invoice.currency,
                contact: invoice.contact, updated: stamp
            )
            state.tenants[tenant]?.sortedInvoices = nil
            state.tenants[tenant]?.sortedPayments = nil
            state.tenants[tenant]?.lastQuery = nil
            return payment
        }
    }

    /// Deletes a payment as Xero does: the payment stays listed with `Status` `DELETED`, and the
    /// invoice it paid is open again for that amount; both stamped now.
    public func deletePayment(_ paymentID: String, tenant: String) {
        let stamp = tick()
        state.withLock { state in
            guard var payment = state.tenants[tenant]?.payments[paymentID], payment.status != "DELETED" else { return }
            payment.status = "DELETED"
            payment.updated = stamp
            state.tenants[tenant]?.payments[paymentID] = payment
            if var note = state.tenants[tenant]?.creditNotes[payment.documentID] {
                // A deleted cash refund gives the credit back to the credit note.
                note.refunds.removeAll { $0.paymentID == paymentID }
                if note.status == "PAID" && note.remainingCredit > 0 { note.status = "AUTHORISED" }
                note.updated = stamp
                state.tenants[tenant]?.creditNotes[payment.documentID] = note
            } else if var invoice = state.tenants[tenant]?.invoices[payment.documentID] {
                invoice.amountPaid -= payment.amount
                invoice.payments.removeAll { $0.id == paymentID }
                if invoice.status == "PAID" && invoice.amountDue > 0 { invoice.status = "AUTHORISED" }
                invoice.updated = stamp
                state.tenants[tenant]?.invoices[payment.documentID] = invoice
            }
            state.tenants[tenant]?.sortedInvoices = nil
            state.tenants[tenant]?.sortedPayments = nil
            state.tenants[tenant]?.lastQuery = nil
        }
    }

    // MARK: Credit notes and refunds

    /// Raises a sales credit note (`AUTHORISED`) to the customer of an invoice, stamped now. It is
    /// not allocated to anything yet.
    @discardableResult
    public func raiseCreditNote(for invoiceID: String, amount: Int64, tenant: String, reference: String = "") -> String? {
        let stamp = tick()
        return state.withLock { state -> String? in
            guard let invoice = state.tenants[tenant]?.invoices[invoiceID] else { return nil }
            let count = (state.tenants[tenant]?.creditNotes.count ?? 0) + 1
            let id = "c7ed17a0-0000-4000-a000-" + String(format: "%012d", count)
            state.tenants[tenant]?.creditNotes[id] = FakeXeroCreditNote(
                creditNoteID: id, creditNoteNumber: "CN-" + String(format: "%04d", count), reference: reference, contact: invoice.contact,
                date: stamp.utcDate, currency: invoice.currency, total: amount, updated: stamp)
            return id
        }
    }

    /// Allocates part of a credit note to an invoice, as Xero does: the invoice's `AmountCredited`
    /// and `CreditNotes[]` grow (`PAID` once nothing is due), the credit note's remaining credit
    /// shrinks (`PAID` at zero); both stamped now.
    public func allocate(creditNote id: String, to invoiceID: String, amount: Int64, tenant: String) {
        let stamp = tick()
        state.withLock { state in
            guard var note = state.tenants[tenant]?.creditNotes[id], var invoice = state.tenants[tenant]?.invoices[invoiceID],
                  amount <= note.remainingCredit, amount <= invoice.amountDue else { return }
            note.allocations.append(("a110c000-0000-4000-a000-" + String(format: "%012d", note.allocations.count + 1), invoiceID, invoice.invoiceNumber, stamp.utcDate, amount))
            if note.remainingCredit == 0 { note.status = "PAID" }
            note.updated = stamp
            invoice.amountCredited += amount
            invoice.creditNotes.append((id, note.creditNoteNumber, stamp.utcDate, amount))
            if invoice.amountDue <= 0 { invoice.status = "PAID" }
            invoice.updated = stamp
            state.tenants[tenant]?.creditNotes[id] = note
            state.tenants[tenant]?.invoices[invoiceID] = invoice
            FakeXeroServer.invalidate(tenant, in: &state)
        }
    }

    /// Pays out part of a credit note's remaining credit in cash: a `/Payments` object of type
    /// `ARCREDITPAYMENT` whose `Invoice` is the credit note, and the credit note's `Payments[]`;
    /// both stamped now.
    @discardableResult
    public func refund(creditNote id: String, amount: Int64, tenant: String, reference: String = "Refund") -> String? {
        let stamp = tick()
        return state.withLock { state -> String? in
            guard var note = state.tenants[tenant]?.creditNotes[id], amount <= note.remainingCredit else { return nil }
            let paymentID = "4ef0d000-0000-4000-a000-" + String(format: "%012d", (state.tenants[tenant]?.payments.count ?? 0) + 1)
            note.refunds.append((paymentID, stamp.utcDate, amount, reference))
            if note.remainingCredit == 0 { note.status = "PAID" }
            note.updated = stamp
            state.tenants[tenant]?.creditNotes[id] = note
            state.tenants[tenant]?.payments[paymentID] = FakeXeroPayment(
                paymentID: paymentID, date: stamp.utcDate, amount: amount, reference: reference, paymentType: "ARCREDITPAYMENT",
                documentType: "ACCRECCREDIT", documentID: id, documentNumber: note.creditNoteNumber, currency: note.currency,
                contact: note.contact, updated: stamp)
            FakeXeroServer.invalidate(tenant, in: &state)
            return paymentID
        }
    }

    public func creditNote(_ id: String, tenant: String) -> FakeXeroCreditNote? { state.value.tenants[tenant]?.creditNotes[id] }

    public func creditNotes(tenant: String) -> [FakeXeroCreditNote] {
        (state.value.tenants[tenant]?.creditNotes.values).map(Array.init)?.sorted { $0.creditNoteNumber < $1.creditNoteNumber } ?? []
    }

    static func invalidate(_ tenant: String, in state: inout State) {
        state.tenants[tenant]?.sortedInvoices = nil
        state.tenants[tenant]?.sortedPayments = nil
        state.tenants[tenant]?.lastQuery = nil
    }

    public func invoice(_ id: String, tenant: String) -> FakeXeroInvoice? { state.value.tenants[tenant]?.invoices[id] }

    /// The tenant's invoices, by invoice number (a stable order for tests).
    public func invoices(tenant: String) -> [FakeXeroInvoice] {
        state.withLock { state in Array(state.tenants[tenant]?.invoices.values ?? [:].values) }.sorted { ($0.invoiceNumber, $0.invoiceID) < ($1.invoiceNumber, $1.invoiceID) }
    }

    /// The tenant's payments, by id.
    public func payments(tenant: String) -> [FakeXeroPayment] {
        state.withLock { state in Array(state.tenants[tenant]?.payments.values ?? [:].values) }.sorted { $0.paymentID < $1.paymentID }
    }

    // MARK: Behaviour

    /// Queues a one-off fault.
    public func inject(_ fault: Fault) { state.withLock { $0.faults.append(fault) } }
    /// Injected faults not yet served.
    public var pendingFaults: Int { state.value.faults.count }

    /// Holds the next request to a path for a while before answering it normally.
    /// Every API call from now on takes at least `seconds` to answer (each connection sleeps on
    /// its own thread, so concurrent calls overlap as they would over a network).
    public func setLatency(seconds: Double) { state.withLock { $0.latency = seconds } }

    public func delayNext(pathSuffix: String, seconds: Double, after: Int = 0) { state.withLock { $0.delays.append((pathSuffix, seconds, after)) } }

    /// Schedules a change to happen just before a given request is served.
    public func schedule(_ change: ScheduledChange) { state.withLock { $0.changes.append(change) } }

    /// Every access token issued so far stops working (as if 30 minutes had passed).
    public func expireAccessTokens() { state.withLock { $0.validAccessTokens.removeAll() } }
    /// Every refresh and access token issued so far stops working (the user revoked the app, or
    /// 60 days passed unused).
    public func revokeTokens() { state.withLock { $0.validRefreshTokens.removeAll(); $0.validAccessTokens.removeAll() } }

    /// Whether a refresh hands out a new refresh token (Xero: always).
    public func setRotation(_ rotate: Bool) { state.withLock { $0.rotateRefreshTokens = rotate } }

    public func addValidRefreshToken(_ token: String) { state.withLock { _ = $0.validRefreshTokens.insert(token) } }

    public var validRefreshTokens: Set<String> { state.value.validRefreshTokens }

    public var received: [Received] { state.value.received }

    public func clearReceived() { state.withLock { $0.received.removeAll(); $0.served.removeAll() } }

    /// For each distinct query answered since `clearReceived()`, the number of objects it matched:
    /// the minimum number of calls is ceil(count / page size) per query.
    public var lastServedCounts: [String: Int] { state.value.served }

    /// API calls (not token calls) received for a path suffix.
    public func calls(to suffix: String) -> Int { received.filter { $0.path.hasSuffix(suffix) }.count }

    public var tokenRefreshes: Int { state.value.issued }

    // MARK: Handler

    static func handle(_ request: ServerRequest, state: Locked<State>, credentials: String, consent: FakeConsentScreen) -> ServerReply {
        let path = request.path
        let received = Received(
            method: request.method, path: path,
            query: Dictionary(request.query.map { ($0.0, $0.1) }, uniquingKeysWith: { $1 }),
            ifModifiedSince: request.headers["If-Modified-Since"], tenant: request.headers["xero-tenant-id"],
            authorization: request.headers["Authorization"]
        )
        let fault = state.withLock { state -> ServerReply? in
            state.received.append(received)
            let seen = state.changes.isEmpty ? 0 : state.received.filter { $0.path == path }.count
            for change in state.changes where path.hasSuffix(change.pathSuffix) && change.beforeRequest == seen {
                state.clock = state.clock.adding(milliseconds: 1000)
                if var invoice = state.tenants[change.tenant]?.invoices[change.invoiceID] {
                    invoice.reference += " (edited)"
                    invoice.updated = state.clock
                    state.tenants[change.tenant]?.invoices[change.invoiceID] = invoice
                    state.tenants[change.tenant]?.sortedInvoices = nil
                    state.tenants[change.tenant]?.lastQuery = nil
                }
            }
            return state.faults.take { fault in
                path.hasSuffix(fault.pathSuffix) && (fault.tenant == nil || fault.tenant == request.headers["xero-tenant-id"])
            }
        }
        if let fault { return fault }
        let latency = path.hasSuffix("/connect/token") ? 0 : state.value.latency
        if latency > 0 { Thread.sleep(forTimeInterval: latency) }
        let delay = state.withLock { state -> Double? in
            guard let index = state.delays.firstIndex(where: { path.hasSuffix($0.pathSuffix) }) else { return nil }
            if state.delays[index].after > 0 {
                state.delays[index].after -= 1
                return nil
            }
            return state.delays.remove(at: index).seconds
        }
        if let delay { Thread.sleep(forTimeInterval: delay) }

        if path.hasSuffix("/connect/token") && request.method == "POST" {
            return token(request, state: state, credentials: credentials, consent: consent)
        }
        let authorization = request.headers["Authorization"] ?? ""
        let authorized = state.withLock { state in
            authorization.hasPrefix("Bearer ") && state.validAccessTokens.contains(String(authorization.dropFirst(7)))
        }
        guard authorized else {
            return .json(401, #"{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"TokenExpired: token expired at 05/02/2025 08:00:00","Instance":"6489df60-1ef2-4b49-a7f4-7e21b4b1d0a4","Extensions":{}}"#,
                         headers: ["WWW-Authenticate": #"Bearer error="invalid_token""#])
        }
        if path.hasSuffix("/connections") {
            let tenants = state.value.tenantOrder.map { #"{"id":"\#(UUID().uuidString.lowercased())","tenantId":"\#($0)","tenantType":"ORGANISATION","tenantName":"Demo Company \#($0.prefix(4))"}"# }
            return .json(200, "[" + tenants.joined(separator: ",") + "]")
        }
        guard let tenant = request.headers["xero-tenant-id"], state.value.tenants[tenant] != nil, state.value.tenantOrder.contains(tenant) else {
            return .json(403, #"{"Type":null,"Title":"Forbidden","Status":403,"Detail":"AuthenticationUnsuccessful","Instance":"0b0f2a5c-6c2d-4a67-9f7a-2e1d9b7c3a11","Extensions":{}}"#)
        }
        guard request.method == "GET" else { return .status(405) }
        if path.hasSuffix("/api.xro/2.0/Invoices") {
            return list(request, tenant: tenant, resource: "Invoices", state: state)
        }
        if path.hasSuffix("/api.xro/2.0/Payments") {
            return list(request, tenant: tenant, resource: "Payments", state: state)
        }
        if path.hasSuffix("/api.xro/2.0/BankTransactions") {
            return bankTransactions(request, tenant: tenant, state: state)
        }
        if path.hasSuffix("/api.xro/2.0/CreditNotes") {
            return creditNotes(request, tenant: tenant, state: state)
        }
        return .json(404, #"{"Title":"NotFound","Status":404,"Detail":"The resource you're looking for cannot be found"}"#)
    }

    static func token(_ request: ServerRequest, state: Locked<State>, credentials: String, consent: FakeConsentScreen) -> ServerReply {
        guard request.headers["Authorization"] == credentials else { return .json(400, #"{"error":"invalid_client"}"#) }
        let form = request.formFields
        if form["grant_type"] == "authorization_code" {
            if let refusal = consent.exchange(form) { return refusal }
            return state.withLock { state -> ServerReply in
                state.issued += 1
                let access = "fake-access-\(state.issued)-\(UUID().uuidString.prefix(8))"
                let refresh = "fake-refresh-\(state.issued)-\(UUID().uuidString.prefix(8))"
                state.validAccessTokens.insert(access)
                state.validRefreshTokens.insert(refresh)
                return .json(200, #"{"id_token":"fake-id-token","access_token":"\#(access)","expires_in":1800,"token_type":"Bearer","refresh_token":"\#(refresh)","scope":"offline_access accounting.transactions.read"}"#)
            }
        }
        guard form["grant_type"] == "refresh_token", let presented = form["refresh_token"] else {
            return .json(400, #"{"error":"unsupported_grant_type"}"#)
        }
        return state.withLock { state -> ServerReply in
            guard state.validRefreshTokens.contains(presented) else { return .json(400, #"{"error":"invalid_grant"}"#) }
            state.issued += 1
            let access = "fake-access-\(state.issued)-\(UUID().uuidString.prefix(8))"
            state.validAccessTokens.insert(access)
            var refresh = presented
            if state.rotateRefreshTokens {
                refresh = "fake-refresh-\(state.issued)-\(UUID().uuidString.prefix(8))"
                state.validRefreshTokens.remove(presented)
                state.validRefreshTokens.insert(refresh)
            }
            return .json(200, #"{"id_token":"fake-id-token","access_token":"\#(access)","expires_in":1800,"token_type":"Bearer","refresh_token":"\#(refresh)","scope":"accounting.transactions.read offline_access"}"#)
        }
    }

    /// What every list request says, checked as Xero checks it: `page`, `pageSize` (1–1000),
    /// `If-Modified-Since`, `where` and `order`.
    struct ListRequest {
        var page: Int
        var pageSize: Int
        var since: Timestamp?
        var filter: WhereFilter

        init(_ request: ServerRequest) throws(ListRefusal) {
            pageSize = request.queryValue("pageSize").flatMap(Int.init) ?? 100
            guard (1...1000).contains(pageSize) else { throw ListRefusal(reply: validation("pageSize must be between 1 and 1000")) }
            page = max(1, request.queryValue("page").flatMap(Int.init) ?? 1)
            if let header = request.headers["If-Modified-Since"] {
                guard let parsed = Timestamp(iso: header) ?? RetryAfter.httpDate(header) else {
                    throw ListRefusal(reply: validation("If-Modified-Since is not a valid date"))
                }
                since = parsed
            }
            do { filter = try WhereFilter(request.queryValue("where") ?? "") } catch { throw ListRefusal(reply: validation("\(error)")) }
            if let order = request.queryValue("order"), order.replacingOccurrences(of: " ", with: "").uppercased() != "UPDATEDDATEUTCASC" {
                throw ListRefusal(reply: validation("only order=UpdatedDateUTC ASC is supported by this fake"))
            }
        }
    }

    struct ListRefusal: Error { var reply: ServerReply }

    static func list(_ request: ServerRequest, tenant: String, resource: String, state: Locked<State>) -> ServerReply {
        let list: ListRequest
        do { list = try ListRequest(request) } catch { return error.reply }
        let (page, pageSize, since, filter) = (list.page, list.pageSize, list.since, list.filter)

        let queryKey = "\(resource)|\(since?.millisecondsSinceEpoch ?? -1)|\(request.queryValue("where") ?? "")"
        let (objects, itemCount, served, remaining) = state.withLock { state -> ([Renderable], Int, Timestamp, Int) in
            state.dayCalls += 1
            var data = state.tenants[tenant]!
            if data.lastQuery?.key != queryKey {
                if resource == "Invoices" {
                    if data.sortedInvoices == nil { data.sortedInvoices = data.invoices.values.sorted { ($0.updated, $0.invoiceID) < ($1.updated, $1.invoiceID) } }
                    let sorted = data.sortedInvoices!
                    let start = since.map { time in firstIndex(in: sorted) { $0.updated > time } } ?? 0
                    data.lastQuery = (queryKey, sorted[start...].filter { filter.matches(type: $0.type, date: $0.date) }, [])
                } else {
                    if data.sortedPayments == nil { data.sortedPayments = data.payments.values.sorted { ($0.updated, $0.paymentID) < ($1.updated, $1.paymentID) } }
                    let sorted = data.sortedPayments!
                    let start = since.map { time in firstIndex(in: sorted) { $0.updated > time } } ?? 0
                    data.lastQuery = (queryKey, [], sorted[start...].filter { filter.matches(type: nil, date: $0.date) })
                }
            }
            let query = data.lastQuery!
            state.tenants[tenant] = data
            state.served["\(tenant)|\(queryKey)"] = resource == "Invoices" ? query.invoices.count : query.payments.count
            let count = resource == "Invoices" ? query.invoices.count : query.payments.count
            let from = min(count, (page - 1) * pageSize), to = min(count, from + pageSize)
            let slice: [Renderable] = resource == "Invoices" ? query.invoices[from..<to].map { .invoice($0) } : query.payments[from..<to].map { .payment($0) }
            return (slice, count, state.clock, max(0, 5000 - state.dayCalls))
        }
        // Rendering happens outside the lock: several connections can be served at once.
        let rendered = objects.map { object -> String in
            switch object {
            case .invoice(let invoice): invoice.render()
            case .payment(let payment): payment.render()
            }
        }
        let pageCount = (itemCount + pageSize - 1) / pageSize
        // A deterministic response id, so recorded fixtures do not churn when regenerated.
        let responseID = String(format: "5c1e0f8a-2b7d-4a51-9a36-%012llx", served.millisecondsSinceEpoch &* 31 &+ Int64(page))
        let body = #"{"Id":"\#(responseID)","Status":"OK","ProviderName":"paysync fake","DateTimeUTC":"/Date(\#(served.millisecondsSinceEpoch))/","pagination":{"page":\#(page),"pageSize":\#(pageSize),"pageCount":\#(pageCount),"itemCount":\#(itemCount)},"\#(resource)":[\#(rendered.joined(separator: ","))]}"#
        return .json(200, body, headers: ["Date": RetryAfter.httpDateText(served), "X-DayLimit-Remaining": String(remaining), "X-MinLimit-Remaining": "59",
                                          "X-AppMinLimit-Remaining": "9999"])
    }

    /// `GET /BankTransactions`: the same paging, `If-Modified-Since`, order and `where` rules.
    static func bankTransactions(_ request: ServerRequest, tenant: String, state: Locked<State>) -> ServerReply {
        smallList(request, tenant: tenant, state: state, resource: "BankTransactions", responseID: "5c1e0f8a-2b7d-4a51-9a36-0000000b0000",
                  objects: { Array($0.bankTransactions.values) }, id: \.bankTransactionID, updated: \.updated, type: \.type, date: \.date) { $0.render() }
    }

    /// `GET /CreditNotes`: the same paging, `If-Modified-Since`, order and `where` rules.
    static func creditNotes(_ request: ServerRequest, tenant: String, state: Locked<State>) -> ServerReply {
        smallList(request, tenant: tenant, state: state, resource: "CreditNotes", responseID: "306379b0-3d75-4c77-953a-be08fa0efae8",
                  objects: { Array($0.creditNotes.values) }, id: \.creditNoteID, updated: \.updated, type: \.type, date: \.date) { $0.render() }
    }

    /// A list of few objects (sorted per request, unlike the invoice and payment lists).
    static func smallList<Object: Sendable>(_ request: ServerRequest, tenant: String, state: Locked<State>, resource: String, responseID: String,
                                  objects: (Tenant) -> [Object], id: KeyPath<Object, String>, updated: KeyPath<Object, Timestamp>,
                                  type: KeyPath<Object, String>, date: KeyPath<Object, CalendarDate>, render: (Object) -> String) -> ServerReply {
        let list: ListRequest
        do { list = try ListRequest(request) } catch { return error.reply }
        let (page, pageSize, since, filter) = (list.page, list.pageSize, list.since, list.filter)
        let (matching, served) = state.withLock { state -> ([Object], Timestamp) in
            state.dayCalls += 1
            let all = objects(state.tenants[tenant]!).sorted { ($0[keyPath: updated], $0[keyPath: id]) < ($1[keyPath: updated], $1[keyPath: id]) }
            let matching = all.filter { object in (since.map { object[keyPath: updated] > $0 } ?? true) && filter.matches(type: object[keyPath: type], date: object[keyPath: date]) }
            state.served["\(tenant)|\(resource)|\(since?.millisecondsSinceEpoch ?? -1)|\(request.queryValue("where") ?? "")"] = matching.count
            return (matching, state.clock)
        }
        let from = min(matching.count, (page - 1) * pageSize), to = min(matching.count, from + pageSize)
        let pageCount = (matching.count + pageSize - 1) / pageSize
        let body = #"{"Id":"\#(responseID)","Status":"OK","ProviderName":"paysync fake","DateTimeUTC":"/Date(\#(served.millisecondsSinceEpoch))/","pagination":{"page":\#(page),"pageSize":\#(pageSize),"pageCount":\#(pageCount),"itemCount":\#(matching.count)},"\#(resource)":[\#(matching[from..<to].map(render).joined(separator: ","))]}"#
        return .json(200, body, headers: ["Date": RetryAfter.httpDateText(served)])
    }

    enum Renderable {
        case invoice(FakeXeroInvoice)
        case payment(FakeXeroPayment)
    }

    /// Every page of a list as Xero would serve it (for the benchmark's decode-only ceiling).
    public func pageBodies(tenant: String, resource: String, pageSize: Int = 1000) -> [Data] {
        let (invoices, payments) = state.withLock { state -> ([FakeXeroInvoice], [FakeXeroPayment]) in
            let data = state.tenants[tenant]!
            return (data.invoices.values.sorted { ($0.updated, $0.invoiceID) < ($1.updated, $1.invoiceID) },
                    data.payments.values.sorted { ($0.updated, $0.paymentID) < ($1.updated, $1.paymentID) })
        }
        let rendered = resource == "Invoices" ? invoices.map { $0.render() } : payments.map { $0.render() }
        return stride(from: 0, to: rendered.count, by: pageSize).map { start in
            let slice = rendered[start..<min(start + pageSize, rendered.count)]
            let page = start / pageSize + 1
            let pageCount = (rendered.count + pageSize - 1) / pageSize
            return Data(#"{"Id":"bench","Status":"OK","ProviderName":"paysync fake","DateTimeUTC":"/Date(0)/","pagination":{"page":\#(page),"pageSize":\#(pageSize),"pageCount":\#(pageCount),"itemCount":\#(rendered.count)},"\#(resource)":[\#(slice.joined(separator: ","))]}"#.utf8)
        }
    }

    static func validation(_ message: String) -> ServerReply {
        .json(400, #"{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":[{"ValidationErrors":[{"Message":"\#(message)"}]}]}"#)
    }

    static func firstIndex<T>(in sorted: [T], where predicate: (T) -> Bool) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if predicate(sorted[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// The subset of Xero's `where` syntax the fake understands: `Type=="ACCREC"`,
/// `Date>=DateTime(2025,01,01)`, `Date<DateTime(2025,02,01)`, joined with `&&` or ` AND `.
struct WhereFilter {
    var type: String?
    var from: CalendarDate?
    var until: CalendarDate?

    init(_ text: String) throws {
        let clauses = text.replacingOccurrences(of: " AND ", with: "&&").components(separatedBy: "&&").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for clause in clauses {
            if clause.hasPrefix("Type==") {
                type = clause.dropFirst(6).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            } else if clause.hasPrefix("Date>=DateTime("), let date = WhereFilter.date(clause.dropFirst(15)) {
                from = date
            } else if clause.hasPrefix("Date<DateTime("), let date = WhereFilter.date(clause.dropFirst(14)) {
                until = date
            } else {
                throw FilterError(text: clause)
            }
        }
    }

    struct FilterError: Error, CustomStringConvertible {
        var text: String
        var description: String { "unsupported where clause: \(text)" }
    }

    static func date(_ text: Substring) -> CalendarDate? {
        let parts = text.dropLast().split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3 else { return nil }
        return CalendarDate(year: parts[0], month: parts[1], day: parts[2])
    }

    func matches(type: String?, date: CalendarDate) -> Bool {
        if let required = self.type, let type, required != type { return false }
        if let from, date < from { return false }
        if let until, date >= until { return false }
        return true
    }
}
