import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Zoho Books end to end against the strict fake: invoices by `last_modified_time` on the token's
/// `api_domain`; a customer viewing an invoice (which is no edit) still reaching the CRM as
/// `viewed`; sent → viewed → partially_paid → paid each written once; a voided invoice, and a
/// deleted one found by the sweep; the day's cap ending the run cleanly.
@Suite(.serialized) struct ZohoBooksEndToEndTests {
    final class Setup: Sendable {
        let zoho: FakeZohoBooksServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-zoho-books")
        let configuration: Configuration

        init(extra: String = "", sink: ((String) -> String)? = nil) throws {
            let start = Timestamp(iso: "2026-03-02T17:00:00Z")!
            zoho = try FakeZohoBooksServer(now: start)
            clock = VirtualClock(start: start)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "books", "kind": "zoho-books", "organization_id": "\(FakeZohoBooksServer.organization)",
                              "client_id": {"env": "ZB_CLIENT"}, "client_secret": {"env": "ZB_SECRET"}, "refresh_token": {"env": "ZB_REFRESH"},
                              "token_url": "\(zoho.baseURL)/oauth/v2/token", "timezone": "America/Los_Angeles"\(extra)}],
                 "sinks": [\(sink?(directory.path) ?? #"{"name": "out", "kind": "jsonl", "path": "\#(directory.file("writes.jsonl"))"}"#)]}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run(refreshToken: String? = nil, extra variables: [String: String] = [:]) async throws -> RunReport {
            clock.align(withFake: zoho.now) { zoho.advance(seconds: $0) }
            return try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(),
                                                 variables: ["ZB_CLIENT": zoho.accounts.clientID, "ZB_SECRET": zoho.accounts.clientSecret,
                                                             "ZB_REFRESH": refreshToken ?? zoho.accounts.refreshToken].merging(variables) { $1 }))
        }

        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }
        var writes: Int { written.values.map(\.count).reduce(0, +) }
    }

    static func key(_ kind: String, _ id: String) -> String { "zoho-books:\(FakeZohoBooksServer.organization):\(kind):\(id)" }

    @Test func sentViewedPartPaidPaidAreEachWrittenOnceAndAQuietRunWritesNothing() async throws {
        let setup = try Setup()
        let zoho = setup.zoho
        zoho.invoice("9820001", number: "INV-001", total: 100_00)
        zoho.invoice("9820002", number: "INV-002", total: 250_00, status: "draft")
        zoho.invoice("9820003", number: "INV-003", total: 80_00)
        zoho.pay("9820003", amount: 80_00, payment: "9030001")
        zoho.invoice("9820004", number: "INV-004", total: 60_00)
        zoho.void("9820004")
        zoho.invoice("9820005", number: "INV-005", total: 1, dueInDays: -3)
        zoho.markOverdue("9820005")
        zoho.creditNote("9830001", number: "CN-001", total: 45_00)
        zoho.advance(seconds: 600)
        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(setup.written[Self.key("invoice", "9820001")] == ["sent"])
        #expect(setup.written[Self.key("invoice", "9820002")] == ["draft"])
        #expect(setup.written[Self.key("invoice", "9820003")] == ["paid"])
        #expect(setup.written[Self.key("invoice", "9820004")] == ["voided"])
        #expect(setup.written[Self.key("invoice", "9820005")] == ["overdue"])
        #expect(setup.written[Self.key("credit_note", "9830001")] == ["sent"])
        #expect(setup.written[Self.key("payment", "9030001")] == ["paid"])
        #expect(zoho.received.allSatisfy { $0.contains("organization_id=\(FakeZohoBooksServer.organization)") })

        // Nothing changed: each list once, the viewed list and the open credit notes, and the
        // organisation's currency (the payments list names none); no token.
        zoho.advance(seconds: 900)
        var before = zoho.received.count
        let tokens = zoho.accounts.tokenRequests
        #expect(try await setup.run().exitCode == .success)
        let calls = Array(zoho.received.dropFirst(before))
        #expect(calls.count == 6, "\(calls)")
        #expect(calls.contains { $0.contains("/invoices?") && $0.contains("last_modified_time=") && $0.contains("%2B0000") })
        #expect(calls.contains { $0.contains("/invoices?") && $0.contains("status=viewed") })
        #expect(calls.contains { $0.contains("/creditnotes?") && $0.contains("status=open") })
        #expect(zoho.accounts.tokenRequests == tokens, "the hour's token is kept across runs")
        #expect(setup.writes == 7)

        // The customer opens it: no edit, but the viewed list has it.
        zoho.view("9820001")
        zoho.advance(seconds: 900)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("invoice", "9820001")] == ["sent", "viewed"])
        zoho.pay("9820001", amount: 40_00, payment: "9030002")
        zoho.advance(seconds: 900)
        #expect(try await setup.run().exitCode == .success)
        zoho.pay("9820001", amount: 60_00, payment: "9030003")
        zoho.advance(seconds: 900)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("invoice", "9820001")] == ["sent", "viewed", "partially_paid", "paid"])
        #expect(setup.written[Self.key("payment", "9030002")] == ["paid"] && setup.written[Self.key("payment", "9030003")] == ["paid"])

        // Days later the credit note is refunded: past the date window, it leaves the open list
        // and is read by id.
        zoho.advance(seconds: 3 * 86_400)
        #expect(try await setup.run().exitCode == .success)
        zoho.closeCreditNote("9830001")
        zoho.advance(seconds: 900)
        before = zoho.received.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("credit_note", "9830001")] == ["sent", "paid"])
        #expect(zoho.received.dropFirst(before).contains { $0.hasPrefix("GET /books/v3/creditnotes/9830001?") }, "\(zoho.received.dropFirst(before))")
        let count = setup.writes
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.writes == count, "settled: nothing again")
    }

    @Test func aViewedInvoicePastDueIsOverdueAndADeletedOneIsVoidedByTheSweep() async throws {
        let setup = try Setup(extra: #", "sweep": {"every_hours": 1, "window_days": 30}"#)
        let zoho = setup.zoho
        zoho.invoice("9820011", number: "INV-011", total: 10_00, dueInDays: 1)
        zoho.invoice("9820012", number: "INV-012", total: 20_00)
        zoho.advance(seconds: 600)
        #expect(try await setup.run().exitCode == .success)
        zoho.view("9820011")
        zoho.advance(seconds: 600)
        #expect(try await setup.run().exitCode == .success)
        // Two days on Zoho's night job marks it overdue (no edit); the other is deleted.
        zoho.advance(seconds: 2 * 86_400)
        zoho.markOverdue("9820011")
        zoho.delete("9820012")
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("invoice", "9820011")] == ["sent", "viewed", "overdue"])
        #expect(setup.written[Self.key("invoice", "9820012")] == ["sent", "voided"], "gone from the window: deleted")
    }

    @Test func theDaysCapEndsReadingWithANoteAndIsNeverRetried() async throws {
        let setup = try Setup()
        setup.zoho.invoice("9820021", number: "INV-021", total: 10_00)
        setup.zoho.advance(seconds: 600)
        setup.zoho.spendDailyCap()
        let report = try await setup.run()
        #expect(report.exitCode == .temporaryFailure)
        #expect(report.notes.contains { $0.contains("API calls for today are spent") } || report.problems.contains { $0.message.contains("API calls for today are spent") },
                "\(report.notes) \(report.problems)")
        #expect(setup.zoho.received.count == 1, "one refusal, not retried: \(setup.zoho.received)")
        setup.zoho.spendDailyCap(false)
        setup.zoho.advance(seconds: 86_400)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("invoice", "9820021")] == ["sent"])
    }

    @Test func theMinutesLimitIsWaitedOut() async throws {
        let setup = try Setup()
        setup.zoho.invoice("9820031", number: "INV-031", total: 10_00)
        setup.zoho.advance(seconds: 600)
        setup.zoho.inject(.json(429, #"{"code":44,"message":"You have made too many requests continuously. Please try again after some time."}"#, headers: ["Retry-After": "30"]))
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.written[Self.key("invoice", "9820031")] == ["sent"])
    }

    /// The signal the CRM teams asked for: the customer opened the invoice, and the deal says so.
    @Test func viewedReachesAHubSpotDealThroughItsMapping() async throws {
        let hubspot = try FakeHubSpotServer()
        hubspot.defineDeals(paymentStatusOptions: ["Awaiting payment", "Viewed by customer", "Overdue", "Partially paid", "Paid", "Voided", "Draft"])
        hubspot.seed("deals", [["invoice_number": "INV-041", "dealname": "Zillum renewal", "hubspot_owner_id": "9001"]])
        let setup = try Setup(sink: { _ in """
            {"name": "hubspot", "kind": "hubspot", "token": {"env": "HUBSPOT_TOKEN"}, "base_url": "\(hubspot.baseURL)",
             "objects": {"invoice": {"object": "deals", "id_property": "invoice_number", "missing_record": "skip",
               "properties": {"payment_status": {"field": "status", "values": {"sent": "Awaiting payment", "viewed": "Viewed by customer",
                 "overdue": "Overdue", "partially_paid": "Partially paid", "paid": "Paid", "voided": "Voided"}}}}}}
            """ })
        setup.zoho.invoice("9820041", number: "INV-041", total: 500_00)
        setup.zoho.advance(seconds: 600)
        let variables = ["HUBSPOT_TOKEN": "pat-na1-fake-token"]
        #expect(try await setup.run(extra: variables).exitCode == .success)
        #expect(hubspot.record("deals", where: "invoice_number", is: "INV-041")?.properties["payment_status"] == "Awaiting payment")
        setup.zoho.view("9820041")
        setup.zoho.advance(seconds: 900)
        let report = try await setup.run(extra: variables)
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(hubspot.record("deals", where: "invoice_number", is: "INV-041")?.properties["payment_status"] == "Viewed by customer")
    }

    @Test func aRefusingCodeSentWithHTTP200IsAFailure() async throws {
        let setup = try Setup()
        setup.zoho.invoice("9820051", number: "INV-051", total: 10_00)
        setup.zoho.advance(seconds: 600)
        setup.zoho.inject(.json(200, #"{"code":1002,"message":"Invoice does not exist."}"#))
        let report = try await setup.run()
        #expect(report.exitCode == .dataError, "\(report.problems)")
        #expect(report.problems.contains { $0.message.contains("Invoice does not exist.") }, "\(report.problems)")
    }

    @Test func aRefusedRefreshTokenIsExit77InZohosWords() async throws {
        let setup = try Setup()
        let report = try await setup.run(refreshToken: "1000.revoked.token")
        #expect(report.exitCode == .authenticationFailed)
        #expect(report.problems.contains { $0.message.contains("invalid_code") }, "\(report.problems)")
    }
}
