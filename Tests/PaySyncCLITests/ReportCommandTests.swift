import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncCLI

/// `paysync report` against a ledger built by a real run on a hand-made Xero organisation, whose
/// every figure is worked out by hand below; each format must say the same.
@Suite(.serialized) struct ReportCommandTests {
    /// The organisation (GBP unless said; the run is on 2025-05-02, every change stamped that day):
    /// - INV-A 100.00, due 2025-04-15, unpaid: overdue 17 days (1-30);
    /// - INV-B 200.00, due 2025-03-15, unpaid: overdue 48 days (31-60);
    /// - INV-C 50.00, dated 2025-04-20, paid in full on 2025-05-02: 12 days to paid; then a credit
    ///   note of 10.00 raised for its customer and paid out (not allocated: C stays paid);
    /// - INV-D EUR 80.00, dated 2025-04-10, 30.00 paid: partially paid.
    /// So: collected GBP 50.00 (1) and EUR 30.00 (1); refunded GBP 10.00 (1); overdue GBP 300.00 (2);
    /// transitions: overdue 2 (A, B), paid 3 (C, its payment, D's payment), partially_paid 1 (D),
    /// refunded 2 (the refund and the credit note, paid out in full).
    final class Setup: Sendable {
        let harness: BinaryHarness

        init() throws {
            harness = try BinaryHarness(objects: 0)
            let server = harness.server, tenant = harness.tenant
            let contact = FakeXeroContact(contactID: "c0ffee00-0000-4000-a000-00000000000c", name: "Initech", email: "ap@initech.example")
            func invoice(_ id: Int, _ number: String, total: Int64, date: String, due: String, currency: String = "GBP") -> FakeXeroInvoice {
                FakeXeroInvoice(invoiceID: "1e5f0000-0000-4000-a000-0000000000\(id)", invoiceNumber: number, status: "AUTHORISED", contact: contact,
                                date: CalendarDate(iso: date)!, dueDate: CalendarDate(iso: due)!, currency: currency, subTotal: total, totalTax: 0,
                                lineItems: [], updated: server.tick())
            }
            let c = invoice(13, "INV-C", total: 5_000, date: "2025-04-20", due: "2025-05-20")
            let d = invoice(14, "INV-D", total: 8_000, date: "2025-04-10", due: "2025-05-10", currency: "EUR")
            server.put(invoices: [invoice(11, "INV-A", total: 10_000, date: "2025-04-01", due: "2025-04-15"),
                                  invoice(12, "INV-B", total: 20_000, date: "2025-03-01", due: "2025-03-15"), c, d], tenant: tenant)
            server.pay(invoice: c.invoiceID, amount: 5_000, tenant: tenant)
            server.pay(invoice: d.invoiceID, amount: 3_000, tenant: tenant)
            let note = server.raiseCreditNote(for: c.invoiceID, amount: 1_000, tenant: tenant)!
            server.refund(creditNote: note, amount: 1_000, tenant: tenant)
        }

        func report(_ format: String, extra: [String] = []) throws -> ProcessResult {
            try harness.paysync(["report", "--since", "2025-05-01", "--until", "2025-05-03", "--format", format, "--now", "2025-05-02T12:00:00Z"] + extra)
        }
    }

    static let shared: Result<Setup, any Error> = {
        do {
            let setup = try Setup()
            let run = try setup.harness.paysync(["reconcile", "--now", "2025-05-02T12:00:00Z"])
            guard run.status == 0 else { throw ReportTestError("the run failed: \(run.standardError)") }
            return .success(setup)
        } catch {
            return .failure(error)
        }
    }()

