import Foundation
import PaySyncCore
import PaySyncHTTP

/// Zoho Books v3 on 127.0.0.1, strict as its published OpenAPI files and
/// `../shared/reference/payments-apis.md` §10: Zoho's accounts server (`FakeZohoAccounts`, the
/// token's `api_domain` naming this server); `Authorization: Zoho-oauthtoken …` and
/// `organization_id` on every call; `GET /books/v3/invoices`, `/customerpayments`, `/creditnotes`
/// with `page`, `per_page` (at most 200), the documented filters and sort columns only (anything
/// else is a 400), answers `{"code": 0, "message": "success", <list>, "page_context": {…}}`;
/// `GET /books/v3/creditnotes/{id}` and `/organizations/{id}`. Times carry the organisation's
/// offset without a colon (`-0800`). A customer viewing an invoice changes its status, not its
/// `last_modified_time`, and so does Zoho's nightly move to overdue. The daily-cap 429's wording
/// is the fake's own (Zoho does not publish it in full).
public final class FakeZohoBooksServer: Sendable {
    struct Invoice: Sendable {
        var id: String
        var number: String
        var customer: String
        var total: Int64
        var paid: Int64 = 0
        var status: String
        var date: CalendarDate
        var dueDate: CalendarDate
        var created: Int64
        var modified: Int64
        var viewed: Int64?
    }

    struct Payment: Sendable {
        var id: String
        var number: String
        var invoiceNumber: String
        var amount: Int64
        var date: CalendarDate
        var created: Int64
    }

    struct CreditNote: Sendable {
        var id: String
        var number: String
        var total: Int64
        var balance: Int64
        var status: String
        var date: CalendarDate
        var created: Int64
        var modified: Int64
    }

    struct State: Sendable {
        var invoices: [String: Invoice] = [:]
        var payments: [String: Payment] = [:]
        var notes: [String: CreditNote] = [:]
        var now: Int64
        var received: [String] = []
        var faults: [ServerReply] = []
        var dailyCapSpent = false
        var sequence = 0
    }

