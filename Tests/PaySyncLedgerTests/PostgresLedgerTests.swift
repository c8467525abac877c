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

    /// A page and its lease: a worker whose lease lapsed and was taken over commits nothing more
    /// for that account, inside the page's own transaction.
    @Test func aPageCommitsOnlyUnderALeaseItsWorkerStillHolds() async throws {
        let url = try ThrowawayPostgres.server().newDatabase()
        let one = try PostgresLedger(url: url, now: at, worker: "worker-1"), two = try PostgresLedger(url: url, now: at, worker: "worker-2")
        let lease = LeaseName.account(provider: "xero", account: "tenant-a")
        #expect(try await one.acquireLease(among: [lease], holder: "worker-1", seconds: 60, now: at) == lease)
        let run = try await one.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await one.apply(commit([invoice("a")], runID: run))
        // Worker 1 stalls past its lease; worker 2 takes the account over.
        let later = at.adding(seconds: 61)
        #expect(try await two.acquireLease(among: [lease], holder: "worker-2", seconds: 60, now: later) == lease)
        var stale = commit([invoice("b")], runID: run)
        stale.observedAt = later
        await #expect(throws: LedgerError.leaseLost(name: lease)) { try await one.apply(stale) }
        #expect(try await one.knownStates(for: [invoice("b").key]) == [nil], "nothing of the page was kept")
        #expect(try await one.outboxCount(sink: nil, state: .pending) == 1)
        // Worker 2 commits under the lease it holds.
        var taken = commit([invoice("b")], runID: run)
        taken.observedAt = later
        try await two.apply(taken)
        #expect(try await two.knownStates(for: [invoice("b").key]) == [invoice("b")])
    }

    /// Two workers draining one sink: a record with a write in flight is left out of the other's
    /// claims (so its writes never go out twice at once, nor out of order), a worker settles only
    /// what it holds, and a dead worker's claim goes back to the queue only once it expires.
    @Test func workersClaimDistinctRecordsAndSettleOnlyTheirOwn() async throws {
        let url = try ThrowawayPostgres.server().newDatabase()
        let one = try PostgresLedger(url: url, now: at, worker: "worker-1", claimSeconds: 120)
        let two = try PostgresLedger(url: url, now: at, worker: "worker-2", claimSeconds: 120)
        let run = try await one.startRun(command: "reconcile", dryRun: false, startedAt: at)
        try await one.apply(commit((1...4).map { invoice("\($0)") }, runID: run))
        let first = try #require(try await one.claimBatch(sink: "out", after: nil, limit: 2, now: at))
        #expect(first.rows.map(\.recordKey) == ["INV-1", "INV-2"])
        // A later change to INV-1 is queued while worker 1 is sending INV-1's first write.
        let paid = invoice("1", status: .paid, paid: 10_000, updated: 2_000)
        try await one.apply(commit([paid], known: [invoice("1")], runID: run))
        let second = try #require(try await two.claimBatch(sink: "out", after: nil, limit: 10, now: at))
        #expect(second.rows.map(\.recordKey) == ["INV-3", "INV-4"], "INV-1 and INV-2 are in flight with worker 1")
        // Worker 2 cannot settle worker 1's rows; worker 1 can.
        #expect(try await two.settle(first.rows.map { ($0.id, .delivered) }, maxAttempts: 3, retryBaseSeconds: 60, retryCapSeconds: 3600, now: at).delivered == 0)
        #expect(try await one.settle(first.rows.map { ($0.id, .delivered) }, maxAttempts: 3, retryBaseSeconds: 60, retryCapSeconds: 3600, now: at).delivered == 2)
        // Now INV-1's later write may go, to whoever claims next.
        #expect(try await two.claimBatch(sink: "out", after: nil, limit: 10, now: at)?.rows.map(\.toStatus) == [.paid])
        // Worker 2 dies holding its two batches; worker 1 leaves them until the claims expire.
        #expect(try await one.recoverInFlight(now: at.adding(seconds: 60)) == 0)
        #expect(try await one.recoverInFlight(now: at.adding(seconds: 121)) == 3)
        #expect(try await one.claimBatch(sink: "out", after: nil, limit: 10, now: at.adding(seconds: 121))?.rows.map(\.recordKey) == ["INV-1", "INV-3", "INV-4"])
    }
}
