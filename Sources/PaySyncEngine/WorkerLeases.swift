import PaySyncCore

/// The leases one worker holds on a shared ledger (docs/scaling.md): a provider account is read
/// only by the worker that took its lease; the lease is renewed every third of its time while
/// the worker runs, and given back when the account is done. A worker that dies stops renewing,
/// and its leases lapse after `seconds`, when another worker takes them. The ledger checks the
/// lease again inside each page commit, so a worker whose lease lapsed (stalled past it) commits
/// nothing more under it.
actor WorkerLeases {
    let store: any LeaseStore
    let holder: String
    let seconds: Double
    private let environment: RunEnvironment
    private let logger: Logger
    private var held: Set<String> = []
    private var renewal: Task<Void, Never>?

    init(store: any LeaseStore, holder: String, seconds: Double, environment: RunEnvironment, logger: Logger) {
        self.store = store
        self.holder = holder
        self.seconds = seconds
        self.environment = environment
        self.logger = logger
    }

    /// Runs `body` holding the lease `name`; nil, without running it, when another worker holds it.
    func with<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        guard try await take(name) else { return nil }
        do {
            let value = try await body()
            await give(name)
            return value
        } catch {
            await give(name)
            throw error
        }
    }

    func take(_ name: String) async throws -> Bool {
        guard try await store.acquireLease(among: [name], holder: holder, seconds: seconds, now: environment.now()) != nil else { return false }
        held.insert(name)
        startRenewing()
        return true
    }

    func give(_ name: String) async {
        held.remove(name)
        do {
            try await store.releaseLease(name, holder: holder)
        } catch {
            // It lapses on its own; another worker waits at most `seconds` longer.
            logger.warning("could not give back the lease on \(name) (\(error)); it lapses in at most \(Int(seconds)) s")
        }
    }

    /// Stops renewing (the run is over; every lease has been given back).
    func stop() {
        renewal?.cancel()
        renewal = nil
    }

    private func startRenewing() {
        guard renewal == nil else { return }
        let interval = seconds / 3
        renewal = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                guard !Task.isCancelled, let self else { return }
                await self.renewAll()
            }
        }
    }

    private func renewAll() async {
        for name in held.sorted() {
            do {
                if try await !store.renewLease(name, holder: holder, seconds: seconds, now: environment.now()) {
                    held.remove(name)
                    logger.warning("the lease on \(name) lapsed and another worker took it; this worker commits nothing more for it")
                }
            } catch {
                logger.warning("could not renew the lease on \(name): \(error)")
            }
        }
    }
}
