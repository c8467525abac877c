import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Worldpay end to end against the strict Payment Queries fake: new payments found by when they
/// were made and read by id for their events; pending ones read again until they settle; a late
/// refund of a paid payment found through the refund list and written once.
@Suite(.serialized) struct WorldpayEndToEndTests {
    final class Setup: Sendable {
        let worldpay: FakeWorldpayServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-worldpay")
        let configuration: Configuration

        init(extra: String = "") throws {
            let start = Timestamp(iso: "2025-11-03T09:00:00Z")!
            worldpay = try FakeWorldpayServer(now: start)
            clock = VirtualClock(start: start)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "worldpay", "kind": "worldpay", "username": {"env": "WP_USER"}, "password": {"env": "WP_PASS"},
                              "base_url": "\(worldpay.baseURL)"\(extra)}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}]}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run(password: String? = nil) async throws -> RunReport {
            clock.align(withFake: worldpay.now) { worldpay.advance(seconds: $0) }
            return try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(),
                                                 variables: ["WP_USER": worldpay.username, "WP_PASS": password ?? worldpay.password]))
        }

        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }
    }

    static func key(_ id: String) -> String { "worldpay:merchant:payment:\(id)" }

    @Test func newPaymentsAreReadByIdPendingOnesUntilTheySettleAndALateRefundReachesTheCRM() async throws {
        let setup = try Setup()
        let fake = setup.worldpay
        fake.payment("payAuthorised00000000000001", amount: 2500)
        fake.payment("paySale000000000000000000002", amount: 1, outcome: "sale")
        fake.payment("payRefused0000000000000000003", amount: 4000, outcome: "refused")
        fake.payment("payFailed00000000000000000004", amount: 4000, outcome: "failed")
        fake.payment("payCancelled000000000000000005", amount: 1500)
        fake.cancel("payCancelled000000000000000005")
        fake.payment("payPartRefund0000000000000006", amount: 9_999_999_999)
        fake.settle("payPartRefund0000000000000006")
        fake.refund("payPartRefund0000000000000006", amount: 100_000)
        fake.payment("payYen000000000000000000000007", amount: 1, currency: "JPY", outcome: "sale")
        fake.payment("paySettledLater0000000000008", amount: 9900)
        fake.payment("payNotYetReadable00000000009", amount: 700, outcome: "sale", hidden: true)
        fake.advance(seconds: 600)
        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(setup.written == [
            Self.key("payAuthorised00000000000001"): ["pending"],
            Self.key("paySale000000000000000000002"): ["paid"], Self.key("payRefused0000000000000000003"): ["failed"],
            Self.key("payFailed00000000000000000004"): ["failed"], Self.key("payCancelled000000000000000005"): ["voided"],
            Self.key("payPartRefund0000000000000006"): ["partially_refunded"], Self.key("payYen000000000000000000000007"): ["paid"],
            Self.key("paySettledLater0000000000008"): ["pending"], Self.key("payNotYetReadable00000000009"): ["pending"],
        ])

        // An hour on, nothing new: the new-payments list, the two refund lists, each pending
        // payment by id, and the part-refunded one the refund list names (a list cannot say
        // whether a second refund came); nothing written.
        fake.advance(seconds: 3600)
        var before = fake.received.count
        #expect(try await setup.run().exitCode == .success)
        let calls = Array(fake.received.dropFirst(before))
        #expect(calls.filter { $0.contains("?") }.count == 3, "\(calls)")
        #expect(calls.filter { $0.contains("receivedEvents=refundRequestSubmitted") }.count == 1)
        #expect(calls.filter { $0.contains("receivedEvents=reversalRequestSubmitted") }.count == 1)
        #expect(Set(calls.filter { !$0.contains("?") }) == ["GET /paymentQueries/payments/payAuthorised00000000000001",
                                                             "GET /paymentQueries/payments/paySettledLater0000000000008",
                                                             "GET /paymentQueries/payments/payNotYetReadable00000000009",
                                                             "GET /paymentQueries/payments/payPartRefund0000000000000006"], "\(calls)")
        #expect(setup.written.values.map(\.count).reduce(0, +) == 9)

        // The authorisation is settled, the unreadable one is published, a paid payment is
        // refunded in part a day later, the part-refunded one is refunded in full.
        fake.settle("payAuthorised00000000000001")
        fake.publish("payNotYetReadable00000000009")
        fake.refund("paySale000000000000000000002", amount: 1)
        fake.refund("payPartRefund0000000000000006")
        fake.advance(seconds: 86_400)
        before = fake.received.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("payAuthorised00000000000001")] == ["pending", "paid"])
        #expect(setup.written[Self.key("payNotYetReadable00000000009")] == ["pending", "paid"])
        #expect(setup.written[Self.key("paySale000000000000000000002")] == ["paid", "refunded"], "the late refund, found by the refund list")
        #expect(setup.written[Self.key("payPartRefund0000000000000006")] == ["partially_refunded", "refunded"])
        #expect(setup.written[Self.key("paySettledLater0000000000008")] == ["pending"])
        #expect(!fake.received.dropFirst(before).contains("GET /paymentQueries/payments/payYen000000000000000000000007"),
                "a paid payment no refund list names is not read again")

        // Settled: the same again writes nothing.
        let count = setup.written.values.map(\.count).reduce(0, +)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written.values.map(\.count).reduce(0, +) == count)
    }

    @Test func aLongWindowIsPagedByNextLinksAndEveryPaymentReadOnce() async throws {
        let setup = try Setup()
        for index in 0..<650 { setup.worldpay.payment("pay" + String(format: "%024d", index), amount: 100, outcome: "sale") }
        setup.worldpay.advance(seconds: 600)
        #expect(try await setup.run().exitCode == .success)
        let lists = setup.worldpay.received.filter { $0.contains("/paymentQueries/payments?") && !$0.contains("receivedEvents") }
        #expect(lists.count == 3, "300 a page: \(lists)")
        #expect(lists.dropFirst().allSatisfy { $0.contains("paymentId=") }, "keyset next links, followed as given")
        #expect(setup.written.count == 650 && setup.written.values.allSatisfy { $0 == ["paid"] })
        #expect(setup.worldpay.received.filter { !$0.contains("?") }.count == 650, "each read by id once")
        // Later payments only: the window starts where the last one ended.
        setup.worldpay.payment("payLater000000000000000000001", amount: 100, outcome: "sale")
        setup.worldpay.advance(seconds: 600)
        let before = setup.worldpay.received.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.worldpay.received.dropFirst(before).filter { !$0.contains("?") } == ["GET /paymentQueries/payments/payLater000000000000000000001"])
        #expect(setup.written.count == 651)
    }

    @Test func aStartDateBeyondTheYearIsCutToItNotRefused() async throws {
        let setup = try Setup(extra: #", "start_date": "2023-01-01""#)
        setup.worldpay.payment("payInsideTheYear000000000001", amount: 100, outcome: "sale")
        setup.worldpay.advance(seconds: 600)
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.written[Self.key("payInsideTheYear000000000001")] == ["paid"])
        let first = try #require(setup.worldpay.received.first { $0.contains("startDate=") })
        #expect(!first.contains("startDate=2023"), "\(first)")
    }

    @Test func a429AndA503AreWaitedOutAndNothingIsLost() async throws {
        let setup = try Setup()
        setup.worldpay.payment("payThrottled00000000000000001", amount: 1200, outcome: "sale")
        setup.worldpay.advance(seconds: 600)
        setup.worldpay.inject(.json(429, #"{"errorName":"tooManyRequests","message":"Too many requests"}"#, headers: ["Retry-After": "4"]))
        setup.worldpay.inject(.json(503, #"{"errorName":"serviceUnavailable","message":"Service unavailable"}"#))
        let started = setup.clock.environment.now()
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.written[Self.key("payThrottled00000000000000001")] == ["paid"])
        #expect(setup.clock.environment.now().millisecondsSinceEpoch - started.millisecondsSinceEpoch >= 4_000, "Retry-After honoured")
    }

    @Test func refusedCredentialsAreExit77InWorldpaysWords() async throws {
        let setup = try Setup()
        let report = try await setup.run(password: "notTheRightOne9")
        #expect(report.exitCode == .authenticationFailed)
        #expect(report.problems.contains { $0.message.contains("accessDenied") && $0.message.contains("password") }, "\(report.problems)")
    }
}
