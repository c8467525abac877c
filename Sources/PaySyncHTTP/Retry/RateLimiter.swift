import PaySyncCore

/// Keeps calls inside a provider's published limits before the provider has to say 429:
/// at most `limit` calls in any rolling `window` (an exact sliding window, not a bucket that
/// allows bursts of twice the limit) and at most `concurrent` calls at once.
/// Time comes from the injected environment, so tests advance a virtual clock.
public actor RateLimiter {
    public let limit: Int
    public let window: Duration
    public let concurrent: Int
    private let environment: RunEnvironment
    private var recent: [Timestamp] = []  // start times of calls within the window, oldest first
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// How long callers have waited in total (reported at debug level).
    public private(set) var totalWait: Duration = .zero

    public init(limit: Int, window: Duration, concurrent: Int, environment: RunEnvironment) {
        precondition(limit > 0 && concurrent > 0 && window > .zero, "limits must be positive")
        self.limit = limit
        self.window = window
        self.concurrent = concurrent
        self.environment = environment
    }

    public init(perMinute: Int, concurrent: Int, environment: RunEnvironment) {
        self.init(limit: perMinute, window: .seconds(60), concurrent: concurrent, environment: environment)
    }

    /// Only a limit on calls in flight (Zoho's per-plan concurrency): the window never fills.
    public init(concurrent: Int, environment: RunEnvironment) {
        self.init(limit: Int.max, window: .milliseconds(1), concurrent: concurrent, environment: environment)
    }

    public init(_ settings: RateLimitSettings, environment: RunEnvironment) {
        self.init(perMinute: settings.perMinute, concurrent: settings.concurrent, environment: environment)
    }

    /// Waits for a free slot and room in the window. Pair every acquire with a `release()`.
    public func acquire() async throws {
        if inFlight >= concurrent {
            await withCheckedContinuation { waiters.append($0) }  // release() hands its slot over
        } else {
            inFlight += 1
        }
        do {
            while true {
                let now = environment.now()
                let windowStart = now.adding(milliseconds: -window.milliseconds)
                recent.removeAll { $0 <= windowStart }
                if recent.count < limit {
                    recent.append(now)
                    return
                }
                let wait = recent[0].duration(since: windowStart)
                totalWait += wait
                try await environment.sleep(wait)
            }
        } catch {
            release()
            throw error
        }
    }

    public func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` inside an acquired slot.
    public func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }
}

/// One `RateLimiter` per provider account, made the first time an account calls (accounts can
/// be discovered during a run: a newly connected tenant gets its own limits too).
public final class RateLimiters: Sendable {
    private let settings: RateLimitSettings
    private let environment: RunEnvironment
    private let limiters = Mutex<[String: RateLimiter]>([:])

    public init(_ settings: RateLimitSettings, environment: RunEnvironment) {
        self.settings = settings
        self.environment = environment
    }

    public func limiter(for account: String) -> RateLimiter {
        limiters.withLock { limiters in
            if let limiter = limiters[account] { return limiter }
            let limiter = RateLimiter(settings, environment: environment)
            limiters[account] = limiter
            return limiter
        }
    }
}

import Synchronization
