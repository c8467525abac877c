import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PaySyncCore
import PaySyncHTTP

/// Sage Intacct's XML gateway on 127.0.0.1 (`POST /ia/xml/xmlgw.phtml`), strict as the official
/// SDKs' fixtures (Intacct/intacct-sdk-php, -net, -js) and `../shared/reference/payments-apis.md`
/// §12: the Web Services sender checked in `<control>` (else a control `failure`,
/// `XL03000006`), the company user's `<login>` or a live `<sessionid>` in `<authentication>`
/// (else an authentication `failure`), one `<function>`: `getAPISession`, `readByQuery`
/// (`object`, `fields` that exist, a `query` of `FIELD OP 'VALUE'` joined by `AND`, `pagesize`
/// at most 1000) and `readMore` (`resultId`). Every answer is HTTP 200; failures are in the XML.
/// Times are the company's naive `MM/DD/YYYY HH:MM:SS` (America/Los_Angeles here), compared as
/// such. Deleting a record leaves an `AUDITHISTORY` row (`ACCESSMODE` `D`).
public final class FakeSageIntacctServer: Sendable {
    struct Record: Sendable {
        var object: String
        var fields: [String: String]
        var created: Int64
    }

    struct State: Sendable {
        var records: [String: Record] = [:]   // object:RECORDNO
        var audit: [[String: String]] = []
        var sessions: Set<String> = []
        var results: [String: (rows: [[String: String]], size: Int, listType: String)] = [:]
        var now: Int64
        var functions: [String] = []
        var throttleNext = false
        var nextPayment = 9_000
    }

    public static let company = "paysync-demo"
    public let senderID = "paysync_sender"
    public let senderPassword = "SenderPw7Qx2"
    public let userID = "api_reader"
    public let userPassword = "UserPw4Lm9"
    static let zone = TimeZone(identifier: "America/Los_Angeles")!
    static let schema: [String: Set<String>] = [
        "ARINVOICE": ["RECORDNO", "RECORDID", "DOCNUMBER", "STATE", "RAWSTATE", "CUSTOMERID", "CUSTOMERNAME", "WHENCREATED", "WHENDUE", "WHENPAID",
                      "WHENMODIFIED", "TOTALENTERED", "TOTALPAID", "TOTALDUE", "TRX_TOTALENTERED", "TRX_TOTALPAID", "TRX_TOTALDUE", "CURRENCY", "BASECURR"],
        "ARPYMT": ["RECORDNO", "DOCNUMBER", "STATE", "CUSTOMERID", "CUSTOMERNAME", "PAYMENTDATE", "WHENMODIFIED", "TOTALENTERED", "TRX_TOTALENTERED",
                   "CURRENCY", "BASECURR"],
        "AUDITHISTORY": ["OBJECTTYPE", "OBJECTKEY", "ACCESSMODE", "ACCESSTIME", "USERID"],
    ]
    private let state: Locked<State>
    private let server: LoopbackHTTPServer
    public var endpoint: String { server.baseURL + "/ia/xml/xmlgw.phtml" }

    public init(now: Timestamp) throws {
        let state = Locked(State(now: now.millisecondsSinceEpoch))
        self.state = state
        let credentials = (senderID, senderPassword, userID, userPassword)
        server = try LoopbackHTTPServer { request in FakeSageIntacctServer.handle(request, state: state, credentials: credentials) }
    }

    deinit { server.stop() }

    public var now: Timestamp { Timestamp(millisecondsSinceEpoch: state.value.now) }
    public func advance(seconds: Int64) { state.withLock { $0.now += seconds * 1000 } }
    /// The functions called, in order (`getAPISession`, `readByQuery ARINVOICE …`, `readMore`).
    public var functions: [String] { state.value.functions }
    public func expireSessions() { state.withLock { $0.sessions.removeAll() } }
    /// The next function is refused as Intacct throttles: "Please Try Again Later".
    public func throttleNext() { state.withLock { $0.throttleNext = true } }

