import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// Berlin Group NextGenPSD2 end to end with the built binary against a strict fake bank: booked
/// credits across linked pages pay the invoice they name; the consent's four unattended reads a
/// day are counted in the ledger and a spent account is skipped with a note; `ACCESS_EXCEEDED`
/// and `CONSENT_EXPIRED` are said plainly.
@Suite(.serialized) struct BerlinGroupEndToEndTests {
    final class Setup: Sendable {
        let harness: BinaryHarness
        let bank: FakeBerlinGroupServer

        init(frequency: Int = 4, readsPerDay: Int = 4) throws {
            harness = try BinaryHarness(objects: 0)
            bank = try FakeBerlinGroupServer(frequencyPerDay: frequency, pageSize: 2)
            let server = harness.server
            let contact = FakeXeroContact(contactID: "c0ffee00-0000-4000-a000-0000000000dd", name: "Umbrella GmbH", email: "ap@umbrella.example")
            server.put(invoices: [FakeXeroInvoice(invoiceID: "1e5f0000-0000-4000-a000-000000000450", invoiceNumber: "INV-0050", status: "AUTHORISED",
                                                  contact: contact, date: CalendarDate(iso: "2025-04-10")!, dueDate: CalendarDate(iso: "2025-05-10")!,
                                                  currency: "EUR", subTotal: 8_000, totalTax: 0, lineItems: [], updated: server.tick())], tenant: harness.tenant)
            bank.addAccount("3dc3d5b3-7023-4848-9853-f5400a64e80f", iban: "DE23100100101234567890")
            let account = "3dc3d5b3-7023-4848-9853-f5400a64e80f"
            bank.add(FakeBerlinGroupEntry(id: "20250430-0001", booked: "2025-04-30", amount: "-42.10", debtor: nil, remittance: "Office Supplies"), account: account)
            bank.add(FakeBerlinGroupEntry(id: "20250501-0007", booked: "2025-05-01", amount: "12.00", debtor: "J Doe", remittance: "Donation"), account: account)
            bank.add(FakeBerlinGroupEntry(id: "20250501-0173", booked: "2025-05-01", amount: "80.00", debtor: "Umbrella GmbH",
                                          remittance: "Rechnung INV-0050 Kd 1881", endToEnd: "NOTPROVIDED"), account: account)
            bank.add(FakeBerlinGroupEntry(id: "P-77120", booked: "2025-05-02", amount: "15.00", debtor: "J Doe", remittance: "pending", pending: true), account: account)
            harness.directory.write("paysync.json", """
                {
                  "ledger": "paysync.db",
                  "sources": [
                    {"name": "xero", "kind": "xero", "tenants": ["\(harness.tenant)"],
                     "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"env": "XERO_CLIENT_SECRET"}, "refresh_token": {"env": "XERO_REFRESH_TOKEN"},
                     "base_url": "\(server.apiBaseURL)", "token_url": "\(server.tokenURL)"},
                    {"name": "sparkasse", "kind": "berlin-group", "aspsp": "Testbank", "base_url": "\(bank.baseURL)", "consent_id": "\(bank.consentID)",
                     "consent_valid_until": "2025-07-31", "reads_per_day": \(readsPerDay), "start_date": "2025-04-01"}
                  ],
                  "sinks": [{"name": "out", "kind": "jsonl", "path": "\(harness.directory.file("writes.jsonl"))"}]
                }
                """)
        }

        func reconcile() throws -> ProcessResult {
            try ChildProcess(Repository.paysyncExecutable, ["reconcile", "--config", harness.directory.file("paysync.json"), "--now", "2025-05-02T09:00:00Z"],
                             environment: harness.environment, workingDirectory: harness.directory.path).wait()
        }

        func last(_ record: String) -> JSONValue? {
            (harness.directory.read("writes.jsonl") ?? "").split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
                .last { $0["record"]?.stringValue == record }
        }

        var transactionCalls: [String] { bank.received.filter { $0.contains("/transactions") } }
    }

    @Test func bookedCreditsAcrossPagesPayTheInvoiceTheyName() throws {
        let setup = try Setup()
        let first = try setup.reconcile()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(setup.last("INV-0050")?["to"]?.stringValue == "paid")
        #expect(setup.transactionCalls.first == "GET /psd2/v1/accounts/3dc3d5b3-7023-4848-9853-f5400a64e80f/transactions?bookingStatus=booked&dateFrom=2025-04-01",
                "\(setup.transactionCalls)")
        #expect(setup.transactionCalls.count == 2, "the root-relative next link followed under the API root: \(setup.transactionCalls)")
        let writes = setup.harness.directory.read("writes.jsonl") ?? ""
        #expect(try setup.reconcile().status == 0)
        #expect(setup.harness.directory.read("writes.jsonl") == writes, "a rerun writes nothing")
        #expect(setup.transactionCalls.last?.contains("dateFrom=2025-04-29") == true, "from the cursor less three days: \(setup.transactionCalls)")
    }

    @Test func theDaysReadsAreCountedAndASpentAccountIsSkippedWithANote() throws {
        let setup = try Setup(readsPerDay: 2)
        #expect(try setup.reconcile().status == 0)
        #expect(try setup.reconcile().status == 0)
        let calls = setup.transactionCalls.count
        let third = try setup.reconcile()
        #expect(third.status == 0, "the Xero source progressed, so the run is not a failure: \(third.standardError)")
        #expect(third.standardError.contains("the consent's 2 unattended reads for 2025-05-02 are spent for Testbank account 3dc3d5b3"), "\(third.standardError)")
        #expect(setup.transactionCalls.count == calls, "the bank is not asked a third time")
    }

    @Test func theBanksAccessExceededAndConsentExpiredAreSaidPlainly() throws {
        let exceeded = try Setup(frequency: 0)
        let paused = try exceeded.reconcile()
        #expect(paused.standardError.contains("Testbank says the consent's reads for today are spent (ACCESS_EXCEEDED)"), "\(paused.standardError)")
        #expect(exceeded.transactionCalls.count == 1, "ACCESS_EXCEEDED is never retried: \(exceeded.transactionCalls)")

        let expired = try Setup()
        expired.bank.expireConsent()
        let stopped = try expired.reconcile()
        #expect(stopped.status == 77, "\(stopped.standardError)")
        #expect(stopped.standardError.contains("CONSENT_EXPIRED"), "\(stopped.standardError)")
    }
}
