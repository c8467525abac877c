import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// PayPal end to end against the strict fake: Transaction Search in windows of at most 31 days,
/// a transaction PayPal lists three hours late still arriving (the cursor stops at PayPal's
/// `last_refreshed_datetime`), refunds and disputes moving their payment, invoices re-listed,
/// one client-credentials token for many runs, and a cursor past PayPal's three years warned about.
@Suite(.serialized) struct PayPalEndToEndTests {
    final class Setup: Sendable {
        let paypal: FakePayPalServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-paypal")
        let configuration: Configuration
        let logs = Locked<[String]>([])

        init(startDate: String = "2025-03-01") throws {
            let start = Timestamp(iso: "2025-05-01T09:00:00Z")!
            paypal = try FakePayPalServer(now: start)
            clock = VirtualClock(start: start)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "paypal", "kind": "paypal", "client_id": {"env": "PAYPAL_CLIENT_ID"}, "client_secret": {"env": "PAYPAL_SECRET"},
                              "base_url": "\(paypal.baseURL)", "start_date": "\(startDate)"}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}],
                 "http": {"max_retry_seconds": 120}}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run() async throws -> RunReport {
            clock.align(withFake: paypal.now) { paypal.advance(seconds: $0) }
            let logs = self.logs
            return try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: Logger(minimumLevel: .info, write: { line in logs.withLock { $0.append(line) } }),
                                                 transport: URLSessionTransport(), variables: ["PAYPAL_CLIENT_ID": paypal.clientID, "PAYPAL_SECRET": paypal.clientSecret]))
        }

        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }
    }

    static func key(_ kind: String, _ id: String) -> String { "paypal:merchant:\(kind):\(id)" }

    @Test func windowsLateTransactionsRefundsDisputesAndInvoices() async throws {
        let setup = try Setup()
        let fake = setup.paypal
        fake.payment("1TX00000000000001", amount: "120.00", ageHours: 24 * 50, invoice: "INV-77")
        fake.payment("1TX00000000000002", amount: "0.01", ageHours: 6)
        fake.payment("1TX00000000000003", amount: "99999999.99", ageHours: 6)
        fake.payment("1TX00000000000004", amount: "45.00", status: "P", ageHours: 6)
        fake.payment("1TX00000000000005", amount: "45.00", status: "D", ageHours: 6)
        fake.payment("1TX00000000000006", amount: "80.00", ageHours: 5)
        fake.fee("1FEE0000000000001", amount: "3.79")
        // Recent enough that PayPal has not listed it yet.
        fake.payment("1TX00000000000007", amount: "15.00", ageHours: 1)
        fake.advance(seconds: 4 * 3600)
        fake.refund("1RF00000000000006", of: "1TX00000000000006", amount: "30.00")
        fake.dispute("PP-D-1001", of: "1TX00000000000003", amount: "99999999.99")
        fake.invoice("INV2-AAAA-0001", number: "0001", amount: "100.00")
        fake.invoice("INV2-AAAA-0002", number: "0002", amount: "100.00", paid: "40.00", status: "PARTIALLY_PAID")
        fake.invoice("INV2-AAAA-0003", number: "0003", amount: "100.00", paid: "100.00", status: "PAID")
        fake.invoice("INV2-AAAA-0004", number: "0004", amount: "100.00", status: "CANCELLED")
        fake.invoice("INV2-AAAA-0005", number: "0005", amount: "100.00", status: "DRAFT")

        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(setup.written == [
            Self.key("payment", "1TX00000000000001"): ["paid"], Self.key("payment", "1TX00000000000002"): ["paid"],
            Self.key("payment", "1TX00000000000003"): ["disputed"], Self.key("payment", "1TX00000000000004"): ["pending"],
            Self.key("payment", "1TX00000000000005"): ["failed"], Self.key("payment", "1TX00000000000007"): ["paid"],
            Self.key("dispute", "PP-D-1001"): ["disputed"],
            Self.key("invoice", "INV2-AAAA-0001"): ["sent"], Self.key("invoice", "INV2-AAAA-0002"): ["partially_paid"],
            Self.key("invoice", "INV2-AAAA-0003"): ["paid"], Self.key("invoice", "INV2-AAAA-0004"): ["voided"], Self.key("invoice", "INV2-AAAA-0005"): ["draft"],
            Self.key("payment", "1TX00000000000006"): ["paid"],
        ], "the refund made an hour ago is not listed yet")
        // From start_date (61 days back): a window of 31 days and one of the rest, each accepted.
        let searches = fake.received.filter { $0.contains("/v1/reporting/transactions") && !$0.contains("transaction_id=") }
        #expect(searches.count == 2, "\(searches)")
        // The pending payment is then asked for by id (the fake refuses a window over 31 days).
        #expect(fake.received.filter { $0.contains("transaction_id=1TX00000000000004") }.count == 1)

        // Three hours on, PayPal has caught up: the refund made before the last run arrives.
        fake.advance(seconds: 3 * 3600)
        fake.resolveDispute("PP-D-1001", outcome: "RESOLVED_SELLER_FAVOUR")
        fake.setPayment("1TX00000000000004", status: "S")
        fake.invoice("INV2-AAAA-0001", number: "0001", amount: "100.00", paid: "100.00", status: "PAID")
        let second = try await setup.run()
        #expect(second.exitCode == .success, "\(second.problems)")
        #expect(setup.written[Self.key("refund", "1RF00000000000006")] == ["refunded"])
        #expect(setup.written[Self.key("payment", "1TX00000000000006")] == ["paid", "partially_refunded"], "a late row is never lost")
        #expect(setup.written[Self.key("payment", "1TX00000000000003")] == ["disputed", "paid"], "won: back to paid")
        #expect(setup.written[Self.key("payment", "1TX00000000000004")] == ["pending"], "cleared just now: PayPal has not listed it yet")
        #expect(setup.written[Self.key("invoice", "INV2-AAAA-0001")] == ["sent", "paid"])


        fake.advance(seconds: 4 * 3600)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("payment", "1TX00000000000004")] == ["pending", "paid"],
                "a payment pending since before the cursor's window is asked for by id until it settles")
        #expect(fake.received.contains { $0.contains("transaction_id=1TX00000000000004") })
        #expect(fake.tokenRequests == 1, "one client-credentials token for every run while it lasts")
        #expect(setup.written.keys.contains { $0.contains("1FEE") } == false, "fees and money sent are not ours")
    }

    @Test func aStartOrCursorPastPayPalsThreeYearsIsWarnedAndReadFromThere() async throws {
        let setup = try Setup(startDate: "2020-01-01")
        setup.paypal.payment("1TX00000000000001", amount: "10.00", ageHours: 24 * 10)
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.written[Self.key("payment", "1TX00000000000001")] == ["paid"])
        let searches = setup.paypal.received.filter { $0.contains("/v1/reporting/transactions") }
        #expect(searches.count == 36, "three years in 31-day windows: \(searches.count)")
        #expect(setup.logs.value.contains { $0.contains("paypal transactions: the read would start at 2020-01-01T00:00:00Z, before the three years PayPal keeps") })
        // Long unrun: the cursor falls outside too, and is said so.
        let warnings = setup.logs.value.filter { $0.contains("before the three years PayPal keeps") }.count
        setup.paypal.advance(seconds: 4 * 365 * 86_400)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.logs.value.filter { $0.contains("paypal transactions: the read would start at 2025-") && $0.contains("before the three years PayPal keeps") }.count == 1,
                "the cursor, four years on")
        #expect(setup.logs.value.filter { $0.contains("before the three years PayPal keeps") }.count > warnings)
    }

    @Test func rateLimitIsRetried() async throws {
        let setup = try Setup()
        setup.paypal.payment("1TX00000000000001", amount: "10.00", ageHours: 24)
        _ = try await setup.run()
        setup.paypal.throttle(times: 2)
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(report.providerThrottles == 2)
    }

    @Test func wrongCredentialsAreExit77() async throws {
        let setup = try Setup()
        let report = try await Reconciler.run(
            configuration: setup.configuration, options: RunOptions(ledgerPath: setup.directory.file("paysync.db")),
            dependencies: EngineDependencies(environment: setup.clock.environment, logger: .silent, transport: URLSessionTransport(),
                                             variables: ["PAYPAL_CLIENT_ID": setup.paypal.clientID, "PAYPAL_SECRET": "wrong-secret"]))
        #expect(report.exitCode == .authenticationFailed)
        #expect(report.problems.contains { $0.message.contains("invalid_client") && $0.message.contains("client_secret") }, "\(report.problems)")
        #expect(!report.problems.contains { $0.message.contains("wrong-secret") })
    }
}
