import PaySyncConnectors
import PaySyncCore

/// Bank credits to the invoices they pay, in the run (docs/matching.md):
/// - `run`, after the sources are read: decides each credit not yet settled (`CreditMatcher`),
///   records the decisions, and commits the invoices whose matched money now exceeds what the
///   ledger says they received (new matches, matches a person confirmed, or a run that died
///   between the two);
/// - `count`, in every page commit: an invoice read again from its accounting system keeps what
///   its matched credits paid (`BankPayments`), so a rerun writes nothing.
enum BankMatching {
    static func run(settings: MatchSettings, context: Reconciler.Context) async throws {
        let credits = try await context.ledger.creditsToMatch()
        if !credits.isEmpty {
            let invoices = try await context.ledger.openInvoices()
            let now = context.environment.now()
            var records: [MatchRecord] = []
            var applied = 0, waiting = 0
            for decision in CreditMatcher.decide(credits, invoices: invoices, settings: settings) {
                switch decision.outcome {
                case .matched(let allocations):
                    let state: MatchRecord.State = decision.confidence >= settings.minimumConfidence ? .applied : .review
                    if state == .applied { applied += 1 } else { waiting += 1 }
                    records += allocations.map {
                        MatchRecord(credit: decision.credit, invoice: $0.invoice, amount: $0.amount, confidence: decision.confidence, reason: decision.reason,
                                    state: state, decidedAt: now)
                    }
                case .ambiguous(let candidates):
                    waiting += 1
                    records.append(MatchRecord(credit: decision.credit, invoice: nil, amount: nil, confidence: 0, reason: decision.reason, state: .ambiguous,
                                               candidates: candidates, decidedAt: now))
                case .unmatched:
                    waiting += 1
                    records.append(MatchRecord(credit: decision.credit, invoice: nil, amount: nil, confidence: 0, reason: decision.reason, state: .unmatched, decidedAt: now))
                case .ignored:
                    break
                }
            }
            if !context.options.dryRun { try await context.ledger.recordMatches(records) }
            context.logger.info("matching: \(Plural.count(credits.count, "bank credit")): \(applied) applied, \(waiting) for a person (`paysync matches --unmatched`)")
        }
        try await commitMatchedInvoices(context: context)
    }

    /// Commits, per provider account, the invoices whose matched credits now pay more than the
    /// ledger says they received (the commit counts them; see `count`).
    static func commitMatchedInvoices(context: Reconciler.Context) async throws {
        let keys = try await context.ledger.invoicesBehindMatches()
        guard !keys.isEmpty else { return }
        let states = try await Reconciler.knownStates(keys, context: context)
        var groups: [String: [Observation]] = [:]
        for state in states.compactMap({ $0 }) { groups["\(state.key.provider)\u{1F}\(state.key.account)", default: []].append(state) }
        for (group, invoices) in groups.sorted(by: { $0.key < $1.key }) {
            let parts = group.split(separator: "\u{1F}", maxSplits: 1).map(String.init)
            let page = SourcePage(observations: invoices, rejects: [], outOfScope: 0, lastUpdatedAt: nil, lastID: nil, servedAt: nil, number: 0, isLast: true)
            // On a shared ledger, under the account's lease: one held by a worker reading that
            // account now is left for the next run (the invoices stay behind their matches).
            _ = try await context.underLease(LeaseName.account(provider: parts[0], account: parts[1])) {
                _ = try await Reconciler.commit(page: page, known: invoices.map { Optional($0) }, entity: "matches", source: "matching", provider: parts[0],
                                                account: parts[1], cursor: nil, fetched: false, context: context)
            }
        }
    }

    /// The page's invoices with their matched credits counted.
    static func count(_ observations: [Observation], context: Reconciler.Context) async throws -> [Observation] {
        let invoices = observations.filter { $0.key.kind == .invoice }.map(\.key)
        guard !invoices.isEmpty else { return observations }
        let matched = try await context.ledger.matchedTotals(invoices: invoices)
        guard !matched.isEmpty else { return observations }
        return observations.map { $0.key.kind == .invoice ? BankPayments.apply(matched: matched[$0.key], to: $0) : $0 }
    }
}
