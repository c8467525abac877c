import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncLedger

/// The PostgreSQL ledger against a throwaway server (`ThrowawayPostgres`): its migrations refuse
/// what the SQLite ledger refuses, and its leases split work between workers, each of which has
/// its own connection, as separate processes would.
@Suite(.serialized) struct PostgresLedgerTests {
    static let now = Timestamp(iso: "2026-11-26T10:00:00Z")!

    @Test func anEmptyDatabaseIsMigratedOnceHoweverOftenItIsOpened() async throws {
        let url = try ThrowawayPostgres.server().newDatabase()
        let first = try PostgresLedger(url: url, now: Self.now)
        _ = try PostgresLedger(url: url, now: Self.now)
        let connection = try PGConnection(url)
        #expect(try connection.execute("SELECT name FROM schema_migrations ORDER BY position").rows.map { $0[0] } == PostgresSchema.migrations.map(\.name))
        #expect(await first.backend.hasPrefix("PostgreSQL "))
    }

    @Test func aDatabaseOfSomethingElseIsLeftUntouched() throws {
        let url = try ThrowawayPostgres.server().newDatabase()
        let connection = try PGConnection(url)
        try connection.execute("CREATE TABLE customers (id integer PRIMARY KEY, name text)")
        #expect(throws: LedgerError.notALedger(path: url)) { try PostgresLedger(url: url, now: Self.now) }
        #expect(try connection.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()").scalar == "1", "nothing added")
    }

    @Test func aNewerSchemaIsRefused() throws {
        let url = try ThrowawayPostgres.server().newDatabase()
        _ = try PostgresLedger(url: url, now: Self.now)
        let connection = try PGConnection(url)
        try connection.execute("INSERT INTO schema_migrations (position, name, applied_at) VALUES ($1, 'from-the-future', 0)", [String(PostgresSchema.migrations.count + 1)])
        #expect(throws: LedgerError.newerSchema(path: url, found: PostgresSchema.migrations.count + 1, known: PostgresSchema.migrations.count)) {
            try PostgresLedger(url: url, now: Self.now)
        }
    }

    @Test func aPasswordNeverReachesAMessage() throws {
        #expect(PostgresLedger.redacted("postgres://paysync:s3cretPw@db.internal:5432/ledger") == "postgres://paysync:***@db.internal:5432/ledger")
        #expect(throws: LedgerError.self) { try PostgresLedger(url: "postgresql://paysync:s3cretPw@/nosuchdb?host=/nonexistent-socket-dir", now: Self.now) }
        do { _ = try PostgresLedger(url: "postgresql://paysync:s3cretPw@/nosuchdb?host=/nonexistent-socket-dir", now: Self.now) } catch {
            #expect(!"\(error)".contains("s3cretPw"), "\(error)")
        }
    }

    @Test func workersNeverHoldTheSameLeaseAndALapsedOneIsTakenOver() async throws {
        let url = try ThrowawayPostgres.server().newDatabase()
        let one = try PostgresLedger(url: url, now: Self.now), two = try PostgresLedger(url: url, now: Self.now)
        let sources = ["xero/tenant-a", "xero/tenant-b"]
        #expect(try await one.acquireLease(among: sources, holder: "worker-1", seconds: 60, now: Self.now) == "xero/tenant-a")
        #expect(try await two.acquireLease(among: sources, holder: "worker-2", seconds: 60, now: Self.now) == "xero/tenant-b")
        #expect(try await two.acquireLease(among: sources, holder: "worker-3", seconds: 60, now: Self.now) == nil, "both held")
        // Worker 1 renews; worker 2 dies. A minute and a bit on, worker 2's lease has lapsed.
        let later = Self.now.adding(milliseconds: 50_000)
        #expect(try await one.renewLease("xero/tenant-a", holder: "worker-1", seconds: 60, now: later))
        let lapsed = Self.now.adding(milliseconds: 61_000)
        #expect(try await one.acquireLease(among: sources, holder: "worker-3", seconds: 60, now: lapsed) == "xero/tenant-b", "taken over after expiry")
        #expect(try await two.renewLease("xero/tenant-b", holder: "worker-2", seconds: 60, now: lapsed) == false, "the dead worker's lease is gone")
        let live = try await one.liveLeases(now: lapsed)
        #expect(live.mapValues(\.holder) == ["xero/tenant-a": "worker-1", "xero/tenant-b": "worker-3"])
        try await one.releaseLease("xero/tenant-a", holder: "worker-1")
        #expect(try await two.acquireLease(among: sources, holder: "worker-2", seconds: 60, now: lapsed) == "xero/tenant-a")
    }

    @Test func manyWorkersAskingAtOnceGetDistinctLeases() async throws {
        let url = try ThrowawayPostgres.server().newDatabase()
        let names = (1...5).map { "source/account-\($0)" }
        let workers = try (1...12).map { _ in try PostgresLedger(url: url, now: Self.now) }
        let taken = try await withThrowingTaskGroup(of: String?.self) { group in
            for (index, worker) in workers.enumerated() {
                group.addTask { try await worker.acquireLease(among: names, holder: "worker-\(index)", seconds: 30, now: Self.now) }
            }
            var result: [String] = []
            for try await name in group { if let name { result.append(name) } }
            return result
        }
        #expect(taken.count == 5 && Set(taken) == Set(names), "\(taken)")
    }
}
