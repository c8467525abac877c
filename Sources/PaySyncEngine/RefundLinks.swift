import PaySyncCore

/// Counts refunds against the invoices they refund (`RefundLinking`), inside the page commit that
/// brings either side, so the two can never disagree after a crash:
/// - an invoice read again keeps the refunded status its linked refunds give it (the provider
///   still calls it paid), and a rerun writes nothing;
/// - a refund or credit note that arrives, changes or is deleted moves its invoice in the same
///   transaction (the invoice is added to the page from its last known state).
enum RefundLinks {
    /// The page's observations with its invoices counted, and after them the invoices elsewhere
    /// that the page's refunds and credit notes move, each with its known state.
    static func resolve(_ observations: [Observation], known: [Observation?], context: Reconciler.Context) async throws
        -> (observations: [Observation], known: [Observation?]) {
        let documents = zip(observations, known).filter { RefundLinking.documents.contains($0.0.key.kind) }
        let invoices = observations.filter { RefundLinking.parents.contains($0.key.kind) && RefundLinking.refundable.contains($0.status) }
        guard !documents.isEmpty || !invoices.isEmpty else { return (observations, known) }

        // The invoices concerned: those in the page, and the parents of the page's documents (as
        // they are now and as they were), a credit note's own parent standing in for it.
        var parents = Set<String>()
        for (document, previous) in documents {
            if let parent = document[text: .parentKey] { parents.insert(parent) }
            if let parent = previous?[text: .parentKey] { parents.insert(parent) }
        }
        let parentKeys: [ObjectKey] = parents.compactMap { ObjectKey($0) }
        var pageCreditNotes: [ObjectKey: Observation] = [:]
        for observation in observations where observation.key.kind == .creditNote { pageCreditNotes[observation.key] = observation }
        let storedKeys = parentKeys.filter { $0.kind == .creditNote && pageCreditNotes[$0] == nil }
        let storedCreditNotes: [Observation] = try await Reconciler.knownStates(storedKeys, context: context).compactMap { $0 }
        var invoiceKeys = Set<ObjectKey>(invoices.map(\.key))
        for key in parentKeys where RefundLinking.parents.contains(key.kind) { invoiceKeys.insert(key) }
        for creditNote in Array(pageCreditNotes.values) + storedCreditNotes {
            if let parent = creditNote[text: .parentKey].flatMap(ObjectKey.init), parent.kind == .invoice { invoiceKeys.insert(parent) }
        }
        guard !invoiceKeys.isEmpty else { return (observations, known) }

        // Every document linked to them, directly or through a credit note, the page's own
        // versions replacing the stored ones.
        let direct = try await context.ledger.linkedDocuments(parents: invoiceKeys.map(\.description))
        var creditNoteKeys = Set<String>()
        for document in direct + Array(pageCreditNotes.values) + storedCreditNotes where document.key.kind == .creditNote {
            creditNoteKeys.insert(document.key.description)
        }
        let throughCredit = try await context.ledger.linkedDocuments(parents: creditNoteKeys.sorted())
        let linked: [Observation] = direct + throughCredit + storedCreditNotes + documents.map { $0.0 }

        func counted(_ invoice: Observation) -> Observation {
            RefundLinking.count(invoice, documents: linked)
        }
        var result = observations.map { RefundLinking.parents.contains($0.key.kind) ? counted($0) : $0 }
        var resultKnown = known
        let inPage = Set(observations.map(\.key))
        let elsewhere = invoiceKeys.filter { !inPage.contains($0) }.sorted { $0.description < $1.description }
        for state in try await Reconciler.knownStates(elsewhere, context: context) {
            guard let state else { continue }
            let moved = counted(state)
            guard moved != state else { continue }
            result.append(moved)
            resultKnown.append(state)
        }
        return (result, resultKnown)
    }
}
