import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Stripe end to end through the real engine, HTTP and ledger against the strict fake: a first
/// sync right for every row of the status table, a steady state of one call per account that
/// writes nothing, each change on the next run exactly once, 429s as Stripe asks, connected
/// accounts, and a cursor older than Stripe's 30 days of events re-listed without losing a change.
@Suite(.serialized) struct StripeEndToEndTests {
    final class Setup: Sendable {
        let stripe: FakeStripeServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-stripe")
        let configuration: Configuration
        let logs = Locked<[String]>([])

        init(accounts: [String] = ["self"], connected: [String] = [], extra: String = "") throws {
            let start = Timestamp(iso: "2025-05-01T09:00:00Z")!
            stripe = try FakeStripeServer(now: start, connected: connected)
            clock = VirtualClock(start: start)
            let accountList = accounts.map { "\"\($0)\"" }.joined(separator: ", ")
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "stripe", "kind": "stripe", "secret_key": {"env": "STRIPE_SECRET_KEY"}, "base_url": "\(stripe.baseURL)",
                              "accounts": [\(accountList)]\(extra)}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))",
                            "objects": {"payment": {"key": ["metadata.crm_deal_id", "id"], "fields": ["status", "amount_total", "amount_paid", "currency"]}}}],
                 "http": {"max_retry_seconds": 60}}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        /// Both clocks at the later of the two: the provider stamps events with its clock, paysync
        /// reads with its own, and in production they agree.
        func align() {
            clock.align(withFake: stripe.now) { stripe.advance(seconds: $0) }
        }

        func run(variables: [String: String]? = nil) async throws -> RunReport {
            align()
            let logs = self.logs
            let logger = Logger(minimumLevel: .info, write: { line in logs.withLock { $0.append(line) } })
            let report = try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: logger, transport: URLSessionTransport(),
                                                 variables: variables ?? ["STRIPE_SECRET_KEY": stripe.key]))
            align()
            return report
        }

        var lines: [JSONValue] {
            (directory.read("writes.jsonl") ?? "").split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        }

        /// Each object key's written statuses, in order.
        var written: [String: [String]] {
            var result: [String: [String]] = [:]
            for line in lines { result[line["object"]?.stringValue ?? "", default: []].append(line["to"]?.stringValue ?? "") }
            return result
        }
    }

    static func key(_ kind: String, _ id: String, _ account: String = "self") -> String { "stripe:\(account):\(kind):\(id)" }

    /// One object per row of the status table, and the guide's payments: one-time and failed
    /// (insufficient funds, expired card), refunds in part and in full, a chargeback, a
    /// subscription, tiny and huge amounts.
    static func load(_ stripe: FakeStripeServer) -> [String: String] {
        stripe.paymentIntent("pi_paid", amount: 12_000, metadata: ["crm_deal_id": "deal-881"], email: "ap@acme.example")
        stripe.paymentIntent("pi_funds", amount: 5_000, declineCode: "insufficient_funds")
        stripe.paymentIntent("pi_expired", amount: 5_000, declineCode: "expired_card")
        stripe.paymentIntent("pi_processing", amount: 7_000, status: "processing")
        stripe.paymentIntent("pi_canceled", amount: 7_000, status: "canceled")
        stripe.paymentIntent("pi_part", amount: 10_000)
        stripe.refund("re_part", of: "pi_part", amount: 2_500)
        stripe.paymentIntent("pi_full", amount: 10_000)
        stripe.refund("re_full", of: "pi_full", amount: 10_000)
        stripe.paymentIntent("pi_chargeback", amount: 4_000)
        stripe.dispute("dp_open", of: "pi_chargeback", amount: 4_000)
        stripe.paymentIntent("pi_yen", amount: 1, currency: "jpy")
        stripe.paymentIntent("pi_cent", amount: 1)
        stripe.paymentIntent("pi_huge", amount: 9_999_999_999)
        stripe.legacyCharge("ch_legacy", amount: 2_000)
        stripe.invoice("in_open", number: "INV-1", amount: 50_000, due: CalendarDate(iso: "2025-06-01")!)
        stripe.invoice("in_part", number: "INV-2", amount: 50_000, due: CalendarDate(iso: "2025-06-01")!)
        stripe.payInvoice("in_part", amount: 20_000)
        stripe.invoice("in_paid", number: "INV-3", amount: 30_000)
        stripe.payInvoice("in_paid", amount: 30_000)
        stripe.invoice("in_void", number: "INV-4", amount: 30_000)
        stripe.voidInvoice("in_void")
        stripe.subscription("sub_active")
        stripe.subscription("sub_trial", status: "trialing")
        stripe.subscription("sub_late", status: "past_due")
        stripe.subscription("sub_gone")
        stripe.setSubscription("sub_gone", status: "canceled")
        stripe.checkoutSession("cs_open", amount: 9_900, reference: "quote-12")
        stripe.checkoutSession("cs_done", amount: 9_900)
        stripe.completeCheckoutSession("cs_done")
        stripe.checkoutSession("cs_expired", amount: 9_900)
        stripe.expireCheckoutSession("cs_expired")
        stripe.unrelatedEvent()
        return [
            key("payment", "pi_paid"): "paid", key("payment", "pi_funds"): "failed", key("payment", "pi_expired"): "failed",
            key("payment", "pi_processing"): "pending", key("payment", "pi_canceled"): "voided",
            key("payment", "pi_part"): "partially_refunded", key("refund", "re_part"): "refunded",
            key("payment", "pi_full"): "refunded", key("refund", "re_full"): "refunded",
            key("payment", "pi_chargeback"): "disputed", key("dispute", "dp_open"): "disputed",
            key("payment", "pi_yen"): "paid", key("payment", "pi_cent"): "paid", key("payment", "pi_huge"): "paid", key("payment", "ch_legacy"): "paid",
            key("invoice", "in_open"): "sent", key("invoice", "in_part"): "partially_paid", key("invoice", "in_paid"): "paid", key("invoice", "in_void"): "voided",
            key("subscription", "sub_active"): "active", key("subscription", "sub_trial"): "trialing", key("subscription", "sub_late"): "past_due",
            key("subscription", "sub_gone"): "canceled",
            key("payment_link", "cs_open"): "pending", key("payment_link", "cs_done"): "paid", key("payment_link", "cs_expired"): "expired",
        ]
    }

    @Test func aFirstSyncIsRightForEveryRowAndARerunIsOneCallThatWritesNothing() async throws {
        let setup = try Setup()
        let expected = Self.load(setup.stripe)
        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        let written = setup.written
        #expect(Set(written.keys) == Set(expected.keys), "every object once, nothing else: \(Set(written.keys).symmetricDifference(expected.keys))")
        for (key, status) in expected {
            #expect(written[key]?.last == status, "\(key): \(written[key] ?? [])")
            #expect(written[key]?.count == 1, "\(key) written once: \(written[key] ?? [])")
        }
        // The deal id in the payment's metadata is its CRM record; amounts exactly.
        let line = try #require(setup.lines.first { $0["object"]?.stringValue == Self.key("payment", "pi_paid") })
        #expect(line["record"]?.stringValue == "deal-881")
        let amounts = Dictionary(uniqueKeysWithValues: setup.lines.compactMap { line in
            line["changes"]?["amount_total"]?["new"]?.stringValue.map { (line["object"]?.stringValue ?? "", $0) }
        })
        #expect(amounts[Self.key("payment", "pi_yen")] == "1" && amounts[Self.key("payment", "pi_cent")] == "0.01"
                && amounts[Self.key("payment", "pi_huge")] == "99999999.99", "\(amounts)")
        // The first sync lists every object; every call pins the version.
        #expect(setup.stripe.calls(to: "/v1/events") == 0 && setup.stripe.calls(to: "/v1/payment_intents") == 1)
        #expect(setup.stripe.received.allSatisfy { !$0.contains("[acct_") })

        let callsBefore = setup.stripe.received.count
        setup.stripe.advance(seconds: 600)
        let again = try await setup.run()
        #expect(again.exitCode == .success, "\(again.problems)")
        #expect(setup.lines.count == expected.count, "a rerun with no change writes nothing")
        let calls = setup.stripe.received.dropFirst(callsBefore)
        #expect(calls.count == 1 && calls.first?.contains("/v1/events?limit=100&created%5Bgt%5D=") == true, "one call per account: \(Array(calls))")
    }

    @Test func eachChangeReachesTheCRMOnTheNextRunOnce() async throws {
        let setup = try Setup()
        _ = Self.load(setup.stripe)
        // A hundred more plain payments, so the changes below are about 5 % of the account.
        for index in 0..<100 { setup.stripe.paymentIntent("pi_bulk\(index)", amount: Int64(1_000 + index)) }
        #expect(try await setup.run().exitCode == .success)
        let before = setup.lines.count

        // Refunds of five payments, in part and in full.
        for index in 0..<5 { setup.stripe.refund("re_bulk\(index)", of: "pi_bulk\(index)", amount: index < 3 ? 500 : Int64(1_000 + index)) }
        let second = try await setup.run()
        #expect(second.exitCode == .success, "\(second.problems)")
        let changed = setup.lines.dropFirst(before).map { "\($0["object"]?.stringValue ?? "")=\($0["to"]?.stringValue ?? "")" }
        #expect(Set(changed) == Set((0..<5).flatMap { index in
            [ "\(Self.key("refund", "re_bulk\(index)"))=refunded", "\(Self.key("payment", "pi_bulk\(index)"))=\(index < 3 ? "partially_refunded" : "refunded")" ]
        }), "\(changed)")
        #expect(changed.count == 10, "exactly those: \(changed)")

        // The chargeback is won; another is lost; a subscription lapses and one is cancelled; the
        // payment link expires; an invoice is paid; a payment fails.
        setup.stripe.closeDispute("dp_open", won: true)
        setup.stripe.paymentIntent("pi_lost", amount: 3_000)
        setup.stripe.dispute("dp_lost", of: "pi_lost", amount: 3_000)
        setup.stripe.closeDispute("dp_lost", won: false)
        setup.stripe.setSubscription("sub_active", status: "past_due")
        setup.stripe.setSubscription("sub_late", status: "active")
        setup.stripe.setSubscription("sub_trial", status: "canceled")
        setup.stripe.expireCheckoutSession("cs_open")
        setup.stripe.payInvoice("in_open", amount: 50_000)
        setup.stripe.paymentIntent("pi_later", amount: 800, declineCode: "insufficient_funds")
        let mark = setup.lines.count
        #expect(try await setup.run().exitCode == .success)
        let third = Dictionary(setup.lines.dropFirst(mark).map { ($0["object"]?.stringValue ?? "", [$0["to"]?.stringValue ?? ""]) }, uniquingKeysWith: +)
        #expect(third == [
            Self.key("dispute", "dp_open"): ["paid"], Self.key("payment", "pi_chargeback"): ["paid"],
            Self.key("payment", "pi_lost"): ["refunded"], Self.key("dispute", "dp_lost"): ["refunded"],
            Self.key("subscription", "sub_active"): ["past_due"], Self.key("subscription", "sub_late"): ["active"],
            Self.key("subscription", "sub_trial"): ["canceled"], Self.key("payment_link", "cs_open"): ["expired"],
            Self.key("invoice", "in_open"): ["paid"], Self.key("payment", "pi_later"): ["failed"],
        ], "\(third)")
        let count = setup.lines.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.lines.count == count, "and nothing again")
    }

    @Test func a429BurstIsWaitedOutAndStripeShouldRetryFalseIsNot() async throws {
        let setup = try Setup()
        setup.stripe.paymentIntent("pi_1", amount: 1_000)
        #expect(try await setup.run().exitCode == .success)
        setup.stripe.paymentIntent("pi_2", amount: 2_000)
        setup.stripe.throttle(times: 3, retryAfter: 2)
        let sleepsBefore = setup.clock.sleeps.count
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(Array(setup.clock.sleeps.dropFirst(sleepsBefore)) == [.seconds(2), .seconds(2), .seconds(2)], "Retry-After, exactly")
        #expect(setup.written[Self.key("payment", "pi_2")] == ["paid"])

        setup.stripe.throttle(times: 1, shouldRetry: false)
        let calls = setup.stripe.received.count
        let refused = try await setup.run()
        #expect(refused.exitCode != .success)
        #expect(setup.stripe.received.count == calls + 1, "Stripe-Should-Retry: false is not retried")
        #expect(refused.problems.contains { $0.message.contains("rate_limit") }, "\(refused.problems)")
    }

    @Test func aCursorOlderThanStripesThirtyDaysIsReListedAndNoChangeIsLost() async throws {
        let setup = try Setup()
        setup.stripe.invoice("in_1", number: "INV-1", amount: 10_000)
        setup.stripe.paymentIntent("pi_1", amount: 1_000)
        #expect(try await setup.run().exitCode == .success)
        // Paid the next day; paysync is not run again for 31 days: the event is gone from Stripe.
        setup.stripe.advance(seconds: 86_400)
        setup.stripe.payInvoice("in_1", amount: 10_000)
        setup.stripe.advance(seconds: 30 * 86_400)
        setup.stripe.paymentIntent("pi_2", amount: 2_000)
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.written[Self.key("invoice", "in_1")] == ["sent", "paid"], "the change no event shows any more still arrives")
        #expect(setup.written[Self.key("payment", "pi_2")] == ["paid"])
        #expect(setup.written[Self.key("payment", "pi_1")] == ["paid"], "and nothing else is written twice")
        let said = setup.logs.value.filter { $0.contains("older than Stripe keeps events") }
        #expect(said.count == 1, "said once: \(said)")
        #expect(setup.stripe.calls(to: "/v1/invoices") == 2, "re-listed")
        // Back on the feed.
        let calls = setup.stripe.received.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.stripe.received.count == calls + 1)
    }

    @Test func connectedAccountsAreReadWithStripeAccountAndKeptApart() async throws {
        let setup = try Setup(accounts: ["acct_1A", "acct_2B"], connected: ["acct_1A", "acct_2B"])
        setup.stripe.paymentIntent("pi_1Aone", amount: 1_000, account: "acct_1A")
        setup.stripe.paymentIntent("pi_2Btwo", amount: 2_000, account: "acct_2B")
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written == [Self.key("payment", "pi_1Aone", "acct_1A"): ["paid"], Self.key("payment", "pi_2Btwo", "acct_2B"): ["paid"]])
        #expect(setup.stripe.received.allSatisfy { $0.hasSuffix("[acct_1A]") || $0.hasSuffix("[acct_2B]") })
        // Each account is its own scope: the key reaches acct_2B's payment only with its header.
        setup.stripe.refund("re_1", of: "pi_2Btwo", amount: 2_000, account: "acct_2B")
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("payment", "pi_2Btwo", "acct_2B")] == ["paid", "refunded"])
        #expect(setup.written[Self.key("payment", "pi_1Aone", "acct_1A")] == ["paid"])
        #expect(setup.stripe.received.suffix(2).sorted() == setup.stripe.received.suffix(2).sorted().filter { $0.contains("/v1/events?") }, "one events call each")
    }

    @Test func aConnectedAccountTheKeyCannotReachIsReportedAndTheOthersAreRead() async throws {
        let setup = try Setup(accounts: ["self", "acct_9Z"])
        setup.stripe.paymentIntent("pi_1", amount: 1_000)
        let report = try await setup.run()
        #expect(report.exitCode == .authenticationFailed)
        #expect(report.problems.contains { $0.message.contains("account_invalid") && $0.message.contains("acct_9Z") }, "\(report.problems)")
        #expect(setup.written[Self.key("payment", "pi_1")] == ["paid"])
    }

    /// The connector page's HubSpot example (payments keyed to deals by a metadata value) is a
    /// valid sink, beside a Stripe source.
    @Test func theDocumentedHubSpotExampleIsAValidConfig() throws {
        let page = try String(contentsOfFile: Repository.path("docs/connectors/stripe.md"), encoding: .utf8)
        let blocks = page.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let sink = try #require(blocks.first { $0.contains("\"kind\": \"hubspot\"") })
        let source = try #require(blocks.first { $0.contains("\"kind\": \"stripe\"") })
        let configuration = try ConfigParser.parse("{\"ledger\": \"paysync.db\", \"sources\": [\(source)], \"sinks\": [\(sink)]}", file: "stripe.md", kinds: Registry.configKinds)
        #expect(configuration.sinks.first?.objects[.payment]?.key == [.metadata("crm_deal_id")])
    }

    @Test func aRevokedKeyStopsWithExit77AndNoSecretInTheError() async throws {
        let setup = try Setup()
        setup.stripe.paymentIntent("pi_1", amount: 1_000)
        let report = try await setup.run(variables: ["STRIPE_SECRET_KEY": "sk_test_revoked0000000000000000"])
        #expect(report.exitCode == .authenticationFailed, "\(report.problems)")
        #expect(report.problems.contains { $0.message.contains("Stripe refused the token") && $0.message.contains("restricted key") }, "\(report.problems)")
        #expect(!report.problems.contains { $0.message.contains("sk_test_revoked0000000000000000") })
        #expect(setup.stripe.received.count == 1, "asked once")
    }
}
