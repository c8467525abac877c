import Foundation
import PaySyncCore
import PaySyncHTTP

/// A fake Adyen Customer Area serving report files on 127.0.0.1, as
/// `GET /reports/download/MerchantAccount/{merchantAccount}/{file}` with a report user's Basic
/// credentials: 200 and the CSV when the file was generated, 404 until it is, 401 for wrong
/// credentials. Reports are written with the payment accounting report's standard column
/// headers, in Adyen's documented order (`reference/payments-apis.md` §6.3; docs.adyen.com's
/// payment accounting report); the rows are hand-written.
public final class FakeAdyenReportServer: Sendable {
    public static let header = ["Company Account", "Merchant Account", "Psp Reference", "Merchant Reference", "Payment Method", "Booking Date", "TimeZone",
                                "Main Currency", "Main Amount", "Record Type", "Payment Currency", "Received (PC)", "Authorised (PC)", "Captured (PC)",
                                "Settlement Currency", "Payable (SC)", "Commission (SC)", "Markup (SC)", "Scheme Fees (SC)", "Interchange (SC)",
                                "Processing Fee Currency", "Processing Fee (FC)", "User Name", "Payment Method Variant", "Modification Merchant Reference"]

    public struct Row: Sendable {
        public var psp: String
        public var reference: String
        public var booked: String  // "2025-05-01 10:12:33"
        public var currency: String
        public var amount: String
        public var type: String

        public init(_ psp: String, _ reference: String, _ booked: String, _ currency: String, _ amount: String, _ type: String) {
            (self.psp, self.reference, self.booked, self.currency, self.amount, self.type) = (psp, reference, booked, currency, amount, type)
        }
    }

    public let merchantAccount = "AcmeShopEUR"
    public let user = "report@Company.Acme"
    public let password = "fake-report-password"
    private let files = Locked<[String: String]>([:])
    private let received = Locked<[String]>([])
    private let server: LoopbackHTTPServer
    public var baseURL: String { server.baseURL }

    public init() throws {
        let files = self.files, received = self.received
        let basic = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        let account = merchantAccount
        server = try LoopbackHTTPServer { request in
            guard request.method == "GET" else { return .status(405) }
            guard request.headers["Authorization"] == basic else { return .status(401, body: "Unauthorized") }
            let prefix = "/reports/download/MerchantAccount/\(account)/"
            guard request.path.hasPrefix(prefix) else { return .status(403, body: "Forbidden") }
            let file = String(request.path.dropFirst(prefix.count))
            received.withLock { $0.append(file) }
            guard let text = files.value[file] else { return .status(404, body: "Not Found") }
            return .response(HTTPResponse(status: 200, headers: ["Content-Type": "text/csv; charset=UTF-8"], body: Data(text.utf8)))
        }
    }

    deinit { server.stop() }

    /// Publishes a day's payment accounting report.
    public func publish(day: CalendarDate, rows: [Row], header: [String] = FakeAdyenReportServer.header) {
        var lines = [header.joined(separator: ",")]
        for row in rows {
            var fields = [String](repeating: "", count: header.count)
            func set(_ name: String, _ value: String) { if let index = header.firstIndex(of: name) { fields[index] = value } }
            set("Company Account", "AcmeCompany"); set("Merchant Account", merchantAccount); set("Psp Reference", row.psp)
            set("Merchant Reference", row.reference); set("Payment Method", "visa"); set("Booking Date", row.booked); set("TimeZone", "UTC")
            set("Main Currency", row.currency); set("Main Amount", row.amount); set("Record Type", row.type); set("Payment Currency", row.currency)
            set("User Name", "ws@Company.Acme"); set("Payment Method Variant", "visastandarddebit")
            lines.append(fields.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ","))
        }
        files.withLock { $0["payments_accounting_report_" + day.description.replacingOccurrences(of: "-", with: "_") + ".csv"] = lines.joined(separator: "\r\n") + "\r\n" }
    }

    public var downloads: [String] { received.value }
    public func clearDownloads() { received.withLock { $0.removeAll() } }
}
