import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// GoCardless end to end against the strict fake: a first sync by the lists, one call when nothing
/// changed, each change read from the events with its resource's current state (one include read
/// per resource type that changed), late failures and chargebacks after `confirmed`, refunds
/// moving their payment when paid, 429s waited out until RateLimit-Reset, and a cursor older
/// than the 18 months of events re-listed.
@Suite(.serialized) struct GoCardlessEndToEndTests {
    final class Setup: Sendable {
        let gocardless: FakeGoCardlessServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-gocardless")
        let configuration: Configuration
        let logs = Locked<[String]>([])

        init() throws {
            let start = Timestamp(iso: "2025-05-01T09:00:00Z")!
            gocardless = try FakeGoCardlessServer(now: start)
            clock = VirtualClock(start: start)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "gocardless", "kind": "gocardless", "access_token": {"env": "GOCARDLESS_TOKEN"}, "base_url": "\(gocardless.baseURL)"}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}],
                 "http": {"max_retry_seconds": 60}}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func align() {
            clock.align(withFake: gocardless.now) { gocardless.advance(seconds: $0) }
        }

        func run() async throws -> RunReport {
            align()
            let logs = self.logs
            let report = try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: Logger(minimumLevel: .info, write: { line in logs.withLock { $0.append(line) } }),
                                                 transport: URLSessionTransport(), variables: ["GOCARDLESS_TOKEN": gocardless.token]))
            align()
            return report
        }

        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }
    }

    static func key(_ kind: String, _ id: String) -> String { "gocardless:merchant:\(kind):\(id)" }

    @Test func firstSyncThenOneCallThenEachChangeOnce() async throws {
        let setup = try Setup()
        let fake = setup.gocardless
        fake.payment("PM01", amount: 2_500)
        fake.payment("PM02", amount: 2_500)
        fake.setPayment("PM02", status: "confirmed")
        fake.payment("PM03", amount: 1, reference: "tiny")
        fake.setPayment("PM03", status: "confirmed")
        fake.payment("PM04", amount: 9_999_999_999)
        fake.setPayment("PM04", status: "paid_out")
        fake.payment("PM05", amount: 1_000)
        fake.setPayment("PM05", status: "failed", cause: "insufficient_funds")
        fake.subscription("SB01", amount: 2_500)
        fake.mandate("MD01")
        fake.setMandate("MD01", status: "active")
        fake.payoutEvent()
        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(setup.written == [
            Self.key("payment", "PM01"): ["pending"], Self.key("payment", "PM02"): ["paid"], Self.key("payment", "PM03"): ["paid"],
            Self.key("payment", "PM04"): ["paid"], Self.key("payment", "PM05"): ["failed"], Self.key("subscription", "SB01"): ["active"],
            Self.key("mandate", "MD01"): ["active"],
        ])
        #expect(fake.received.allSatisfy { !$0.contains("/events") }, "a first sync lists the resources")

        // The next run reads the first sync's last events again in its overlap (and their
        // resources, one include read per type); after that, nothing changed is one call.
        fake.advance(seconds: 600)
        #expect(try await setup.run().exitCode == .success)
        fake.advance(seconds: 600)
        var before = fake.received.count
        #expect(try await setup.run().exitCode == .success)
        #expect(fake.received.count == before + 1 && fake.received.last?.hasPrefix("GET /events?limit=500&created_at%5Bgt%5D=") == true, "\(fake.received.suffix(3))")
        #expect(setup.written.values.map(\.count).reduce(0, +) == 7)

        // Collected; a late failure and a chargeback after confirmed; a refund created, then paid;
        // a subscription cancelled. Mandate news is not ours.
        fake.setPayment("PM01", status: "confirmed")
        fake.setPayment("PM02", status: "failed", cause: "insufficient_funds")
        fake.setPayment("PM03", status: "charged_back")
        fake.refund("RF01", of: "PM04", amount: 4_999_999_999)
        fake.setSubscription("SB01", status: "cancelled")
        fake.setMandate("MD01", status: "cancelled")
        fake.payoutEvent()
        before = fake.received.count
        #expect(try await setup.run().exitCode == .success)
        let calls = fake.received.dropFirst(before)
        #expect(calls.count == 5, "the events, then one include read for each of payments, refunds, subscriptions, mandates: \(Array(calls))")
        #expect(calls.contains { $0.contains("resource_type=payments&include=payment") })
        #expect(setup.written[Self.key("payment", "PM01")] == ["pending", "paid"])
        #expect(setup.written[Self.key("payment", "PM02")] == ["paid", "failed"], "a Direct Debit can fail after confirmed")
        #expect(setup.written[Self.key("payment", "PM03")] == ["paid", "disputed"])
        #expect(setup.written[Self.key("refund", "RF01")] == ["pending"])
        #expect(setup.written[Self.key("payment", "PM04")] == ["paid"], "a refund not yet paid moves nothing")
        #expect(setup.written[Self.key("subscription", "SB01")] == ["active", "canceled"])
        #expect(setup.written[Self.key("mandate", "MD01")] == ["active", "canceled"], "no more collections from this customer")

        fake.setRefund("RF01", status: "paid")
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("refund", "RF01")] == ["pending", "refunded"])
        #expect(setup.written[Self.key("payment", "PM04")] == ["paid", "partially_refunded"])
        let count = setup.written.values.map(\.count).reduce(0, +)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written.values.map(\.count).reduce(0, +) == count, "and nothing twice")
    }

    @Test func a429IsWaitedOutUntilRateLimitReset() async throws {
        let setup = try Setup()
        setup.gocardless.payment("PM01", amount: 100)
        #expect(try await setup.run().exitCode == .success)
        setup.gocardless.setPayment("PM01", status: "confirmed")
        setup.gocardless.throttle(times: 2, resetInSeconds: 3)
        let sleeps = setup.clock.sleeps.count
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        let waits = Array(setup.clock.sleeps.dropFirst(sleeps))
        // Until RateLimit-Reset (whole seconds, an HTTP date), not a guess: the second 429 comes
        // after the reset and waits no more.
        #expect(waits.count == 2 && waits[0] >= .seconds(2) && waits[0] <= .seconds(3) && waits[1] <= .seconds(1), "\(waits)")
        #expect(setup.written[Self.key("payment", "PM01")] == ["pending", "paid"])
    }

    @Test func aCursorOlderThanEighteenMonthsIsReListed() async throws {
        let setup = try Setup()
        setup.gocardless.payment("PM01", amount: 100)
        #expect(try await setup.run().exitCode == .success)
        setup.gocardless.setPayment("PM01", status: "confirmed")
        setup.gocardless.advance(seconds: 550 * 86_400)
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.written[Self.key("payment", "PM01")] == ["pending", "paid"])
        #expect(setup.logs.value.filter { $0.contains("older than GoCardless keeps events") }.count == 1)
        #expect(setup.gocardless.received.last?.contains("/mandates?") == true, "re-listed")
    }

    @Test func aRevokedTokenStopsWithExit77InGoCardlessWords() async throws {
        let setup = try Setup()
        setup.gocardless.inject(.json(401, FakeGoCardlessServer.errorBody(type: "invalid_api_usage", code: 401, reason: "authentication_failed", message: "Invalid token")))
        let report = try await setup.run()
        #expect(report.exitCode == .authenticationFailed)
        #expect(report.problems.contains { $0.message.contains("authentication_failed: Invalid token") && $0.message.contains("access token") }, "\(report.problems)")
        #expect(!report.problems.contains { $0.message.contains(setup.gocardless.token) })
    }
}
