import Foundation
import PaySyncCLI
import PaySyncCore
import PaySyncTestSupport
import Testing

/// `--metrics-file`: the run's figures in Prometheus text format, parsed back and checked against
/// what the run did; a source that fails keeps the last success time it had.
@Suite(.serialized) struct MetricsFileTests {
    /// `name{labels} value` lines, by `name{labels}`.
    func samples(_ text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            result[String(line[..<space])] = value
        }
        return result
    }

    func run(_ arguments: [String]) async -> (Int32, String) {
        let lines = Locked<[String]>([])
        let output = Output(standardOutput: { line in lines.withLock { $0.append(line) } }, standardError: { line in lines.withLock { $0.append(line) } })
        let status = await PaySyncCLI.run(arguments, variables: [:], output: output)
        return (status, lines.value.joined(separator: "\n"))
    }

    @Test func aRunsFiguresAndEachSourcesLastSuccess() async throws {
        let work = TemporaryDirectory(prefix: "paysync-metrics")
        let config = work.write("paysync.json", try demoConfig(sinkPath: work.file("writes.jsonl")))
        let metrics = work.file("paysync.prom")
        let first = await run(["reconcile", "--config", config, "--ledger", work.file("m.db"), "--fixtures", Repository.path("fixtures/demo/1-first-sync"),
                               "--now", "2025-05-02T09:00:00Z", "--metrics-file", metrics])
        #expect(first.0 == 0, "\(first.1)")
        let one = samples(try #require(work.read("paysync.prom")))
        #expect(one[#"paysync_run_exit_code{command="reconcile"}"#] == 0)
        #expect(one[#"paysync_last_run_objects{command="reconcile",source="demo-xero",outcome="fetched"}"#] == 15)
        #expect(one[#"paysync_last_run_objects{command="reconcile",source="demo-quickbooks",outcome="fetched"}"#] == 6)
        #expect(one[#"paysync_last_run_objects{command="reconcile",source="demo-quickbooks",outcome="new"}"#] == 6)
        #expect(one[#"paysync_last_run_writes{command="reconcile",sink="crm-preview",outcome="written"}"#] == 28)
        #expect(one[#"paysync_outbox_rows{state="pending"}"#] == 0)
        #expect(one["paysync_outbox_oldest_pending_age_seconds"] == 0)
        #expect(one[#"paysync_last_run_objects{command="reconcile",source="demo-stripe",outcome="fetched"}"#] == 7)
        #expect(one[#"paysync_last_run_calls{command="reconcile",to="provider"}"#] == 13)
        let firstSuccess = Double(Timestamp(iso: "2025-05-02T09:00:00Z")!.millisecondsSinceEpoch) / 1000
        #expect(one[#"paysync_source_last_success_timestamp_seconds{source="demo-xero"}"#] == firstSuccess)
        #expect(one[#"paysync_source_last_success_timestamp_seconds{source="demo-quickbooks"}"#] == firstSuccess)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: metrics)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o644)

        // An hour later the same recordings hold no answer for the cursors' questions: both sources
        // fail, and keep the last success they had.
        let second = await run(["reconcile", "--config", config, "--ledger", work.file("m.db"), "--fixtures", Repository.path("fixtures/demo/1-first-sync"),
                                "--now", "2025-05-02T10:00:00Z", "--metrics-file", metrics])
        #expect(second.0 != 0)
        let two = samples(try #require(work.read("paysync.prom")))
        #expect(two[#"paysync_run_exit_code{command="reconcile"}"#] == Double(second.0))
        #expect(two[#"paysync_source_last_success_timestamp_seconds{source="demo-xero"}"#] == firstSuccess)
        #expect(two[#"paysync_run_finished_timestamp_seconds{command="reconcile"}"#] == firstSuccess + 3600)
    }

    @Test func aRunThatCannotStartStillWritesItsExitCode() async throws {
        let work = TemporaryDirectory(prefix: "paysync-metrics")
        let config = work.write("paysync.json", try demoConfig(sinkPath: work.file("writes.jsonl")))
        let result = await run(["reconcile", "--config", config, "--ledger", work.file("no-such-dir/m.db"), "--fixtures",
                                Repository.path("fixtures/demo/1-first-sync"), "--metrics-file", work.file("paysync.prom")])
        #expect(result.0 == 73, "\(result.1)")
        let values = samples(try #require(work.read("paysync.prom")))
        #expect(values[#"paysync_run_exit_code{command="reconcile"}"#] == 73)
        #expect(values.keys.contains { $0.hasPrefix("paysync_source_last_success_timestamp_seconds") } == false, "no success to report")
    }
}

@Suite struct RunsCommandTests {
    @Test func theRunHistoryNewestFirstWithEachSummaryLine() async throws {
        let work = TemporaryDirectory(prefix: "paysync-runs")
        let config = work.write("paysync.json", try demoConfig(sinkPath: work.file("writes.jsonl")))
        let ledger = work.file("r.db")
        for (step, now) in [("1-first-sync", "2025-05-02T09:00:00Z"), ("2-nothing-changed", "2025-05-02T09:05:00Z")] {
            let run = await paysync(["reconcile", "--config", config, "--ledger", ledger, "--fixtures", Repository.path("fixtures/demo/\(step)"), "--now", now])
            #expect(run.code == 0, "\(run.err)")
        }
        let text = await paysync(["runs", "--ledger", ledger])
        #expect(text.code == 0, "\(text.err)")
        #expect(text.out.split(separator: "\n").map(String.init) == [
            "#2 reconcile 2025-05-02T09:05:00Z exit 0: 9 fetched, 0 changed, 0 written, 0 failed, 0 skipped as stale",
            "#1 reconcile 2025-05-02T09:00:00Z exit 0: 28 fetched, 29 changed, 28 written, 0 failed, 0 skipped as stale",
        ])
        let one = await paysync(["runs", "--ledger", ledger, "--last", "1", "--format", "json"])
        let runs = try #require(try JSONParser.parse(one.out).arrayValue)
        #expect(runs.count == 1 && runs[0]["id"]?.numberText == "2" && runs[0]["written"]?.numberText == "0" && runs[0]["exit_code"]?.numberText == "0")
        let bad = await paysync(["runs", "--ledger", ledger, "--last", "0"])
        #expect(bad.code == ExitCode.usage.rawValue)
    }
}

@Suite struct JSONLogTests {
    @Test func everyJSONLogLineOfARunCarriesTheRunAndItsSource() async throws {
        let work = TemporaryDirectory(prefix: "paysync-jsonlog")
        let config = work.write("paysync.json", try demoConfig(sinkPath: work.file("writes.jsonl")))
        let run = await paysync(["reconcile", "--config", config, "--ledger", work.file("j.db"), "--fixtures", Repository.path("fixtures/demo/1-first-sync"),
                                 "--now", "2025-05-02T09:00:00Z", "--log-format", "json"])
        #expect(run.code == 0, "\(run.err)")
        let lines = try run.err.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        let reads = lines.filter { $0["message"]?.stringValue?.contains(" page") == true }
        #expect(reads.count == 7, "\(run.err)")
        #expect(reads.allSatisfy { $0["run"]?.stringValue == "1" && $0["account"] != nil })
        #expect(Set(reads.compactMap { $0["source"]?.stringValue }) == ["demo-xero", "demo-quickbooks", "demo-stripe"])
        let delivery = try #require(lines.first { $0["message"]?.stringValue?.contains("written in") == true })
        #expect(delivery["sink"]?.stringValue == "crm-preview" && delivery["run"]?.stringValue == "1")
    }
}
