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
        // Xero's 15 objects and the QuickBooks company's 6 (five invoices, one payment).
        #expect(runs.map(\.count) == [21, 0, 9])
        #expect(sections.map { $0.split(separator: "\n").last { $0.hasSuffix("skipped as stale") }.map(String.init) } == [
            "21 fetched, 21 changed, 21 written, 0 failed, 0 skipped as stale",
            "9 fetched, 0 changed, 0 written, 0 failed, 0 skipped as stale",
            "18 fetched, 9 changed, 9 written, 0 failed, 0 skipped as stale",
        ])
        // Run 1: every object exactly once, from both providers.
        #expect(Set(runs[0].compactMap { $0["object"]?.stringValue }).count == 21)
        #expect(runs[0].filter { $0["object"]?.stringValue?.hasPrefix("quickbooks:4620816365034950:") == true }.count == 6)
        // Run 3: exactly the changed invoices and their new payments.
        #expect(Set(runs[2].compactMap { $0["record"]?.stringValue }) == [
            "INV-1001", "INV-1006", "INV-1008", "9a7e0001-0000-4000-a000-000000000006", "9a7e0001-0000-4000-a000-000000000007",
            "QB-2002", "QB-2004", "1002", "1003",
        ])
        let transitions = Dictionary(uniqueKeysWithValues: runs[2].compactMap { line in
            line["record"]?.stringValue.map { ($0, line["to"]?.stringValue ?? "") }
        })
        #expect(transitions["INV-1001"] == "paid")
        #expect(transitions["INV-1006"] == "voided")
        #expect(transitions["INV-1008"] == "partially_paid")
        #expect(transitions["QB-2002"] == "paid")
        #expect(transitions["QB-2004"] == "partially_paid")
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
