import Foundation

/// Every source of non-determinism a run uses — the wall clock, sleeping, random jitter — behind
/// one `Sendable` value with a live and a test version. Retries, rate limits and "today" all read
/// it, so tests advance a virtual clock instead of sleeping.
public struct RunEnvironment: Sendable {
    /// The current instant.
    public var now: @Sendable () -> Timestamp
    /// Suspends for a duration (or, in tests, advances the virtual clock and returns).
    public var sleep: @Sendable (Duration) async throws -> Void
    /// A uniformly distributed number in `0..<1`, for backoff jitter.
    public var random: @Sendable () -> Double

    public init(
        now: @escaping @Sendable () -> Timestamp,
        sleep: @escaping @Sendable (Duration) async throws -> Void,
        random: @escaping @Sendable () -> Double
    ) {
        self.now = now
        self.sleep = sleep
        self.random = random
    }

    /// The real clock, real sleeps, system randomness.
    public static let live = RunEnvironment(
        now: { Timestamp(Date()) },
        sleep: { duration in try await Task.sleep(for: duration) },
        random: { Double.random(in: 0..<1) }
    )

    /// A clock pinned at `start` that moves only by the time the run sleeps (`paysync --now`, for
    /// demos and golden tests: every timestamp is reproducible). Sleeps are real, so a
    /// `Retry-After` is still honoured.
    public static func pinned(at start: Timestamp) -> RunEnvironment {
        let slept = Locked<Int64>(0)
        return RunEnvironment(
            now: { start.adding(milliseconds: slept.value) },
            sleep: { duration in
                try await Task.sleep(for: duration)
                slept.withLock { $0 += duration.milliseconds }
            },
            random: { Double.random(in: 0..<1) }
        )
    }
}

extension Timestamp {
    /// The instant of a Foundation `Date`, to the millisecond.
    public init(_ date: Date) {
        self.init(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }
}
