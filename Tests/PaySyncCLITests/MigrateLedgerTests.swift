import Foundation
import PaySyncCore
import PaySyncLedger
import PaySyncTestSupport
import Testing

/// `paysync migrate-ledger` with the real binary: an SQLite ledger with history, a rotated
/// refresh token and a full outbox moves into PostgreSQL, and the first run there sends each
/// queued write once, with the key it was queued under, and refreshes with the moved token.
@Suite(.serialized) struct MigrateLedgerTests {
    @Test func aLedgerWithQueuedWritesMovesAndTheNextRunSendsEachOnce() async throws {
        let harness = try BinaryHarness(objects: 90)
        #expect(try harness.paysync(["reconcile"]).status == 0)
        let delivered = harness.writtenRecords.count
        // Changes recorded, then the run dies before sending them: they wait in the outbox.
        let open = harness.server.invoices(tenant: harness.tenant).filter { $0.status == "AUTHORISED" && $0.amountPaid == 0 }.prefix(4)
        for invoice in open { harness.server.updateInvoice(invoice.invoiceID, tenant: harness.tenant) { $0.status = "VOIDED" } }
        harness.server.expireAccessTokens()
        let killed = try harness.paysync(["reconcile"], fault: "kill-before-delivery")
        #expect(killed.signalled)
        let sqlite = try Ledger(path: harness.ledgerPath, create: false, readOnly: true)
        let queued = try await sqlite.outboxRows(states: [.pending], sink: nil, limit: 100)
        #expect(queued.count == 4)
        let sqliteStatus = try await sqlite.status()
        let sqliteHistory = try await sqlite.history(of: open.first!.invoiceNumber)

        let url = try ThrowawayPostgres.server().newDatabase()
        let moved = try harness.paysync(["migrate-ledger", "--from", "paysync.db", "--to", url])
        #expect(moved.status == 0, "\(moved.standardError)")
        #expect(moved.standardOutput.contains("outbox: 4"), "\(moved.standardOutput)")
        #expect(moved.standardOutput.contains("objects: \(harness.objectCount)"), "\(moved.standardOutput)")

        // The same ledger, seen through PostgreSQL.
        let postgres = try PostgresLedger(url: url, now: RunEnvironment.live.now(), migrating: false)
        #expect(try await postgres.outboxRows(states: [.pending], sink: nil, limit: 100).map(\.writeKey) == queued.map(\.writeKey))
        let postgresStatus = try await postgres.status()
        #expect(postgresStatus.objectsByStatus.map { "\($0)" } == sqliteStatus.objectsByStatus.map { "\($0)" })
        #expect(postgresStatus.cursors == sqliteStatus.cursors)
        #expect(postgresStatus.lastRuns.map(\.id) == sqliteStatus.lastRuns.map(\.id))
        #expect(try await postgres.history(of: open.first!.invoiceNumber).map(\.transitions) == sqliteHistory.map(\.transitions))
        let rotated = try #require(try await sqlite.credential(named: "xero:xero:refresh_token"))
        #expect(rotated.value.reveal() != "initial-refresh-token", "the token was rotated before the move")
        #expect(try await postgres.credential(named: "xero:xero:refresh_token")?.value.reveal() == rotated.value.reveal())

        // A second move into the same ledger is refused, and changes nothing.
        let again = try harness.paysync(["migrate-ledger", "--from", "paysync.db", "--to", url])
        #expect(again.status == 73)
        #expect(again.standardError.contains("already holds a ledger's data"), "\(again.standardError)")

        // The first run on PostgreSQL: the queued writes go out once, the rotated token refreshes.
        let first = try harness.paysync(["reconcile", "--ledger", url])
        #expect(first.status == 0, "\(first.standardError)")
        let records = harness.writtenRecords
        #expect(records.count == delivered + 4)
        #expect(Set(records.dropFirst(delivered)) == Set(open.map(\.invoiceNumber)))
        #expect(try await postgres.outboxCount(sink: nil, state: .pending) == 0)
        // New history continues after the moved ids.
        #expect(try await postgres.recentRuns(limit: 1).first.map { $0.id > sqliteStatus.lastRuns.map(\.id).max()! } == true)

        // `status` reads the shared ledger as it reads the file, with who holds which lease now.
        let worker = try PostgresLedger(url: url, now: RunEnvironment.live.now(), worker: "host-b:4242")
        #expect(try await worker.acquireLease(among: ["xero:\(harness.tenant)"], holder: "host-b:4242", seconds: 600, now: RunEnvironment.live.now()) != nil)
        let status = try harness.paysync(["status", "--ledger", url])
        #expect(status.status == 0, "\(status.standardError)")
        #expect(status.standardOutput.contains("(PostgreSQL 15") || status.standardOutput.contains("(PostgreSQL 1"), "\(status.standardOutput)")
        #expect(status.standardOutput.contains("leases (workers reading now):\n  xero:\(harness.tenant): host-b:4242 until "), "\(status.standardOutput)")
        let json = try JSONParser.parse(try harness.paysync(["status", "--ledger", url, "--format", "json"]).standardOutput)
        #expect(json["leases"]?.arrayValue?.first?["holder"]?.stringValue == "host-b:4242")
        #expect(json["backend"]?.stringValue?.hasPrefix("PostgreSQL ") == true && json["sqlite"] == .null)
    }

    @Test func aMoveNeedsAnSQLiteFileAndAPostgreSQLTarget() throws {
        let harness = try BinaryHarness(objects: 5)
        let missing = try harness.paysync(["migrate-ledger", "--from", "nowhere.db", "--to", "postgres:///x"])
        #expect(missing.status == 73 && missing.standardError.contains("no ledger at nowhere.db"), "\(missing.standardError)")
        let notPostgres = try harness.paysync(["migrate-ledger", "--from", "paysync.db", "--to", "other.db"])
        #expect(notPostgres.status == 64 && notPostgres.standardError.contains("--to other.db: not a postgres:// URL"), "\(notPostgres.standardError)")
        let noFrom = try harness.paysync(["migrate-ledger"])
        #expect(noFrom.status == 64 && noFrom.standardError.contains("--from PATH is required"), "\(noFrom.standardError)")
    }
}
