import Foundation
import PaySyncCore
import PaySyncLedger
import PaySyncTestSupport

/// The built `paysync` binary as a child process, against a fake Xero served by this test process.
final class BinaryHarness: Sendable {
    let tenant = "c11c0de0-0000-4000-a000-00000000000c"
    let server: FakeXeroServer
    let directory = TemporaryDirectory(prefix: "paysync-cli")

    init(objects: Int, pageSize: Int = 50, extraConfig: String = "") throws {
        server = try FakeXeroServer(tenants: [tenant])
        var generator = XeroDataGenerator(seed: 5)
        let data = generator.dataset(objects: objects, start: server.now.adding(milliseconds: -86_400_000))
        server.put(invoices: data.invoices, tenant: tenant)
        server.put(payments: data.payments, tenant: tenant)
        server.put(creditNotes: data.creditNotes, tenant: tenant)
        directory.write("paysync.json", """
            {
              "ledger": "paysync.db",
              "sources": [{
                "name": "xero", "kind": "xero", "tenants": ["\(tenant)"],
                "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"env": "XERO_CLIENT_SECRET"},
                "refresh_token": {"env": "XERO_REFRESH_TOKEN"},
                "base_url": "\(server.apiBaseURL)", "token_url": "\(server.tokenURL)", "page_size": \(pageSize)
              }],
              "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}],
              "http": {"max_retry_seconds": 20}\(extraConfig)
            }
            """)
    }

    var environment: [String: String] {
        ["XERO_CLIENT_ID": server.clientID, "XERO_CLIENT_SECRET": server.clientSecret, "XERO_REFRESH_TOKEN": "initial-refresh-token"]
    }

    func start(_ arguments: [String], fault: String? = nil) throws -> ChildProcess {
        var variables = environment
        variables["PAYSYNC_FAULT"] = fault
        return try ChildProcess(Repository.paysyncExecutable, arguments + ["--config", directory.file("paysync.json")],
                                environment: variables, workingDirectory: directory.path)
    }

    func paysync(_ arguments: [String], fault: String? = nil) throws -> ProcessResult {
        try start(arguments, fault: fault).wait()
    }

    var writtenRecords: [String] {
        (directory.read("writes.jsonl") ?? "").split(separator: "\n").compactMap { try? JSONParser.parse(String($0))["record"]?.stringValue }
    }

    var ledgerPath: String { directory.file("paysync.db") }

    func outboxCount(_ state: OutboxState) async throws -> Int {
        try await Ledger(path: ledgerPath, create: false).outboxCount(sink: nil, state: state)
    }

    /// In-scope objects the fake holds.
    /// Sales invoices, payments, refunds and sales credit notes: every object the run writes once.
    var objectCount: Int {
        server.invoices(tenant: tenant).filter { $0.type == "ACCREC" }.count + server.payments(tenant: tenant).count
            + server.creditNotes(tenant: tenant).filter { $0.type == "ACCRECCREDIT" }.count
    }
}
