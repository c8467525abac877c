import Foundation
import PaySyncTestSupport
import Testing

/// The CLI's exact output for help, mistakes and a demo run, compared with files in Golden/.
/// Re-record with `PAYSYNC_RECORD_GOLDEN=1 swift test --filter GoldenTests` and review the diff.
@Suite(.serialized) struct GoldenTests {
    static let goldenDirectory = Repository.path("Tests/PaySyncCLITests/Golden")
    static let demo = Repository.path("fixtures/demo")

    struct Case {
        var name: String
        var arguments: [String]
    }

    static let cases: [Case] = [
        Case(name: "help", arguments: ["--help"]),
        Case(name: "no-arguments", arguments: []),
        Case(name: "version", arguments: ["--version"]),
        Case(name: "reconcile-help", arguments: ["reconcile", "--help"]),
        Case(name: "unknown-option", arguments: ["reconcile", "--dryrun"]),
        Case(name: "unknown-command", arguments: ["reconsile"]),
        Case(name: "outbox-without-subcommand", arguments: ["outbox"]),
        Case(name: "missing-config", arguments: ["reconcile", "--config", "nope.json"]),
        Case(name: "config-unknown-kind", arguments: ["config", "check", "--config", "bad.json"]),
        Case(name: "config-check-fixtures", arguments: ["config", "check", "--config", "$REPO/fixtures/demo/paysync.json", "--fixtures"]),
        Case(name: "config-check-missing-secrets", arguments: ["config", "check", "--config", "$REPO/fixtures/demo/paysync.json"]),
        Case(name: "backfill-without-since", arguments: ["backfill", "--config", "$REPO/fixtures/demo/paysync.json"]),
        // --format json puts the summary on standard output: a sink there too would mix the two.
        Case(name: "json-with-stdout-sink", arguments: ["reconcile", "--config", "$REPO/fixtures/demo/paysync.json", "--ledger", "golden.db",
                                                        "--fixtures", "$REPO/fixtures/demo/1-first-sync", "--now", "2025-05-02T09:00:00Z", "--format", "json"]),
        Case(name: "demo-run-1-json", arguments: ["reconcile", "--config", "demo-to-file.json", "--ledger", "golden.db",
                                                  "--fixtures", "$REPO/fixtures/demo/1-first-sync", "--now", "2025-05-02T09:00:00Z", "--format", "json", "--log-level", "warning"]),
        Case(name: "demo-run-2-dry-run", arguments: ["reconcile", "--config", "$REPO/fixtures/demo/paysync.json", "--ledger", "golden.db", "--dry-run",
                                                     "--fixtures", "$REPO/fixtures/demo/3-some-paid", "--now", "2025-05-02T09:00:00Z", "--log-level", "warning"]),
        Case(name: "fixture-not-recorded", arguments: ["reconcile", "--config", "$REPO/fixtures/demo/paysync.json", "--ledger", "golden.db",
                                                       "--fixtures", "$REPO/fixtures/demo/1-first-sync", "--now", "2025-05-02T09:00:00Z", "--log-level", "warning"]),
        Case(name: "status-after-demo", arguments: ["status", "--ledger", "golden.db"]),
        Case(name: "history-invoice", arguments: ["history", "INV-1003", "--ledger", "golden.db"]),
        Case(name: "history-unknown", arguments: ["history", "INV-9999", "--ledger", "golden.db"]),
        Case(name: "outbox-list-empty", arguments: ["outbox", "list", "--ledger", "golden.db"]),
        Case(name: "outbox-retry-needs-ids", arguments: ["outbox", "retry", "--ledger", "golden.db"]),
    ]

