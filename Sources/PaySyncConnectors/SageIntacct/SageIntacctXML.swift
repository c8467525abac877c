import Foundation
import PaySyncCore

/// Sage Intacct's XML gateway requests and answers (pure). Shapes from the official SDKs'
/// fixtures (Intacct/intacct-sdk-php, -net, -js) and `../shared/reference/payments-apis.md` §12:
/// every request is `<request><control>` (the Web Services sender) `<operation><authentication>`
/// (a company user's login, or a session) `<content><function>`; every answer says `success` or
/// `failure` three times over, in `control/status`, `operation/authentication/status` and
/// `operation/result/status`, whatever the HTTP status (200).
public enum SageIntacctXML {
    public struct Sender: Sendable {
        public var id: String
        public var password: String
    }

    public enum Authentication: Sendable {
        case login(user: String, company: String, password: String)
        case session(String)
    }

    /// A gateway request carrying one function.
    public static func request(sender: Sender, authentication: Authentication, controlID: String, function: String) -> Data {
        let auth: String
        switch authentication {
        case .login(let user, let company, let password):
            auth = "<login><userid>\(XMLTree.escape(user))</userid><companyid>\(XMLTree.escape(company))</companyid><password>\(XMLTree.escape(password))</password></login>"
        case .session(let session):
            auth = "<sessionid>\(XMLTree.escape(session))</sessionid>"
        }
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <request><control><senderid>\(XMLTree.escape(sender.id))</senderid><password>\(XMLTree.escape(sender.password))</password>\
            <controlid>\(XMLTree.escape(controlID))</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion>\
            <includewhitespace>false</includewhitespace></control><operation><authentication>\(auth)</authentication>\
            <content><function controlid="\(XMLTree.escape(controlID))">\(function)</function></content></operation></request>
            """
        return Data(text.utf8)
    }

    public static let getAPISession = "<getAPISession></getAPISession>"

    public static func readByQuery(object: String, fields: [String], query: String, pageSize: Int) -> String {
        "<readByQuery><object>\(XMLTree.escape(object))</object><fields>\(fields.joined(separator: ","))</fields>"
            + "<query>\(XMLTree.escape(query))</query><pagesize>\(pageSize)</pagesize></readByQuery>"
    }

    public static func readMore(resultID: String) -> String {
        "<readMore><resultId>\(XMLTree.escape(resultID))</resultId></readMore>"
    }

    /// `MM/DD/YYYY HH:MM:SS`, the form Intacct's queries compare `WHENMODIFIED` with.
    public static func queryTime(_ naive: String) -> String {
        // naive is `yyyy-MM-dd HH:mm:ss`
        let parts = naive.split(separator: " ")
        let date = parts[0].split(separator: "-")
        return "\(date[1])/\(date[2])/\(date[0]) \(parts.count > 1 ? parts[1] : "00:00:00")"
    }

    /// What went wrong, in Intacct's words, and where.
    public struct Failure: Error, Sendable, Equatable {
        public enum Place: String, Sendable { case control, authentication, result }
        public var place: Place
        public var number: String?
        public var message: String

        /// Throttling ("Please Try Again Later") or a concurrency refusal: worth a later run.
        public var isTemporary: Bool {
            let text = message.lowercased()
            return text.contains("try again later") || text.contains("too many") || text.contains("concurrent")
        }
    }

    /// An answer's data: its records as field maps (a single record is simply one), and paging.
    public struct Answer: Sendable {
        public var records: [[String: String]]
        public var numRemaining: Int
        public var resultID: String?
        public var sessionID: String?
        public var endpoint: String?
    }

    /// Reads an answer; a `failure` anywhere is thrown as the first error's words.
    public static func answer(_ data: Data) throws -> Answer {
        let root: XMLTree
        do { root = try XMLTree.parse(data) } catch { throw SageIntacctXML.Malformed(reason: error.description) }
        guard root.name == "response" else { throw Malformed(reason: "the answer is <\(root.name)>, not <response>") }
        if root.at("control/status")?.text != "success" {
            throw failure(.control, root["errormessage"])
        }
        guard let operation = root["operation"] else { throw Malformed(reason: "no <operation> in the answer") }
        if let authentication = operation["authentication"], authentication["status"]?.text != "success" {
            throw failure(.authentication, operation["errormessage"])
        }
        guard let result = operation["result"] else {
            throw failure(.result, operation["errormessage"])
        }
        guard result["status"]?.text == "success" else { throw failure(.result, result["errormessage"]) }
        let data = result["data"]
        let api = data?["api"]
        let records = (api == nil ? data?.children ?? [] : []).map { record in
            Dictionary(record.children.map { ($0.name, $0.text) }, uniquingKeysWith: { first, _ in first })
        }
        return Answer(records: records, numRemaining: Int(data?.attributes["numremaining"] ?? "0") ?? 0,
                      resultID: data?.attributes["resultId"].flatMap { $0.isEmpty ? nil : $0 },
                      sessionID: api?["sessionid"]?.text, endpoint: api?["endpoint"]?.text)
    }

    static func failure(_ place: Failure.Place, _ errors: XMLTree?) -> Failure {
        let first = errors?.all("error").first
        let words = [first?["description"]?.text, first?["description2"]?.text, first?["correction"]?.text].compactMap { $0 }.filter { !$0.isEmpty }
        return Failure(place: place, number: first?["errorno"]?.text, message: words.isEmpty ? "failure with no error message" : words.joined(separator: " "))
    }

    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { "not a gateway answer: \(reason)" }
    }
}
