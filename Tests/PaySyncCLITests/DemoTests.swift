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
        #expect(runs.map(\.count) == [15, 0, 5])
        #expect(sections.map { $0.split(separator: "\n").last { $0.hasSuffix("skipped as stale") }.map(String.init) } == [
            "15 fetched, 15 changed, 15 written, 0 failed, 0 skipped as stale",
            "6 fetched, 0 changed, 0 written, 0 failed, 0 skipped as stale",
            "11 fetched, 5 changed, 5 written, 0 failed, 0 skipped as stale",
        ])
        // Run 1: every object exactly once.
        #expect(Set(runs[0].compactMap { $0["object"]?.stringValue }).count == 15)
        // Run 3: exactly the three changed invoices and their two new payments.
        #expect(Set(runs[2].compactMap { $0["record"]?.stringValue }) == [
            "INV-1001", "INV-1006", "INV-1008", "9a7e0001-0000-4000-a000-000000000006", "9a7e0001-0000-4000-a000-000000000007",
        ])
        let transitions = Dictionary(uniqueKeysWithValues: runs[2].compactMap { line in
            line["record"]?.stringValue.map { ($0, line["to"]?.stringValue ?? "") }
        })
        #expect(transitions["INV-1001"] == "paid")
        #expect(transitions["INV-1006"] == "voided")
        #expect(transitions["INV-1008"] == "partially_paid")
    }

    @Test func demoFixturesHoldNoCredentials() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: Repository.path("fixtures/demo")).filter { $0.hasSuffix(".http") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOfFile: Repository.path("fixtures/demo/" + file), encoding: .utf8)
            #expect(!text.contains("demo-refresh"), "\(file)")
            #expect(!text.contains("demo-secret"), "\(file)")
            #expect(!text.contains("fake-access-"), "\(file)")
            #expect(!text.lowercased().contains("authorization:"), "\(file)")
        }
    }
}
