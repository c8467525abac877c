import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// `make demo` runs fixtures/demo/run-demo.sh with the built binary; this runs the same script.
@Suite struct DemoTests {
    @Test func theDemoWritesEverythingOnceThenNothingThenExactlyWhatChanged() throws {
        let work = TemporaryDirectory(prefix: "paysync-demo")
        let result = try ChildProcess.run("/bin/bash", [Repository.path("fixtures/demo/run-demo.sh"), Repository.paysyncExecutable, work.file("demo")])
        #expect(result.status == 0, "\(result.standardError)")
        let sections = result.standardOutput.components(separatedBy: "\n== ").dropFirst()
        #expect(sections.count == 3)
        func writes(_ section: String) -> [JSONValue] {
            section.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap { try? JSONParser.parse(String($0)) }
        }
        let runs = sections.map(writes)
        // Xero's 15 objects, the QuickBooks company's 6 (five invoices, one payment) and the
        // Stripe account's 7 (four payments, a refund, a subscription, a payment link).
        #expect(runs.map(\.count) == [28, 0, 13])
        // Run 1's 29 changes make 28 writes: the part-refunded payment is first paid (its
        // list), then partially refunded (the refund's), and the outbox sends the two as one.
        #expect(sections.map { $0.split(separator: "\n").last { $0.hasSuffix("skipped as stale") }.map(String.init) } == [
            "28 fetched, 29 changed, 28 written, 0 failed, 0 skipped as stale",
            "9 fetched, 0 changed, 0 written, 0 failed, 0 skipped as stale",
            "21 fetched, 13 changed, 13 written, 0 failed, 0 skipped as stale",
        ])
        // Run 1: every object exactly once, from the three providers.
        #expect(Set(runs[0].compactMap { $0["object"]?.stringValue }).count == 28)
        #expect(runs[0].filter { $0["object"]?.stringValue?.hasPrefix("quickbooks:4620816365034950:") == true }.count == 6)
        #expect(runs[0].filter { $0["object"]?.stringValue?.hasPrefix("stripe:self:") == true }.count == 7)
        #expect(runs[0].first { $0["record"]?.stringValue == "pi_3QdemoRefund004" }?["to"]?.stringValue == "partially_refunded")
        // Run 3: exactly the changed invoices and their new payments.
        #expect(Set(runs[2].compactMap { $0["record"]?.stringValue }) == [
            "INV-1001", "INV-1006", "INV-1008", "9a7e0001-0000-4000-a000-000000000006", "9a7e0001-0000-4000-a000-000000000007",
            "QB-2002", "QB-2004", "1002", "1003",
            "pi_3QdemoAch000003", "pi_3QdemoPaid0001", "du_3QdemoDispute07", "cs_test_a1demoQuote06",
        ])
        let transitions = Dictionary(uniqueKeysWithValues: runs[2].compactMap { line in
            line["record"]?.stringValue.map { ($0, line["to"]?.stringValue ?? "") }
        })
        #expect(transitions["INV-1001"] == "paid")
        #expect(transitions["INV-1006"] == "voided")
        #expect(transitions["INV-1008"] == "partially_paid")
        #expect(transitions["QB-2002"] == "paid")
        #expect(transitions["QB-2004"] == "partially_paid")
        #expect(transitions["pi_3QdemoAch000003"] == "paid" && transitions["pi_3QdemoPaid0001"] == "disputed")
        #expect(transitions["du_3QdemoDispute07"] == "disputed" && transitions["cs_test_a1demoQuote06"] == "expired")
    }

    @Test func demoFixturesHoldNoCredentials() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: Repository.path("fixtures/demo")).filter { $0.hasSuffix(".http") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOfFile: Repository.path("fixtures/demo/" + file), encoding: .utf8)
            #expect(!text.contains("demo-refresh"), "\(file)")
            #expect(!text.contains("demo-secret"), "\(file)")
            #expect(!text.contains("fake-access-") && !text.contains("qbo-access-") && !text.contains("qbo-refresh-"), "\(file)")
            #expect(!text.lowercased().contains("authorization:"), "\(file)")
        }
    }
}