    struct ReportTestError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func jsonHasTheHandWorkedFigures() throws {
        let setup = try Self.shared.get()
        let run = try setup.report("json")
        #expect(run.status == 0, "\(run.standardError)")
        let report = try JSONParser.parse(run.standardOutput)
        func amounts(_ key: String) -> [String] {
            (report[key]?.arrayValue ?? []).map { "\($0["currency"]?.stringValue ?? "") \($0["amount"]?.stringValue ?? "") \($0["count"]?.intValue ?? -1)" }
        }
        #expect(amounts("collected") == ["EUR 30.00 1", "GBP 50.00 1"])
        #expect(amounts("refunded") == ["GBP 10.00 1"])
        #expect(amounts("overdue") == ["GBP 300.00 2"])
        #expect((report["overdue_ageing"]?.arrayValue ?? []).map { "\($0["bucket"]?.stringValue ?? "") \($0["amount"]?.stringValue ?? "")" } == ["1-30 100.00", "31-60 200.00"])
        #expect(report["transitions_per_status"] == .object(JSONObject([("partially_paid", .number("1")), ("paid", .number("3")), ("overdue", .number("2")),
                                                                        ("refunded", .number("2"))])))
        #expect(report["days_to_paid"]?["invoices"]?.intValue == 1 && report["days_to_paid"]?["median"]?.numberText == "12")
        #expect(report["failures"]?.intValue == 0 && report["disputes"]?.intValue == 0)
        #expect(report["collected_per_day"]?.arrayValue?.map { $0["day"]?.stringValue ?? "" } == ["2025-05-02", "2025-05-02"])
        #expect(amounts("unmatched_bank_credits").isEmpty)
        let mix = (report["status_mix"]?.arrayValue ?? []).map { "\($0["kind"]?.stringValue ?? "") \($0["status"]?.stringValue ?? "") \($0["count"]?.intValue ?? 0)" }
        #expect(mix == ["credit_note refunded 1", "invoice overdue 2", "invoice paid 1", "invoice partially_paid 1", "payment paid 2", "refund refunded 1"])
        // A window before anything happened: no transitions, but what is overdue now still shows.
        let empty = try JSONParser.parse(try setup.harness.paysync(["report", "--since", "2025-04-01", "--until", "2025-04-02", "--format", "json",
                                                                    "--now", "2025-05-02T12:00:00Z"]).standardOutput)
        #expect(empty["collected"]?.arrayValue?.isEmpty == true && empty["overdue"]?.arrayValue?.count == 1)
    }

    @Test func textAndCSVSayTheSame() throws {
        let setup = try Self.shared.get()
        let text = try setup.report("text").standardOutput
        #expect(text.contains("collected:\n  EUR 30.00  (1 payment)\n  GBP 50.00  (1 payment)"), "\(text)")
        #expect(text.contains("overdue now:\n  GBP 300.00  (2 invoices)"))
        #expect(text.contains("days from invoice to paid: median 12, mean 12 (1 invoice)"))
        let output = setup.harness.directory.file("report.csv")
        #expect(try setup.report("csv", extra: ["--output", output]).standardOutput.isEmpty)
        let csv = try String(contentsOfFile: output, encoding: .utf8)
        let rows = csv.components(separatedBy: "\r\n")
        #expect(rows.first == "section,day,source,kind,status,bucket,currency,amount,count")
        #expect(rows.contains("collected,,,,,,GBP,50.00,1") && rows.contains("collected,,,,,,EUR,30.00,1"))
        #expect(rows.contains("refunded,,,,,,GBP,10.00,1") && rows.contains("overdue_ageing,,,,,31-60,GBP,200.00,1"))
        #expect(rows.contains("days_to_paid_median,,,,,,,12,1"))
        #expect(rows.last == "", "every row ends with CRLF")
        #expect(rows.dropLast().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 9 })
    }

    @Test func csvQuotesWhatASpreadsheetWouldMisread() {
        #expect(CollectionsReportCSV.field("plain") == "plain")
        #expect(CollectionsReportCSV.field("a,b") == "\"a,b\"")
        #expect(CollectionsReportCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CollectionsReportCSV.field("=HYPERLINK(1)") == "'=HYPERLINK(1)")
        #expect(CollectionsReportCSV.field("-12.50") == "-12.50")
    }

    @Test func htmlIsOneSelfContainedPageWithTheSameFigures() throws {
        let setup = try Self.shared.get()
        let run = try setup.report("html")
        let html = run.standardOutput
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href=") && !html.contains("@import") && !html.contains("url("),
                "no scripts and no external assets")
        #expect(html.components(separatedBy: "<svg").count - 1 == 4, "collections per day (EUR, GBP), overdue ageing (GBP), status mix; and none else")
        let figures = HTMLFigures.read(html)
        #expect(figures["collected GBP"] == "50.00" && figures["collected EUR"] == "30.00" && figures["refunded GBP"] == "10.00")
        #expect(figures["overdue GBP"] == "300.00" && figures["overdue 1-30 GBP"] == "100.00" && figures["overdue 31-60 GBP"] == "200.00")
        #expect(figures["days to paid median"] == "12" && figures["failures"] == "0" && figures["transitions paid"] == "3")
    }

    /// The page as a browser draws it: headless Chromium (from Debian's packages; `make test`
    /// installs it where it can) renders a screenshot that is not blank, and the figures in the
    /// rendered page equal the JSON report's.
    @Test(.enabled(if: Chromium.path != nil, "headless Chromium is not installed here (`make test` installs Debian's chromium where it can)"))
    func chromiumRendersItWithTheJSONFigures() throws {
        let setup = try Self.shared.get()
        let page = setup.harness.directory.file("report.html")
        #expect(try setup.report("html", extra: ["--output", page]).status == 0)
        let browser = try #require(Chromium.path)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(setup.harness.directory.file("chromium"))"]
        let shot = setup.harness.directory.file("report.png")
        let screenshot = try ChildProcess(browser, flags + ["--window-size=800,1600", "--screenshot=\(shot)", "file://\(page)"]).wait()
        #expect(screenshot.status == 0, "\(screenshot.standardError.suffix(600))")
        let pixels = try ChildProcess("/usr/bin/env", ["python3", Repository.path("Tests/tools/png_ink.py"), shot]).wait()
        let ink = Double(pixels.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(ink > 0.02, "at least 2% of the screenshot is not background: \(pixels.standardOutput) \(pixels.standardError)")

        let dom = try ChildProcess(browser, flags + ["--dump-dom", "file://\(page)"]).wait()
        #expect(dom.status == 0)
        let figures = HTMLFigures.read(dom.standardOutput)
        let json = try JSONParser.parse(try setup.report("json").standardOutput)
        for item in json["collected"]?.arrayValue ?? [] {
            #expect(figures["collected \(item["currency"]!.stringValue!)"] == item["amount"]?.stringValue)
        }
        for item in json["overdue"]?.arrayValue ?? [] {
            #expect(figures["overdue \(item["currency"]!.stringValue!)"] == item["amount"]?.stringValue)
        }
        #expect(figures["refunded GBP"] == json["refunded"]?.arrayValue?.first?["amount"]?.stringValue)
        #expect(figures["transitions paid"] == json["transitions_per_status"]?["paid"]?.numberText)
        #expect(figures["failures"] == json["failures"]?.numberText && figures["disputes"] == json["disputes"]?.numberText)
    }
}

/// `data-figure="NAME"` elements of a page and their text.
enum HTMLFigures {
    static func read(_ html: String) -> [String: String] {
        var figures: [String: String] = [:]
        var rest = html[...]
        while let start = rest.range(of: "data-figure=\"") {
            let afterName = rest[start.upperBound...]
            guard let nameEnd = afterName.firstIndex(of: "\""), let open = afterName[nameEnd...].firstIndex(of: ">"),
                  let close = afterName[open...].firstIndex(of: "<") else { break }
            let name = String(afterName[..<nameEnd]).replacingOccurrences(of: "&amp;", with: "&")
            figures[name] = String(afterName[afterName.index(after: open)..<close])
            rest = afterName[close...]
        }
        return figures
    }
}

/// Where a headless Chromium is, if anywhere.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/chromium-headless-shell"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}
