import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncLedger
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// `tenants: "all"`: each run lists the organisations with `GET /connections`; a newly authorised
/// one gets its first sync, a disconnected one is reported and left in the ledger.
@Suite(.serialized) struct AllTenantsTests {
    let first = "e1e1e1e1-0000-4000-a000-00000000000a"
    let second = "e1e1e1e1-0000-4000-a000-00000000000b"

    func load(_ server: FakeXeroServer, tenant: String, seed: UInt64, offset: Int) {
        var generator = XeroDataGenerator(seed: seed)
        let data = generator.dataset(objects: 30, start: server.now.adding(milliseconds: -86_400_000 * 10), numberOffset: offset)
        server.put(invoices: data.invoices, tenant: tenant)
        server.put(payments: data.payments, tenant: tenant)
        server.put(creditNotes: data.creditNotes, tenant: tenant)
    }

    @Test func newOrganisationsAreSyncedAndDisconnectedOnesReported() async throws {
        let now = Timestamp(iso: "2025-05-02T09:00:00Z")!
        let server = try FakeXeroServer(tenants: [first], clock: now.adding(milliseconds: -3_600_000))
        load(server, tenant: first, seed: 31, offset: 0)
        let directory = TemporaryDirectory(prefix: "paysync-all")
        var settings = server.settings(tenants: [])
        settings.allTenants = true
        let configuration = Configuration(file: "test.json", sources: [.xero(name: "xero-firm", settings)],
                                          sinks: [.jsonLines(name: "out", path: directory.file("writes.jsonl"))])
        let clock = VirtualClock(start: now)
        func run() async throws -> RunReport {
            try await Reconciler.run(
                configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(), variables: server.variables()))
        }
        func written(_ tenant: String) -> Int {
            (directory.read("writes.jsonl") ?? "").split(separator: "\n").filter { $0.contains("xero:\(tenant):") }.count
        }
        func held(_ tenant: String) -> Int { server.invoices(tenant: tenant).count + server.payments(tenant: tenant).count }

        let one = try await run()
        #expect(one.exitCode == .success, "\(one.problems)")
        #expect(written(first) == held(first))
        #expect(server.calls(to: "/connections") == 1)

        // A second organisation authorises the app: the next run gives it a first sync.
        server.connect(tenant: second)
        load(server, tenant: second, seed: 32, offset: 1000)
        let two = try await run()
        #expect(two.exitCode == .success, "\(two.problems)")
        #expect(written(second) == held(second))
        #expect(written(first) == held(first), "nothing new for the first")

        // The first disconnects: reported, not read, its objects kept.
        server.disconnect(tenant: first)
        server.clearReceived()
        let three = try await run()
        #expect(three.exitCode == .success, "\(three.problems)")
        #expect(three.notes == ["xero-firm: account \(first) is no longer connected; its objects stay in the ledger and are not read"])
        #expect(server.received.allSatisfy { $0.tenant != first })
        let status = try await Ledger(path: directory.file("paysync.db"), create: false).status()
        #expect(status.cursors.contains { $0.account == first })
    }
}

@Suite struct AllTenantsConfigTests {
    @Test func tenantsAllIsReadAndAnEmptyListIsStillRefused() throws {
        let all = try ConfigParser.parse(#"{"sources": [{"kind": "xero", "tenants": "all", "client_id": {"env": "A"}, "client_secret": {"env": "B"}, "refresh_token": {"env": "C"}}], "sinks": [{"kind": "jsonl", "path": "-"}]}"#,
                                         file: "paysync.json", kinds: Registry.configKinds)
        let settings = try #require(all.sources.first?.settings as? XeroSettings)
        #expect(settings.allTenants && settings.tenants.isEmpty)
        let error = #expect(throws: ConfigError.self) {
            try ConfigParser.parse(#"{"sources": [{"kind": "xero", "tenants": []}], "sinks": [{"kind": "jsonl", "path": "-"}]}"#, file: "paysync.json", kinds: Registry.configKinds)
        }
        #expect(error?.description.contains(#"sources[0].tenants: list at least one Xero tenant id, or "all""#) == true, "\(error?.description ?? "")")
    }
}
