/// A bank credit as the matcher sees it.
public struct BankCredit: Sendable, Equatable {
    public var key: ObjectKey
    /// Positive for money in; a debit (zero or less) never matches.
    public var amount: Money
    public var bookingDate: CalendarDate
    /// Only booked credits settle invoices; a pending one can still change or vanish.
    public var isBooked: Bool
    /// The texts the payer or the bank wrote: remittance information, reference, description.
    public var texts: [String]
    public var counterpartyName: String?

    public init(key: ObjectKey, amount: Money, bookingDate: CalendarDate, isBooked: Bool = true, texts: [String], counterpartyName: String? = nil) {
        self.key = key
        self.amount = amount
        self.bookingDate = bookingDate
        self.isBooked = isBooked
        self.texts = texts
        self.counterpartyName = counterpartyName
    }
}

/// An invoice a credit could pay: open (sent, overdue or part paid), from any source.
public struct OpenInvoice: Sendable, Equatable {
    public var key: ObjectKey
    public var number: String
    public var due: Money
    public var issued: CalendarDate?
    public var customerName: String?

    public init(key: ObjectKey, number: String, due: Money, issued: CalendarDate?, customerName: String? = nil) {
        self.key = key
        self.number = number
        self.due = due
        self.issued = issued
        self.customerName = customerName
    }
}

/// What the matcher decided for one credit, with its reason in words a bookkeeper reads.
public struct MatchDecision: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The credit pays these invoices these amounts.
        case matched([Allocation])
        /// More than one invoice fits and nothing tells them apart: a person decides.
        case ambiguous(candidates: [ObjectKey])
        /// Nothing fits.
        case unmatched
        /// Not a candidate at all: a debit, or a credit not booked yet.
        case ignored
    }

    public struct Allocation: Sendable, Equatable {
        public var invoice: ObjectKey
        public var amount: Money

        public init(invoice: ObjectKey, amount: Money) {
            self.invoice = invoice
            self.amount = amount
        }
    }

    public var credit: ObjectKey
    public var outcome: Outcome
    /// 0 to 1: how sure the rule that decided is (`MatchSettings.minimumConfidence` decides
    /// whether a match changes a status by itself or waits for a person).
    public var confidence: Double
    public var reason: String
}

/// How matching behaves (`matching` in the config).
public struct MatchSettings: Sendable, Equatable {
    /// A credit matches invoices issued at most this many days before it (and never after).
    public var windowDays: Int = 120
    /// Matches at or above this confidence change a status; the rest wait for a person.
    public var minimumConfidence: Double = 0.9

    public init(windowDays: Int = 120, minimumConfidence: Double = 0.9) {
        self.windowDays = windowDays
        self.minimumConfidence = minimumConfidence
    }
}

/// Bank credits to the invoices they pay (pure). The rules, in the order they are tried:
///
/// | rule | confidence |
/// |------|-----------:|
/// | the texts name one open invoice, the amount equals what is due | 1.0 |
/// | the texts name one open invoice, the amount is less (part paid) | 0.95 |
/// | the texts name one open invoice, the amount is more (overpaid; the excess is left unallocated) | 0.9 |
/// | the texts name several open invoices and the amount equals their dues together | 0.95 |
/// | the texts name an invoice only by a number cut off at the end of the text (bank truncation) | the above × 0.9 |
/// | no invoice named; exactly one open invoice is due exactly this amount | 0.6 |
/// | no invoice named; several are, and the payer's name picks exactly one by its customer | 0.8 |
///
/// Always: same currency, the credit booked on or after the invoice date and within the window,
/// never a guess between two candidates (that is `ambiguous`), and a debit or a pending credit
/// is `ignored`. Credits are decided in order, each seeing what the earlier ones left due, so two
/// transfers for one invoice pay it once and a repeated feed row (same key) counts once.
public enum CreditMatcher {
    public static func decide(_ credits: [BankCredit], invoices: [OpenInvoice], settings: MatchSettings = MatchSettings()) -> [MatchDecision] {
        var due = Dictionary(invoices.map { ($0.key, $0.due) }) { first, _ in first }
        var seen: Set<ObjectKey> = []
        var decisions: [MatchDecision] = []
        for credit in credits {
            guard seen.insert(credit.key).inserted else { continue }
            let decision = decideOne(credit, invoices: invoices, due: due, settings: settings)
            if case .matched(let allocations) = decision.outcome {
                for allocation in allocations {
                    if let left = due[allocation.invoice] { due[allocation.invoice] = Money(minorUnits: left.minorUnits - allocation.amount.minorUnits, currency: left.currency) }
                }
            }
            decisions.append(decision)
        }
        return decisions
    }

