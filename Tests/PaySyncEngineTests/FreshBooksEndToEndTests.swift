import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// FreshBooks end to end against the strict fake: the business found from the identity
/// endpoint, invoices and payments changed since the cursor in naive New York time (across both
/// daylight-saving changes), deleted ones read as voided, and the refresh token rotating on
/// every refresh, kept before use.
@Suite(.serialized) struct FreshBooksEndToEndTests {
    final class Setup: Sendable {
        let freshbooks: FakeFreshBooksServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-freshbooks")
        let configuration: Configuration

        init(start: String = "2026-04-14T15:00:00Z") throws {
            let start = Timestamp(iso: start)!
            freshbooks = try FakeFreshBooksServer(now: start)
            clock = VirtualClock(start: start)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "freshbooks", "kind": "freshbooks", "client_id": {"env": "FB_ID"}, "client_secret": {"env": "FB_SECRET"},
                              "refresh_token": {"env": "FB_REFRESH"}, "redirect_uri": "\(freshbooks.redirectURI)",
                              "base_url": "\(freshbooks.baseURL)", "token_url": "\(freshbooks.baseURL)/auth/oauth/token"}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}]}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run() async throws -> RunReport {
            clock.align(withFake: freshbooks.now) { freshbooks.advance(seconds: $0) }
            return try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(),
                                                 variables: ["FB_ID": freshbooks.clientID, "FB_SECRET": freshbooks.clientSecret,
                                                             "FB_REFRESH": freshbooks.firstRefreshToken]))
        }

        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }
    }

    static func key(_ kind: String, _ id: Int64) -> String { "freshbooks:\(FakeFreshBooksServer.account):\(kind):\(id)" }

    @Test func sentViewedPartialPaidAreEachWrittenOnceAndADeletedInvoiceIsVoided() async throws {
        let setup = try Setup()
        let fake = setup.freshbooks
        fake.invoice(217_501, number: "SS001", total: 1222_00)
        fake.invoice(217_502, number: "SS002", total: 500_00, status: "draft")
        fake.invoice(217_503, number: "SS003", total: 80_00)
        fake.pay(217_503, amount: 80_00)
        fake.invoice(217_504, number: "SS004", total: 60_00)
        fake.delete(217_504)
        fake.advance(seconds: 600)
        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(setup.written[Self.key("invoice", 217_501)] == ["sent"])
        #expect(setup.written[Self.key("invoice", 217_502)] == ["draft"])
        #expect(setup.written[Self.key("invoice", 217_503)] == ["paid"])
        #expect(setup.written[Self.key("invoice", 217_504)] == ["voided"], "deleted (vis_state 1)")
        #expect(setup.written[Self.key("payment", 115_801)] == ["paid"])
        #expect(fake.received.first == "GET /auth/api/v1/users/me", "the business found from the identity endpoint")

        // Nothing changed: the identity, then each list and its deleted list; no token.
        fake.advance(seconds: 900)
        var before = fake.received.count
        let tokens = fake.tokenRequests
        #expect(try await setup.run().exitCode == .success)
        let calls = Array(fake.received.dropFirst(before))
        #expect(calls.count == 5, "\(calls)")
        #expect(calls.filter { $0.contains("search%5Bupdated_min%5D=") }.count == 4)
        #expect(fake.tokenRequests == tokens, "a 12-hour token is kept across runs")
        let count = setup.written.values.map(\.count).reduce(0, +)
        #expect(count == 5)

        fake.setStatus(217_501, "viewed")
        fake.advance(seconds: 900)
        #expect(try await setup.run().exitCode == .success)
        fake.pay(217_501, amount: 222_00)
        fake.advance(seconds: 900)
        #expect(try await setup.run().exitCode == .success)
        fake.pay(217_501, amount: 1000_00)
        fake.advance(seconds: 900)
        before = fake.received.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("invoice", 217_501)] == ["sent", "viewed", "partially_paid", "paid"])
        #expect(setup.written.keys.filter { $0.contains(":payment:") }.count == 3)
    }

    @Test func theRefreshTokenRotatesOnEveryRefreshAndTheStoredOneIsUsed() async throws {
        let setup = try Setup()
        setup.freshbooks.invoice(217_511, number: "SS011", total: 10_00)
        setup.freshbooks.advance(seconds: 600)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.freshbooks.currentRefreshToken == "fbRefresh-1")
        // Thirteen hours on, the access token has lapsed: the stored, rotated token refreshes
        // (the configured first one would be refused now).
        setup.freshbooks.advance(seconds: 13 * 3600)
        setup.freshbooks.expireAccessTokens()
        setup.freshbooks.setStatus(217_511, "viewed")
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.freshbooks.currentRefreshToken == "fbRefresh-2")
        #expect(setup.written[Self.key("invoice", 217_511)] == ["sent", "viewed"])
    }

    /// Clocks go back at 02:00 EDT on 1 November 2026: 01:00–01:59 happens twice. A change in the
    /// second pass (01:20 EST) is earlier, as naive text, than a cursor in the first (01:50 EDT).
    @Test func aChangeInTheRepeatedHourWhenClocksGoBackIsNotMissed() async throws {
        let setup = try Setup(start: "2026-11-01T05:40:00Z")  // 01:40 EDT
        setup.freshbooks.invoice(217_521, number: "SS021", total: 10_00)
        setup.freshbooks.advance(seconds: 600)  // 01:50 EDT
        #expect(try await setup.run().exitCode == .success)
        setup.freshbooks.set(now: Timestamp(iso: "2026-11-01T06:20:00Z")!)  // 01:20 EST
        setup.freshbooks.setStatus(217_521, "viewed")
        setup.freshbooks.advance(seconds: 60)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("invoice", 217_521)] == ["sent", "viewed"], "\(setup.freshbooks.received)")
    }

    /// Clocks go forward at 02:00 EST on 8 March 2026: a change at 03:10 EDT, ten minutes of
    /// real time after 01:59 EST, is found, and its time read exactly.
    @Test func aChangeJustAfterClocksGoForwardIsFound() async throws {
        let setup = try Setup(start: "2026-03-08T06:50:00Z")  // 01:50 EST
        setup.freshbooks.invoice(217_531, number: "SS031", total: 10_00)
        setup.freshbooks.advance(seconds: 300)
        #expect(try await setup.run().exitCode == .success)
        setup.freshbooks.set(now: Timestamp(iso: "2026-03-08T07:10:00Z")!)  // 03:10 EDT
        setup.freshbooks.setStatus(217_531, "viewed")
        setup.freshbooks.advance(seconds: 60)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("invoice", 217_531)] == ["sent", "viewed"])
    }

    @Test func anErrorSentWithHTTP200OnAListIsAFailureNotAnEmptyPage() async throws {
        let setup = try Setup()
        setup.freshbooks.invoice(217_551, number: "SS051", total: 10_00)
        setup.freshbooks.advance(seconds: 600)
        setup.freshbooks.inject(.json(200, #"{"response":{"business_memberships":[{"role":"owner","business":{"name":"Fruity Loops","account_id":"\#(FakeFreshBooksServer.account)"}}]}}"#))
        setup.freshbooks.inject(FakeFreshBooksServer.errorWith200)
        let report = try await setup.run()
        #expect(report.exitCode != .success)
        #expect(report.problems.contains { $0.message.contains("Item not found.") }, "\(report.problems)")
        #expect(setup.written[Self.key("invoice", 217_551)] == nil, "the invoices list failed; nothing of it was taken as read")
    }

    @Test func anErrorSentWithHTTP200IsAFailureNotAnEmptyList() async throws {
        let setup = try Setup()
        setup.freshbooks.invoice(217_541, number: "SS041", total: 10_00)
        setup.freshbooks.advance(seconds: 600)
        setup.freshbooks.inject(FakeFreshBooksServer.errorWith200)
        let report = try await setup.run()
        #expect(report.exitCode != .success)
        #expect(report.problems.contains { $0.message.contains("Item not found.") }, "\(report.problems)")
        #expect(setup.written.isEmpty)
    }
}
