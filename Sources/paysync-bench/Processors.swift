import Foundation
import PaySyncCore
import PaySyncTestSupport

/// A payment processor's account (`BENCH_PROCESSOR_N`, 20,000 payments, with refunds, disputes,
/// invoices and subscriptions) read by the release binary from the fake Stripe: a first sync (the
/// lists, each object once), a rerun with nothing changed (the events feed), and a rerun after
/// about 5 % of the payments were refunded or disputed. Each line prints the provider calls
/// against the minimum the API allows:
/// - first sync: every list paged at Stripe's 100, one call for a list with nothing in it;
/// - rerun: one events call per account;
/// - after changes: the events since the cursor at 100 a page.
enum Processors {
    static func run(environment: [String: String]) throws {
        let count = Int(environment["BENCH_PROCESSOR_N"] ?? "") ?? 20_000
        let binary = environment["PAYSYNC_BIN"] ?? Repository.root + "/.build/release/paysync"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("\(binary) not found; run `make bench` (it builds the release binary first)")
        }
        let work = TemporaryDirectory(prefix: "paysync-bench-stripe")
        // Objects in the past: the fake stamps one event a second.
        let stripe = try FakeStripeServer(now: Timestamp(Date()).adding(milliseconds: -Int64(count) * 3 * 1000 - 86_400_000))
        log("generating a Stripe account of \(count) payments…")
        var lists: [String: Int] = [:]
        for index in 0..<count {
            stripe.paymentIntent("pi_bench\(index)", amount: Int64(1_000 + index % 90_000), metadata: ["crm_deal_id": "deal-\(index)"])
            lists["payment_intents", default: 0] += 1
            lists["charges", default: 0] += 1
            if index % 20 == 0 {
                stripe.refund("re_bench\(index)", of: "pi_bench\(index)", amount: 500)
                lists["refunds", default: 0] += 1
            }
            if index % 100 == 1 {
                stripe.invoice("in_bench\(index)", number: "SINV-\(index)", amount: 10_000)
                lists["invoices", default: 0] += 1
            }
            if index % 200 == 2 {
                stripe.subscription("sub_bench\(index)")
                lists["subscriptions", default: 0] += 1
            }
        }
        let objects = lists.values.reduce(0, +)
        let config = work.file("paysync-stripe.json")
        try """
            {"sources": [{"name": "stripe", "kind": "stripe", "secret_key": {"env": "STRIPE_SECRET_KEY"}, "base_url": "\(stripe.baseURL)",
                          "rate_limit": {"per_minute": 100000, "concurrent": 4}}],
             "sinks": [{"name": "out", "kind": "jsonl", "path": "\(work.file("writes.jsonl"))",
                        "objects": {"payment": {"key": ["metadata.crm_deal_id", "id"]}}}]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let ledger = work.file("stripe.db")
        let variables = ["STRIPE_SECRET_KEY": stripe.key, "PATH": "/usr/bin:/bin", "HOME": work.path]

        print("")
        print("payment processor: a Stripe account of \(count) payments (\(objects) objects in 7 lists), from the fake on loopback")
        print("scenario                     fetched    CPU s   fetched/CPU-s  provider calls (min)   writes")
        let listMinimum = ["payment_intents", "charges", "refunds", "disputes", "invoices", "subscriptions", "checkout_sessions"]
            .map { max(1, ((lists[$0] ?? 0) + 99) / 100) }.reduce(0, +)
        var changedEvents = 0
        for (name, change) in [("first sync (the lists)", {}), ("rerun, nothing changed", {}), ("rerun, ~5 % changed", {
            // Refunds and disputes on one payment in twenty: the feed carries each change.
            stripe.advance(seconds: max(0, (Timestamp(Date()).millisecondsSinceEpoch - stripe.now.millisecondsSinceEpoch) / 1000))
            let before = stripe.eventCount
            for index in stride(from: 7, to: count, by: 20) {
                if index % 40 == 7 { stripe.refund("re_later\(index)", of: "pi_bench\(index)", amount: 300) } else { stripe.dispute("dp_later\(index)", of: "pi_bench\(index)", amount: 1_000) }
            }
            changedEvents = stripe.eventCount - before
        })] as [(String, () -> Void)] {
            change()
            let callsBefore = stripe.received.count
            let writesBefore = lineCount(work.file("writes.jsonl"))
            log("stripe: \(name)…")
            let (executable, arguments) = profiled(binary, ["reconcile", "--config", config, "--ledger", ledger, "--format", "json", "--log-level", "error"],
                                                   name: "stripe \(name)", into: environment["BENCH_PROFILE"])
            let measured = try measure(executable, arguments, environment: variables)
            guard measured.status == 0 else { throw BenchError("stripe \(name) exited \(measured.status): \(measured.standardError.prefix(500))") }
            let report = runReport(measured)
            let calls = stripe.received.count - callsBefore
            let fetched = report["fetched"]?.intValue ?? 0
            let minimum = name.hasPrefix("first") ? listMinimum : max(1, (changedEvents + 99) / 100)
            print([
                name.padding(toLength: 26, withPad: " ", startingAt: 0), pad(String(fetched), 9), pad(fixed(measured.cpuSeconds, 2), 8),
                pad(fixed(Double(fetched) / max(measured.cpuSeconds, 1e-9), 0), 15), pad(ratio(calls, minimum), 21),
                pad(String(lineCount(work.file("writes.jsonl")) - writesBefore), 8),
            ].joined(separator: " "))
            changedEvents = 0
        }
    }

    static func lineCount(_ path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        return data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}
