import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncLedger

/// The ledger's blocking SQLite calls run on its own thread, not on the shared concurrency pool.
@Suite struct LedgerExecutorTests {
    @Test func ledgerWorkRunsOnTheLedgersOwnThread() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("paysync.db"))
        #expect(await ledger.isOnLedgerThread())
        let run = try await ledger.startRun(command: "test", dryRun: false, startedAt: at)
        #expect(run == 1)
    }

    @Test func theExecutorRunsJobsInOrderOnOneThread() async throws {
        let executor = DedicatedThreadExecutor(name: "test-executor")
        defer { executor.stop() }
        actor Recorder {
            let executor: DedicatedThreadExecutor
            nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
            var order: [Int] = []
            var onThread = true
            init(executor: DedicatedThreadExecutor) { self.executor = executor }
            func record(_ value: Int) {
                onThread = onThread && executor.isCurrentThread
                order.append(value)
            }
        }
        let recorder = Recorder(executor: executor)
        for value in 0..<200 { await recorder.record(value) }
        #expect(await recorder.order == Array(0..<200))
        #expect(await recorder.onThread)
        #expect(!executor.isCurrentThread)
    }
}
