import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Authorize.Net end to end against the strict fake: settled batches since the cursor (31 days a
/// request) and the unsettled list each run; refunds and chargebacks move the payment they name
/// in their details; the byte-order mark and HTTP-200 refusals handled.
@Suite(.serialized) struct AuthorizeNetEndToEndTests {
    final class Setup: Sendable {
        let fake: FakeAuthorizeNetServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-authnet")
        let configuration: Configuration

        init() throws {
            fake = try FakeAuthorizeNetServer()
            clock = VirtualClock(start: Timestamp(iso: "2025-05-10T12:00:00Z")!)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "authnet", "kind": "authorize-net", "api_login_id": {"env": "ANET_LOGIN"}, "transaction_key": {"env": "ANET_KEY"},
                              "url": "\(fake.url)", "start_date": "2025-04-01"}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}]}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run(key: String? = nil) async throws -> RunReport {
            try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(),
                                                 variables: ["ANET_LOGIN": fake.login, "ANET_KEY": key ?? fake.transactionKey]))
        }

        /// The statuses written per object key, in order.
        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }

        func at(_ day: Int, _ hour: Int = 10) -> Timestamp { Timestamp(iso: String(format: "2025-05-%02dT%02d:00:00Z", day, hour))! }
    }

    static func key(_ kind: String, _ id: String) -> String { "authorize-net:merchant:\(kind):\(id)" }

    @Test func firstSyncMapsEveryStatusAndRefundsAndChargebacksMoveTheirPayments() async throws {
        let setup = try Setup()
        let fake = setup.fake
        // The guide's list: a failed card, full and partial refunds, a chargeback, tiny and huge amounts.
        fake.submit("60001", amount: "125.50", invoice: "INV-1", at: setup.at(1))
        fake.submit("60002", amount: "0.01", status: "declined", at: setup.at(1))
        fake.submit("60003", amount: "40.00", status: "voided", at: setup.at(1))
        fake.submit("60004", amount: "999999.99", invoice: "INV-4", at: setup.at(1))
        fake.submit("60005", amount: "80.00", invoice: "INV-5", at: setup.at(1))
        fake.submit("60006", amount: "60.00", invoice: "INV-6", at: setup.at(1))
        fake.submit("60007", amount: "30.00", invoice: "INV-7", at: setup.at(1))
        fake.settleBatch(at: setup.at(2, 4))
        fake.submit("70005", amount: "80.00", status: "refundPendingSettlement", at: setup.at(3), refTransID: "60005")
        fake.submit("70006", amount: "15.00", status: "refundPendingSettlement", at: setup.at(3), refTransID: "60006")
        fake.settleBatch(at: setup.at(4, 4))
        fake.chargeback("80007", of: "60007", amount: "30.00", at: setup.at(6, 4))
        fake.submit("60008", amount: "12.00", at: setup.at(9))  // captured, not yet settled
        fake.submit("60009", amount: "9.00", status: "FDSPendingReview", at: setup.at(9))

        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(setup.written == [
            Self.key("payment", "60001"): ["paid"], Self.key("payment", "60002"): ["failed"], Self.key("payment", "60003"): ["voided"],
            Self.key("payment", "60004"): ["paid"], Self.key("payment", "60005"): ["refunded"], Self.key("payment", "60006"): ["partially_refunded"],
            Self.key("payment", "60007"): ["disputed"], Self.key("payment", "60008"): ["pending"], Self.key("payment", "60009"): ["pending"],
            Self.key("refund", "70005"): ["refunded"], Self.key("refund", "70006"): ["refunded"], Self.key("dispute", "80007"): ["disputed"],
        ])
        // 2025-04-01 to 2025-05-10 is 39 days: two settled-batch windows. Four batches' lists, the
        // unsettled list, and one details call per refund or chargeback.
        #expect(fake.received.filter { $0 == "getSettledBatchListRequest" }.count == 2)
        #expect(fake.received.filter { $0 == "getTransactionListRequest" }.count == 3)
        #expect(fake.received.filter { $0 == "getUnsettledTransactionListRequest" }.count == 1)
        #expect(fake.received.filter { $0 == "getTransactionDetailsRequest" }.count == 3)
    }

    @Test func aQuietRerunIsTwoCallsAndASettlementAndALateChargebackArrive() async throws {
        let setup = try Setup()
        let fake = setup.fake
        fake.submit("61001", amount: "50.00", invoice: "INV-10", at: setup.at(9))
        fake.submit("61002", amount: "70.00", invoice: "INV-11", at: setup.at(8))
        fake.settleBatch(at: setup.at(9, 4))
        fake.submit("61001-b", amount: "20.00", at: setup.at(10, 9))
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("payment", "61001-b")] == ["pending"])

        setup.clock.advance(by: .seconds(300))
        fake.clearReceived()
        #expect(try await setup.run().exitCode == .success)
        #expect(fake.received == ["getSettledBatchListRequest", "getUnsettledTransactionListRequest"], "the fewest calls: one window, one unsettled list")

        // The night's batch settles the pending one; a chargeback comes in a day later.
        setup.clock.advance(by: .seconds(86_400))
        fake.settleBatch(at: setup.at(11, 4))
        fake.chargeback("81002", of: "61002", amount: "70.00", at: setup.at(11, 5))
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("payment", "61001-b")] == ["pending", "paid"])
        #expect(setup.written[Self.key("payment", "61002")] == ["paid", "disputed"])
    }

    @Test func aRefusalWithHTTP200AndTheByteOrderMarkAreReadAsAuthorizeNetMeansThem() async throws {
        let setup = try Setup()
        setup.fake.submit("62001", amount: "10.00", at: setup.at(9))
        let refused = try await setup.run(key: "wrong-key")
        #expect(refused.exitCode == .authenticationFailed)
        let problem = try #require(refused.problems.first)
        #expect(problem.message.contains("Authorize.Net refused the API login id or transaction key (E00007: User authentication failed"), "\(problem.message)")
        #expect(!problem.message.contains("wrong-key") && !problem.message.contains("\n"))

        setup.fake.refuseNext(code: "E00011", text: "Access denied. You do not have permissions to call the Transaction Details API.")
        let denied = try await setup.run()
        #expect(denied.exitCode == .configuration)
        #expect(denied.problems.first?.message.contains("turn on the Transaction Details API") == true)

        let fine = try await setup.run()  // every answer began with a BOM; all read
        #expect(fine.exitCode == .success, "\(fine.problems)")
        #expect(setup.written[Self.key("payment", "62001")] == ["pending"])
    }

    @Test func aListOfOneAnsweredAsTheOneObjectIsReadAsAList() async throws {
        let setup = try Setup()
        setup.fake.setOneAsObject(true)
        setup.fake.submit("63001", amount: "10.00", invoice: "INV-63", at: setup.at(5))
        setup.fake.settleBatch(at: setup.at(6, 4))
        setup.fake.submit("63002", amount: "11.00", at: setup.at(9))
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.written == [Self.key("payment", "63001"): ["paid"], Self.key("payment", "63002"): ["pending"]])
    }

    @Test func aBatchOfMoreThanAThousandIsReadPageByPage() async throws {
        let setup = try Setup()
        setup.fake.settled(count: 2_300, perBatch: 2_300, from: setup.at(3))
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.fake.received.filter { $0 == "getTransactionListRequest" }.count == 3)
        #expect(report.written == 2_300)
    }
}
