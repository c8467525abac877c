import PaySyncConnectors
import PaySyncSinks
import Foundation
import PaySyncCore
import PaySyncHTTP
@testable import PaySyncLedger
import PaySyncTestSupport
@testable import PaySyncEngine

/// A fake Xero on loopback, a temp ledger, a jsonl sink file and a virtual clock: the run goes
/// through the real engine, real OAuth, real HTTP and real SQLite.
final class EngineHarness: Sendable {
    let tenant = "b7c2e1d0-0000-4000-a000-00000000000a"
    let server: FakeXeroServer
    let directory = TemporaryDirectory(prefix: "paysync-engine")
    let clock: VirtualClock
    let configuration: Configuration
    /// The ledger's file path or PostgreSQL URL.
    let ledgerPath: String

    init(objects: Int = 0, pageSize: Int = 1000, overlapSeconds: Int = 60, sweep: SweepSettings? = nil, seed: UInt64 = 11,
         now: Timestamp = Timestamp(iso: "2025-05-02T09:00:00Z")!, outbox: OutboxSettings = OutboxSettings(), sinkPath: String? = nil,
         backend: LedgerBackend = .sqlite) throws {
        ledgerPath = try backend.newLocation(in: directory)
        server = try FakeXeroServer(tenants: [tenant], clock: now.adding(milliseconds: -3_600_000))
        clock = VirtualClock(start: now)
        if objects > 0 {
            var generator = XeroDataGenerator(seed: seed)
            let data = generator.dataset(objects: objects, start: server.now.adding(milliseconds: -86_400_000 * 30))
            server.put(invoices: data.invoices, tenant: tenant)
            server.put(payments: data.payments, tenant: tenant)
            server.put(creditNotes: data.creditNotes, tenant: tenant)
        }
        var settings = XeroSettings(tenants: [tenant])
        settings.baseURL = server.apiBaseURL
        settings.tokenURL = server.tokenURL
        settings.clientID = .environment("XERO_CLIENT_ID")
        settings.clientSecret = .environment("XERO_CLIENT_SECRET")
        settings.refreshToken = .environment("XERO_REFRESH_TOKEN")
        settings.pageSize = pageSize
        settings.overlapSeconds = overlapSeconds
        settings.sweep = sweep
        configuration = Configuration(
            file: "test.json", outbox: outbox,
            sources: [.xero(name: "xero-test", settings)],
            sinks: [.jsonLines(name: "out", path: sinkPath ?? directory.file("writes.jsonl"))]
        )
    }

    var variables: [String: String] {
        ["XERO_CLIENT_ID": server.clientID, "XERO_CLIENT_SECRET": server.clientSecret, "XERO_REFRESH_TOKEN": "initial-refresh-token"]
    }

    func run(_ command: RunCommand = .reconcile, dryRun: Bool = false, configuration: Configuration? = nil) async throws -> RunReport {
        try await Reconciler.run(
            configuration: configuration ?? self.configuration,
            options: RunOptions(command: command, ledgerPath: ledgerPath, dryRun: dryRun),
            dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(), variables: variables)
        )
    }

    /// Every line the jsonl sink has written so far, parsed.
    var lines: [JSONValue] {
        guard let text = directory.read("writes.jsonl") else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
    }

    /// The object keys written, in order.
    var writtenObjects: [String] { lines.compactMap { $0["object"]?.stringValue } }

    /// The run's ledger, opened again as the next command would open it.
    func ledger() throws -> any InspectableLedger {
        PostgresLedger.isURL(ledgerPath) ? try PostgresLedger(url: ledgerPath, now: clock.now) : try Ledger(path: ledgerPath, create: false)
    }

    /// The keys of every in-scope object the fake holds (sales invoices, customer payments,
    /// refunds, credit notes).
    var allObjectKeys: Set<String> {
        var keys = Set(server.invoices(tenant: tenant).filter { $0.type == "ACCREC" }.map { "xero:\(tenant):invoice:\($0.invoiceID)" })
        keys.formUnion(server.creditNotes(tenant: tenant).map { "xero:\(tenant):credit_note:\($0.creditNoteID)" })
        for payment in server.payments(tenant: tenant) {
            let kind = payment.paymentType == "ACCRECPAYMENT" ? "payment" : "refund"
            keys.insert("xero:\(tenant):\(kind):\(payment.paymentID)")
        }
        return keys
    }
}

/// A ledger of either backend, with what the engine tests look at besides the stores.
protocol InspectableLedger: LedgerStore {
    func count(_ table: String) async throws -> Int
    /// The runs that last moved each cursor.
    func cursorRuns() async throws -> Set<Int64>
}

extension Ledger: InspectableLedger {
    func count(_ table: String) throws -> Int { Int(try database.scalar("SELECT count(*) FROM \(table)") ?? 0) }

    func cursorRuns() throws -> Set<Int64> {
        let statement = try database.statement("SELECT run_id FROM cursors")
        defer { statement.reset() }
        var runs: Set<Int64> = []
        while try statement.step() { runs.insert(statement.int64(0)) }
        return runs
    }
}

extension PostgresLedger: InspectableLedger {
    func count(_ table: String) throws -> Int { Int(try connection.execute("SELECT count(*) FROM \(table)").scalar ?? "0") ?? 0 }

    func cursorRuns() throws -> Set<Int64> { Set(try connection.execute("SELECT run_id FROM cursors").rows.compactMap { $0.optionalInt64(0) }) }
}