    static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter
    }

    static func time(_ milliseconds: Int64) -> String { formatter("MM/dd/yyyy HH:mm:ss").string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)) }
    static func day(_ milliseconds: Int64) -> String { formatter("MM/dd/yyyy").string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)) }
    static func amount(_ minor: Int64) -> String { Money(minorUnits: minor, currency: Currency(code: "USD")!).decimalText }

    // MARK: Mutators

    public func invoice(_ number: Int, id: String, total: Int64, state status: String = "Posted", dueInDays: Int = 30) {
        state.withLock { state in
            let now = state.now
            state.records["ARINVOICE:\(number)"] = Record(object: "ARINVOICE", fields: [
                "RECORDNO": String(number), "RECORDID": id, "DOCNUMBER": "PO-\(id)", "STATE": status, "RAWSTATE": status == "Draft" ? "D" : "A",
                "CUSTOMERID": "C-00012", "CUSTOMERNAME": "Mercado Sidewalk Cafe", "WHENCREATED": FakeSageIntacctServer.day(now),
                "WHENDUE": FakeSageIntacctServer.day(now + Int64(dueInDays) * 86_400_000), "WHENPAID": "", "WHENMODIFIED": FakeSageIntacctServer.time(now),
                "TOTALENTERED": FakeSageIntacctServer.amount(total), "TOTALPAID": "0.00", "TOTALDUE": FakeSageIntacctServer.amount(total),
                "TRX_TOTALENTERED": FakeSageIntacctServer.amount(total), "TRX_TOTALPAID": "0.00", "TRX_TOTALDUE": FakeSageIntacctServer.amount(total),
                "CURRENCY": "USD", "BASECURR": "USD",
            ], created: now)
            state.now += 1000
        }
    }

    /// A receipt against the invoice: its totals and state move.
    public func pay(_ number: Int, amount: Int64) {
        state.withLock { state in
            guard var invoice = state.records["ARINVOICE:\(number)"] else { return }
            let entered = Int64((Double(invoice.fields["TOTALENTERED"]!)! * 100).rounded())
            let paid = Int64((Double(invoice.fields["TOTALPAID"]!)! * 100).rounded()) + amount
            for prefix in ["", "TRX_"] {
                invoice.fields[prefix + "TOTALPAID"] = FakeSageIntacctServer.amount(paid)
                invoice.fields[prefix + "TOTALDUE"] = FakeSageIntacctServer.amount(entered - paid)
            }
            invoice.fields["STATE"] = paid >= entered ? "Paid" : "Partially Paid"
            if paid >= entered { invoice.fields["WHENPAID"] = FakeSageIntacctServer.day(state.now) }
            invoice.fields["WHENMODIFIED"] = FakeSageIntacctServer.time(state.now)
            state.records["ARINVOICE:\(number)"] = invoice
            state.nextPayment += 1
            state.records["ARPYMT:\(state.nextPayment)"] = Record(object: "ARPYMT", fields: [
                "RECORDNO": String(state.nextPayment), "DOCNUMBER": "CHK-\(state.nextPayment)", "STATE": "Confirmed", "CUSTOMERID": "C-00012",
                "CUSTOMERNAME": "Mercado Sidewalk Cafe", "PAYMENTDATE": FakeSageIntacctServer.day(state.now), "WHENMODIFIED": FakeSageIntacctServer.time(state.now),
                "TOTALENTERED": FakeSageIntacctServer.amount(amount), "TRX_TOTALENTERED": FakeSageIntacctServer.amount(amount), "CURRENCY": "USD", "BASECURR": "USD",
            ], created: state.now)
            state.now += 1000
        }
    }

    public func reverse(_ number: Int) {
        state.withLock { state in
            state.records["ARINVOICE:\(number)"]?.fields["STATE"] = "Reversed"
            state.records["ARINVOICE:\(number)"]?.fields["WHENMODIFIED"] = FakeSageIntacctServer.time(state.now)
            state.now += 1000
        }
    }

    public func delete(_ number: Int) {
        state.withLock { state in
            state.records["ARINVOICE:\(number)"] = nil
            state.audit.append(["OBJECTTYPE": "arinvoice", "OBJECTKEY": String(number), "ACCESSMODE": "D",
                                "ACCESSTIME": FakeSageIntacctServer.time(state.now), "USERID": "Admin"])
            state.now += 1000
        }
    }

    // MARK: Serving

    static func xml(_ body: String) -> ServerReply {
        .response(HTTPResponse(status: 200, headers: ["Content-Type": "text/xml; encoding=\"UTF-8\""], body: Data(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body).utf8)))
    }

    static func error(_ number: String, _ description: String, _ description2: String) -> String {
        "<errormessage><error><errorno>\(number)</errorno><description>\(description)</description><description2>\(description2)</description2><correction></correction></error></errormessage>"
    }

    static func control(_ status: String, _ controlID: String) -> String {
        "<control><status>\(status)</status><senderid>paysync_sender</senderid><controlid>\(controlID)</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>"
    }

    static func handle(_ request: ServerRequest, state: Locked<State>, credentials: (String, String, String, String)) -> ServerReply {
        guard request.method == "POST", request.path == "/ia/xml/xmlgw.phtml" else { return .status(404, body: "Not Found") }
        guard let document = try? XMLDocument(data: request.body, options: []), let root = document.rootElement(), root.name == "request" else {
            return xml("<response>\(control("failure", ""))\(error("XL03000009", "", "The request is not well-formed XML."))</response>")
        }
        func text(_ path: String) -> String? { (try? root.nodes(forXPath: path))?.first?.stringValue }
        let controlID = text("control/controlid") ?? ""
        guard text("control/senderid") == credentials.0, text("control/password") == credentials.1, text("control/dtdversion") == "3.0" else {
            return xml("<response>\(control("failure", controlID))\(error("XL03000006", "", "Incorrect Intacct XML Partner ID or password."))</response>")
        }
        let authFailure = { (message: String) -> ServerReply in
            xml("<response>\(control("success", controlID))<operation><authentication><status>failure</status><userid>\(credentials.2)</userid><companyid>\(company)</companyid></authentication>\(error("XL03000006", "", message))</operation></response>")
        }
        if let session = text("operation/authentication/sessionid") {
            guard state.value.sessions.contains(session) else { return authFailure("Invalid session") }
        } else {
            guard text("operation/authentication/login/userid") == credentials.2, text("operation/authentication/login/password") == credentials.3,
                  text("operation/authentication/login/companyid") == company else { return authFailure("Sign-in information is incorrect") }
        }
        guard let function = (try? root.nodes(forXPath: "operation/content/function/*"))?.first as? XMLElement, let name = function.name else {
            return authFailure("No function")
        }
        func child(_ name: String) -> String? { function.elements(forName: name).first?.stringValue }
        let snapshot = state.value
        let head = "<response>\(control("success", controlID))<operation><authentication><status>success</status><userid>\(credentials.2)</userid><companyid>\(company)</companyid><locationid></locationid><sessiontimestamp>\(time(snapshot.now))</sessiontimestamp></authentication>"
        func result(_ status: String, _ inner: String) -> ServerReply {
            xml(head + "<result><status>\(status)</status><function>\(name)</function><controlid>\(controlID)</controlid>\(inner)</result></operation></response>")
        }
        state.withLock { $0.functions.append(name == "readByQuery" ? "readByQuery \(child("object") ?? "") \(child("query") ?? "")" : name) }
        if state.withLock({ state in defer { state.throttleNext = false }; return state.throttleNext }) {
            return result("failure", error("XL03000010", "Please Try Again Later", "The system is busy; please try again later."))
        }
        switch name {
        case "getAPISession":
            let session = "sess-" + UUID().uuidString.prefix(12)
            state.withLock { _ = $0.sessions.insert(String(session)) }
            return result("success", "<data><api><sessionid>\(session)</sessionid><endpoint>https://api.intacct.com/ia/xml/xmlgw.phtml</endpoint><locationid></locationid></api></data>")
        case "readByQuery":
            guard let object = child("object"), let schema = schema[object] else {
                return result("failure", error("BL01001973", "", "Invalid object \(child("object") ?? "")"))
            }
            let fields = (child("fields") ?? "*").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for field in fields where field != "*" && !schema.contains(field) {
                return result("failure", error("BL01001973", "", "Unknown field \(field) on \(object)"))
            }
            guard let size = Int(child("pagesize") ?? "100"), (1...1000).contains(size) else {
                return result("failure", error("BL01001973", "", "pagesize must be between 1 and 1000"))
            }
            guard let conditions = parse(child("query") ?? "", schema: schema) else {
                return result("failure", error("BL01001973", "", "Invalid query: \(child("query") ?? "")"))
            }
            let rows: [[String: String]] = object == "AUDITHISTORY" ? snapshot.audit
                : snapshot.records.values.filter { $0.object == object }.sorted { ($0.created, $0.fields["RECORDNO"]!) < ($1.created, $1.fields["RECORDNO"]!) }.map(\.fields)
            let matching = rows.filter { row in conditions.allSatisfy { $0.matches(row) } }
                .map { row in fields == ["*"] ? row : row.filter { fields.contains($0.key) } }
            return page(matching, object: object, fields: fields, size: size, state: state, result: result)
        case "readMore":
            guard let id = child("resultId"), let held = snapshot.results[id] else {
                return result("failure", error("BL01001973", "", "Invalid resultId"))
            }
            state.withLock { $0.results[id] = nil }
            return page(held.rows, object: held.listType, fields: [], size: held.size, state: state, result: result, resultID: id)
        default:
            return result("failure", error("BL01001973", "", "Unsupported function \(name)"))
        }
    }

    static func page(_ rows: [[String: String]], object: String, fields: [String], size: Int, state: Locked<State>,
                     result: (String, String) -> ServerReply, resultID: String? = nil) -> ServerReply {
        let listType = object.lowercased()
        let shown = Array(rows.prefix(size)), rest = Array(rows.dropFirst(size))
        let id = rest.isEmpty ? "" : (resultID ?? "res-" + UUID().uuidString.prefix(10))
        if !rest.isEmpty { state.withLock { $0.results[id] = (rest, size, listType) } }
        let order = fields.isEmpty || fields == ["*"] ? nil : fields
        let body = shown.map { row in
            let names = order ?? row.keys.sorted()
            return "<\(listType)>" + names.compactMap { name in row[name].map { "<\(name)>\(XMLEscape.text($0))</\(name)>" } }.joined() + "</\(listType)>"
        }.joined()
        return result("success", "<data listtype=\"\(listType)\" count=\"\(shown.count)\" totalcount=\"\(rows.count)\" numremaining=\"\(rest.count)\" resultId=\"\(id)\">\(body)</data>")
    }

    struct Condition {
        var field: String
        var op: String
        var value: String

        /// Times and dates compared as Intacct's naive `MM/DD/YYYY[ HH:MM:SS]`, by their parts.
        static func key(_ text: String) -> String {
            let parts = text.split(separator: " ")
            let date = parts.first?.split(separator: "/") ?? []
            guard date.count == 3 else { return text }
            return "\(date[2])-\(date[0])-\(date[1]) \(parts.count > 1 ? parts[1] : "00:00:00")"
        }

        func matches(_ row: [String: String]) -> Bool {
            guard let actual = row[field] else { return false }
            let isTime = field.hasPrefix("WHEN") || field == "ACCESSTIME" || field == "PAYMENTDATE"
            let (left, right) = isTime ? (Condition.key(actual), Condition.key(value)) : (actual, value)
            switch op {
            case ">=": return left >= right
            case ">": return left > right
            case "<": return left < right
            case "<=": return left <= right
            case "=": return left == right
            default: return false
            }
        }
    }

    static func parse(_ query: String, schema: Set<String>) -> [Condition]? {
        guard !query.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        var conditions: [Condition] = []
        for part in query.components(separatedBy: " AND ") {
            let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 2).map(String.init)
            guard pieces.count == 3, schema.contains(pieces[0]), [">=", ">", "<", "<=", "="].contains(pieces[1]),
                  pieces[2].hasPrefix("'"), pieces[2].hasSuffix("'"), pieces[2].count >= 2 else { return nil }
            conditions.append(Condition(field: pieces[0], op: pieces[1], value: String(pieces[2].dropFirst().dropLast())))
        }
        return conditions
    }
}

/// Text escaped for XML content.
enum XMLEscape {
    static func text(_ value: String) -> String {
        value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
