import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// A Slack route (`"kind": "slack"`) beside a Stripe source: nothing for the history a first sync
/// imports, one message per transition it names after that and none again, a digest when a batch
/// has many, Slack's 429 waited out, a removed webhook keeping the messages queued (exit 77), and
/// the webhook's secret URL in no log or error.
@Suite(.serialized) struct SlackRouteTests {
    final class Setup: Sendable {
        let stripe: FakeStripeServer
        let slack: FakeSlackWebhook
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-slack")
        let configuration: Configuration
        let logs = Locked<[String]>([])

        init() throws {
            let start = Timestamp(iso: "2025-05-01T09:00:00Z")!
            stripe = try FakeStripeServer(now: start)
            slack = try FakeSlackWebhook()
            clock = VirtualClock(start: start)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "stripe", "kind": "stripe", "secret_key": {"env": "STRIPE_SECRET_KEY"}, "base_url": "\(stripe.baseURL)"}],
                 "sinks": [{"name": "team", "kind": "slack", "webhook_url": {"env": "SLACK_WEBHOOK_URL"}, "digest_after": 3,
                            "objects": {"payment": {"messages": {
                              "paid": "{customer_email} paid {amount_total} {currency}",
                              "failed": "Payment failed: {amount_total} {currency} ({provider_status})"}}}}],
                 "http": {"max_retry_seconds": 60}}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run() async throws -> RunReport {
            clock.align(withFake: stripe.now) { stripe.advance(seconds: $0) }
            let logs = self.logs
            return try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: Logger(minimumLevel: .debug, write: { line in logs.withLock { $0.append(line) } }),
                                                 transport: URLSessionTransport(), variables: ["STRIPE_SECRET_KEY": stripe.key, "SLACK_WEBHOOK_URL": slack.url]))
        }
    }

    @Test func oneMessagePerTransitionNamedNoneForHistoryAndADigestForMany() async throws {
        let setup = try Setup()
        for index in 0..<5 { setup.stripe.paymentIntent("pi_old\(index)", amount: 1_000, email: "old\(index)@example.com") }
        setup.stripe.paymentIntent("pi_old_failed", amount: 1_000, declineCode: "insufficient_funds")
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.slack.messages.isEmpty, "a first sync imports history; it announces nothing")

        setup.stripe.paymentIntent("pi_new1", amount: 4_900, email: "ops@initech.example")
        setup.stripe.paymentIntent("pi_new2", amount: 12_000, declineCode: "insufficient_funds")
        setup.stripe.paymentIntent("pi_new3", amount: 7_500, status: "processing")
        let second = try await setup.run()
        #expect(second.exitCode == .success, "\(second.problems)")
        #expect(setup.slack.messages.sorted() == ["Payment failed: 120.00 USD (requires_payment_method (insufficient_funds))", "ops@initech.example paid 49.00 USD"],
                "\(setup.slack.messages)")

        #expect(try await setup.run().exitCode == .success)
        #expect(setup.slack.messages.count == 2, "none again")

        // The processing payment succeeds, and five more pay: one digest, not six posts.
        setup.stripe.setPaymentIntent("pi_new3", status: "succeeded")
        for index in 0..<5 { setup.stripe.paymentIntent("pi_batch\(index)", amount: 1_000, email: "new\(index)@example.com") }
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.slack.messages.count == 3)
        let digest = try #require(setup.slack.messages.last)
        #expect(digest.hasPrefix("6 payment updates:\n• ") && digest.hasSuffix("…and 3 more") && digest.split(separator: "\n").count == 5, "\(digest)")
    }

    @Test func slacks429IsWaitedOutAndARemovedWebhookKeepsTheMessagesQueued() async throws {
        let setup = try Setup()
        _ = try await setup.run()
        setup.stripe.paymentIntent("pi_1", amount: 100, email: "a@example.com")
        setup.slack.throttleNext(1)
        let sleeps = setup.clock.sleeps.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.slack.messages == ["a@example.com paid 1.00 USD"])
        #expect(setup.clock.sleeps.dropFirst(sleeps).contains(.seconds(2)), "Slack's Retry-After")

        setup.slack.revoke()
        setup.stripe.paymentIntent("pi_2", amount: 200, email: "b@example.com")
        let report = try await setup.run()
        #expect(report.exitCode == .authenticationFailed, "\(report.problems)")
        #expect(report.problems.contains { $0.message.contains("no_service") && $0.message.contains("create a new incoming webhook") })
        #expect(report.pendingAfter == 2, "the transition's rows (its status and its message) wait for a working webhook")
        let secret = "fake0secret0part"
        #expect(!setup.logs.value.contains { $0.contains(secret) } && !report.problems.contains { $0.message.contains(secret) }, "the webhook URL is a secret")
    }

    @Test func aMessageTemplateNamingNoFieldIsAConfigErrorWithItsPath() throws {
        let text = """
            {"sources": [{"name": "s", "kind": "stripe", "secret_key": {"env": "K"}}],
             "sinks": [{"kind": "slack", "webhook_url": {"env": "W"}, "objects": {"payment": {"messages": {"paid": "{customer_emial} paid", "payd": "x"}}}}]}
            """
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds) }
        let issues = (error?.issues ?? []).map { "\($0.path): \($0.message)" }
        #expect(issues.contains { $0.hasPrefix("sinks[0].objects.payment.messages.paid: placeholder {customer_emial} is not a field; did you mean \"customer_email\"") }, "\(issues)")
        #expect(issues.contains { $0.hasPrefix("sinks[0].objects.payment.messages.payd: is not a status; did you mean \"paid\"") }, "\(issues)")
    }
}
