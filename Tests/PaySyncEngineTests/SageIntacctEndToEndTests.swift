import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Sage Intacct end to end against the strict XML gateway fake: one session a run, invoices and
/// receipts changed since the cursor through `readByQuery`/`readMore`, deletions from
/// `AUDITHISTORY`, and failures found in the XML whatever the HTTP status.
@Suite(.serialized) struct SageIntacctEndToEndTests {
    final class Setup: Sendable {
        let intacct: FakeSageIntacctServer
        let clock: VirtualClock
        let directory = TemporaryDirectory(prefix: "paysync-intacct")
        let configuration: Configuration

        init(extra: String = "") throws {
            let start = Timestamp(iso: "2026-06-01T16:00:00Z")!
            intacct = try FakeSageIntacctServer(now: start)
            clock = VirtualClock(start: start)
            configuration = try ConfigParser.parse("""
                {"ledger": "paysync.db",
                 "sources": [{"name": "intacct", "kind": "sage-intacct", "company_id": "\(FakeSageIntacctServer.company)",
                              "sender_id": {"env": "SI_SENDER"}, "sender_password": {"env": "SI_SENDER_PW"},
                              "user_id": {"env": "SI_USER"}, "user_password": {"env": "SI_USER_PW"},
                              "endpoint": "\(intacct.endpoint)", "timezone": "America/Los_Angeles"\(extra)}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}]}
                """, file: "paysync.json", kinds: Registry.configKinds)
        }

        func run(senderPassword: String? = nil, userPassword: String? = nil) async throws -> RunReport {
            clock.align(withFake: intacct.now) { intacct.advance(seconds: $0) }
            return try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(),
                                                 variables: ["SI_SENDER": intacct.senderID, "SI_SENDER_PW": senderPassword ?? intacct.senderPassword,
                                                             "SI_USER": intacct.userID, "SI_USER_PW": userPassword ?? intacct.userPassword]))
        }

        var written: [String: [String]] { WrittenStatuses.byObject(directory.read("writes.jsonl")) }
    }

    static func key(_ kind: String, _ id: Int) -> String { "sage-intacct:\(FakeSageIntacctServer.company):\(kind):\(id)" }

    @Test func changesSinceTheCursorEachWrittenOnceAndADeletedInvoiceIsVoided() async throws {
        let setup = try Setup()
        let fake = setup.intacct
        fake.invoice(101, id: "INV-1001", total: 500_00)
        fake.invoice(102, id: "INV-1002", total: 80_00, state: "Draft")
        fake.invoice(103, id: "INV-1003", total: 1_00)
        fake.pay(103, amount: 1_00)
        fake.invoice(104, id: "INV-1004", total: 99_999_999_99)
        fake.reverse(104)
        fake.invoice(105, id: "INV-1005", total: 300_00)
        fake.advance(seconds: 600)
        let first = try await setup.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(setup.written[Self.key("invoice", 101)] == ["sent"])
        #expect(setup.written[Self.key("invoice", 102)] == ["draft"])
        #expect(setup.written[Self.key("invoice", 103)] == ["paid"])
        #expect(setup.written[Self.key("invoice", 104)] == ["voided"])
        #expect(setup.written[Self.key("payment", 9001)] == ["paid"])
        #expect(fake.functions.filter { $0 == "getAPISession" }.count == 1, "one session for the run")

        // Nothing changed: one session, each object's query and its deletions; nothing written.
        fake.advance(seconds: 900)
        var before = fake.functions.count
        #expect(try await setup.run().exitCode == .success)
        let calls = Array(fake.functions.dropFirst(before))
        #expect(calls.count == 5, "\(calls)")
        #expect(calls.contains { $0.hasPrefix("readByQuery ARINVOICE WHENMODIFIED >= '06/01/2026 09:") }, "company time: \(calls)")
        #expect(calls.filter { $0.hasPrefix("readByQuery AUDITHISTORY") }.count == 2)

        fake.pay(101, amount: 200_00)
        fake.advance(seconds: 900)
        #expect(try await setup.run().exitCode == .success)
        fake.pay(101, amount: 300_00)
        fake.delete(105)
        fake.advance(seconds: 900)
        before = fake.functions.count
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("invoice", 101)] == ["sent", "partially_paid", "paid"])
        #expect(setup.written[Self.key("invoice", 105)] == ["sent", "voided"], "deleted: from AUDITHISTORY")
        let count = setup.written.values.map(\.count).reduce(0, +)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written.values.map(\.count).reduce(0, +) == count)
    }

    @Test func manyRecordsArePagedWithReadMore() async throws {
        let setup = try Setup(extra: #", "page_size": 2, "entities": ["invoices"]"#)
        for number in 1...5 { setup.intacct.invoice(200 + number, id: "INV-\(200 + number)", total: 10_00) }
        setup.intacct.advance(seconds: 600)
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.intacct.functions.filter { $0 == "readMore" }.count == 2, "\(setup.intacct.functions)")
        #expect(setup.written.count == 5)
    }

    @Test func aLapsedSessionIsMadeAgainOnce() async throws {
        let setup = try Setup(extra: #", "page_size": 2, "entities": ["invoices"]"#)
        for number in 1...3 { setup.intacct.invoice(300 + number, id: "INV-\(300 + number)", total: 10_00) }
        setup.intacct.advance(seconds: 600)
        #expect(try await setup.run().exitCode == .success)
        setup.intacct.expireSessions()
        setup.intacct.invoice(399, id: "INV-399", total: 10_00)
        setup.intacct.advance(seconds: 600)
        let report = try await setup.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(setup.written[Self.key("invoice", 399)] == ["sent"])
    }

    @Test func throttlingIsExit75AndBadCredentialsExit77() async throws {
        let setup = try Setup()
        setup.intacct.invoice(401, id: "INV-401", total: 10_00)
        setup.intacct.advance(seconds: 600)
        setup.intacct.throttleNext()
        let throttled = try await setup.run()
        #expect(throttled.exitCode == .temporaryFailure)
        #expect(throttled.problems.contains { $0.message.contains("Please Try Again Later") }, "\(throttled.problems)")

        let sender = try await setup.run(senderPassword: "wrong-sender-pw")
        #expect(sender.exitCode == .authenticationFailed)
        #expect(sender.problems.contains { $0.message.contains("Incorrect Intacct XML Partner ID or password.") && $0.message.contains("sender_password") }, "\(sender.problems)")
        let user = try await setup.run(userPassword: "wrong-user-pw")
        #expect(user.exitCode == .authenticationFailed)
        #expect(user.problems.contains { $0.message.contains("Sign-in information is incorrect") && $0.message.contains("user_password") }, "\(user.problems)")
        #expect(try await setup.run().exitCode == .success)
        #expect(setup.written[Self.key("invoice", 401)] == ["sent"])
    }
}
