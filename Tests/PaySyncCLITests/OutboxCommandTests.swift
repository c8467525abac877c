import Foundation
import PaySyncCLI
import PaySyncCore
import PaySyncLedger
import PaySyncTestSupport
import Testing

/// Runs the CLI in-process and captures what it prints.
func paysync(_ arguments: [String], variables: [String: String] = [:]) async -> (code: Int32, out: String, err: String) {
    let out = Locked<[String]>([]), err = Locked<[String]>([])
    let output = Output(standardOutput: { line in out.withLock { $0.append(line) } }, standardError: { line in err.withLock { $0.append(line) } })
    let code = await PaySyncCLI.run(arguments, variables: variables, output: output)
    return (code, out.value.joined(separator: "\n"), err.value.joined(separator: "\n"))
}

/// The demo config (`fixtures/demo/paysync.json`) with its jsonl sink writing to `sinkPath`
/// instead of standard output.
func demoConfig(sinkPath: String) throws -> String {
    try String(contentsOfFile: Repository.path("fixtures/demo/paysync.json"), encoding: .utf8)
        .replacingOccurrences(of: #""path": "-""#, with: #""path": "\#(sinkPath)""#)
}

@Suite struct OutboxCommandTests {
    /// A ledger whose sink file cannot be written: every write ends up pending, then dead.
    func ledgerWithDeadLetters() async throws -> (TemporaryDirectory, String) {
        let work = TemporaryDirectory(prefix: "paysync-outbox")
        work.write("paysync.json", """
            {"sources": [{"name": "demo-xero", "kind": "xero", "tenants": ["a1e9c6f2-5d3b-4c8e-9f70-2b6d8e4c1a35"], "timezone": "Europe/London"}],
             "sinks": [{"name": "file", "kind": "jsonl", "path": "\(work.file("no-such-dir/out.jsonl"))"}],
             "outbox": {"max_attempts": 1}}
            """)
        let result = await paysync(["reconcile", "--config", work.file("paysync.json"), "--ledger", work.file("l.db"),
                                    "--fixtures", Repository.path("fixtures/demo/1-first-sync"), "--now", "2025-05-02T09:00:00Z"])
        #expect(result.code == ExitCode.cannotCreate.rawValue)
        #expect(result.err.contains("15 writes for file stay queued for the next run") || result.err.contains("stay queued"))
        return (work, work.file("l.db"))
    }

    @Test func deadLettersAreListedRetriedAndDropped() async throws {
        let (work, ledger) = try await ledgerWithDeadLetters()
        let listed = await paysync(["outbox", "list", "--state", "dead", "--ledger", ledger, "--format", "json"])
        #expect(listed.code == 0)
        let rows = try #require(try JSONParser.parse(listed.out).arrayValue)
        #expect(rows.count == 15)
        #expect(rows.allSatisfy { $0["last_error"]?.stringValue?.contains("cannot open") == true })

        let first = try #require(rows.first?["id"]?.numberText)
        let dropped = await paysync(["outbox", "drop", "--id", first, "--ledger", ledger])
        #expect(dropped.code == 0)
        #expect(dropped.out == "1 write dropped; it will never be sent")

        let retried = await paysync(["outbox", "retry", "--all", "--ledger", ledger])
        #expect(retried.out == "14 writes queued again; the next `paysync reconcile` sends them")
        try FileManager.default.createDirectory(atPath: work.file("no-such-dir"), withIntermediateDirectories: true)
        let next = await paysync(["reconcile", "--config", work.file("paysync.json"), "--ledger", ledger,
                                  "--fixtures", Repository.path("fixtures/demo/2-nothing-changed"), "--now", "2025-05-02T09:00:00Z"])
        #expect(next.code == 0, "\(next.err)")
        #expect(work.read("no-such-dir/out.jsonl")?.split(separator: "\n").count == 14)
        let empty = await paysync(["outbox", "list", "--ledger", ledger])
        #expect(empty.out == "no writes in pending, dead, skipped")

        let missing = await paysync(["outbox", "drop", "--id", "99999", "--ledger", ledger])
        #expect(missing.code == ExitCode.usage.rawValue)
        #expect(missing.err == "paysync: error: outbox row 99999 (or it is being sent) not found in the ledger")
    }

    @Test func statusOnAMissingLedgerSaysWhatToDo() async {
        let result = await paysync(["status", "--ledger", "/tmp/paysync-no-such-ledger-\(UUID().uuidString).db"])
        #expect(result.code == ExitCode.cannotCreate.rawValue)
        #expect(result.err.contains("no ledger at /tmp/paysync-no-such-ledger-"))
        #expect(result.err.contains("run `paysync reconcile` first, or pass --ledger PATH"))
    }
}

@Suite struct ConfigCheckTests {
    @Test func looseSecretFilesAreWarnedAboutAndValuesNeverPrinted() async {
        let work = TemporaryDirectory(prefix: "paysync-config")
        let secret = work.write("client-secret", "top-secret-value\n", mode: 0o644)
        work.write("paysync.json", """
            {"sources": [{"kind": "xero", "tenants": ["t-1"], "client_id": {"env": "XERO_CLIENT_ID"},
                          "client_secret": {"file": "\(secret)"}, "refresh_token": {"env": "XERO_REFRESH_TOKEN"}}],
             "sinks": [{"kind": "jsonl"}]}
            """)
        let result = await paysync(["config", "check", "--config", work.file("paysync.json")],
                                   variables: ["XERO_CLIENT_ID": "id-value", "XERO_REFRESH_TOKEN": "refresh-value"])
        #expect(result.code == 0)
        #expect(result.err == "paysync: warning: \(work.file("paysync.json")): sources[0].client_secret: file \(secret) is readable by other users; run chmod 600 on it")
        for value in ["top-secret-value", "id-value", "refresh-value"] {
            #expect(!result.out.contains(value) && !result.err.contains(value))
        }
    }

    /// Issue 14: the four CRM sinks' mappings are validated as HubSpot's and Salesforce's are.
    @Test func theOtherCRMsMappingsAreCheckedLikeHubSpots() async {
        let work = TemporaryDirectory(prefix: "paysync-config")
        func sinks(status: String, template: String) -> String {
            let mapping = { (object: String, key: String, column: String) in
                #"{"invoice": {"object": "\#(object)", "id_property": "\#(key)", "properties": {"\#(column)": {"field": "status", "values": {"\#(status)": "Paid"}}}, "actions": {"failed": [{"task": "\#(template)"}]}}}"#
            }
            return """
                [{"name": "dyn", "kind": "dynamics", "environment_url": "https://contoso.crm4.dynamics.com", "tenant_id": "t", "client_id": {"env": "A"}, "client_secret": {"env": "B"},
                  "objects": \(mapping("contoso_invoices", "contoso_invoicenumber", "contoso_status"))},
                 {"name": "zoho", "kind": "zoho-crm", "client_id": {"env": "A"}, "client_secret": {"env": "B"}, "refresh_token": {"env": "C"},
                  "objects": \(mapping("Deals", "Invoice_Number", "Payment_Status"))},
                 {"name": "pd", "kind": "pipedrive", "api_token": {"env": "A"}, "objects": \(mapping("deals", "d4de1c1518b4531717c676029a45911c340390a6", "title"))},
                 {"name": "mon", "kind": "monday", "token": {"env": "A"}, "objects": \(mapping("9876543210", "text_invoice", "status"))}]
                """
        }
        work.write("good.json", #"{"sources": [{"kind": "xero", "tenants": ["t-1"]}], "sinks": "# + sinks(status: "paid", template: "Failed: {invoice_number}") + "}")
        let good = await paysync(["config", "check", "--fixtures", "--config", work.file("good.json")], variables: ["A": "a", "B": "b", "C": "c"])
        #expect(good.code == 0, "\(good.err)")
        work.write("bad.json", #"{"sources": [{"kind": "xero", "tenants": ["t-1"]}], "sinks": "# + sinks(status: "payed", template: "Failed: {invoice_numbr}") + "}")
        let bad = await paysync(["config", "check", "--fixtures", "--config", work.file("bad.json")], variables: ["A": "a", "B": "b", "C": "c"])
        #expect(bad.code == ExitCode.configuration.rawValue)
        for (index, column) in ["contoso_status", "Payment_Status", "title", "status"].enumerated() {
            #expect(bad.err.contains("sinks[\(index)].objects.invoice.properties.\(column).values.payed: is not a status; did you mean \"paid\"?"), "\(bad.err)")
            #expect(bad.err.contains("sinks[\(index)].objects.invoice.actions.failed[0].task: placeholder {invoice_numbr}"), "\(bad.err)")
        }
    }

    @Test func sinkSecretsAreCheckedToo() async {
        let work = TemporaryDirectory(prefix: "paysync-config")
        work.write("paysync.json", """
            {"sources": [{"kind": "xero", "tenants": ["t-1"]}],
             "sinks": [{"kind": "hubspot", "token": {"env": "HUBSPOT_TOKEN"},
                        "objects": {"invoice": {"object": "deals", "id_property": "invoice_number", "properties": {"payment_status": "status"}}}},
                       {"kind": "webhook", "url": "https://hooks.example/paysync", "secret": {"env": "HOOK_SECRET"}}]}
            """)
        let result = await paysync(["config", "check", "--fixtures", "--config", work.file("paysync.json")], variables: ["HOOK_SECRET": "s"])
        #expect(result.code == ExitCode.configuration.rawValue)
        #expect(result.err == "paysync: error: \(work.file("paysync.json")): sinks[0].token: environment variable HUBSPOT_TOKEN is not set")
    }

    @Test func aMissingEnvironmentVariableIsNamed() async {
        let work = TemporaryDirectory(prefix: "paysync-config")
        work.write("paysync.json", """
            {"sources": [{"kind": "xero", "tenants": ["t-1"], "client_id": {"env": "XERO_CLIENT_ID"},
                          "client_secret": {"env": "XERO_CLIENT_SECRET"}, "refresh_token": {"env": "XERO_REFRESH_TOKEN"}}],
             "sinks": [{"kind": "jsonl"}]}
            """)
        let result = await paysync(["reconcile", "--config", work.file("paysync.json"), "--ledger", work.file("l.db")],
                                   variables: ["XERO_CLIENT_ID": "x", "XERO_REFRESH_TOKEN": "y"])
        #expect(result.code == ExitCode.configuration.rawValue)
        #expect(result.err == "paysync: error: sources[xero].client_secret: environment variable XERO_CLIENT_SECRET is not set")
    }

    @Test("a config that exists but does not parse is an error, not a fall-back to ./paysync.db", arguments: [
        ["outbox", "drop", "--id", "1"], ["outbox", "retry", "--all"], ["outbox", "list"], ["status"], ["history", "INV-1"],
    ])
    func aBrokenConfigIsAnErrorForEveryCommand(arguments: [String]) async throws {
        let work = TemporaryDirectory(prefix: "paysync-broken-config")
        work.write("paysync.json", #"{"ledger": "l.db", "sources": [,]}"#)
        let result = await paysync(arguments + ["--config", work.file("paysync.json")])
        #expect(result.code == ExitCode.configuration.rawValue)
        #expect(result.err.contains("malformed JSON"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: "paysync.db"))
        #expect(!FileManager.default.fileExists(atPath: work.file("l.db")))
    }
}