    static func decideOne(_ credit: BankCredit, invoices: [OpenInvoice], due: [ObjectKey: Money], settings: MatchSettings) -> MatchDecision {
        func decision(_ outcome: MatchDecision.Outcome, _ confidence: Double, _ reason: String) -> MatchDecision {
            MatchDecision(credit: credit.key, outcome: outcome, confidence: confidence, reason: reason)
        }
        guard credit.amount.minorUnits > 0 else { return decision(.ignored, 0, "a debit: only money in pays an invoice") }
        guard credit.isBooked else { return decision(.ignored, 0, "pending: decided once the bank books it") }
        let text = ReferenceText(credit.texts.joined(separator: " "))
        // Open invoices this credit could pay: still something due, issued on or before it and not
        // longer ago than the window.
        let open = invoices.filter { invoice in
            guard let left = due[invoice.key], left.minorUnits > 0 else { return false }
            guard let issued = invoice.issued else { return true }
            let age = issued.days(until: credit.bookingDate)
            return age >= 0 && age <= settings.windowDays
        }
        // Invoices its texts name, in any currency (a named invoice in another currency is said so).
        var named: [(invoice: OpenInvoice, truncated: Bool)] = []
        for invoice in open {
            switch text.mentions(invoice.number) {
            case .whole: named.append((invoice, false))
            case .truncated: named.append((invoice, true))
            case .none: break
            }
        }
        // A whole mention beats a cut-off one of a longer number.
        if named.contains(where: { !$0.truncated }) { named.removeAll { $0.truncated } }
        let sameCurrency = named.filter { due[$0.invoice.key]!.currency == credit.amount.currency }
        if sameCurrency.isEmpty && !named.isEmpty {
            return decision(.unmatched, 0, "names \(named.map(\.invoice.number).joined(separator: ", ")) but in \(credit.amount.currency.code), not \(due[named[0].invoice.key]!.currency.code)")
        }
        if !sameCurrency.isEmpty {
            let truncation = sameCurrency.contains { $0.truncated } ? 0.9 : 1.0
            let cut = truncation < 1 ? " (cut off by the bank)" : ""
            if sameCurrency.count == 1 {
                let invoice = sameCurrency[0].invoice
                let left = due[invoice.key]!
                let amount = credit.amount
                if amount.minorUnits == left.minorUnits {
                    return decision(.matched([.init(invoice: invoice.key, amount: amount)]), 1.0 * truncation, "names \(invoice.number)\(cut); \(amount.currency.code) \(amount.decimalText) is what is due")
                }
                if amount.minorUnits < left.minorUnits {
                    return decision(.matched([.init(invoice: invoice.key, amount: amount)]), 0.95 * truncation,
                                    "names \(invoice.number)\(cut); \(amount.currency.code) \(amount.decimalText) of \(left.decimalText) due: part paid")
                }
                let excess = Money(minorUnits: amount.minorUnits - left.minorUnits, currency: amount.currency)
                return decision(.matched([.init(invoice: invoice.key, amount: left)]), 0.9 * truncation,
                                "names \(invoice.number)\(cut); \(amount.currency.code) \(amount.decimalText) pays the \(left.decimalText) due and \(excess.decimalText) more (overpaid; the excess is not allocated)")
            }
            let total = sameCurrency.reduce(Int64(0)) { $0 + due[$1.invoice.key]!.minorUnits }
            if total == credit.amount.minorUnits {
                let allocations = sameCurrency.map { MatchDecision.Allocation(invoice: $0.invoice.key, amount: due[$0.invoice.key]!) }
                return decision(.matched(allocations), 0.95 * truncation,
                                "names \(sameCurrency.map(\.invoice.number).joined(separator: " and "))\(cut); \(credit.amount.currency.code) \(credit.amount.decimalText) is what they are due together")
            }
            return decision(.ambiguous(candidates: sameCurrency.map(\.invoice.key)), 0,
                            "names \(sameCurrency.map(\.invoice.number).joined(separator: ", ")), but \(credit.amount.decimalText) is neither one's due nor all of theirs")
        }
        // Nothing named: the amount alone, the payer's name only to tell equal amounts apart.
        let exact = open.filter { due[$0.key]! == credit.amount }
        if exact.count == 1 {
            return decision(.matched([.init(invoice: exact[0].key, amount: credit.amount)]), 0.6,
                            "names no invoice; \(exact[0].number) is the only one due exactly \(credit.amount.currency.code) \(credit.amount.decimalText)")
        }
        if exact.count > 1 {
            let payer = ReferenceText.normalise(([credit.counterpartyName ?? ""] + credit.texts).joined(separator: " "))
            let byName = exact.filter { invoice in
                guard let name = invoice.customerName.map(ReferenceText.normalise), name.count >= 3 else { return false }
                return payer.contains(name)
            }
            if byName.count == 1 {
                return decision(.matched([.init(invoice: byName[0].key, amount: credit.amount)]), 0.8,
                                "names no invoice; \(exact.count) are due \(credit.amount.decimalText), and the payer's name is \(byName[0].customerName ?? "")'s")
            }
            return decision(.ambiguous(candidates: exact.map(\.key)), 0,
                            "names no invoice; \(exact.map(\.number).joined(separator: ", ")) are each due \(credit.amount.currency.code) \(credit.amount.decimalText)")
        }
        return decision(.unmatched, 0, "names no open invoice, and none is due \(credit.amount.currency.code) \(credit.amount.decimalText)")
    }
}

