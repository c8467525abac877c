import Foundation

// paysync-bench: what a paysync run costs as data grows (`make bench`), and side by side with the
// Singer tap for Xero (`make bench-peers`). paysync runs as a child process (its CPU and memory
// are its own) against loopback fakes served from this process.
//
//   paysync-bench            the five scenarios           BENCH_N (100000), BENCH_DRAIN_N (100000), BENCH_REPEAT (1)
//   paysync-bench tenants    many organisations, latency  BENCH_TENANTS (1000), BENCH_TENANT_OBJECTS (200), BENCH_LATENCY_MS (50)
//   paysync-bench peers [xero | quickbooks]
//                            paysync beside tap-xero and  BENCH_N, TAP_XERO_PYTHON, TAP_QUICKBOOKS_PYTHON (the venvs'
//                            tap-quickbooks               pythons)
//   paysync-bench processors a Stripe account: first   BENCH_PROCESSOR_N (20000), BENCH_PROCESSORS (stripe,authnet,…: some only)
//                            sync, rerun, ~5 % changed
//   paysync-bench crms       each CRM sink: first sync,   BENCH_CRM_N (5000), BENCH_CRMS (hubspot,dynamics,…: some only)
//                            rerun, ~5 % paid; CRM calls
//   paysync-bench http       one HTTP call's client cost  BENCH_HTTP_N (2000)
//   paysync-bench ledger     the ledger alone, in process BENCH_N, BENCH_REPEAT (for profiling the ledger by itself)
//   paysync-bench drain      scenario 5 alone             BENCH_DRAIN_N, BENCH_REPEAT, BENCH_DRAIN_KEYS=shuffled (invoice
//                                                         numbers in no relation to update order, as in a real ledger)
//   paysync-bench postgres-statements                     BENCH_N: a first sync into PostgreSQL, and where the server's
//                                                         time went, by statement (pg_stat_statements)
// Both take PAYSYNC_BIN (the release binary) and BENCH_OUT (bench/results.json).

do {
    let environment = ProcessInfo.processInfo.environment
    switch CommandLine.arguments.dropFirst().first {
    case nil:
        try await Scenarios.run(try Bench(environment: environment, drainTenant: true))
    case "tenants":
        try ManyTenants.run(environment: environment)
    case "processors":
        try Processors.run(environment: environment)
    case "crms":
        try CRMs.run(environment: environment)
    case "http":
        try await HTTPCallCost.run(environment: environment)
    case "drain":
        let drain = try Scenarios.drainScenario(try Bench(environment: environment, drainTenant: true))
        print("outbox drain: \(drain.objects) writes in \(fixed(drain.measured.cpuSeconds, 2)) CPU s (least of the runs): "
              + "\(fixed(drain.objectsPerCPUSecond, 0)) writes per CPU-second, CRM calls \(drain.crmCalls)")
    case "postgres-statements":
        try Scenarios.postgresStatements(try Bench(environment: environment, drainTenant: false))
    case "ledger":
        try await LedgerOnly.run(try Bench(environment: environment, drainTenant: false))
    case "peers":
        let bench = try Bench(environment: environment, drainTenant: false)
        let which = CommandLine.arguments.dropFirst(2).first
        if which == nil || which == "xero" { try Peers.run(bench, environment: environment) }
        if which == nil || which == "quickbooks" { try QuickBooksPeer.run(bench, environment: environment) }
    case let other?:
        throw BenchError("unknown mode \(other); usage: paysync-bench [tenants | processors | crms | http | peers | ledger | drain]")
    }
} catch {
    log("paysync-bench: \(error)")
    exit(1)
}
