import Foundation
import PaySyncCore
@testable import PaySyncLedger
import PaySyncTestSupport
import Testing

/// Issue 9, local faults: a damaged, newer, locked or full ledger gets a one-line error with its
/// exit code, and none is silently re-created (which would resend everything).
@Suite struct LedgerFaultTests {
    /// A real ledger from the demo's first run.
    func demoLedger() async throws -> (TemporaryDirectory, String) {
        let work = TemporaryDirectory(prefix: "paysync-ledger-fault")
        work.write("paysync.json", try demoConfig(sinkPath: work.file("writes.jsonl")))
        let result = await paysync(["reconcile", "--config", work.file("paysync.json"), "--ledger", work.file("l.db"),
                                    "--fixtures", Repository.path("fixtures/demo/1-first-sync")])
        #expect(result.code == 0, "\(result.err)")
        return (work, work.file("l.db"))
    }

    func reconcile(_ work: TemporaryDirectory, ledger: String) async -> (code: Int32, out: String, err: String) {
        await paysync(["reconcile", "--config", work.file("paysync.json"), "--ledger", ledger, "--fixtures", Repository.path("fixtures/demo/2-nothing-changed")])
    }

    @Test func aDamagedLedgerIsRefusedAndNeverReplaced() async throws {
        let (work, ledger) = try await demoLedger()
        // Overwrite the middle of the file: pages of the objects table and its indexes.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: ledger))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 3)
        handle.write(Data(repeating: 0xA5, count: Int(size / 3)))
        try handle.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        for result in [await reconcile(work, ledger: ledger), await paysync(["status", "--ledger", ledger])] {
            #expect(result.code == ExitCode.dataError.rawValue, "\(result.err)")
            #expect(result.err.contains("damaged") || result.err.contains("malformed") || result.err.contains("not a paysync ledger"), "\(result.err)")
            #expect(result.err.split(separator: "\n").count == 1)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)).count == before.count)
    }

    @Test func aLedgerFromANewerPaysyncIsRefusedUntouched() async throws {
        let (work, ledger) = try await demoLedger()
        try Database(path: ledger, create: false).execute("PRAGMA user_version = 999")
        let result = await reconcile(work, ledger: ledger)
        #expect(result.code == ExitCode.dataError.rawValue)
        #expect(result.err.contains("was written by a newer paysync"), "\(result.err)")
        #expect(try Database(path: ledger, create: false).scalar("PRAGMA user_version") == 999)
    }

    @Test func aLedgerLockedByAnotherProcessIsExit75NotAHang() async throws {
        let (work, ledger) = try await demoLedger()
        let holder = try Database(path: ledger, create: false)
        try holder.execute("BEGIN EXCLUSIVE")
        defer { try? holder.execute("ROLLBACK") }
        let started = Date()
        let result = await reconcile(work, ledger: ledger)
        #expect(result.code == ExitCode.temporaryFailure.rawValue, "\(result.err)")
        #expect(result.err.contains("locked"), "\(result.err)")
        #expect(Date().timeIntervalSince(started) < 20)
    }

    @Test func aFullDiskFailsThePageAndKeepsWhatWasCommitted() async throws {
        let directory = TemporaryDirectory(prefix: "paysync-full")
        let ledger = try Ledger(path: directory.file("l.db"))
        let run = try await ledger.startRun(command: "test", dryRun: false, startedAt: Timestamp(millisecondsSinceEpoch: 0))
        let currency = Currency(code: "GBP")!
        func page(_ range: Range<Int>) -> PageCommit {
            let observations = range.map { index in
                Observation(key: ObjectKey(provider: "p", account: "a", kind: .invoice, externalID: "id-\(index)"), status: .sent, providerStatus: "OPEN",
                            currency: currency, total: Money(minorUnits: Int64(index), currency: currency), invoiceNumber: "INV-\(index)",
                            reference: String(repeating: "r", count: 500))
            }
            let plan = PagePlanner.plan(observations: observations, known: observations.map { _ in nil }, routes: [])
            return PageCommit(provider: "p", account: "a", plan: plan, cursor: nil, runID: run, observedAt: Timestamp(millisecondsSinceEpoch: 0))
        }
        try await ledger.apply(page(0..<10))
        try await ledger.limitPages(to: ledger.pageCount() + 2)
        let error = await #expect(throws: SQLiteError.self) { try await ledger.apply(page(10..<2000)) }
        #expect(error?.exitCode == .cannotCreate)
        #expect(error?.description.contains("full") == true, "\(error?.description ?? "")")
        #expect(try await ledger.knownStates(for: [ObjectKey(provider: "p", account: "a", kind: .invoice, externalID: "id-5")]).first??.invoiceNumber == "INV-5")
        #expect(try await ledger.knownStates(for: [ObjectKey(provider: "p", account: "a", kind: .invoice, externalID: "id-15")]).first! == nil)
    }
}

extension Ledger {
    func pageCount() throws -> Int { Int(try database.scalar("PRAGMA page_count") ?? 0) }
    /// SQLite's own limit on this connection's file size, in pages: a full disk, on demand.
    func limitPages(to count: Int) throws { try database.execute("PRAGMA max_page_count = \(count)") }
}
