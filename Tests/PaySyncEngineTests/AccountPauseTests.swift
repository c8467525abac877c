import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Xero's daily budget is per tenant: when one tenant's is spent, that tenant stops cleanly with a
/// note and the others are read in full; the run exits 75 only when no tenant could progress.
@Suite(.serialized) struct AccountPauseTests {
    let tenants = ["d1d1d1d1-0000-4000-a000-00000000000a", "d1d1d1d1-0000-4000-a000-00000000000b"]
    static let daySpent = ServerReply.status(429, headers: ["Retry-After": "3600", "X-Rate-Limit-Problem": "day"])

    func setUp() throws -> (FakeXeroServer, TemporaryDirectory, Configuration, VirtualClock) {
        let now = Timestamp(iso: "2025-05-02T09:00:00Z")!
        let server = try FakeXeroServer(tenants: tenants, clock: now.adding(milliseconds: -3_600_000))
        for (index, tenant) in tenants.enumerated() {
            var generator = XeroDataGenerator(seed: UInt64(20 + index))
            let data = generator.dataset(objects: 40, start: server.now.adding(milliseconds: -86_400_000 * 10), numberOffset: index * 1000)
            server.put(invoices: data.invoices, tenant: tenant)
            server.put(payments: data.payments, tenant: tenant)
            server.put(creditNotes: data.creditNotes, tenant: tenant)
        }
        let directory = TemporaryDirectory(prefix: "paysync-pause")
        let configuration = Configuration(file: "test.json", sources: [.xero(name: "xero-firm", server.settings(tenants: tenants))],
                                          sinks: [.jsonLines(name: "out", path: directory.file("writes.jsonl"))])
        return (server, directory, configuration, VirtualClock(start: now))
    }

    func run(_ server: FakeXeroServer, _ directory: TemporaryDirectory, _ configuration: Configuration, _ clock: VirtualClock) async throws -> RunReport {
        try await Reconciler.run(
            configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
            dependencies: EngineDependencies(environment: clock.environment, logger: .silent, transport: URLSessionTransport(), variables: server.variables()))
    }

    func objects(in directory: TemporaryDirectory, tenant: String) -> Int {
        (directory.read("writes.jsonl") ?? "").split(separator: "\n").filter { $0.contains("xero:\(tenant):") }.count
    }

    @Test func aSpentTenantIsANoteAndTheOthersAreReadInFull() async throws {
        let (server, directory, configuration, clock) = try setUp()
        server.inject(.init(pathSuffix: "/Invoices", reply: Self.daySpent, tenant: tenants[0]))
        let report = try await run(server, directory, configuration, clock)
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(report.paused == ["xero-firm: Xero's daily limit (5,000 calls) is spent for tenant \(tenants[0]); it is read again after 3600 s, from where it stopped"])
        #expect(objects(in: directory, tenant: tenants[0]) == 0)
        #expect(objects(in: directory, tenant: tenants[1]) == server.invoices(tenant: tenants[1]).count + server.payments(tenant: tenants[1]).count)
        // The spent tenant read nothing more that run (its payments were not asked for).
        #expect(server.received.filter { $0.tenant == tenants[0] && $0.path.hasSuffix("/Payments") }.isEmpty)

        // The next run reads it in full.
        let next = try await run(server, directory, configuration, clock)
        #expect(next.exitCode == .success && next.paused.isEmpty)
        #expect(objects(in: directory, tenant: tenants[0]) == server.invoices(tenant: tenants[0]).count + server.payments(tenant: tenants[0]).count)
    }

    @Test func whenNoTenantCanProgressTheRunExits75() async throws {
        let (server, directory, configuration, clock) = try setUp()
        for tenant in tenants { server.inject(.init(pathSuffix: "/Invoices", reply: Self.daySpent, tenant: tenant)) }
        let report = try await run(server, directory, configuration, clock)
        #expect(report.exitCode == .temporaryFailure)
        #expect(report.paused.count == 2)
        #expect(report.problems.map(\.message).contains { $0.hasPrefix("no account could make progress: xero-firm: Xero's daily limit") })
    }
}
