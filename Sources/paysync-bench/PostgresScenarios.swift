import Foundation
import PaySyncCore
import PaySyncTestSupport

/// The bench with the ledger in PostgreSQL: scenarios 1 and 3 beside SQLite's (`make bench`), and
/// where a first sync's time goes inside the server (`paysync-bench postgres-statements`).
extension Scenarios {
    /// Scenarios 1 and 3 with the ledger in PostgreSQL: a durable server of the bench's own, a
    /// new database per first sync, the backfill on the last one's.
    static func postgresScenarios(_ bench: Bench) throws -> (results: [Result], version: String) {
        log("PostgreSQL ledger…")
        let server = try ThrowawayPostgres(durable: true)
        defer { server.stop() }
        let mainConfig = bench.config(tenant: BenchmarkData.tenant)
        func measured(_ name: String, _ arguments: [String], ledger: String, extra: [String: String]) throws -> Result {
            let before = server.cpuSeconds()
            var result = try bench.run(name, arguments, config: mainConfig, ledger: ledger, extra: extra)
            Thread.sleep(forTimeInterval: 0.3)  // the backend exits and is reaped after paysync does
            result.serverCPUSeconds = server.cpuSeconds() - before
            return result
        }
        var ledger = ""
        let first = try bench.leastCPU { attempt in
            ledger = try server.newDatabase()
            bench.xero.authorise(refreshToken: "bench-pg-refresh-\(attempt)")
            return try measured("1. first full sync", ["reconcile"], ledger: ledger, extra: ["XERO_REFRESH_TOKEN": "bench-pg-refresh-\(attempt)"])
        }
        let lastToken = ["XERO_REFRESH_TOKEN": "bench-pg-refresh-\(bench.repeats - 1)"]
        let backfill = try bench.leastCPU { _ in
            try measured("3. backfill, nothing changed", ["backfill", "--since", "2020-01-01", "--until", "2030-01-01"], ledger: ledger, extra: lastToken)
        }
        return ([first, backfill], postgresVersion(server))
    }

    /// `15.18`, from `postgres --version` ("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)").
    static func postgresVersion(_ server: ThrowawayPostgres) -> String {
        let text = (try? ChildProcess.run(server.binaries + "/postgres", ["--version"]).standardOutput) ?? ""
        return text.split(separator: " ").first { $0.first?.isNumber == true }.map(String.init) ?? "?"
    }

    /// `paysync-bench postgres-statements`: where a first sync's time goes inside PostgreSQL, by
    /// statement (pg_stat_statements: planning and execution time, calls, rows), so a claim about
    /// what limits the PostgreSQL figures rests on the server's own count.
    static func postgresStatements(_ bench: Bench) throws {
        let server = try ThrowawayPostgres(durable: true, settings: ["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track_planning=on"])
        defer { server.stop() }
        // Cluster-wide statistics, read from the maintenance database (the ledger's own schema
        // stays a ledger's only).
        _ = try server.psql("CREATE EXTENSION pg_stat_statements")
        let ledger = try server.newDatabase()
        bench.xero.authorise(refreshToken: "bench-pg-statements")
        // The run in its two halves: reading and committing every page (killed before it
        // delivers), then delivering the queued writes; each with the server's own count.
        let phases: [(name: String, fault: String?)] = [("read and commit every page", "kill-before-delivery"), ("deliver the queued writes", nil)]
        for phase in phases {
            _ = try server.psql("SELECT pg_stat_statements_reset()")
            let before = server.cpuSeconds()
            var extra = ["XERO_REFRESH_TOKEN": "bench-pg-statements"]
            extra["PAYSYNC_FAULT"] = phase.fault
            let result = try bench.run(phase.fault == nil ? "first sync, delivery" : "prepare the first sync (killed before delivery)", ["reconcile"],
                                       config: bench.config(tenant: BenchmarkData.tenant), ledger: ledger, extra: extra)
            Thread.sleep(forTimeInterval: 0.3)
            let serverCPU = server.cpuSeconds() - before
            let ours = "dbid <> (SELECT oid FROM pg_database WHERE datname = 'postgres')"
            let rows = try server.psql("""
                SELECT calls, round(total_plan_time::numeric, 0), round(total_exec_time::numeric, 0), rows, regexp_replace(left(query, 90), '\\s+', ' ', 'g')
                FROM pg_stat_statements WHERE \(ours) ORDER BY total_plan_time + total_exec_time DESC LIMIT 10
                """)
            let total = try server.psql("SELECT round(sum(total_plan_time)::numeric, 0), round(sum(total_exec_time)::numeric, 0), sum(calls) FROM pg_stat_statements WHERE \(ours)")
            print("")
            print("\(phase.name), PostgreSQL \(postgresVersion(server)), N = \(bench.objects): wall \(fixed(result.measured.wallSeconds, 2)) s, "
                  + "paysync CPU \(fixed(result.measured.cpuSeconds, 2)) s, server CPU \(fixed(serverCPU, 2)) s")
            let sums = total.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|")
            if sums.count == 3 { print("all statements: \(sums[2]) calls, planning \(sums[0]) ms, execution \(sums[1]) ms (execution includes waiting for WAL flushes)") }
            print("   calls  plan ms  exec ms     rows  statement")
            for line in rows.split(separator: "\n") {
                let fields = line.split(separator: "|", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
                guard fields.count == 5 else { continue }
                print([pad(fields[0], 8), pad(fields[1], 8), pad(fields[2], 8), pad(fields[3], 8), " " + fields[4]].joined(separator: " "))
            }
        }
    }
}
