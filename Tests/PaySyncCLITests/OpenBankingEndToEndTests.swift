import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// UK Open Banking end to end with the built binary against a strict fake bank: booked credits
/// only, paged by `Links.Next`, an interaction id per call; a credit naming an open Xero invoice
/// pays it; the consent's end stops the run with exit 77 before any call, is warned about a week
/// ahead, shows in `status`, and a bank's 403 says the same.
@Suite(.serialized) struct OpenBankingEndToEndTests {
    final class Setup: Sendable {
        let harness: BinaryHarness
        let bank: FakeOBIEServer

        init(consentExpires: String = "2025-08-01T00:00:00Z") throws {
            harness = try BinaryHarness(objects: 0)
            bank = try FakeOBIEServer(pageSize: 2)
            let server = harness.server
            let contact = FakeXeroContact(contactID: "c0ffee00-0000-4000-a000-0000000000cc", name: "Acme Ltd", email: "ap@acme.example")
            server.put(invoices: [FakeXeroInvoice(invoiceID: "1e5f0000-0000-4000-a000-000000000342", invoiceNumber: "INV-0042", status: "AUTHORISED",
                                                  contact: contact, date: CalendarDate(iso: "2025-04-20")!, dueDate: CalendarDate(iso: "2025-05-20")!,
                                                  currency: "GBP", subTotal: 10_000, totalTax: 0, lineItems: [], updated: server.tick())], tenant: harness.tenant)
            bank.addAccount("22289")
            let day = { (text: String) in Timestamp(iso: text)! }
            bank.add(FakeOBIETransaction(account: "22289", id: "b1f0c6a2-20250501-000173", booked: day("2025-05-01T09:21:07Z"), amount: "100.00",
                                         reference: "INV-0042", information: "ACME LTD INV-0042 FP", debtorName: "ACME LTD"))
            bank.add(FakeOBIETransaction(account: "22289", id: "b1f0c6a2-20250501-000174", credit: false, booked: day("2025-05-01T10:00:00Z"), amount: "42.10",
                                         reference: nil, information: "CARD COFFEE", debtorName: nil))
            bank.add(FakeOBIETransaction(account: "22289", id: nil, status: "Pending", booked: day("2025-05-02T08:00:00Z"), amount: "55.00",
                                         reference: "INV-0099", information: "PENDING FP", debtorName: "J DOE"))
            harness.directory.write("paysync.json", """
                {
                  "ledger": "paysync.db",
                  "sources": [
                    {"name": "xero", "kind": "xero", "tenants": ["\(harness.tenant)"],
                     "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"env": "XERO_CLIENT_SECRET"}, "refresh_token": {"env": "XERO_REFRESH_TOKEN"},
                     "base_url": "\(server.apiBaseURL)", "token_url": "\(server.tokenURL)"},
                    {"name": "alpha", "kind": "obie", "aspsp": "Alpha Bank", "base_url": "\(bank.baseURL)", "token_url": "\(bank.tokenURL)",
                     "client_id": {"env": "OBIE_CLIENT_ID"}, "client_secret": {"env": "OBIE_CLIENT_SECRET"}, "refresh_token": {"env": "OBIE_REFRESH"},
                     "consent_id": "aac-1f2e3d4c", "consent_expires": "\(consentExpires)", "start_date": "2025-04-01"}
                  ],
                  "sinks": [{"name": "out", "kind": "jsonl", "path": "\(harness.directory.file("writes.jsonl"))"}]
                }
                """)
        }

        func paysync(_ arguments: [String]) throws -> ProcessResult {
            try ChildProcess(Repository.paysyncExecutable, arguments + ["--config", harness.directory.file("paysync.json"), "--now", "2025-05-02T09:00:00Z"],
                             environment: harness.environment.merging(["OBIE_CLIENT_ID": bank.clientID, "OBIE_CLIENT_SECRET": bank.clientSecret,
                                                                       "OBIE_REFRESH": "obie-refresh-1"]) { $1 },
                             workingDirectory: harness.directory.path).wait()
        }

        func last(_ record: String) -> JSONValue? {
            (harness.directory.read("writes.jsonl") ?? "").split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
                .last { $0["record"]?.stringValue == record }
        }
    }

    @Test func aBookedCreditNamingAnInvoicePaysItAcrossPages() throws {
        let setup = try Setup()
        let first = try setup.paysync(["reconcile"])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(setup.last("INV-0042")?["to"]?.stringValue == "paid")
        let calls = setup.bank.received
        #expect(calls.first == "GET /open-banking/v3.1/aisp/accounts", "\(calls)")
        #expect(calls.contains("GET /open-banking/v3.1/aisp/accounts/22289/transactions?fromBookingDateTime=2025-04-01T00%3A00%3A00"), "no zone sent: \(calls)")
        #expect(calls.contains { $0.hasSuffix("page=2") }, "the next link followed: \(calls)")
        #expect(Set(setup.bank.interactionIDs).count == setup.bank.interactionIDs.count, "a fresh x-fapi-interaction-id per call")
        let waiting = try setup.paysync(["matches", "--unmatched"]).standardOutput
        #expect(!waiting.contains("INV-0099"), "the pending credit is not stored, so not matched: \(waiting)")

        let writes = (setup.harness.directory.read("writes.jsonl") ?? "").count
        #expect(try setup.paysync(["reconcile"]).status == 0)
        #expect((setup.harness.directory.read("writes.jsonl") ?? "").count == writes, "a rerun writes nothing")
        let status = try setup.paysync(["status"]).standardOutput
        #expect(status.contains("obie:alpha:consent: expires on 2025-08-01 (in 90 days)"), "\(status)")
    }

    @Test func anExpiredConsentStopsBeforeAnyCallAndOneEndingSoonIsWarnedAbout() throws {
        let expired = try Setup(consentExpires: "2025-04-30T00:00:00Z")
        let stopped = try expired.paysync(["reconcile"])
        #expect(stopped.status == 77, "\(stopped.standardError)")
        #expect(stopped.standardError.contains("consent for ASPSP Alpha Bank expired on 2025-04-30; re-authorise"), "\(stopped.standardError)")
        #expect(expired.bank.received.isEmpty, "the bank is not asked")
        #expect(expired.last("INV-0042")?["to"]?.stringValue == "sent", "the other sources are read as usual")

        let soon = try Setup(consentExpires: "2025-05-06T00:00:00Z")
        let warned = try soon.paysync(["reconcile"])
        #expect(warned.status == 0 && warned.standardError.contains("consent for ASPSP Alpha Bank expires on 2025-05-06; re-authorise it before then"),
                "\(warned.standardError)")
    }

    @Test func aBankThatEndedTheConsentIsExit77() throws {
        let setup = try Setup()
        setup.bank.setConsent(.revoked)
        let result = try setup.paysync(["reconcile"])
        #expect(result.status == 77, "\(result.standardError)")
        #expect(result.standardError.contains("consent for ASPSP Alpha Bank was revoked or ended early"), "\(result.standardError)")
        #expect(result.standardError.contains("UK.OBIE.Resource.InvalidConsentStatus"))
    }
}
