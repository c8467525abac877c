import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Braintree end to end against the strict GraphQL fake: one search per status-transition
/// timestamp since the cursor, disputes apart by effective date, windows split when a search
/// reaches Braintree's cap; refunds and chargebacks move their transactions.
@Suite(.serialized) struct BraintreeEndToEndTests {
    final class Setup: Sendable {
        let fake: FakeBraintreeServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-braintree")
        let configuration: Configuration

        init(windowHours: Int = 24, cap: Int = 20_000) throws {
            fake = try FakeBraintreeServer()
            fake.setCap(cap)
            clock = VirtualClock(start: Timestamp(iso: "2025-05-10T12:00:00Z")!)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "bt", "kind": "braintree", "public_key": {"env": "BT_PUBLIC"}, "private_key": {"env": "BT_PRIVATE"},
                              "url": "\(fake.url)", "start_date": "2025-05-07", "window_hours": \(windowHours), "result_cap": \(cap)}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}]}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run(privateKey: String? = nil) async throws -> RunReport {
            try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(),
                                                 variables: ["BT_PUBLIC": fake.publicKey, "BT_PRIVATE": privateKey ?? fake.privateKey]))
        }

        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }

        func at(_ day: Int, _ hour: Int) -> Timestamp { Timestamp(iso: String(format: "2025-05-%02dT%02d:00:00Z", day, hour))! }
    }

    static func key(_ kind: String, _ id: String) -> String { "braintree:merchant:\(kind):\(id)" }

    @Test func firstSyncMapsEveryStatusAndRefundsAndDisputesMoveTheirTransactions() async throws {
        let setup = try Setup()
        let fake = setup.fake
        fake.transaction("dHJhbnNhY3Rpb25fMQ", amount: "125.50", orderId: "INV-1", at: setup.at(8, 9))
        fake.move("dHJhbnNhY3Rpb25fMQ", to: "SUBMITTED_FOR_SETTLEMENT", at: setup.at(8, 10))
        fake.move("dHJhbnNhY3Rpb25fMQ", to: "SETTLED", at: setup.at(9, 4))
        fake.transaction("dHJhbnNhY3Rpb25fMg", amount: "0.01", status: "PROCESSOR_DECLINED", at: setup.at(8, 11))  // a failed card
        fake.transaction("dHJhbnNhY3Rpb25fMw", amount: "40.00", at: setup.at(8, 12))
        fake.move("dHJhbnNhY3Rpb25fMw", to: "VOIDED", at: setup.at(8, 13))
        fake.transaction("dHJhbnNhY3Rpb25fNA", amount: "99999999.99", orderId: "INV-4", status: "SUBMITTED_FOR_SETTLEMENT", at: setup.at(9, 9))
        fake.move("dHJhbnNhY3Rpb25fNA", to: "SETTLED", at: setup.at(10, 4))
        fake.refund("cmVmdW5kXzQ", of: "dHJhbnNhY3Rpb25fNA", amount: "1000.00", at: setup.at(10, 8))  // partial, not yet settled
        fake.transaction("dHJhbnNhY3Rpb25fNQ", amount: "80.00", status: "SETTLED", at: setup.at(8, 14))
        fake.refund("cmVmdW5kXzU", of: "dHJhbnNhY3Rpb25fNQ", amount: "80.00", at: setup.at(9, 8))
        fake.move("cmVmdW5kXzU", to: "SETTLED", at: setup.at(10, 4))  // full
        fake.transaction("dHJhbnNhY3Rpb25fNg", amount: "30.00", status: "SETTLED", at: setup.at(8, 15))
        fake.dispute("ZGlzcHV0ZV82", of: "dHJhbnNhY3Rpb25fNg", amount: "30.00", at: setup.at(9, 16))
        fake.transaction("dHJhbnNhY3Rpb25fNw", amount: "12.00", at: setup.at(10, 9))  // authorised only

        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(setup.written == [
            Self.key("payment", "dHJhbnNhY3Rpb25fMQ"): ["paid"], Self.key("payment", "dHJhbnNhY3Rpb25fMg"): ["failed"],
            Self.key("payment", "dHJhbnNhY3Rpb25fMw"): ["voided"], Self.key("payment", "dHJhbnNhY3Rpb25fNA"): ["paid"],
            Self.key("refund", "cmVmdW5kXzQ"): ["pending"], Self.key("payment", "dHJhbnNhY3Rpb25fNQ"): ["refunded"],
            Self.key("refund", "cmVmdW5kXzU"): ["refunded"], Self.key("payment", "dHJhbnNhY3Rpb25fNg"): ["disputed"],
            Self.key("dispute", "ZGlzcHV0ZV82"): ["disputed"], Self.key("payment", "dHJhbnNhY3Rpb25fNw"): ["pending"],
        ])
        // Three days from the start date in 24-hour windows (4 of them, the last partial): five
        // searches each for transactions and refunds, one per window for disputes.
        #expect(setup.fake.received.filter { $0.hasPrefix("transactions") }.count == 4 * 5)
        #expect(setup.fake.received.filter { $0.hasPrefix("disputes") }.count == 4)
    }

    @Test func aQuietRerunIsOneSearchPerTimestampAndLaterMovesArrive() async throws {
        let setup = try Setup()
        let fake = setup.fake
        fake.transaction("dHgx", amount: "50.00", orderId: "INV-10", at: setup.at(10, 9))
        fake.transaction("dHgy", amount: "70.00", orderId: "INV-11", status: "SETTLED", at: setup.at(9, 9))
        #expect(try await setup.run().exitCode == .success)
        setup.clock.advance(by: .seconds(300))
        fake.clearReceived()
        #expect(try await setup.run().exitCode == .success)
        #expect(fake.received == ["transactions createdAt", "transactions submittedForSettlementAt", "transactions settledAt", "transactions voidedAt",
                                  "transactions failedAt", "refunds createdAt", "refunds submittedForSettlementAt", "refunds settledAt", "refunds voidedAt",
                                  "refunds failedAt", "disputes effectiveDate"], "the fewest calls: each timestamp once")

        // The night settles the first; a chargeback on the second comes a day later and is won.
        setup.clock.advance(by: .seconds(86_400))
        fake.move("dHgx", to: "SUBMITTED_FOR_SETTLEMENT", at: setup.clock.environment.now().adding(seconds: -7_200))
        fake.move("dHgx", to: "SETTLED", at: setup.clock.environment.now().adding(seconds: -3_600))
        fake.dispute("ZHB0", of: "dHgy", amount: "70.00", at: setup.clock.environment.now().adding(seconds: -1_800))
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("payment", "dHgx")] == ["pending", "paid"])
        #expect(setup.written[Self.key("payment", "dHgy")] == ["paid", "disputed"])
        setup.clock.advance(by: .seconds(86_400))
        fake.move("ZHB0", to: "WON", at: setup.clock.environment.now().adding(seconds: -600))
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("payment", "dHgy")] == ["paid", "disputed", "paid"])
    }

    @Test func aWindowThatReachesTheResultCapIsSplitAndNothingIsCutOff() async throws {
        let setup = try Setup(windowHours: 96, cap: 40)
        for index in 0..<100 {
            setup.fake.transaction("bulk\(index)", amount: "1.00", status: "SETTLED", at: setup.at(7, 1).adding(seconds: Double(index) * 3_000))
        }
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.written.count == 100)  // every one, though one search shows at most 40
    }

    @Test func aWrongKeyIsExit77InBraintreesWords() async throws {
        let setup = try Setup()
        let report = try await setup.run(privateKey: "s3cr3t-not-the-private-key")
        #expect(report.exitCode == .authenticationFailed)
        let problem = try #require(report.problems.first)
        #expect(problem.message.contains("Authentication credentials are invalid"), "\(problem.message)")
        #expect(!problem.message.contains("s3cr3t-not-the-private-key") && !problem.message.contains("\n"))
    }
}