    /// Two sources are read at once, so their CRM writes (in commit order) and their errors
    /// interleave differently from run to run; each run of such lines is compared in sorted order.
    /// Everything else keeps its order.
    static func sortingInterleavedLines(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        let interleaved = { (line: String) in line.hasPrefix(#"{"sink""#) || line.hasPrefix("paysync: error:") }
        var start = 0
        while start < lines.count {
            guard interleaved(lines[start]) else { start += 1; continue }
            var end = start
            while end < lines.count, interleaved(lines[end]), lines[end].prefix(8) == lines[start].prefix(8) { end += 1 }
            lines[start..<end].sort()
            start = end
        }
        return lines.joined(separator: "\n")
    }

    @Test func outputsMatchTheGoldenFiles() throws {
        let work = TemporaryDirectory(prefix: "paysync-golden")
        work.write("bad.json", #"{"sources": [{"kind": "xeroo", "tenants": ["t"]}], "sinks": [{"kind": "jsonl"}]}"#)
        // The demo config with its sink writing to a file, so standard output holds the JSON summary alone.
        work.write("demo-to-file.json", try demoConfig(sinkPath: "writes.jsonl"))
        let record = ProcessInfo.processInfo.environment["PAYSYNC_RECORD_GOLDEN"] == "1"
        for testCase in Self.cases {
            let arguments = testCase.arguments.map { $0.replacingOccurrences(of: "$REPO", with: Repository.root) }
            let result = try ChildProcess.run(Repository.paysyncExecutable, arguments, workingDirectory: work.path)
            var text = "$ paysync \(testCase.arguments.joined(separator: " "))\nexit: \(result.status)\n--- stdout\n\(result.standardOutput)--- stderr\n\(result.standardError)"
            text = text.replacingOccurrences(of: work.path, with: "$WORK").replacingOccurrences(of: Repository.root, with: "$REPO")
            text = text.replacingOccurrences(of: #"SQLite \d+\.\d+\.\d+"#, with: "SQLite X.Y.Z", options: .regularExpression)
            text = text.replacingOccurrences(of: #""peak_rss_kb":\d+"#, with: #""peak_rss_kb":N"#, options: .regularExpression)
            text = Self.sortingInterleavedLines(text)
            let file = "\(Self.goldenDirectory)/\(testCase.name).txt"
            if record {
                try FileManager.default.createDirectory(atPath: Self.goldenDirectory, withIntermediateDirectories: true)
                try text.write(toFile: file, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text == expected, "\(testCase.name): output differs from \(file)\n--- got\n\(text)")
        }
    }
}

@Suite struct QuietAndSignalTests {
    @Test func quietPrintsNothingOnSuccessAndTheErrorOnFailure() throws {
        let work = TemporaryDirectory(prefix: "paysync-quiet")
        let config = Repository.path("fixtures/demo/paysync.json")
        let ok = try ChildProcess.run(Repository.paysyncExecutable, [
            "reconcile", "--quiet", "--config", config, "--ledger", work.file("q.db"), "--fixtures", Repository.path("fixtures/demo/1-first-sync"),
        ])
        // The demo's sink writes to standard output; --quiet silences paysync, not the sink the user chose.
        #expect(ok.status == 0)
        #expect(ok.standardError.isEmpty)
        #expect(!ok.standardOutput.contains("fetched"))
        let failing = try ChildProcess.run(Repository.paysyncExecutable, [
            "reconcile", "--quiet", "--config", config, "--ledger", work.file("q.db"), "--fixtures", work.path,
        ])
        #expect(failing.status == 65)
        #expect(failing.standardError == "paysync: error: fixtures directory \(work.path) does not exist or has no .http files\n")
    }

    @Test func sigtermFinishesThePageExits75AndTheNextRunResumes() async throws {
        let harness = try BinaryHarness(objects: 200, pageSize: 20)
        harness.server.delayNext(pathSuffix: "/Invoices", seconds: 30, after: 2)
        let run = try harness.start(["reconcile"])
        let deadline = Date().addingTimeInterval(20)
        while harness.server.calls(to: "/Invoices") < 3 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(200))
        run.signal(SIGTERM)
        let result = run.wait()
        #expect(result.status == 75)
        #expect(!result.signalled)
        #expect(result.standardError.contains("received SIGTERM; finishing the current page, then stopping"))
        // Pages 1 and 2 were committed and are kept; nothing was delivered.
        #expect(harness.writtenRecords.isEmpty)
        #expect(try await harness.outboxCount(.pending) == 40)

        let next = try harness.paysync(["reconcile"])
        #expect(next.status == 0, "\(next.standardError)")
        #expect(harness.writtenRecords.count == harness.objectCount)
        #expect(Set(harness.writtenRecords).count == harness.objectCount)
    }
}