    public static let organization = "10234695"
    /// The organisation's offset from UTC, as its times carry it.
    public static let offsetMinutes = -8 * 60
    public let accounts = FakeZohoAccounts(scope: "ZohoBooks.fullaccess.all")
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }
    public let currency = "USD"

    public init(now: Timestamp) throws {
        let state = Locked(State(now: now.millisecondsSinceEpoch))
        self.state = state
        let accounts = self.accounts
        let holder = Locked<String>("")
        server = try LoopbackHTTPServer { request in FakeZohoBooksServer.handle(request, state: state, accounts: accounts, domain: holder.value) }
        holder.withLock { $0 = server.baseURL }
    }

    deinit { server.stop() }

    public var now: Timestamp { Timestamp(millisecondsSinceEpoch: state.value.now) }
    public func advance(seconds: Int64) { state.withLock { $0.now += seconds * 1000 } }
    /// API calls, not token requests.
    public var received: [String] { state.value.received }
    public func inject(_ reply: ServerReply) { state.withLock { $0.faults.append(reply) } }
    public func spendDailyCap(_ spent: Bool = true) { state.withLock { $0.dailyCapSpent = spent } }

    /// `2013-11-18T02:02:51-0800`.
    static func zoho(_ milliseconds: Int64) -> String {
        let local = Timestamp(millisecondsSinceEpoch: milliseconds + Int64(offsetMinutes) * 60_000).iso8601.prefix(19)
        let sign = offsetMinutes < 0 ? "-" : "+"
        let minutes = abs(offsetMinutes)
        return local + sign + String(format: "%02d%02d", minutes / 60, minutes % 60)
    }

    static func amount(_ minor: Int64) -> JSONValue {
        .number(Money(minorUnits: minor, currency: Currency(code: "USD")!).decimalText)
    }

    // MARK: Mutators

    public func invoice(_ id: String, number: String, total: Int64, status: String = "sent", dueInDays: Int = 30) {
        state.withLock { state in
            let today = Timestamp(millisecondsSinceEpoch: state.now).utcDate
            state.invoices[id] = Invoice(id: id, number: number, customer: "Bowman & Co", total: total, status: status, date: today,
                                         dueDate: today.adding(days: dueInDays), created: state.now, modified: state.now)
            state.now += 1000
        }
    }

    func edit(_ id: String, _ change: (inout Invoice, Int64) -> Void) {
        state.withLock { state in
            guard var invoice = state.invoices[id] else { return }
            change(&invoice, state.now)
            state.invoices[id] = invoice
            state.now += 1000
        }
    }

    /// Marked sent (an edit).
    public func send(_ id: String) { edit(id) { invoice, now in invoice.status = "sent"; invoice.modified = now } }
    /// The customer opens it: the status moves, `last_modified_time` does not.
    public func view(_ id: String) { edit(id) { invoice, now in if ["sent", "overdue"].contains(invoice.status) { invoice.status = "viewed" }; invoice.viewed = now } }
    /// Zoho's nightly job: past due and unpaid is overdue, without an edit.
    public func markOverdue(_ id: String) { edit(id) { invoice, _ in invoice.status = "overdue" } }
    public func void(_ id: String) { edit(id) { invoice, now in invoice.status = "void"; invoice.modified = now } }
    public func delete(_ id: String) { state.withLock { state in state.invoices[id] = nil; state.now += 1000 } }

    /// A customer payment of `amount` against the invoice: its balance and status move (an edit).
    public func pay(_ id: String, amount: Int64, payment: String) {
        state.withLock { state in
            guard var invoice = state.invoices[id] else { return }
            invoice.paid += amount
            invoice.status = invoice.paid >= invoice.total ? "paid" : "partially_paid"
            invoice.modified = state.now
            state.invoices[id] = invoice
            state.sequence += 1
            state.payments[payment] = Payment(id: payment, number: String(state.sequence), invoiceNumber: invoice.number, amount: amount,
                                              date: Timestamp(millisecondsSinceEpoch: state.now).utcDate, created: state.now)
            state.now += 1000
        }
    }

    public func creditNote(_ id: String, number: String, total: Int64, status: String = "open") {
        state.withLock { state in
            state.notes[id] = CreditNote(id: id, number: number, total: total, balance: total, status: status,
                                         date: Timestamp(millisecondsSinceEpoch: state.now).utcDate, created: state.now, modified: state.now)
            state.now += 1000
        }
    }

    /// The credit is refunded to the customer or applied: closed.
    public func closeCreditNote(_ id: String) {
        state.withLock { state in
            state.notes[id]?.status = "closed"
            state.notes[id]?.balance = 0
            state.notes[id]?.modified = state.now
            state.now += 1000
        }
    }

    // MARK: Serving

    static func error(_ status: Int, _ code: Int, _ message: String) -> ServerReply {
        .json(status, JSONWriter.compact(.object(JSONObject([("code", .number(String(code))), ("message", .string(message))]))),
              headers: ["Content-Type": "application/json;charset=UTF-8"])
    }

    static func ok(_ members: [(String, JSONValue)]) -> ServerReply {
        .json(200, JSONWriter.compact(.object(JSONObject([("code", .number("0")), ("message", .string("success"))] + members))),
              headers: ["Content-Type": "application/json;charset=UTF-8"])
    }

    static func invoiceJSON(_ invoice: Invoice) -> JSONValue {
        var object = JSONObject([
            ("invoice_id", .string(invoice.id)), ("ach_payment_initiated", .bool(false)), ("customer_name", .string(invoice.customer)),
            ("customer_id", .string("982000000567001")), ("status", .string(invoice.status)), ("invoice_number", .string(invoice.number)),
            ("reference_number", .string("PO-\(invoice.number)")), ("date", .string(invoice.date.description)), ("due_date", .string(invoice.dueDate.description)),
            ("currency_id", .string("982000000000190")), ("currency_code", .string("USD")), ("is_viewed_by_client", .bool(invoice.viewed != nil)),
            ("has_attachment", .bool(false)), ("client_viewed_time", .string(invoice.viewed.map(zoho) ?? "")),
            ("total", amount(invoice.total)), ("balance", amount(invoice.total - invoice.paid)),
            ("created_time", .string(zoho(invoice.created))), ("last_modified_time", .string(zoho(invoice.modified))),
            ("is_emailed", .bool(invoice.status != "draft")), ("reminders_sent", .number("0")), ("last_reminder_sent_date", .string("")),
            ("payment_expected_date", .string("")), ("last_payment_date", .string("")), ("exchange_rate", .number("1.00")),
        ])
        object["salesperson_name"] = .string("")
        return .object(object)
    }

    static func noteJSON(_ note: CreditNote) -> JSONValue {
        .object(JSONObject([
            ("creditnote_id", .string(note.id)), ("creditnote_number", .string(note.number)), ("status", .string(note.status)),
            ("reference_number", .string("")), ("date", .string(note.date.description)), ("total", amount(note.total)), ("balance", amount(note.balance)),
            ("customer_id", .string("982000000567001")), ("customer_name", .string("Bowman & Co")), ("currency_id", .string("982000000000190")),
            ("currency_code", .string("USD")), ("created_time", .string(zoho(note.created))), ("last_modified_time", .string(zoho(note.modified))),
        ]))
    }

    static func paymentJSON(_ payment: Payment) -> JSONValue {
        .object(JSONObject([
            ("payment_id", .string(payment.id)), ("payment_number", .string(payment.number)), ("invoice_numbers", .string(payment.invoiceNumber)),
            ("date", .string(payment.date.description)), ("payment_mode", .string("Bank Transfer")), ("amount", amount(payment.amount)),
            ("bcy_amount", amount(payment.amount)), ("unused_amount", amount(0)), ("customer_id", .string("982000000567001")),
            ("customer_name", .string("Bowman & Co")), ("reference_number", .string("")), ("created_time", .string(zoho(payment.created))),
            ("last_modified_time", .string(zoho(payment.created))),
        ]))
    }

    static func handle(_ request: ServerRequest, state: Locked<State>, accounts: FakeZohoAccounts, domain: String) -> ServerReply {
        if request.path == "/oauth/v2/token" { return accounts.token(request, domain: domain) }
        state.withLock { $0.received.append("\(request.method) \(request.target)") }
        guard accounts.authorizes(request) else { return error(401, 57, "You are not authorized to perform this operation") }
        if let fault = state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) { return fault }
        if state.value.dailyCapSpent { return error(429, 45, "You have reached the maximum number of API calls allowed for the day") }
        guard request.method == "GET" else { return error(405, 37, "The HTTP method is not allowed for the requested resource") }
        guard request.queryValue("organization_id") == organization else { return error(400, 6041, "This user is not associated with the organization_id") }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "books", parts[1] == "v3" else { return error(404, 5, "Invalid URL Passed") }
        let snapshot = state.value
        if parts.count == 4 {
            switch parts[2] {
            case "creditnotes":
                guard let note = snapshot.notes[parts[3]] else { return error(404, 1002, "Credit note does not exist.") }
                return ok([("creditnote", noteJSON(note))])
            case "organizations":
                return ok([("organization", .object(JSONObject([("organization_id", .string(organization)), ("name", .string("Zillum")),
                                                                ("currency_code", .string("USD")), ("time_zone", .string("PST"))])))])
            default:
                return error(404, 5, "Invalid URL Passed")
            }
        }
        guard parts.count == 3 else { return error(404, 5, "Invalid URL Passed") }
        let list = parts[2]
        let allowed: [String: [String]] = [
            "invoices": ["sort_column", "sort_order", "last_modified_time", "status", "date_start", "date_end"],
            "customerpayments": ["sort_column", "date_start", "date_end"],
            "creditnotes": ["sort_column", "sort_order", "status", "date_start", "date_end"],
        ]
        guard let filters = allowed[list] else { return error(404, 5, "Invalid URL Passed") }
        for (name, _) in request.query where !(["organization_id", "page", "per_page"] + filters).contains(name) {
            return error(400, 2, "Invalid value passed for \(name)")
        }
        let page = Int(request.queryValue("page") ?? "1") ?? 0
        let perPage = Int(request.queryValue("per_page") ?? "200") ?? 0
        guard page >= 1 else { return error(400, 2, "Invalid value passed for page") }
        guard (1...200).contains(perPage) else { return error(400, 2, "Invalid value passed for per_page") }
        if let column = request.queryValue("sort_column"),
           !["customer_name", "invoice_number", "creditnote_number", "date", "due_date", "total", "balance", "created_time"].contains(column) {
            return error(400, 2, "Invalid value passed for sort_column")
        }
        if let order = request.queryValue("sort_order"), !["A", "D"].contains(order) { return error(400, 2, "Invalid value passed for sort_order") }
        var since: Int64?
        if let text = request.queryValue("last_modified_time") {
            // The documented form: `2013-11-18T02:02:51-0800`, an offset without a colon.
            guard text.count == 24, let instant = Timestamp(iso: text) else { return error(400, 2, "Invalid value passed for last_modified_time") }
            since = instant.millisecondsSinceEpoch
        }
        let startText = request.queryValue("date_start"), endText = request.queryValue("date_end")
        let start = startText.flatMap { CalendarDate(iso: $0) }, end = endText.flatMap { CalendarDate(iso: $0) }
        if (startText != nil && start == nil) || (endText != nil && end == nil) { return error(400, 2, "Invalid value passed for date") }
        let status = request.queryValue("status")
        func inDates(_ date: CalendarDate) -> Bool { (start.map { date >= $0 } ?? true) && (end.map { date <= $0 } ?? true) }
        let ascending = request.queryValue("sort_order") == "A"
        var rows: [(created: Int64, id: String, json: JSONValue)]
        let key: String
        switch list {
        case "invoices":
            if let status, !["sent", "draft", "overdue", "paid", "void", "unpaid", "partially_paid", "viewed"].contains(status) {
                return error(400, 2, "Invalid value passed for status")
            }
            key = "invoices"
            rows = snapshot.invoices.values.filter { invoice in
                (since.map { invoice.modified > $0 } ?? true) && inDates(invoice.date) && (status.map { $0 == invoice.status } ?? true)
            }.map { ($0.created, $0.id, invoiceJSON($0)) }
        case "customerpayments":
            key = "customerpayments"
            rows = snapshot.payments.values.filter { inDates($0.date) }.map { ($0.created, $0.id, paymentJSON($0)) }
        default:
            if let status, !["open", "closed", "void", "draft"].contains(status) { return error(400, 2, "Invalid value passed for status") }
            key = "creditnotes"
            rows = snapshot.notes.values.filter { inDates($0.date) && (status == nil || $0.status == status) }
                .map { ($0.created, $0.id, noteJSON($0)) }
        }
        rows.sort { ascending ? ($0.created, $0.id) < ($1.created, $1.id) : ($0.created, $0.id) > ($1.created, $1.id) }
        let slice = Array(rows.dropFirst((page - 1) * perPage).prefix(perPage))
        let context = JSONObject([
            ("page", .number(String(page))), ("per_page", .number(String(perPage))), ("has_more_page", .bool(rows.count > page * perPage)),
            ("report_name", .string(key)), ("applied_filter", .string(status.map { "Status.\($0)" } ?? "Status.All")),
            ("sort_column", .string(request.queryValue("sort_column") ?? "created_time")), ("sort_order", .string(ascending ? "A" : "D")),
        ])
        return ok([(key, .array(slice.map(\.json))), ("page_context", .object(context))])
    }
}
