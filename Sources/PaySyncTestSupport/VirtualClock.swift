import PaySyncCore
import Synchronization

/// A clock that only moves when something sleeps on it or a test advances it. Sleeps return at
/// once and are recorded, so retry and rate-limit tests assert exact waits without waiting.
public final class VirtualClock: Sendable {
    private let state: Mutex<(now: Timestamp, sleeps: [Duration])>
    private let jitter: Double

    /// - Parameter jitter: the value `random()` returns (backoff jitter), fixed for repeatability.
    public init(start: Timestamp = Timestamp(iso: "2025-05-02T09:00:00Z")!, jitter: Double = 0.5) {
        self.state = Mutex((start, []))
        self.jitter = jitter
    }

    public var now: Timestamp { state.withLock { $0.now } }

    /// Every sleep requested so far, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    public func advance(by duration: Duration) {
        state.withLock { $0.now = $0.now.adding(duration) }
    }

    /// Before a run against a fake provider with a clock of its own: whichever clock is behind
    /// moves to the other (the fake in whole seconds, rounded up), so that nothing the fake made
    /// is dated in paysync's future and paysync's time passed shows at the fake too.
    public func align(withFake fakeNow: Timestamp, advanceFake: (Int64) -> Void) {
        let fake = fakeNow.millisecondsSinceEpoch, ours = now.millisecondsSinceEpoch
        if fake > ours { advance(by: .milliseconds(fake - ours)) }
        if ours > fake { advanceFake((ours - fake + 999) / 1000) }
    }

    public var environment: RunEnvironment {
        RunEnvironment(
            now: { self.now },
            sleep: { duration in
                self.state.withLock { state in
                    state.sleeps.append(duration)
                    state.now = state.now.adding(duration)
                }
            },
            random: { self.jitter }
        )
    }
}
