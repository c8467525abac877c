import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// Issue 9, the secrets part of the suite: every command runs with sentinel secret values
/// (accepted by the fakes, so the runs are real), at every log level and format, recording,
/// crashing, and against a token endpoint that echoes a token back; no sentinel ever appears in
/// standard output, standard error or a recording.
@Suite struct SentinelSecretTests {
    static let sentinels = [
        "xero-client": "SENTINEL-xero-client-id-4a7f", "xero-secret": "SENTINEL-xero-client-secret-91c2",
        "xero-refresh": "SENTINEL-xero-refresh-token-0d5e", "hubspot": "SENTINEL-hubspot-token-b3e8",
        "sf-id": "SENTINEL-salesforce-id-77aa", "sf-secret": "SENTINEL-salesforce-secret-1f0c",
        "sf-refresh": "SENTINEL-salesforce-refresh-9e44", "webhook": "SENTINEL-webhook-secret-c6d1",
    ]

    @Test func noCommandEverPrintsOrRecordsASecret() async throws {
        let s = Self.sentinels
        let tenant = "5e571e10-0000-4000-a000-000000005e57"
        let xero = try FakeXeroServer(tenants: [tenant], clientID: s["xero-client"]!, clientSecret: s["xero-secret"]!, refreshToken: s["xero-refresh"]!)
        var generator = XeroDataGenerator(seed: 3)
        let data = generator.dataset(objects: 30, start: xero.now.adding(milliseconds: -86_400_000 * 5))
        xero.put(invoices: data.invoices, tenant: tenant)
        xero.put(payments: data.payments, tenant: tenant)
        xero.put(creditNotes: data.creditNotes, tenant: tenant)
        let hubspot = try FakeHubSpotServer(token: s["hubspot"]!)
        hubspot.defineDeals()
        let salesforce = try FakeSalesforceServer(clientID: s["sf-id"]!, clientSecret: s["sf-secret"]!, refreshToken: s["sf-refresh"]!)
        salesforce.setRotation(true)
        let receiver = try WebhookReceiver(secret: s["webhook"]!)
        let work = TemporaryDirectory(prefix: "paysync-sentinel")
        for (name, value) in s { work.write("secrets/\(name)", value + "\n") }
        func file(_ name: String) -> String { #"{"file": "\#(work.file("secrets/\(name)"))"}"# }
        work.write("paysync.json", """
            {"ledger": "paysync.db",
             "sources": [{"name": "xero", "kind": "xero", "tenants": ["\(tenant)"], "client_id": \(file("xero-client")),
                          "client_secret": \(file("xero-secret")), "refresh_token": \(file("xero-refresh")),
                          "base_url": "\(xero.apiBaseURL)", "token_url": "\(xero.tokenURL)", "page_size": 10}],
             "sinks": [
               {"name": "hubspot", "kind": "hubspot", "token": \(file("hubspot")), "base_url": "\(hubspot.baseURL)",
                "objects": {"invoice": {"object": "deals", "id_property": "invoice_number", "missing_record": "create",
                  "properties": {"amount_paid": "amount_paid", "amount_due": "amount_due"}}}},
               {"name": "salesforce", "kind": "salesforce", "token_url": "\(salesforce.tokenURL)", "client_id": \(file("sf-id")),
                "client_secret": \(file("sf-secret")), "refresh_token": \(file("sf-refresh")),
                "objects": {"invoice": {"object": "Opportunity", "id_property": "Invoice_Number__c", "missing_record": "skip",
                  "properties": {"Amount_Paid__c": "amount_paid"}}}},
               {"name": "hook", "kind": "webhook", "url": "\(receiver.url)", "secret": \(file("webhook"))}],
             "http": {"max_retry_seconds": 2}}
            """)
        var transcripts: [String] = []
        func run(_ arguments: [String], fault: String? = nil) throws {
            var environment: [String: String] = [:]
            environment["PAYSYNC_FAULT"] = fault
            let result = try ChildProcess(Repository.paysyncExecutable, arguments + ["--config", work.file("paysync.json")],
                                          environment: environment, workingDirectory: work.path).wait()
            transcripts.append("$ \(arguments.joined(separator: " "))\n\(result.standardOutput)\n\(result.standardError)")
        }
        try run(["config", "check"])
        try run(["reconcile", "--log-level", "debug"])
        for invoice in xero.invoices(tenant: tenant).prefix(3) { xero.pay(invoice: invoice.invoiceID, amount: invoice.amountDue, tenant: tenant) }
        xero.expireAccessTokens()
        try run(["reconcile", "--log-level", "debug", "--log-format", "json", "--record", work.file("recorded"), "--format", "json"])
        try run(["reconcile", "--dry-run", "--log-level", "debug"])
        try run(["backfill", "--since", "2020-01-01", "--log-level", "debug"])
        for invoice in xero.invoices(tenant: tenant).dropFirst(3).prefix(2) { xero.updateInvoice(invoice.invoiceID, tenant: tenant) { $0.status = "VOIDED" } }
        try run(["reconcile", "--log-level", "debug"], fault: "kill-after-send")
        try run(["status"])
        try run(["status", "--format", "json"])
        try run(["history", xero.invoices(tenant: tenant).first!.invoiceNumber])
        try run(["outbox", "list", "--state", "all", "--format", "json"])
        // A token endpoint that echoes the refresh token in its error, and a refused HubSpot token.
        xero.expireAccessTokens()
        xero.inject(.init(pathSuffix: "/connect/token", reply: .json(400, #"{"error":"invalid_grant","error_description":"token \#(s["xero-refresh"]!) and secret \#(s["xero-secret"]!) rejected"}"#)))
        try run(["reconcile", "--log-level", "debug", "--record", work.file("recorded-refusal")])

        if ProcessInfo.processInfo.environment["PAYSYNC_SHOW"] == "1" { print(transcripts.joined(separator: "\n----\n")) }
        let recordings = ["recorded", "recorded-refusal"].flatMap { folder -> [String] in
            let path = work.file(folder)
            return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).compactMap { try? String(contentsOfFile: path + "/" + $0, encoding: .utf8) }
        }
        #expect(recordings.count >= 4)
        let everything = transcripts + recordings
        #expect(transcripts.joined().contains("paysync"))  // the runs did print
        for (name, sentinel) in s {
            for text in everything where text.contains(sentinel) {
                Issue.record("the \(name) secret appears in: \(text.prefix(300))")
            }
        }
        #expect(!transcripts.joined().contains("Bearer "))
    }
}
