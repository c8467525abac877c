import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// `make bench` runs paysync-bench on the release build with N = 100,000; this runs the same
/// harness on the debug build with a few hundred objects, so the benchmark cannot rot, and checks
/// the properties it reports that do not depend on speed: every scenario makes exactly the
/// fewest provider and CRM calls the APIs allow.
@Suite struct BenchHarnessTests {
    @Test func everyScenarioMakesTheFewestCallsTheAPIsAllow() throws {
        let work = TemporaryDirectory(prefix: "paysync-bench-test")
        let results = work.file("results.json")
        let bench = Repository.productsDirectory + "/paysync-bench"
        let run = try ChildProcess.run(bench, [], environment: [
            "BENCH_N": "1500", "BENCH_DRAIN_N": "250", "PAYSYNC_BIN": Repository.paysyncExecutable, "BENCH_OUT": results,
        ])
        #expect(run.status == 0, "\(run.standardError)")

        let stored = try JSONParser.parse(String(contentsOfFile: results, encoding: .utf8))
        let scenarios = try #require(stored["1500"]?["scenarios"]?.arrayValue)
        #expect(scenarios.map { $0["name"]?.stringValue ?? "" } == [
            "1. first full sync", "2. rerun, nothing changed", "3. backfill, nothing changed", "4. 1% of objects changed", "5. outbox drain",
        ])
        for scenario in scenarios {
            let name = scenario["name"]?.stringValue ?? "?"
            #expect(scenario["exit"]?.intValue == 0, "\(name)")
            #expect(scenario["provider_calls"] == scenario["provider_minimum"], "\(name)")
            #expect(scenario["crm_calls"] == scenario["crm_minimum"], "\(name)")
            #expect((scenario["peak_rss_kb"]?.intValue ?? 0) > 0, "\(name)")
        }
        // The figures behind the ratios: all of N read twice (first sync, backfill), nothing
        // written on the rerun and the backfill, and the 250 queued writes drained in 3 calls.
        #expect(scenarios[0]["objects"]?.intValue ?? 0 >= 1500)
        #expect(scenarios[2]["objects"] == scenarios[0]["objects"])
        #expect(scenarios[1]["crm_calls"]?.intValue == 0 && scenarios[2]["crm_calls"]?.intValue == 0)
        #expect(scenarios[3]["crm_calls"]?.intValue ?? 0 > 0)
        #expect(scenarios[4]["objects"]?.intValue == 250 && scenarios[4]["crm_calls"]?.intValue == 3)
        #expect(run.standardOutput.contains("decode-only ceiling"))
        #expect(run.standardOutput.contains("bytes per object"))
    }
}
