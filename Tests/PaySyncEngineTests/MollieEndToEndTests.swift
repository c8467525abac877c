import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Mollie end to end against the strict fake: lists walked newest first only until past the
/// cursor, and whatever can still change (open payments, refunds on their way, chargebacks not
/// reversed) read again by id each run until it settles; a chargeback that leaves its payment
/// `paid` still reaches the CRM as disputed, and its reversal as paid again.
@Suite(.serialized) struct MollieEndToEndTests {
    final class Setup: Sendable {
        let mollie: FakeMollieServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-mollie")
        let configuration: Configuration

        init() throws {
            let start = Timestamp(iso: "2025-05-01T09:00:00Z")!
            mollie = try FakeMollieServer(now: start)
            clock = VirtualClock(start: start)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "mollie", "kind": "mollie", "api_key": {"env": "MOLLIE_API_KEY"}, "base_url": "\(mollie.baseURL)"}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}]}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run() async throws -> RunReport {
            clock.align(withFake: mollie.now) { mollie.advance(seconds: $0) }
            return try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(),
                                                 variables: ["MOLLIE_API_KEY": mollie.key]))
        }

        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }
    }

    static func key(_ kind: String, _ id: String) -> String { "mollie:profile:\(kind):\(id)" }

    @Test func walksUntilPastTheCursorAndReadsWhatCanStillChangeByIdUntilItSettles() async throws {
        let setup = try Setup()
        let fake = setup.mollie
        fake.payment("tr_open", value: "10.00")
        fake.payment("tr_paid", value: "25.00", status: "paid")
        fake.payment("tr_failed", value: "0.01", status: "failed")
        fake.payment("tr_canceled", value: "10.00", status: "canceled")
        fake.payment("tr_expired", value: "10.00", status: "expired")
        fake.payment("tr_refund", value: "99999999.99", status: "paid")
        fake.refund("re_part", of: "tr_refund", value: "1000.00")
        fake.payment("tr_charged", value: "40.00", status: "paid")
        fake.chargeback("chb_1", of: "tr_charged", value: "40.00")
        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(setup.written == [
            Self.key("payment", "tr_open"): ["pending"], Self.key("payment", "tr_paid"): ["paid"], Self.key("payment", "tr_failed"): ["failed"],
            Self.key("payment", "tr_canceled"): ["voided"], Self.key("payment", "tr_expired"): ["expired"],
            Self.key("payment", "tr_refund"): ["paid"], Self.key("refund", "re_part"): ["pending"],
            Self.key("payment", "tr_charged"): ["disputed"], Self.key("dispute", "chb_1"): ["disputed"],
        ], "a chargeback leaves the payment paid at Mollie; paysync says disputed")

        // Two days on, nothing new: one page of each list, then each unsettled object by id.
        fake.advance(seconds: 2 * 86_400)
        var before = fake.received.count
        #expect(try await setup.run().exitCode == .success)
        let calls = Array(fake.received.dropFirst(before))
        #expect(calls.filter { $0.hasPrefix("GET /v2/payments?") || $0.hasPrefix("GET /v2/refunds?") || $0.hasPrefix("GET /v2/chargebacks?") }.count == 3, "\(calls)")
        #expect(Set(calls.filter { !$0.contains("?") }) == ["GET /v2/payments/tr_open", "GET /v2/payments/tr_refund/refunds/re_part",
                                                             "GET /v2/payments/tr_charged/chargebacks/chb_1"], "\(calls)")

        // The old open payment is paid, the refund goes through, the chargeback is reversed.
        fake.setPayment("tr_open", status: "paid")
        fake.setRefund("re_part", status: "refunded")
        fake.reverseChargeback("chb_1")
        fake.payment("tr_new", value: "5.00", status: "paid")
        before = fake.received.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("payment", "tr_open")] == ["pending", "paid"], "found by id: lists run newest first")
        #expect(setup.written[Self.key("refund", "re_part")] == ["pending", "refunded"])
        #expect(setup.written[Self.key("payment", "tr_refund")] == ["paid", "partially_refunded"])
        #expect(setup.written[Self.key("dispute", "chb_1")] == ["disputed", "paid"])
        #expect(setup.written[Self.key("payment", "tr_charged")] == ["disputed", "paid"], "reversed: paid again")
        #expect(setup.written[Self.key("payment", "tr_new")] == ["paid"])
        let count = setup.written.values.map(\.count).reduce(0, +)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written.values.map(\.count).reduce(0, +) == count, "settled: nothing again, and nothing left to read by id")
        #expect(fake.received.suffix(3).allSatisfy { $0.contains("?") }, "\(fake.received.suffix(3))")
    }

    @Test func aLongListIsWalkedOnlyUntilPastTheCursor() async throws {
        let setup = try Setup()
        for index in 0..<600 { setup.mollie.payment("tr_\(String(format: "%04d", index))", value: "1.00", status: "paid") }
        // Made over the morning, more than the hour's overlap before the first run.
        setup.mollie.advance(seconds: 2 * 3600)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.mollie.received.filter { $0.hasPrefix("GET /v2/payments") }.count == 3, "a first sync walks every page of 250")
        #expect(setup.written.count == 600)
        setup.mollie.advance(seconds: 2 * 3600)
        for index in 0..<5 { setup.mollie.payment("tr_later\(index)", value: "2.00", status: "paid") }
        let before = setup.mollie.received.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.mollie.received.dropFirst(before).filter { $0.hasPrefix("GET /v2/payments") }.count == 1, "the first page reaches past the cursor")
        #expect(setup.written.count == 605)
        // More new ones than a page holds, the same day: the walk goes on until it reaches past
        // the cursor by time, not by day.
        setup.mollie.advance(seconds: 3600)
        for index in 0..<300 { setup.mollie.payment("tr_burst\(String(format: "%03d", index))", value: "3.00", status: "paid") }
        let burst = setup.mollie.received.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.mollie.received.dropFirst(burst).filter { $0.hasPrefix("GET /v2/payments") }.count == 2)
        #expect(setup.written.count == 905, "every one of the 300")
    }

    @Test func aRevokedKeyIsExit77InMolliesWords() async throws {
        let setup = try Setup()
        let report = try await Reconciler.run(
            configuration: setup.configuration, options: RunOptions(ledgerPath: setup.directory.file("paysync.db")),
            dependencies: EngineDependencies(environment: setup.clock.environment, logger: .silent, transport: URLSessionTransport(),
                                             variables: ["MOLLIE_API_KEY": "test_revoked000000000000000000"]))
        #expect(report.exitCode == .authenticationFailed)
        #expect(report.problems.contains { $0.message.contains("Unauthorized Request") && $0.message.contains("api_key") }, "\(report.problems)")
    }
}
