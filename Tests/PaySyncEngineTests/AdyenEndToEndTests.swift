import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Adyen through its daily payment accounting reports: each report read once, in order, a
/// report not generated yet read on a later run; refunds and chargebacks move their payments.
@Suite(.serialized) struct AdyenEndToEndTests {
    final class Setup: Sendable {
        let fake: FakeAdyenReportServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-adyen")
        let configuration: Configuration

        init() throws {
            fake = try FakeAdyenReportServer()
            clock = VirtualClock(start: Timestamp(iso: "2025-05-04T06:00:00Z")!)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "adyen", "kind": "adyen", "merchant_account": "\(fake.merchantAccount)",
                              "report_user": {"env": "ADYEN_USER"}, "report_password": {"env": "ADYEN_PASSWORD"},
                              "base_url": "\(fake.baseURL)", "start_date": "2025-05-01"}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}]}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run(password: String? = nil) async throws -> RunReport {
            try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(),
                                                 variables: ["ADYEN_USER": fake.user, "ADYEN_PASSWORD": password ?? fake.password]))
        }

        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }
    }

    static func key(_ kind: String, _ id: String) -> String { "adyen:AcmeShopEUR:\(kind):\(id)" }
    typealias Row = FakeAdyenReportServer.Row

    @Test func eachReportIsReadOnceAndTheRecordTypesBecomeStatuses() async throws {
        let setup = try Setup()
        let fake = setup.fake
        let day = { (d: Int) in CalendarDate(year: 2025, month: 5, day: d)! }
        fake.publish(day: day(1), rows: [
            Row("8815100000000001", "INV-1", "2025-05-01 09:00:00", "EUR", "125.50", "Received"),
            Row("8815100000000001", "INV-1", "2025-05-01 09:00:01", "EUR", "125.50", "Authorised"),
            Row("8815100000000002", "INV-2", "2025-05-01 09:05:00", "EUR", "0.01", "Refused"),  // a failed card
            Row("8815100000000003", "INV-3", "2025-05-01 09:10:00", "EUR", "999999.99", "Authorised"),
            Row("8815100000000004", "INV-4", "2025-05-01 09:15:00", "EUR", "40.00", "Authorised"),
            Row("8815100000000004", "INV-4", "2025-05-01 12:00:00", "EUR", "40.00", "Cancelled"),
            Row("8815100000000005", "INV-5", "2025-05-01 09:20:00", "EUR", "80.00", "Authorised"),
        ])
        fake.publish(day: day(2), rows: [
            Row("8815100000000001", "INV-1", "2025-05-02 01:00:00", "EUR", "125.50", "SentForSettle"),
            Row("8815100000000001", "INV-1", "2025-05-02 04:00:00", "EUR", "125.50", "Settled"),
            Row("8815100000000003", "INV-3", "2025-05-02 04:00:00", "EUR", "999999.99", "Settled"),
            Row("8815100000000005", "INV-5", "2025-05-02 04:00:00", "EUR", "80.00", "Settled"),
            Row("8815100000000003", "INV-3", "2025-05-02 10:00:00", "EUR", "1000.00", "SentForRefund"),
            Row("8815100000000005", "INV-5", "2025-05-02 11:00:00", "EUR", "80.00", "SentForRefund"),
            Row("8815100000000005", "INV-5", "2025-05-02 18:00:00", "EUR", "80.00", "Refunded"),
        ])
        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(fake.downloads == ["payments_accounting_report_2025_05_01.csv", "payments_accounting_report_2025_05_02.csv",
                                   "payments_accounting_report_2025_05_03.csv"])  // the 3rd is not generated yet
        // Two reports read in one run: each payment's writes coalesce to its latest state.
        #expect(setup.written[Self.key("payment", "8815100000000001")] == ["paid"])
        #expect(setup.written[Self.key("payment", "8815100000000002")] == ["failed"])
        #expect(setup.written[Self.key("payment", "8815100000000004")] == ["voided"])
        #expect(setup.written[Self.key("payment", "8815100000000005")] == ["refunded"])
        #expect(setup.written[Self.key("payment", "8815100000000003")] == ["paid"])
        #expect(setup.written[Self.key("refund", "8815100000000003-refund-100000")] == ["pending"])

        // The 3rd's report appears: a late chargeback and the pending refund settling.
        fake.clearDownloads()
        fake.publish(day: day(3), rows: [
            Row("8815100000000001", "INV-1", "2025-05-03 15:00:00", "EUR", "125.50", "Chargeback"),
            Row("8815100000000003", "INV-3", "2025-05-03 16:00:00", "EUR", "1000.00", "Refunded"),
        ])
        setup.clock.advance(by: .seconds(3600))
        #expect(try await setup.run().exitCode == .success)
        #expect(fake.downloads == ["payments_accounting_report_2025_05_03.csv"], "each report once; the 1st and 2nd are not read again")
        #expect(setup.written[Self.key("payment", "8815100000000001")] == ["paid", "disputed"])
        #expect(setup.written[Self.key("payment", "8815100000000003")] == ["paid", "partially_refunded"])

        // A quiet run: the next day's report is not there yet; one call.
        fake.clearDownloads()
        #expect(try await setup.run().exitCode == .success)
        #expect(fake.downloads.isEmpty, "the 3rd's report was read; the 4th's day is not over")
    }

    @Test func aReportWithoutAColumnIsRefusedWholeNamingIt() async throws {
        let setup = try Setup()
        var header = FakeAdyenReportServer.header
        header.removeAll { $0 == "Record Type" }
        setup.fake.publish(day: CalendarDate(year: 2025, month: 5, day: 1)!, rows: [Row("8815100000000009", "INV-9", "2025-05-01 09:00:00", "EUR", "1.00", "Authorised")], header: header)
        let report = try await setup.run()
        #expect(report.exitCode == .dataError)
        #expect(report.problems.first?.message.contains("payments_accounting_report_2025_05_01.csv: the report has no column \"Record Type\"") == true, "\(report.problems)")
        #expect(setup.written.isEmpty)
    }

    @Test func wrongReportCredentialsAreExit77() async throws {
        let setup = try Setup()
        let report = try await setup.run(password: "not-the-report-password")
        #expect(report.exitCode == .authenticationFailed)
        #expect(report.problems.first.map { !$0.message.contains("not-the-report-password") } == true)
    }
}
