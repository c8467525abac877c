import Foundation
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing

/// Wise end to end with the built binary against the strict fake: a deposit naming an open Xero
/// invoice pays it, a rerun writes nothing and reads from its cursor, and strong customer
/// authentication stops the run with exit 77 and what to do, without retrying.
@Suite(.serialized) struct WiseEndToEndTests {
    final class Setup: Sendable {
        let harness: BinaryHarness
        let wise: FakeWiseServer

        init(deposit: Bool = true) throws {
            harness = try BinaryHarness(objects: 0)
            wise = try FakeWiseServer()
            let server = harness.server
            let contact = FakeXeroContact(contactID: "c0ffee00-0000-4000-a000-0000000000bb", name: "Acme Ltd", email: "ap@acme.example")
            server.put(invoices: [FakeXeroInvoice(invoiceID: "1e5f0000-0000-4000-a000-000000000242", invoiceNumber: "INV-0042", status: "AUTHORISED",
                                                  contact: contact, date: CalendarDate(iso: "2025-04-20")!, dueDate: CalendarDate(iso: "2025-05-20")!,
                                                  currency: "GBP", subTotal: 10_000, totalTax: 0, lineItems: [], updated: server.tick())], tenant: harness.tenant)
            wise.addProfile(1001, balances: [(id: 5001, currency: "GBP"), (id: 5002, currency: "EUR")])
            if deposit { addDeposit() }
            wise.add(FakeWiseTransaction(debit: 1_250, on: Timestamp(iso: "2025-05-01T12:00:00Z")!, description: "Card at COFFEE", number: "CARD-77"),
                     profile: 1001, balance: 5001)
            harness.directory.write("paysync.json", """
                {
                  "ledger": "paysync.db",
                  "sources": [
                    {"name": "xero", "kind": "xero", "tenants": ["\(harness.tenant)"],
                     "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"env": "XERO_CLIENT_SECRET"}, "refresh_token": {"env": "XERO_REFRESH_TOKEN"},
                     "base_url": "\(server.apiBaseURL)", "token_url": "\(server.tokenURL)"},
                    {"name": "wise", "kind": "wise", "token": {"env": "WISE_TOKEN"}, "profiles": ["1001"], "base_url": "\(wise.baseURL)",
                     "start_date": "2025-04-01"}
                  ],
                  "sinks": [{"name": "out", "kind": "jsonl", "path": "\(harness.directory.file("writes.jsonl"))"}]
                }
                """)
        }

        func addDeposit() {
            wise.add(FakeWiseTransaction(credit: 10_000, on: Timestamp(iso: "2025-05-01T10:00:00Z")!, from: "ACME LTD", reference: "INV-0042", number: "TRANSFER-1001"),
                     profile: 1001, balance: 5001)
        }

        func reconcile() throws -> ProcessResult {
            try ChildProcess(Repository.paysyncExecutable, ["reconcile", "--config", harness.directory.file("paysync.json"), "--now", "2025-05-02T09:00:00Z"],
                             environment: harness.environment.merging(["WISE_TOKEN": wise.token]) { $1 }, workingDirectory: harness.directory.path).wait()
        }

        func lines(_ record: String) -> [JSONValue] {
            (harness.directory.read("writes.jsonl") ?? "").split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
                .filter { $0["record"]?.stringValue == record }
        }
    }

    @Test func aDepositNamingAnInvoicePaysItAndARerunWritesNothing() throws {
        let setup = try Setup()
        let first = try setup.reconcile()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(setup.lines("INV-0042").last?["to"]?.stringValue == "paid", "\(setup.lines("INV-0042"))")
        #expect(setup.lines("INV-0042").last?["changes"]?["amount_paid"]?["new"]?.stringValue == "100.00")
        let statements = setup.wise.received.filter { $0.contains("statement.json") }
        #expect(statements.count == 2, "one per balance: \(statements)")
        #expect(statements.allSatisfy { $0.contains("intervalStart=2025-04-01T00%3A00%3A00Z") && $0.contains("type=COMPACT") }, "\(statements)")

        let written = setup.lines("INV-0042").count
        let again = try setup.reconcile()
        #expect(again.status == 0, "\(again.standardError)")
        #expect(setup.lines("INV-0042").count == written, "a rerun writes nothing")
        // It reads again from its cursor (the last run's end), less the three days' overlap.
        let rerun = setup.wise.received.filter { $0.contains("statement.json") }.suffix(2)
        #expect(rerun.allSatisfy { $0.contains("intervalStart=2025-04-29T09%3A00%3A00Z") }, "\(rerun)")
    }

    /// The issue's own case: the invoice is already in the ledger; the deposit arrives (after a
    /// 429, which is waited out); exactly one CRM update, and none on the rerun.
    @Test func aDepositForAnInvoiceAlreadyKnownIsOneUpdate() throws {
        let setup = try Setup(deposit: false)
        #expect(try setup.reconcile().status == 0)
        #expect(setup.lines("INV-0042").map { $0["to"]?.stringValue ?? "" } == ["sent"])
        setup.addDeposit()
        setup.wise.inject(.response(HTTPResponse(status: 429, headers: ["Retry-After": "1", "Content-Type": "application/json"],
                                                 body: Data(#"{"errors":[{"code":"TOO_MANY_REQUESTS","message":"Rate limit exceeded"}]}"#.utf8))))
        let second = try setup.reconcile()
        #expect(second.status == 0, "\(second.standardError)")
        #expect(setup.lines("INV-0042").map { $0["to"]?.stringValue ?? "" } == ["sent", "paid"], "exactly one update")
        #expect(try setup.reconcile().status == 0)
        #expect(setup.lines("INV-0042").count == 2, "the rerun writes none")
    }

    @Test func strongCustomerAuthenticationStopsWithWhatToDo() throws {
        let setup = try Setup()
        setup.wise.requireSCA(profile: 1001)
        let result = try setup.reconcile()
        #expect(result.status == 77, "\(result.standardError)")
        #expect(result.standardError.contains("Wise asks for strong customer authentication to read statements of profile 1001 balance 5001"), "\(result.standardError)")
        #expect(result.standardError.contains("paysync import-statement"))
        #expect(setup.wise.received.filter { $0.contains("statement.json") }.count == 1, "asked once, never retried")
        #expect(!result.standardError.contains(setup.wise.token), "no secret in the error")
    }
}
