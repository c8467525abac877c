import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// A bank statement against invoices from Xero, end to end with the built binary: a credit that
/// names its invoice pays it (one CRM write), a rerun writes nothing, the accounting system's own
/// record of the same payment does not pay it twice, an ambiguous credit waits for a person, and
/// that person's decision is applied by the next run.
@Suite(.serialized) struct StatementImportTests {
    final class Setup: Sendable {
        let harness: BinaryHarness
        let tenant: String

        init() throws {
            harness = try BinaryHarness(objects: 0)
            tenant = harness.tenant
            let server = harness.server
            let contact = FakeXeroContact(contactID: "c0ffee00-0000-4000-a000-0000000000aa", name: "Acme Ltd", email: "ap@acme.example")
            func invoice(_ id: Int, _ number: String, _ total: Int64) -> FakeXeroInvoice {
                FakeXeroInvoice(invoiceID: "1e5f0000-0000-4000-a000-0000000001\(id)", invoiceNumber: number, status: "AUTHORISED", contact: contact,
                                date: CalendarDate(iso: "2025-04-20")!, dueDate: CalendarDate(iso: "2025-05-20")!, currency: "GBP", subTotal: total,
                                totalTax: 0, lineItems: [], updated: server.tick())
            }
            server.put(invoices: [invoice(42, "INV-0042", 10_000), invoice(43, "INV-0043", 25_000), invoice(44, "INV-0044", 25_000)], tenant: tenant)
            harness.directory.write("paysync.json", """
                {
                  "ledger": "paysync.db",
                  "sources": [
                    {"name": "xero", "kind": "xero", "tenants": ["\(tenant)"],
                     "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"env": "XERO_CLIENT_SECRET"}, "refresh_token": {"env": "XERO_REFRESH_TOKEN"},
                     "base_url": "\(server.apiBaseURL)", "token_url": "\(server.tokenURL)"},
                    {"name": "bank-uk", "kind": "statement", "account_id": "GB33BUKB20201555555555"}
                  ],
                  "sinks": [{"name": "out", "kind": "jsonl", "path": "\(harness.directory.file("writes.jsonl"))"}]
                }
                """)
        }

        func run(_ arguments: [String]) throws -> ProcessResult {
            try harness.paysync(arguments + ["--now", "2025-05-02T09:00:00Z"])
        }

        /// The values a field was given for a record, in order (a CRM keeps the last).
        func values(_ record: String, _ field: String) -> [String] {
            (harness.directory.read("writes.jsonl") ?? "").split(separator: "\n").compactMap { line in
                guard let json = try? JSONParser.parse(String(line)), json["record"]?.stringValue == record else { return nil }
                return json["changes"]?[field]?["new"]?.stringValue
            }
        }

        /// The statuses written for a record, in order: what a CRM keeping the last value shows last.
        func statuses(_ record: String) -> [String] {
            (harness.directory.read("writes.jsonl") ?? "").split(separator: "\n").compactMap { line in
                guard let json = try? JSONParser.parse(String(line)), json["record"]?.stringValue == record else { return nil }
                return json["to"]?.stringValue
            }
        }
    }

    @Test func aStatementCreditPaysItsInvoiceOnceAndAnAmbiguousOneWaitsForAPerson() throws {
        let setup = try Setup()
        #expect(try setup.run(["reconcile"]).status == 0)
        #expect(setup.statuses("INV-0042") == ["sent"])

        let statement = Repository.path("fixtures/statements/camt053-001-02.xml")
        let imported = try setup.run(["import-statement", statement, "--account", "bank-uk"])
        #expect(imported.status == 0, "\(imported.standardError)")
        #expect(setup.statuses("INV-0042") == ["sent", "paid"], "one write: paid")
        #expect(setup.statuses("INV-0043") == ["sent"] && setup.statuses("INV-0044") == ["sent"], "the ambiguous 250.00 moves nothing")

        let waiting = try setup.harness.paysync(["matches", "--unmatched", "--format", "json"])
        let rows = try JSONParser.parse(waiting.standardOutput).arrayValue ?? []
        #expect(rows.count == 1 && rows[0]["state"]?.stringValue == "ambiguous", "\(waiting.standardOutput)")
        #expect(rows.first?["reason"]?.stringValue == "names no invoice; INV-0043, INV-0044 are each due GBP 250.00")
        #expect(rows.first?["candidates"]?.arrayValue?.count == 2)
        let all = try setup.harness.paysync(["matches"]).standardOutput
        #expect(all.contains("applied: statement:GB33BUKB20201555555555:bank_transaction:BUKB-20250501-000731 -> xero:\(setup.tenant):invoice:"), "\(all)")

        // Nothing new: a rerun and a second import of the same file write nothing.
        let before = setup.statuses("INV-0042").count
        #expect(try setup.run(["reconcile"]).status == 0)
        #expect(try setup.run(["import-statement", statement, "--account", "bank-uk"]).status == 0)
        // Xero edits the invoice (still unpaid there): read again, it stays paid.
        setup.harness.server.updateInvoice("1e5f0000-0000-4000-a000-000000000142", tenant: setup.tenant) { $0.reference = "PO 77" }
        #expect(try setup.run(["reconcile"]).status == 0)
        #expect(setup.statuses("INV-0042").count == before, "nothing written: \(setup.statuses("INV-0042"))")
        // The bookkeeper records the same payment in Xero: paid once, not twice. (Xero's own
        // record adds its payment date, which the CRM hears; the amount stays what was paid.)
        setup.harness.server.pay(invoice: "1e5f0000-0000-4000-a000-000000000142", amount: 10_000, tenant: setup.tenant)
        #expect(try setup.run(["reconcile"]).status == 0)
        #expect(setup.values("INV-0042", "status") == ["sent", "paid"], "\(setup.statuses("INV-0042"))")
        #expect(setup.values("INV-0042", "amount_paid") == ["0.00", "100.00"], "never 200.00: \(setup.values("INV-0042", "amount_paid"))")

        // A person decides the ambiguous credit; the next run applies it.
        let credit = try #require(rows.first?["credit"]?.stringValue)
        let confirmed = try setup.harness.paysync(["matches", "confirm", credit, "INV-0043"])
        #expect(confirmed.status == 0 && confirmed.standardOutput.hasPrefix("confirmed: "), "\(confirmed.standardError)")
        #expect(try setup.run(["reconcile"]).status == 0)
        #expect(setup.statuses("INV-0043") == ["sent", "paid"])
        #expect(setup.statuses("INV-0044") == ["sent"])
        let none = try setup.harness.paysync(["matches", "--unmatched"]).standardOutput
        #expect(none.contains("no bank credit waits for a person"), "\(none)")
    }

    @Test func aFileThatCannotBeReadIsRefusedWholeAndNamesWhere() throws {
        let setup = try Setup()
        let result = try setup.run(["import-statement", Repository.path("fixtures/statements/camt053-truncated.xml"), "--account", "bank-uk"])
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains("camt053-truncated.xml: line "), "\(result.standardError)")
        #expect(result.standardError.contains("nothing was imported"))
        let wrongSource = try setup.run(["import-statement", Repository.path("fixtures/statements/camt053-001-02.xml"), "--account", "xero"])
        #expect(wrongSource.status == 64, "\(wrongSource.standardError)")
    }
}
