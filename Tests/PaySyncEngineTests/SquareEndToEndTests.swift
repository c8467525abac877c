import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Square end to end against the strict fake: every location, payments and refunds from their
/// cursor sorted by update time with `begin_time` far back (a payment more than a year old that
/// is refunded today still arrives), invoices and disputes re-listed each run, OAuth tokens
/// refreshed a week before their 30 days end and rotated refresh tokens kept.
@Suite(.serialized) struct SquareEndToEndTests {
    final class Setup: Sendable {
        let square: FakeSquareServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-square")
        let configuration: Configuration

        init(oauth: Bool = false, rotates: Bool = false) throws {
            let start = Timestamp(iso: "2025-05-01T09:00:00Z")!
            square = try FakeSquareServer(locations: ["L1MAIN", "L2CAFE"], now: start, rotates: rotates)
            clock = VirtualClock(start: start)
            let credentials = oauth
                ? #""client_id": {"env": "SQ_CLIENT_ID"}, "client_secret": {"env": "SQ_CLIENT_SECRET"}, "refresh_token": {"env": "SQ_REFRESH_TOKEN"}"#
                : #""access_token": {"env": "SQ_TOKEN"}"#
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "square", "kind": "square", \(credentials), "base_url": "\(square.baseURL)"}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}],
                 "http": {"max_retry_seconds": 120}}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run() async throws -> RunReport {
            clock.align(withFake: square.now) { square.advance(seconds: $0) }
            return try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(), variables: [
                    "SQ_TOKEN": square.personalToken, "SQ_CLIENT_ID": square.clientID, "SQ_CLIENT_SECRET": square.clientSecret, "SQ_REFRESH_TOKEN": "EQAAlFakeRefresh0",
                ]))
        }

        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }
    }

    static func key(_ location: String, _ kind: String, _ id: String) -> String { "square:\(location):\(kind):\(id)" }

    static func load(_ square: FakeSquareServer) {
        square.payment("PAY-OLD", location: "L1MAIN", amount: 9_999_999_999, ageDays: 400)
        square.payment("PAY-1", location: "L1MAIN", amount: 1_250)
        square.payment("PAY-2", location: "L1MAIN", amount: 1, status: "FAILED")
        square.payment("PAY-3", location: "L2CAFE", amount: 500, status: "APPROVED")
        square.payment("PAY-4", location: "L2CAFE", amount: 2_000)
        square.refund("REF-4", of: "PAY-4", amount: 500)
        square.payment("PAY-5", location: "L2CAFE", amount: 3_000)
        square.dispute("DSP-5", of: "PAY-5", amount: 3_000)
        square.invoice("inv:0-A", location: "L1MAIN", number: "SQ-1", amount: 10_000)
        square.invoice("inv:0-B", location: "L1MAIN", number: "SQ-2", amount: 10_000)
        square.payInvoice("inv:0-B", amount: 4_000)
        square.invoice("inv:0-C", location: "L2CAFE", number: "SQ-3", amount: 5_000, status: "DRAFT")
    }

    @Test func everyLocationFirstThenOnlyWhatChangedIncludingAPaymentMoreThanAYearOld() async throws {
        let setup = try Setup()
        Self.load(setup.square)
        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(setup.written == [
            Self.key("L1MAIN", "payment", "PAY-OLD"): ["paid"], Self.key("L1MAIN", "payment", "PAY-1"): ["paid"], Self.key("L1MAIN", "payment", "PAY-2"): ["failed"],
            Self.key("L2CAFE", "payment", "PAY-3"): ["pending"], Self.key("L2CAFE", "payment", "PAY-4"): ["partially_refunded"],
            Self.key("L2CAFE", "refund", "REF-4"): ["refunded"], Self.key("L2CAFE", "payment", "PAY-5"): ["disputed"],
            Self.key("L2CAFE", "dispute", "DSP-5"): ["disputed"], Self.key("L1MAIN", "invoice", "inv:0-A"): ["sent"],
            Self.key("L1MAIN", "invoice", "inv:0-B"): ["partially_paid"], Self.key("L2CAFE", "invoice", "inv:0-C"): ["draft"],
        ])
        let payments = setup.square.received.filter { $0.hasPrefix("GET /v2/payments") }
        #expect(payments.count == 2 && payments.allSatisfy { $0.contains("begin_time=1970-01-01T00%3A00%3A00Z") && $0.contains("sort_field=UPDATED_AT&sort_order=ASC") })

        // Nothing changed: locations, then per location payments, refunds, invoices, disputes.
        var before = setup.square.received.count
        setup.square.advance(seconds: 600)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.square.received.count == before + 9, "\(setup.square.received.suffix(9))")
        #expect(setup.written.values.map(\.count).reduce(0, +) == 11, "a rerun writes nothing")

        // The payment from 400 days ago is refunded in full today; an invoice is paid, another
        // cancelled; the dispute is won; a failed payment is retried and completes.
        setup.square.refund("REF-OLD", of: "PAY-OLD", amount: 9_999_999_999)
        setup.square.payInvoice("inv:0-B", amount: 6_000)
        setup.square.setInvoice("inv:0-A", status: "CANCELED")
        setup.square.setDispute("DSP-5", state: "WON")
        setup.square.setPayment("PAY-2", status: "COMPLETED")
        setup.square.advance(seconds: 60)
        before = setup.square.received.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("L1MAIN", "payment", "PAY-OLD")] == ["paid", "refunded"], "the one-year default range would have hidden it")
        #expect(setup.written[Self.key("L1MAIN", "refund", "REF-OLD")] == ["refunded"])
        #expect(setup.written[Self.key("L1MAIN", "invoice", "inv:0-B")] == ["partially_paid", "paid"])
        #expect(setup.written[Self.key("L1MAIN", "invoice", "inv:0-A")] == ["sent", "voided"])
        #expect(setup.written[Self.key("L2CAFE", "dispute", "DSP-5")] == ["disputed", "paid"])
        #expect(setup.written[Self.key("L2CAFE", "payment", "PAY-5")] == ["disputed", "paid"], "won: back to paid")
        #expect(setup.written[Self.key("L1MAIN", "payment", "PAY-2")] == ["failed", "paid"])
        #expect(setup.written.values.map(\.count).reduce(0, +) == 18, "exactly those seven")
        #expect(setup.square.received.dropFirst(before).filter { $0.contains("updated_at_begin_time=") }.count == 4, "payments and refunds from their cursors, in both locations (one had no refunds yet)")
    }

    @Test func refundsOfManyPaymentsEachReachTheCRMWithTheirPayment() async throws {
        let setup = try Setup()
        for index in 0..<200 {
            setup.square.payment("PB\(index)", location: index % 2 == 0 ? "L1MAIN" : "L2CAFE", amount: 1_000)
            setup.square.advance(seconds: 59)
        }
        #expect(try await setup.run().exitCode == .success)
        setup.square.advance(seconds: 600)
        for index in stride(from: 7, to: 200, by: 20) { setup.square.refund("RL\(index)", of: "PB\(index)", amount: 100) }
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        let changed = setup.written.filter { $0.value.count > 1 || $0.key.contains(":refund:") }
        #expect(changed.count == 20, "ten refunds and their ten payments: \(changed.keys.sorted())")
        #expect(changed.values.allSatisfy { $0.last == "partially_refunded" || $0.last == "refunded" })
    }

    @Test func oauthTokensAreRefreshedAWeekBeforeTheyExpireAndRotationIsKept() async throws {
        let setup = try Setup(oauth: true, rotates: true)
        setup.square.payment("PAY-1", location: "L1MAIN", amount: 100)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.square.refreshes == 1)
        // A day later: the 30-day token is still good; no refresh.
        setup.clock.advance(by: .seconds(86_400))
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.square.refreshes == 1)
        // 24 days on, fewer than 7 remain: refreshed ahead of time, with the rotated refresh token
        // the first refresh stored (the configured one is spent).
        setup.clock.advance(by: .seconds(23 * 86_400))
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.square.refreshes == 2)
        #expect(setup.square.currentRefreshToken == "EQAAlFakeRefresh2")
        let tokenCalls = setup.square.received.filter { $0.hasPrefix("POST /oauth2/token") }
        #expect(tokenCalls.count == 2)
    }

    @Test func rateLimitedIsRetried() async throws {
        let setup = try Setup()
        setup.square.payment("PAY-1", location: "L1MAIN", amount: 100)
        setup.square.throttle(times: 2)
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.written[Self.key("L1MAIN", "payment", "PAY-1")] == ["paid"])
        #expect(report.providerThrottles == 2)
    }

    @Test func aRevokedTokenIsExit77InSquaresWords() async throws {
        let setup = try Setup()
        setup.square.inject(.json(401, FakeSquareServer.errors("AUTHENTICATION_ERROR", "ACCESS_TOKEN_REVOKED", "The access token has been revoked.")))
        let report = try await setup.run()
        #expect(report.exitCode == .authenticationFailed)
        #expect(report.problems.contains { $0.message.contains("ACCESS_TOKEN_REVOKED") && $0.message.contains("personal access token") }, "\(report.problems)")
    }
}
