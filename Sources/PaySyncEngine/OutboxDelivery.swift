import PaySyncCore
import PaySyncSinks

/// Drains one sink's due outbox rows: streams them in queue order (a batch is the next records
/// to have a write queued, with every due write of each), coalesces each record's rows into its
/// latest write, sends batches of the sink's maximum size — ceil(N / max) calls for N
/// records — and settles every row by the sink's per-record outcome.
///
/// Rows are claimed — marked `sending` and committed — before the call, and settled after it, in
/// the same commit that claims the next batch; a crash between leaves one batch `sending`, and
/// the next run sends it again. CRM writes set absolute values, so the repeat is harmless.
enum OutboxDelivery {
    static func drain(sink: any Sink, ledger: any OutboxStore, settings: OutboxSettings, context: Reconciler.Context) async {
        var written = 0, failed = 0, deadLettered = 0, skippedByMapping = 0
        var deferred: String?
        var firstRefusal: String?
        let callsBefore = sink.calls.total
        defer {
            let calls = sink.calls.total - callsBefore
            context.logger.info("\(sink.name): \(written) written in \(calls) call\(calls == 1 ? "" : "s"), \(failed) failed"
                                + (skippedByMapping > 0 ? ", \(skippedByMapping) skipped by mapping" : ""))
        }
        do {
            var batch = try await ledger.claimBatch(sink: sink.name, after: nil, limit: sink.maxBatchSize, now: context.environment.now())
            while let claimed = batch {
                FaultPoint.afterClaim.hit()
                let writes = Coalescing.coalesce(claimed.rows.map(\.queued))
                // Writes whose changes cancelled out while queued need no call.
                var outcomes: [(id: Int64, outcome: WriteOutcome)] = writes.filter(\.isEmpty).flatMap { $0.rowIDs.map { ($0, .delivered) } }
                let toSend = writes.filter { !$0.isEmpty }
                if !toSend.isEmpty {
                    do {
                        let results = try await sink.send(toSend)
                        FaultPoint.killAfterSend.hit()
                        for (write, outcome) in zip(toSend, results) {
                            outcomes.append(contentsOf: write.rowIDs.map { ($0, outcome) })
                            switch outcome {
                            case .delivered: written += 1
                            case .notMapped: skippedByMapping += 1
                            case .noSuchRecord: break  // not a failure: listed as "without a CRM record"
                            case .deferred(let message): deferred = deferred ?? message  // not a failure: the CRM's day is spent
                            default: failed += 1
                            }
                        }
                    } catch {
                        // The whole batch failed (the CRM is down or refused us): keep every write queued.
                        let problem = RunProblem(error)
                        outcomes.append(contentsOf: toSend.flatMap { $0.rowIDs.map { ($0, WriteOutcome.retryable(problem.message)) } })
                        failed += toSend.count
                        try await ledger.settle(outcomes, maxAttempts: settings.maxAttempts, retryBaseSeconds: settings.retryBaseSeconds,
                                                retryCapSeconds: settings.retryCapSeconds, now: context.environment.now())
                        let pending = try await ledger.outboxCount(sink: sink.name, state: .pending)
                        // Writes due this run that were never attempted failed this run too: the
                        // summary's "failed" and "stay queued" then tell the same story.
                        failed += max(0, pending - toSend.count)
                        await context.state.problem(RunProblem("\(problem.message); \(pending) writes for \(sink.name) stay queued for the next run",
                                                               exitCode: problem.exitCode))
                        break
                    }
                }
                // Settle this batch and claim the next in one commit; a cancelled run claims no more.
                let result = try await ledger.settleAndClaimNext(
                    outcomes, settings: settings, now: context.environment.now(),
                    sink: sink.name, after: claimed.position, limit: sink.maxBatchSize, claimNext: !Task.isCancelled && deferred == nil
                )
                FaultPoint.afterSettle.hit()
                context.progress?(.delivered(sink: sink.name, writes: claimed.rows.count))
                batch = result.next
                deadLettered += result.settled.dead
                if firstRefusal == nil {
                    firstRefusal = outcomes.lazy.compactMap { outcome -> String? in
                        if case .rejected(let message) = outcome.outcome { return message }
                        return nil
                    }.first
                }
            }
            if let deferred {
                // The CRM's allowance for the day is spent: stop here, keep the rest queued, say so.
                let pending = try await ledger.outboxCount(sink: sink.name, state: .pending)
                await context.state.paused("\(sink.name): \(deferred); \(pending) writes stay queued for a later run", progressed: written > 0)
            }
            if deadLettered > 0 {
                // The CRM refused records for good (a value its property does not accept): a person must look.
                await context.state.problem(RunProblem(
                    "\(sink.name): \(deadLettered) write\(deadLettered == 1 ? " was" : "s were") dead-lettered\(firstRefusal.map { ", e.g. \($0)" } ?? ""); see `paysync outbox list --state dead`",
                    exitCode: .dataError))
            }
        } catch {
            await context.state.problem(RunProblem(error))
        }
        await context.state.delivered(written: written, failed: failed, skippedByMapping: skippedByMapping, calls: sink.calls.total - callsBefore, sink: sink.name)
    }
}
