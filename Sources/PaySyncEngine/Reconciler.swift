import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncLedger
import PaySyncSinks

/// One paysync run: poll every selected source account in parallel, commit each page in one
/// ledger transaction (states, transitions, outbox rows, cursor), age due invoices, then drain
/// the outbox to every sink. See `docs/architecture.md`.
public enum Reconciler {
    /// Runs a reconcile or backfill and reports what happened. Problems met along the way
    /// (a source refusing credentials, a CRM down) are in the report, not thrown: one source's
    /// trouble does not stop the others. Setup failures (lock held, config, secrets) throw.
    public static func run(configuration: Configuration, options: RunOptions, dependencies: EngineDependencies) async throws -> RunReport {
        try await run(configuration: configuration, options: options, dependencies: dependencies, additionalSources: [])
    }

    /// The run, with sources built outside the config as well (tests use it for providers whose
    /// connectors do not exist yet, such as a processor that reports failed payments).
    static func run(configuration: Configuration, options: RunOptions, dependencies: EngineDependencies, additionalSources: [any Source]) async throws -> RunReport {
        let logger = dependencies.logger
        let environment = dependencies.environment
        let opened = try LedgerAccess.openForRun(location: options.ledgerPath, leaseSeconds: configuration.leaseSeconds, environment: environment, logger: logger)
        defer { withExtendedLifetime(opened.lock) {} }
        let ledger = opened.ledger
        let leases = opened.leases
        var components = try Components.make(configuration: configuration, options: options, ledger: ledger, dependencies: dependencies)
        components.sources += additionalSources
        let state = RunState(command: options.command, dryRun: options.dryRun)

        var runID: Int64?
        if !options.dryRun {
            let recovered = try await ledger.recoverInFlight(now: environment.now())
            if recovered > 0 { logger.warning("\(recovered) writes were mid-send when an earlier run stopped; they will be sent again") }
            await state.update { $0.recoveredInFlight = recovered }
            runID = try await ledger.startRun(command: options.command.name, dryRun: false, startedAt: environment.now())
        }
        let context = Context(ledger: ledger, routes: components.routes, runID: runID ?? 0, options: options,
                              environment: environment, logger: runID.map { logger.with([("run", String($0))]) } ?? logger, state: state,
                              progress: dependencies.progress, leases: leases)

        // Fetch: one task per source account, at most `accountsInFlight` at once; pages within
        // an account stay in order.
        var accounts: [(any Source, String)] = []
        for source in components.sources {
            do {
                let current = try await source.currentAccounts()
                if source.discoversAccounts { try await noteDiscoveredAccounts(source: source, current: current, context: context) }
                accounts += current.map { (source, $0) }
            } catch {
                await state.problem(RunProblem(error))
                await state.sourceFailed(source.name)
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for (index, (source, account)) in accounts.enumerated() {
                if index >= accountsInFlight { await group.next() }
                group.addTask { await readLeased(source: source, account: account, context: context) }
            }
        }

        // Bank credits to the invoices they pay, before delivery so the CRM hears of it this run
        // (on a shared ledger, by one worker at a time).
        if !Task.isCancelled {
            do {
                _ = try await context.underLease("paysync:bank-matching") { try await BankMatching.run(settings: configuration.matching, context: context) }
            } catch {
                await state.problem(RunProblem(error))
            }
        }

        // Deliver what the ledger decided (and anything earlier runs left queued).
        if !options.dryRun && !Task.isCancelled {
            FaultPoint.killBeforeDelivery.hit()
            for sink in components.sinks {
                await OutboxDelivery.drain(sink: sink, ledger: ledger, settings: configuration.outbox, context: context.logging([("sink", sink.name)]))
            }
        }

        await leases?.stop()
        var report = await state.report
        report.runID = runID
        report.providerCalls = components.calls.total
        report.providerThrottles = components.calls.throttled
        report.crmThrottles = components.sinks.reduce(0) { $0 + $1.calls.throttled }
        if options.dryRun {
            report.written = report.plannedWrites.count
        }
        if report.counts.rejected > 0 {
            report.problems.append(RunProblem("\(Plural.count(report.counts.rejected, "object")) could not be read and \(report.counts.rejected == 1 ? "was" : "were") quarantined; `paysync status` lists them", exitCode: .dataError))
        }
        if !report.unknownStatuses.isEmpty {
            let list = report.unknownStatuses.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
            report.problems.append(RunProblem("provider statuses with no rule were recorded, not written: \(list); see docs/statuses.md", exitCode: .dataError))
        }
        if !report.paused.isEmpty && report.accountsProgressed == 0 {
            report.problems.append(RunProblem("no account could make progress: \(report.paused.joined(separator: "; "))", exitCode: .temporaryFailure))
        }
        report.peakRSSKilobytes = ProcessMemory.peakResidentKilobytes()
        report.pendingAfter = try await ledger.outboxCount(sink: nil, state: .pending)
        report.oldestPendingQueuedAt = try await ledger.oldestPendingQueuedAt()
        report.deadAfter = try await ledger.outboxCount(sink: nil, state: .dead)
        report.skippedAfter = try await ledger.outboxCount(sink: nil, state: .skipped)
        report.credentialExpiries = try await ledger.credentialExpiries()
        if let runID {
            try await ledger.finishRun(id: runID, counts: report.counts, written: report.written, failed: report.failed, skippedByMapping: report.skippedByMapping,
                                       exitCode: report.exitCode, message: report.decisiveProblem?.message, finishedAt: environment.now())
            let succeeded = components.sources.map(\.name).filter { !report.failedSources.contains($0) }
            try await ledger.recordSourceSuccess(succeeded, at: environment.now())
            if let alerts = configuration.alerts {
                if options.fixturesDirectory != nil {
                    logger.info("alerts are not sent for a fixture replay")
                } else {
                    await Alerting.notify(report: report, settings: alerts, sources: components.sources.map(\.name), sinks: components.sinks.map(\.name),
                                          ledger: ledger, channels: alertChannels(alerts, configuration: configuration, dependencies: dependencies, logger: logger),
                                          now: environment.now(), logger: logger)
                }
            }
        }
        return report
    }

    /// The configured alert channels (the webhook URL is a secret, read now; one that cannot be
    /// read is a warning: the run itself is done by then).
    static func alertChannels(_ settings: AlertSettings, configuration: Configuration, dependencies: EngineDependencies, logger: Logger) -> [any AlertChannel] {
        var channels: [any AlertChannel] = []
        if let reference = settings.slackWebhook {
            let client = HTTPClient(transport: dependencies.transport ?? URLSessionTransport(), policy: RetryPolicy(configuration.http),
                                    environment: dependencies.environment, logger: dependencies.logger)
            do {
                channels.append(WebhookAlertChannel(url: try reference.resolve(configPath: "alerts.slack_webhook_url", environment: dependencies.variables), client: client))
            } catch {
                logger.warning("\(error)")
            }
        }
        if let command = settings.emailCommand { channels.append(CommandAlertChannel(arguments: command)) }
        return channels
    }

    /// Source accounts read at once. Enough to keep the HTTP connections busy while others wait
    /// on the network or the ledger; few enough that memory stays flat with a thousand tenants
    /// (each account in flight holds a page; measured: docs/performance.md, "many tenants").
    static let accountsInFlight = 16

    /// Shared by every task of one run.
    struct Context: Sendable {
        let ledger: any LedgerStore
        let routes: [SinkRoute]
        let runID: Int64
        let options: RunOptions
        let environment: RunEnvironment
        let logger: Logger
        let state: RunState
        var progress: (@Sendable (RunProgress) -> Void)? = nil
        /// A shared ledger's leases (nil on SQLite, which one run at a time holds).
        var leases: WorkerLeases? = nil

        /// Runs `body` holding the lease `name` on a shared ledger; false, without running it, when
        /// another worker holds it. A ledger one run holds alone (SQLite) has no leases: it runs.
        func underLease(_ name: String, _ body: @Sendable () async throws -> Void) async throws -> Bool {
            guard let leases else {
                try await body()
                return true
            }
            return try await leases.with(name, body) != nil
        }

        /// The same context, its log lines carrying these fields too.
        func logging(_ fields: [(String, String)]) -> Context {
            Context(ledger: ledger, routes: routes, runID: runID, options: options, environment: environment, logger: logger.with(fields), state: state,
                    progress: progress, leases: leases)
        }
    }

    // MARK: Reading

    /// For a source that lists its accounts each run: a newly connected account is said (its
    /// first sync follows), and one the ledger holds but the provider no longer lists is reported
    /// — its objects stay in the ledger, and it is not read.
    static func noteDiscoveredAccounts(source: any Source, current: [String], context: Context) async throws {
        let known = try await context.ledger.cursorAccounts(provider: source.provider)
        for account in current where !known.contains(account) {
            context.logger.info("\(source.name): account \(account) is newly connected; reading it from the beginning")
        }
        for account in known.subtracting(current).sorted() {
            let note = "\(source.name): account \(account) is no longer connected; its objects stay in the ledger and are not read"
            context.logger.warning(note)
            await context.state.update { $0.notes.append(note) }
        }
    }

    /// Reads one account, on a shared ledger only if this worker takes its lease (another worker
    /// holding it reads it instead).
    static func readLeased(source: any Source, account: String, context: Context) async {
        do {
            let read = try await context.underLease(LeaseName.account(provider: source.provider, account: account)) {
                await readAccount(source: source, account: account, context: context)
            }
            if !read { context.logger.info("\(source.name): account \(account) is being read by another worker; left to it") }
        } catch {
            await context.state.problem(RunProblem(error))
            await context.state.sourceFailed(source.name)
        }
    }

    static func readAccount(source: any Source, account: String, context: Context) async {
        let context = context.logging([("source", source.name), ("account", account)])
        let fetchedBefore = await context.state.report.counts.fetched
        var entitiesRead = 0
        for entity in source.entities {
            do {
                switch context.options.command {
                case .reconcile:
                    try await readIncrementally(source: source, account: account, entity: entity, context: context)
                case .backfill(let from, let until):
                    try await readWindow(source: source, account: account, entity: entity, from: from, until: until, context: context)
                case .importFile(let path):
                    try await readFile(path, source: source, account: account, entity: entity, context: context)
                }
                entitiesRead += 1
            } catch let pause as AccountPaused {
                // Not a failure: this account waits for its budget; the others carry on.
                context.logger.warning(pause.description)
                let fetched = await context.state.report.counts.fetched
                await context.state.paused(pause.description, progressed: entitiesRead > 0 || fetched > fetchedBefore)
                return
            } catch {
                // Reported once, at the end of the run, with every other problem.
                let problem = RunProblem(error)
                context.logger.debug("problem: \(problem.message)")
                await context.state.problem(problem)
                await context.state.sourceFailed(source.name)
                // Credentials and cancellation end this account; other errors only this entity.
                if problem.exitCode == .authenticationFailed || error is CancellationError || Task.isCancelled { return }
            }
        }
        if entitiesRead > 0 { await context.state.progressed() }
        guard context.options.command == .reconcile, !Task.isCancelled else { return }
        do {
            try await age(source: source, account: account, context: context)
            try await sweepIfDue(source: source, account: account, context: context)
        } catch {
            await context.state.problem(RunProblem(error))
            await context.state.sourceFailed(source.name)
        }
    }

    static func readIncrementally(source: any Source, account: String, entity: String, context: Context) async throws {
        let cursor = try await context.ledger.cursor(provider: source.provider, account: account, entity: entity)
        let overlap = -source.overlap.milliseconds
        let since = cursor?.holdSince?.adding(milliseconds: overlap)
            ?? cursor?.position?.updatedAt.adding(milliseconds: overlap)
            ?? source.startDate?.startOfDayUTC
        var guardian = PageShiftGuard(windowStart: since)
        // The first read of an entity imports its history: no tasks for years of old failures.
        let actionsEnabled = cursor != nil
        var pages = 0
        var heldBack: Timestamp?
        // The cursor as stored: a page that would leave it as it is (a rerun re-reading its
        // overlap and finding nothing new) moves nothing, so a page without changes commits nothing.
        var storedPosition = cursor?.position
        var storedHold = cursor?.holdSince
        // This entity's own count: the run's totals move with every account read at the same time.
        var fetched = 0
        try await source.read(account: account, entity: entity, mode: .incremental(since: since)) { page in
            let known = try await knownStates(page.observations, context: context)
            guardian.observe(servedAt: page.servedAt, observations: Array(zip(page.observations, known)), lastUpdatedAt: page.lastUpdatedAt)
            var position: CursorPosition?
            let limit = page.servedAt ?? context.environment.now()
            if let updatedAt = page.lastUpdatedAt, let id = page.lastID {
                let limited = CursorLimit.position(updatedAt: updatedAt, lastID: id, limit: limit)
                if limited.heldBack { heldBack = updatedAt }
                position = CursorPosition(updatedAt: limited.updatedAt, lastID: limited.lastID)
            } else if storedPosition == nil, page.observations.isEmpty, page.rejects.isEmpty, page.outOfScope == 0, let served = page.servedAt {
                // An entity with nothing in it yet (no credit notes so far): the next run asks for
                // what changed since the provider's clock said this, not for everything again.
                position = CursorPosition(updatedAt: served, lastID: "")
            }
            // The guard's re-read point obeys the same limit: a future-dated object is not a shift.
            let hold = guardian.hold.map { min($0, limit) }
            let move = CursorMove(provider: source.provider, account: account, entity: entity, position: position, holdSince: hold)
            let moves = cursor == nil && pages == 0 || (position != nil && position != storedPosition) || hold != storedHold
            try await commit(page: page, known: known, entity: entity, source: source.name, provider: source.provider, account: account, cursor: moves ? move : nil,
                             actionsEnabled: actionsEnabled, context: context)
            if moves && !context.options.dryRun {
                storedPosition = position ?? storedPosition
                storedHold = hold
            }
            pages += 1
            fetched += page.observations.count
            try Task.checkCancellation()
        }
        if let heldBack {
            context.logger.warning("\(source.name) \(entity): an object's modification time is in the future (\(heldBack.iso8601)); the cursor stays at the provider's clock so no later change is missed")
        }
        if let hold = guardian.hold {
            context.logger.warning("\(source.name) \(entity): objects changed while this run paged through them; the next run re-reads from \(hold.iso8601) so none is lost")
        }
        context.logger.info("\(source.name) account \(account) \(entity): \(pages) page\(pages == 1 ? "" : "s") since \(since?.iso8601 ?? "the beginning"), \(Plural.count(fetched, "object"))")
        // Deleted objects a provider no longer lists: its deletion feed, when it has one.
        if let since, let deletions = try await source.deletions(account: account, entity: entity, since: since), !deletions.isEmpty {
            try await commitDeletions(deletions, source: source, account: account, entity: entity, context: context)
        }
        try await refreshPending(source: source, account: account, entity: entity, context: context)
    }

    /// Objects the source's lists cannot show changing, still in a status that can change: read
    /// again by the source, committed page by page (no cursor moves).
    static func refreshPending(source: any Source, account: String, entity: String, context: Context) async throws {
        let statuses = source.refreshedStatuses(of: entity)
        guard !statuses.isEmpty else { return }
        let pending = try await context.ledger.objects(provider: source.provider, account: account, kinds: source.kinds(of: entity), statuses: statuses)
        guard !pending.isEmpty else { return }
        var refreshed = 0
        try await source.refresh(account: account, entity: entity, objects: pending) { page in
            let known = try await knownStates(page.observations, context: context)
            try await commit(page: page, known: known, entity: entity, source: source.name, provider: source.provider, account: account, cursor: nil,
                             actionsEnabled: true, context: context)
            refreshed += page.observations.count
        }
        context.logger.info("\(source.name) account \(account) \(entity): \(Plural.count(pending.count, "object")) still \(statuses.map(\.rawValue).joined(separator: " or ")) read again, \(refreshed) found")
    }

    /// Records deletions as their objects' last states turned `voided` (nothing else changes),
    /// in one page commit; deletions of objects the ledger never held, or already voided, are
    /// nothing to do.
    static func commitDeletions(_ deletions: [Deletion], source: any Source, account: String, entity: String, context: Context) async throws {
        let known = try await knownStates(deletions.map(\.key), context: context)
        var tombstones: [Observation] = []
        var previous: [Observation?] = []
        for (deletion, state) in zip(deletions, known) {
            guard let tombstone = deletion.tombstone(of: state) else { continue }
            tombstones.append(tombstone)
            previous.append(state)
        }
        guard !tombstones.isEmpty else { return }
        let page = SourcePage(observations: tombstones, rejects: [], outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil, number: 0, isLast: true)
        try await commit(page: page, known: previous, entity: entity, source: source.name, provider: source.provider, account: account, cursor: nil, context: context)
        context.logger.info("\(source.name) account \(account) \(entity): \(Plural.count(tombstones.count, "object")) deleted at \(source.provider); now voided")
    }

    /// One file a person hands in, committed page by page without a cursor.
    static func readFile(_ path: String, source: any Source, account: String, entity: String, context: Context) async throws {
        var objects = 0
        try await source.read(account: account, entity: entity, mode: .file(path)) { page in
            let known = try await knownStates(page.observations, context: context)
            let plan = try await commit(page: page, known: known, entity: entity, source: source.name, provider: source.provider, account: account, cursor: nil, context: context)
            objects += page.observations.count
            context.logger.info("\(source.name) account \(account): \(path): \(Plural.count(objects, "credit")), \(plan.counts.changedTotal) new or changed, \(page.outOfScope) other lines left out")
        }
    }

    static func knownStates(_ keys: [ObjectKey], context: Context) async throws -> [Observation?] {
        let stored = try await context.ledger.knownStates(for: keys)
        guard context.options.dryRun else { return stored }
        let overlaid = await context.state.overlaid(keys)
        return zip(stored, overlaid).map { $1 ?? $0 }
    }

    static func readWindow(source: any Source, account: String, entity: String, from: CalendarDate, until: CalendarDate, context: Context) async throws {
        let kinds = source.kinds(of: entity)
        var ledgerBefore = 0
        for kind in kinds {
            ledgerBefore += try await context.ledger.countObjects(provider: source.provider, account: account, kind: kind, from: from, until: until)
        }
        var sourceCount = 0, added = 0, changed = 0
        var returned: Set<ObjectKey> = []
        // An object the provider returned but paysync could not read is not deleted; one whose id
        // could not be read either makes the window's deletions unknowable.
        var unidentified = false
        try await source.read(account: account, entity: entity, mode: .window(from: from, until: until)) { page in
            if source.deletionsVanish {
                returned.formUnion(page.observations.map(\.key))
                for reject in page.rejects {
                    guard let id = reject.externalID else { unidentified = true; continue }
                    returned.formUnion(kinds.map { ObjectKey(provider: source.provider, account: account, kind: $0, externalID: id) })
                }
            }
            let known = try await knownStates(page.observations, context: context)
            let plan = try await commit(page: page, known: known, entity: entity, source: source.name, provider: source.provider, account: account, cursor: nil, context: context)
            sourceCount += page.observations.count + page.rejects.count
            added += plan.counts.new
            changed += plan.counts.changed
            try Task.checkCancellation()
        }
        // A provider whose deleted objects stop being listed: what the ledger holds in this window
        // and the provider no longer returns was deleted there (the feed may not reach so far back).
        if source.deletionsVanish && !unidentified {
            var gone: [Deletion] = []
            for kind in kinds {
                for id in try await context.ledger.externalIDs(provider: source.provider, account: account, kind: kind, from: from, until: until).sorted() {
                    let key = ObjectKey(provider: source.provider, account: account, kind: kind, externalID: id)
                    if !returned.contains(key) { gone.append(Deletion(key: key, deletedAt: nil)) }
                }
            }
            if !gone.isEmpty { try await commitDeletions(gone, source: source, account: account, entity: entity, context: context) }
        }
        var ledgerAfter = ledgerBefore + added
        // Counted again only when this window committed something (a changed document date can
        // move an object out of the window); a window that committed nothing holds what it held.
        if !context.options.dryRun && added + changed > 0 {
            ledgerAfter = 0
            for kind in kinds {
                ledgerAfter += try await context.ledger.countObjects(provider: source.provider, account: account, kind: kind, from: from, until: until)
            }
        }
        let report = WindowReport(source: source.name, account: account, entity: entity, from: from, until: until,
                                  sourceCount: sourceCount, ledgerBefore: ledgerBefore, ledgerAfter: ledgerAfter, added: added, changed: changed)
        if report.added > 0 {
            context.logger.warning("\(source.name) \(entity) \(from)..<\(until): \(Plural.count(report.added, "object")) \(report.added == 1 ? "was" : "were") missing from the ledger (an incremental read missed them); now recorded")
        }
        if report.missingAtSource > 0 {
            context.logger.warning("\(source.name) \(entity) \(from)..<\(until): \(Plural.count(report.missingAtSource, "object")) in the ledger \(report.missingAtSource == 1 ? "was" : "were") not returned by \(source.provider) (deleted or re-dated there?)")
        }
        await context.state.window(report)
    }

    /// The ledger's states for a page's objects, with a dry run's own planned states on top.
    static func knownStates(_ observations: [Observation], context: Context) async throws -> [Observation?] {
        try await knownStates(observations.map(\.key), context: context)
    }

    /// When the fixtures in `directory` were recorded (see `FixtureTransport.recordedAt`), for a
    /// replay that should run at that time; nil when they carry no `Date`.
    public static func recordedTime(fixturesDirectory directory: String) -> Timestamp? {
        (try? FixtureTransport(directory: directory))?.recordedAt
    }

    @discardableResult
    /// - Parameter fetched: false for pages paysync derived itself (invoices bank matches moved),
    ///   which the run's "fetched" count leaves out.
    static func commit(page: SourcePage, known: [Observation?], entity: String, source: String, provider: String, account: String, cursor: CursorMove?,
                       actionsEnabled: Bool = true, fetched: Bool = true, context: Context) async throws -> PagePlan {
        FaultPoint.afterFetch.hit()
        // Rules every provider's objects must meet (plausible dates); the rest are quarantined.
        var page = page
        let checked = ObservationCheck.partition(page.observations, known: known, entity: entity)
        page.observations = checked.observations
        page.rejects += checked.rejects
        // Refunds count against the invoices they refund, in this same commit (the invoices they
        // move are appended: planned, not fetched).
        let counted = try await BankMatching.count(page.observations, context: context)
        let linked = try await RefundLinks.resolve(counted, known: checked.known, context: context)
        var plan = PagePlanner.plan(observations: linked.observations, known: linked.known, routes: context.routes, actionsEnabled: actionsEnabled)
        plan.counts.fetched = fetched ? page.observations.count : 0
        if !context.options.dryRun {
            try await context.ledger.apply(PageCommit(provider: provider, account: account, plan: plan, cursor: cursor, rejects: page.rejects,
                                                      runID: context.runID, observedAt: context.environment.now()))
            FaultPoint.afterPageCommit.hit()
        }
        for reject in page.rejects { context.logger.warning("quarantined \(provider) \(reject.entity): \(reject.error)") }
        await context.state.add(plan, rejects: page.rejects.count, outOfScope: page.outOfScope, dryRun: context.options.dryRun, source: source)
        context.progress?(.page(source: source, stream: "\(account) \(entity)", objects: page.observations.count + page.rejects.count,
                                writesQueued: plan.writes.count, pagesExpected: page.pagesExpected))
        return plan
    }

    // MARK: Ageing and sweeps

    /// Sent invoices whose due date has passed become overdue (a transition, and writes).
    static func age(source: any Source, account: String, context: Context) async throws {
        let today = source.today(account: account)
        let candidates = try await context.ledger.sentInvoicesDueBefore(today, provider: source.provider, account: account)
        let aged = candidates.compactMap { StatusAgeing.aged($0, today: today) }
        guard !aged.isEmpty else { return }
        let page = SourcePage(observations: aged, rejects: [], outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil, number: 0, isLast: true)
        let known = candidates.filter { StatusAgeing.aged($0, today: today) != nil }
        let plan = PagePlanner.plan(observations: aged, known: known, routes: context.routes)
        if !context.options.dryRun {
            try await context.ledger.apply(PageCommit(provider: source.provider, account: account, plan: plan, cursor: nil,
                                                      runID: context.runID, observedAt: context.environment.now()))
        }
        var counted = plan
        counted.counts.fetched = 0  // ageing fetched nothing
        await context.state.add(counted, rejects: 0, outOfScope: page.outOfScope, dryRun: context.options.dryRun, source: source.name)
        context.logger.info("\(source.name) account \(account): \(aged.count) sent invoices passed their due date and are now overdue")
    }

    /// Re-reads the configured recent window when the last sweep is older than its interval.
    static func sweepIfDue(source: any Source, account: String, context: Context) async throws {
        guard let sweep = source.sweep else { return }
        let now = context.environment.now()
        let today = source.today(account: account)
        for entity in source.entities {
            let cursor = try await context.ledger.cursor(provider: source.provider, account: account, entity: entity)
            if let last = cursor?.lastSweepAt, now.duration(since: last).seconds < sweep.everyHours * 3600 { continue }
            try await readWindow(source: source, account: account, entity: entity, from: today.adding(days: -sweep.windowDays),
                                 until: today.adding(days: 1), context: context)
            if !context.options.dryRun {
                try await context.ledger.recordSweep(provider: source.provider, account: account, entity: entity, at: now)
            }
        }
    }
}
