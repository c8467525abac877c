import Foundation

/// A serial executor that runs its jobs on one thread of its own. Actors that make blocking
/// calls (SQLite with `synchronous=FULL`, `fsync`) use it so a slow disk never holds one of
/// Swift's few shared concurrency threads: on a 2-core machine there are two, and a blocked one
/// halves the HTTP work the other sources can do meanwhile.
///
/// `@unchecked Sendable`: the job list is only touched with `condition` locked, and `isStopped`
/// likewise; the thread itself is only started in `init`.
public final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var isStopped = false
    private var threadID: pthread_t?

    /// Starts the thread (named, for debuggers and `top -H`).
    public init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Whether the caller is running on this executor's thread.
    public var isCurrentThread: Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let threadID else { return false }
        return pthread_equal(threadID, pthread_self()) != 0
    }

    /// Lets the thread finish the jobs it has and exit. Jobs enqueued afterwards still run.
    public func stop() {
        condition.lock()
        isStopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        condition.lock()
        threadID = pthread_self()
        condition.unlock()
        let executor = asUnownedSerialExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty && !isStopped { condition.wait() }
            if jobs.isEmpty && isStopped {
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: executor) }
        }
    }
}
