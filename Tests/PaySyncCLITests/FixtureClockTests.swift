import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// Issue 9, case 12: a fixture replay without --now ran at the calendar's date, so what was
/// overdue (and so what CI wrote) changed from day to day. A replay runs at the time the
/// recording says (the latest `Date` its responses carry) unless --now is given.
@Suite struct FixtureClockTests {
    func statuses(now: String?) async throws -> [String: String] {
        let work = TemporaryDirectory(prefix: "paysync-fixture-clock")
        work.write("paysync.json", try demoConfig(sinkPath: work.file("writes.jsonl")))
        var arguments = ["reconcile", "--config", work.file("paysync.json"), "--ledger", work.file("l.db"),
                         "--fixtures", Repository.path("fixtures/demo/1-first-sync")]
        if let now { arguments += ["--now", now] }
        let result = await paysync(arguments)
        #expect(result.code == 0, "\(result.err)")
        var statuses: [String: String] = [:]
        for line in (work.read("writes.jsonl") ?? "").split(separator: "\n") {
            let write = try JSONParser.parse(String(line))
            if let record = write["record"]?.stringValue, let to = write["to"]?.stringValue { statuses[record] = to }
        }
        return statuses
    }

    @Test func aReplayWithoutNowRunsOnTheRecordingsDay() async throws {
        // Recorded: Wed, 30 Apr 2025 17:11:07 GMT (fixtures/demo/1-first-sync).
        let recorded = try await statuses(now: "2025-04-30T17:11:07Z")
        let unpinned = try await statuses(now: nil)
        let calendar = try await statuses(now: "2026-11-25T12:00:00Z")
        #expect(!recorded.isEmpty)
        #expect(unpinned == recorded)
        #expect(calendar != recorded)  // the test would pass trivially if the day did not matter
    }
}
