import Foundation
import PaySyncCore
import PaySyncTestSupport

/// The payment processors, each an account in its fake (`BENCH_PROCESSOR_N` payments, default
/// 20,000, with refunds and more), read by the release binary: a first sync, a rerun with nothing
/// changed, and a rerun after about 5 % of the payments were refunded or disputed. Each line
/// prints the provider calls against the minimum that provider's API allows for that read (the
/// minimum is stated per provider as it is printed).
enum Processors {
    /// One provider's account and how to count against its minimum.
    struct Account {
        var name: String
        var source: String
        var variables: [String: String]
        var calls: () -> Int
        /// The minimum calls of the first sync, the quiet rerun, and the rerun after `change`.
        var minimums: (first: () -> Int, quiet: () -> Int, changed: () -> Int)
        var change: () -> Void
        var explain: String
    }

    static func run(environment: [String: String]) throws {
        let count = Int(environment["BENCH_PROCESSOR_N"] ?? "") ?? 20_000
        let binary = environment["PAYSYNC_BIN"] ?? Repository.root + "/.build/release/paysync"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("\(binary) not found; run `make bench` (it builds the release binary first)")
        }
        print("")
        print("payment processors: one account each, \(count) payments, from the fakes on loopback")
        print("provider    scenario                     fetched    CPU s   fetched/CPU-s  provider calls (min)   writes")
        let only = environment["BENCH_PROCESSORS"].map { Set($0.split(separator: ",").map(String.init)) }
        let makers: [(String, (Int) throws -> Account)] = [("stripe", stripe), ("gocardless", goCardless), ("square", square), ("paypal", payPal),
                                                           ("mollie", mollie), ("authnet", authorizeNet), ("braintree", braintree), ("adyen", adyen),
                                                           ("worldpay", worldpay)]
        for (name, make) in makers where only?.contains(name) ?? true {
            let account = try make(count)
            try measure(account, binary: binary, environment: environment)
            print("            minimum: \(account.explain)")
        }
    }

    static func measure(_ account: Account, binary: String, environment: [String: String]) throws {
        let work = TemporaryDirectory(prefix: "paysync-bench-\(account.name)")
        let config = work.file("paysync.json")
        try """
            {"sources": [\(account.source)],
             "sinks": [{"name": "out", "kind": "jsonl", "path": "\(work.file("writes.jsonl"))"}]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        var variables = account.variables
        variables["PATH"] = "/usr/bin:/bin"
        variables["HOME"] = work.path
        for (index, scenario) in ["first sync", "rerun, nothing changed", "rerun, ~5 % changed"].enumerated() {
            if index == 2 { account.change() }
            let callsBefore = account.calls()
            let writesBefore = lineCount(work.file("writes.jsonl"))
            log("\(account.name): \(scenario)…")
            let (executable, arguments) = profiled(binary, ["reconcile", "--config", config, "--ledger", work.file("p.db"), "--format", "json", "--log-level", "error"],
                                                   name: "\(account.name) \(scenario)", into: environment["BENCH_PROFILE"])
            let measured = try PaySyncBench.measure(executable, arguments, environment: variables)
            guard measured.status == 0 else { throw BenchError("\(account.name) \(scenario) exited \(measured.status): \(measured.standardError.prefix(500))") }
            let fetched = runReport(measured)["fetched"]?.intValue ?? 0
            let minimum = [account.minimums.first, account.minimums.quiet, account.minimums.changed][index]()
            print([
                account.name.padding(toLength: 10, withPad: " ", startingAt: 0), scenario.padding(toLength: 26, withPad: " ", startingAt: 0),
                pad(String(fetched), 9), pad(fixed(measured.cpuSeconds, 2), 8), pad(fixed(Double(fetched) / max(measured.cpuSeconds, 1e-9), 0), 15),
                pad(ratio(account.calls() - callsBefore, minimum), 21), pad(String(lineCount(work.file("writes.jsonl")) - writesBefore), 8),
            ].joined(separator: " "))
        }
    }

    static func pages(_ items: Int, _ size: Int) -> Int { max(1, (items + size - 1) / size) }

    // MARK: Stripe

    static func stripe(_ count: Int) throws -> Account {
        let stripe = try FakeStripeServer(now: Timestamp(Date()).adding(milliseconds: -Int64(count) * 3 * 1000 - 86_400_000))
        log("generating a Stripe account of \(count) payments…")
        var lists: [String: Int] = [:]
        for index in 0..<count {
            stripe.paymentIntent("pi_bench\(index)", amount: Int64(1_000 + index % 90_000), metadata: ["crm_deal_id": "deal-\(index)"])
            lists["payment_intents", default: 0] += 1
            lists["charges", default: 0] += 1
            if index % 20 == 0 { stripe.refund("re_bench\(index)", of: "pi_bench\(index)", amount: 500); lists["refunds", default: 0] += 1 }
            if index % 100 == 1 { stripe.invoice("in_bench\(index)", number: "SINV-\(index)", amount: 10_000); lists["invoices", default: 0] += 1 }
            if index % 200 == 2 { stripe.subscription("sub_bench\(index)"); lists["subscriptions", default: 0] += 1 }
        }
        let first = ["payment_intents", "charges", "refunds", "disputes", "invoices", "subscriptions", "checkout_sessions"]
            .map { pages(lists[$0] ?? 0, 100) }.reduce(0, +)
        var events = 0
        return Account(
            name: "stripe",
            source: #"{"name": "stripe", "kind": "stripe", "secret_key": {"env": "STRIPE_SECRET_KEY"}, "base_url": "\#(stripe.baseURL)", "rate_limit": {"per_minute": 100000, "concurrent": 4}}"#,
            variables: ["STRIPE_SECRET_KEY": stripe.key], calls: { stripe.received.count },
            minimums: ({ first }, { 1 }, { pages(events, 100) }),
            change: {
                stripe.advance(seconds: max(0, (Timestamp(Date()).millisecondsSinceEpoch - stripe.now.millisecondsSinceEpoch) / 1000))
                let before = stripe.eventCount
                for index in stride(from: 7, to: count, by: 20) {
                    if index % 40 == 7 { stripe.refund("re_later\(index)", of: "pi_bench\(index)", amount: 300) } else { stripe.dispute("dp_later\(index)", of: "pi_bench\(index)", amount: 1_000) }
                }
                events = stripe.eventCount - before
            },
            explain: "first sync: every list at 100 a page; rerun: one events call; changes: the new events at 100 a page")
    }

    // MARK: GoCardless

    static func goCardless(_ count: Int) throws -> Account {
        let fake = try FakeGoCardlessServer(now: Timestamp(Date()).adding(milliseconds: -Int64(count) * 3 * 1000 - 86_400_000))
        log("generating a GoCardless merchant of \(count) payments…")
        var refunds = 0, subscriptions = 0
        for index in 0..<count {
            fake.payment("PMB\(index)", amount: Int64(1_000 + index % 9_000), status: "confirmed")
            if index % 20 == 0 { fake.refund("RFB\(index)", of: "PMB\(index)", amount: 100, status: "paid"); refunds += 1 }
            if index % 200 == 2 { fake.subscription("SBB\(index)", amount: 2_500); subscriptions += 1 }
        }
        var changed = (events: 0, payments: 0, refunds: 0)
        return Account(
            name: "gocardless",
            source: #"{"name": "gocardless", "kind": "gocardless", "access_token": {"env": "GOCARDLESS_TOKEN"}, "base_url": "\#(fake.baseURL)", "rate_limit": {"per_minute": 100000, "concurrent": 2}}"#,
            variables: ["GOCARDLESS_TOKEN": fake.token], calls: { fake.received.count },
            minimums: ({ pages(count, 500) + pages(refunds, 500) + pages(subscriptions, 500) + pages(0, 500) }, { 1 },
                       { pages(changed.events, 500) + pages(changed.payments, 500) + (changed.refunds > 0 ? pages(changed.refunds, 500) : 0) }),
            change: {
                fake.advance(seconds: max(0, (Timestamp(Date()).millisecondsSinceEpoch - fake.now.millisecondsSinceEpoch) / 1000) + 600)
                for index in stride(from: 7, to: count, by: 20) {
                    if index % 40 == 7 {
                        fake.refund("RFL\(index)", of: "PMB\(index)", amount: 100)  // a refund event and a payment event
                        changed = (changed.events + 2, changed.payments + 1, changed.refunds + 1)
                    } else {
                        fake.setPayment("PMB\(index)", status: "charged_back")
                        changed = (changed.events + 1, changed.payments + 1, changed.refunds)
                    }
                }
            },
            explain: "first sync: each resource at 500 a page; rerun: one events call; changes: the events, then one include read per type, at 500 a page")
    }

    // MARK: Square

    static func square(_ count: Int) throws -> Account {
        // A payment a minute, as a busy seller's day looks, not a burst (the overlap re-reads the
        // last five minutes of changes), ending a quarter of an hour ago: the fake's clock keeps
        // to paysync's, as Square's does.
        let fake = try FakeSquareServer(locations: ["LBENCH1", "LBENCH2"], now: Timestamp(Date()).adding(milliseconds: -Int64(count) * 60 * 1000 - Int64(count / 20) * 1000 - 900_000))
        log("generating a Square seller of \(count) payments in two locations…")
        var counts: [String: Int] = [:]
        for index in 0..<count {
            let location = index % 2 == 0 ? "LBENCH1" : "LBENCH2"
            fake.payment("PB\(index)", location: location, amount: Int64(1_000 + index % 9_000))
            fake.advance(seconds: 59)
            counts["payments-\(location)", default: 0] += 1
            if index % 20 == 0 { fake.refund("RB\(index)", of: "PB\(index)", amount: 100); counts["refunds-\(location)", default: 0] += 1 }
            if index % 100 == 1 { fake.invoice("inv:B\(index)", location: location, number: "SQB-\(index)", amount: 10_000); counts["invoices-\(location)", default: 0] += 1 }
        }
        let perRun = ["LBENCH1", "LBENCH2"].map { pages(counts["invoices-\($0)"] ?? 0, 200) + 1 }.reduce(0, +)  // invoices re-listed, disputes
        let first = 1 + perRun + ["LBENCH1", "LBENCH2"].map { pages(counts["payments-\($0)"] ?? 0, 100) + pages(counts["refunds-\($0)"] ?? 0, 100) }.reduce(0, +)
        // A rerun reads each list from its cursor (the last change it saw) less the five-minute
        // overlap: that is what it must page through.
        var cursorFrom = Timestamp(millisecondsSinceEpoch: 0)
        func fromCursors() -> Int {
            ["LBENCH1", "LBENCH2"].map { location in
                pages(fake.count("payments", location: location, updatedSince: cursorFrom), 100) + pages(fake.count("refunds", location: location, updatedSince: cursorFrom), 100)
            }.reduce(0, +)
        }
        return Account(
            name: "square",
            source: #"{"name": "square", "kind": "square", "access_token": {"env": "SQ_TOKEN"}, "base_url": "\#(fake.baseURL)", "rate_limit": {"per_minute": 100000, "concurrent": 4}}"#,
            variables: ["SQ_TOKEN": fake.personalToken], calls: { fake.received.count },
            minimums: ({ first }, { cursorFrom = fake.now.adding(milliseconds: -300_000); return 1 + perRun + fromCursors() }, { 1 + perRun + fromCursors() }),
            change: {
                cursorFrom = fake.now.adding(milliseconds: -300_000)
                // The refunds happen now, by paysync's clock too.
                fake.advance(seconds: max(0, (Timestamp(Date()).millisecondsSinceEpoch - fake.now.millisecondsSinceEpoch) / 1000))
                for index in stride(from: 7, to: count, by: 20) { fake.refund("RL\(index)", of: "PB\(index)", amount: 100) }
            },
            explain: "locations, then per location payments and refunds changed since the cursor at 100 a page, invoices re-listed at 200, disputes")
    }

    // MARK: PayPal

    static func payPal(_ count: Int) throws -> Account {
        // The fake's clock an hour behind: its invoices step it a second each, and it must not run
        // ahead of paysync's (a row dated in paysync's future lies outside every window).
        let fake = try FakePayPalServer(now: Timestamp(Date()).adding(milliseconds: -3_600_000))
        log("generating a PayPal account of \(count) payments over 60 days…")
        for index in 0..<count {
            fake.payment("PPB\(String(format: "%014d", index))", amount: "\(10 + index % 900).00", ageHours: Int64(4 + (index % 1_400)))
            if index % 20 == 0 { fake.refund("PRB\(String(format: "%014d", index))", of: "PPB\(String(format: "%014d", index))", amount: "1.00") }
        }
        for index in 0..<150 { fake.invoice("INV2-BENCH-\(index)", number: "PPI-\(index)", amount: "100.00") }
        // PayPal's listing lag is proved in PayPalEndToEndTests; here the fake answers at once, so
        // the figures are the reads' own.
        fake.setLag(hours: 0)
        // Each read's minimum: one call per 31-day window and 500 rows in it (windows as PayPal
        // allows them, from the read's start to now), invoices at 100 a page, one disputes list.
        let perRun = pages(150, 100) + 1
        let start = CalendarDate(iso: Timestamp(Date()).adding(milliseconds: -62 * 86_400_000).utcDate.description)!.startOfDayUTC
        func windows(from: Timestamp) -> Int {
            var calls = 0, begin = from
            let end = Timestamp(Date())
            repeat {
                let until = min(end, begin.adding(milliseconds: 31 * 86_400_000))
                calls += pages(fake.rows(initiatedFrom: begin, until: until), 500)
                begin = until
            } while begin < end
            return calls
        }
        var changedFrom = Timestamp(Date())
        return Account(
            name: "paypal",
            source: #"{"name": "paypal", "kind": "paypal", "client_id": {"env": "PAYPAL_CLIENT_ID"}, "client_secret": {"env": "PAYPAL_SECRET"}, "base_url": "\#(fake.baseURL)", "start_date": "\#(start.utcDate)", "rate_limit": {"per_minute": 100000, "concurrent": 2}}"#,
            variables: ["PAYPAL_CLIENT_ID": fake.clientID, "PAYPAL_SECRET": fake.clientSecret], calls: { fake.received.count },
            // A rerun reads from its cursor (PayPal's refresh time at the last run: the fake's clock,
            // which does not move during a run) less the 15-minute overlap.
            minimums: ({ 1 + windows(from: start) + perRun }, { windows(from: fake.now.adding(milliseconds: -900_000)) + perRun },
                       { windows(from: changedFrom) + perRun }),
            change: {
                // Refunds made since the last run (which read up to PayPal's refresh time).
                changedFrom = fake.now.adding(milliseconds: -900_000)
                fake.advance(seconds: max(0, (Timestamp(Date()).millisecondsSinceEpoch - fake.now.millisecondsSinceEpoch) / 1000 - 60))
                for index in stride(from: 7, to: count, by: 20) {
                    fake.refund("PRL\(String(format: "%014d", index))", of: "PPB\(String(format: "%014d", index))", amount: "1.00")
                }
            },
            explain: "a token (first run only; it is kept), transactions per 31-day window at 500 a page, invoices re-listed at 100, one disputes list")
    }

    // MARK: Mollie

    static func mollie(_ count: Int) throws -> Account {
        let fake = try FakeMollieServer(now: Timestamp(Date()).adding(milliseconds: -Int64(count) * 2 * 1000 - 3_600_000))
        log("generating a Mollie profile of \(count) payments…")
        var refunds = 0
        for index in 0..<count {
            fake.payment("tr_b\(index)", value: "\(10 + index % 900).00", status: "paid")
            if index % 20 == 0 { fake.refund("re_b\(index)", of: "tr_b\(index)", value: "1.00", status: "refunded"); refunds += 1 }
        }
        var added = 0
        return Account(
            name: "mollie",
            source: #"{"name": "mollie", "kind": "mollie", "api_key": {"env": "MOLLIE_API_KEY"}, "base_url": "\#(fake.baseURL)", "rate_limit": {"per_minute": 100000, "concurrent": 2}}"#,
            variables: ["MOLLIE_API_KEY": fake.key], calls: { fake.received.count },
            // A walk reads newest first until a page holds something older than the cursor.
            minimums: ({ pages(count, 250) + pages(refunds, 250) + 1 }, { 3 }, { 1 + (added / 250 + 1) + 1 }),
            change: {
                fake.advance(seconds: max(0, (Timestamp(Date()).millisecondsSinceEpoch - fake.now.millisecondsSinceEpoch) / 1000 - 60))
                for index in stride(from: 7, to: count, by: 20) {
                    fake.refund("re_later\(index)", of: "tr_b\(index)", value: "1.00", status: "refunded")
                    added += 1
                }
            },
            explain: "each list walked newest first, 250 a page, until a page reaches past the cursor; nothing unsettled to read by id")
    }

    // MARK: Worldpay

    static func worldpay(_ count: Int) throws -> Account {
        let fake = try FakeWorldpayServer(now: Timestamp(Date()).adding(milliseconds: -Int64(count) * 2 * 1000 - 3_600_000))
        log("generating a Worldpay merchant of \(count) payments…")
        var refunded = 0
        for index in 0..<count {
            fake.payment("payBench" + String(format: "%018d", index), amount: Int64(1_000 + index % 90_000), outcome: "sale")
            if index % 20 == 0 { fake.refund("payBench" + String(format: "%018d", index), amount: 100); refunded += 1 }
        }
        var added = 0
        return Account(
            name: "worldpay",
            source: #"{"name": "worldpay", "kind": "worldpay", "username": {"env": "WP_USER"}, "password": {"env": "WP_PASS"}, "base_url": "\#(fake.baseURL)", "rate_limit": {"per_minute": 100000, "concurrent": 2}}"#,
            variables: ["WP_USER": fake.username, "WP_PASS": fake.password], calls: { fake.received.count },
            // Lists carry no status: each new payment is read by id once. Each run then lists the
            // refunded and reversed payments, and reads again the part-refunded ones they name
            // (a list cannot say whether a second refund came).
            minimums: ({ pages(count, 300) + count + pages(refunded, 300) + 1 }, { 1 + pages(refunded, 300) + 1 + refunded },
                       { 1 + pages(refunded + added, 300) + 1 + refunded + added }),
            change: {
                fake.advance(seconds: max(0, (Timestamp(Date()).millisecondsSinceEpoch - fake.now.millisecondsSinceEpoch) / 1000 - 600))
                for index in stride(from: 7, to: count, by: 20) {
                    fake.refund("payBench" + String(format: "%018d", index), amount: 100)
                    added += 1
                }
            },
            explain: "new payments listed 300 a page and each read by id; then the refund and reversal lists, and each part-refunded payment they name read by id")
    }

    // MARK: Authorize.Net

    static func authorizeNet(_ count: Int) throws -> Account {
        let fake = try FakeAuthorizeNetServer()
        let perBatch = 500
        let days = (count + perBatch - 1) / perBatch
        let now = Timestamp(Date())
        let first = now.adding(seconds: -Double(days + 1) * 86_400)
        log("generating an Authorize.Net merchant of \(count) settled transactions in \(days) daily batches…")
        fake.settled(count: count, perBatch: perBatch, from: first.adding(seconds: 3_600))
        let start = first.utcDate
        let windows = { (from: Timestamp) in Int((Timestamp(Date()).millisecondsSinceEpoch - from.millisecondsSinceEpoch + 31 * 86_400_000 - 1) / (31 * 86_400_000)) }
        var refunds = 0
        return Account(
            name: "authnet",
            source: #"{"name": "authnet", "kind": "authorize-net", "api_login_id": {"env": "ANET_LOGIN"}, "transaction_key": {"env": "ANET_KEY"}, "url": "\#(fake.url)", "start_date": "\#(start)", "rate_limit": {"per_minute": 100000, "concurrent": 1}}"#,
            variables: ["ANET_LOGIN": fake.login, "ANET_KEY": fake.transactionKey], calls: { fake.received.count },
            // Settled-batch windows of 31 days, one list per batch (500 each), the unsettled list;
            // a quiet rerun is one window and the unsettled list; a refund costs its details call.
            minimums: ({ windows(start.startOfDayUTC) + days + 1 }, { 2 }, { 2 + refunds }),
            change: {
                for index in stride(from: 0, to: count, by: 20) {
                    fake.submit("9\(index)", amount: "1.00", status: "refundPendingSettlement", at: Timestamp(Date()), refTransID: "6000\(index)")
                    refunds += 1
                }
            },
            explain: "settled batches by 31-day windows, each batch's list at 1,000 a page, the unsettled list; one details call per refund (only the details name the payment)")
    }

    // MARK: Braintree

    static func braintree(_ count: Int) throws -> Account {
        let fake = try FakeBraintreeServer()
        let days = 10
        let now = Timestamp(Date())
        let start = now.adding(seconds: -Double(days + 1) * 86_400).utcDate
        log("generating a Braintree merchant of \(count) transactions over \(days) days…")
        fake.settled(count: count, perDay: (count + days - 1) / days, from: start.startOfDayUTC.adding(seconds: 3_600))
        var before = 0
        return Account(
            name: "braintree",
            source: #"{"name": "braintree", "kind": "braintree", "public_key": {"env": "BT_PUBLIC"}, "private_key": {"env": "BT_PRIVATE"}, "url": "\#(fake.url)", "start_date": "\#(start)", "rate_limit": {"per_minute": 100000, "concurrent": 1}}"#,
            variables: ["BT_PUBLIC": fake.publicKey, "BT_PRIVATE": fake.privateKey], calls: { fake.received.count },
            // Each search (11 a window: five timestamps for transactions and for refunds, one
            // for disputes) at 50 a page; the fake counts what each search's results need.
            minimums: ({ let needed = fake.pagesNeeded; before = needed; return needed }, { let needed = fake.pagesNeeded - before; before = fake.pagesNeeded; return needed },
                       { fake.pagesNeeded - before }),
            change: {
                for index in stride(from: 0, to: count, by: 20) { fake.refund("rf\(index)", of: "bulk\(index)", amount: "1.00", at: Timestamp(Date())) }
            },
            explain: "one search per status-transition timestamp and window (11 per 24-hour window), each at 50 a page; an object two searches find is paid for twice")
    }

    // MARK: Adyen

    static func adyen(_ count: Int) throws -> Account {
        let fake = try FakeAdyenReportServer()
        let days = 10
        let today = Timestamp(Date()).utcDate
        let first = today.adding(days: -days)
        let perDay = (count + days - 2) / (days - 1)
        log("generating \(days - 1) Adyen payment accounting reports of \(count) payments…")
        var index = 0
        for offset in 0..<(days - 1) {  // every day's report but yesterday's, which comes later
            let day = first.adding(days: offset)
            var rows: [FakeAdyenReportServer.Row] = []
            while index < count && rows.count < 2 * perDay {
                let psp = String(format: "88151%011d", index)
                rows.append(.init(psp, "INV-\(index)", "\(day) 09:00:00", "EUR", "\(10 + index % 900).00", "Authorised"))
                rows.append(.init(psp, "INV-\(index)", "\(day) 23:00:00", "EUR", "\(10 + index % 900).00", "Settled"))
                index += 1
            }
            fake.publish(day: day, rows: rows)
        }
        return Account(
            name: "adyen",
            source: #"{"name": "adyen", "kind": "adyen", "merchant_account": "\#(fake.merchantAccount)", "report_user": {"env": "ADYEN_USER"}, "report_password": {"env": "ADYEN_PASSWORD"}, "base_url": "\#(fake.baseURL)", "start_date": "\#(first)", "rate_limit": {"per_minute": 100000, "concurrent": 1}}"#,
            variables: ["ADYEN_USER": fake.user, "ADYEN_PASSWORD": fake.password], calls: { fake.downloads.count },
            // One download per report; yesterday's is not generated until the change, so each
            // run before it asks once and hears 404.
            minimums: ({ days }, { 1 }, { 1 }),
            change: {
                let rows: [FakeAdyenReportServer.Row] = stride(from: 0, to: count, by: 20).map { index in
                    .init(String(format: "88151%011d", index), "INV-\(index)", "\(today.adding(days: -1)) 10:00:00", "EUR", "\(10 + index % 900).00", "Refunded")
                }
                fake.publish(day: today.adding(days: -1), rows: rows)
            },
            explain: "one report a day, each downloaded once; a report not generated yet is one 404")
    }

    static func lineCount(_ path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        return data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}

/// The module's `measure`, reachable where a parameter shadows it.
enum PaySyncBench {
    static func measure(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Measured {
        try paysync_bench.measure(executable, arguments, environment: environment)
    }
}