/// Remittance text as the matcher reads it: squashed (upper case, without spaces and the
/// separators people and banks put in numbers: `-`, `/`, `.`, `#`, `_`, `:`) to find whole invoice
/// numbers however they were written, and split into words to find bare digits.
public struct ReferenceText: Sendable {
    public let squashed: String
    public let words: Set<String>

    public init(_ raw: String) {
        squashed = ReferenceText.normalise(raw)
        words = Set(raw.uppercased().split { !$0.isLetter && !$0.isNumber }.map(String.init))
    }

    public static func normalise(_ text: String) -> String {
        String(text.uppercased().unicodeScalars.filter { !" \t\n\r-/._#:".unicodeScalars.contains($0) }.map(Character.init))
    }

    public enum Mention: Equatable { case whole, truncated, none }

    /// Whether the text names invoice `number`: the whole number anywhere (`inv 0042`, `INV-0042`,
    /// `#INV0042`), not run together with more digits; its digits alone as a word when they are
    /// three or more (`INV-0042` paid as `Ref 0042`); or, at the very end of the text, its first
    /// six characters or more (a bank cut the reference short).
    public func mentions(_ number: String) -> Mention {
        let whole = ReferenceText.normalise(number)
        guard !whole.isEmpty else { return .none }
        let characters = Array(squashed)
        let target = Array(whole)
        var start = 0
        while start + target.count <= characters.count {
            if Array(characters[start..<start + target.count]) == target {
                let before = start > 0 ? characters[start - 1] : nil
                let after = start + target.count < characters.count ? characters[start + target.count] : nil
                if !(target.first!.isNumber && before?.isNumber == true) && !(target.last!.isNumber && after?.isNumber == true) { return .whole }
            }
            start += 1
        }
        let digits = String(whole.drop { !$0.isNumber })
        if digits.count >= 3, digits != whole, digits.allSatisfy(\.isNumber), words.contains(digits) { return .whole }
        if whole.count > 6 {
            for length in stride(from: whole.count - 1, through: 6, by: -1) where squashed.hasSuffix(String(whole.prefix(length))) {
                if squashed.dropLast(length).last?.isNumber != true { return .truncated }
            }
        }
        return .none
    }
}
