/// One status transition in a report window, with what the report needs of its object.
public struct ReportTransition: Sendable, Equatable {
    /// The day it happened at the provider (its updated-at, else when paysync saw it), UTC.
    public var day: CalendarDate
    public var kind: ObjectKind
    /// `provider:account`.
    public var source: String
    public var from: PaymentStatus?
    public var to: PaymentStatus
    public var currency: Currency?
    public var total: Money?
    public var documentDate: CalendarDate?

    public init(day: CalendarDate, kind: ObjectKind, source: String, from: PaymentStatus?, to: PaymentStatus, currency: Currency?,
                total: Money?, documentDate: CalendarDate?) {
        self.day = day
        self.kind = kind
        self.source = source
        self.from = from
        self.to = to
        self.currency = currency
        self.total = total
        self.documentDate = documentDate
    }
}

/// What the ledger holds now, as far as a report shows it.
public struct ReportSnapshot: Sendable, Equatable {
    /// Objects per source (`provider:account`), kind and current status.
    public var statusCounts: [StatusCount]
    /// Invoices overdue now: what is due and since when.
    public var overdue: [(due: Money, dueDate: CalendarDate?)]
    /// Bank credits matched to no invoice.
    public var unmatchedCredits: [Money]

    public struct StatusCount: Sendable, Equatable {
        public var source: String
        public var kind: ObjectKind
        public var status: PaymentStatus
        public var count: Int

        public init(source: String, kind: ObjectKind, status: PaymentStatus, count: Int) {
            self.source = source
            self.kind = kind
            self.status = status
            self.count = count
        }
    }

    public init(statusCounts: [StatusCount], overdue: [(due: Money, dueDate: CalendarDate?)], unmatchedCredits: [Money]) {
        self.statusCounts = statusCounts
        self.overdue = overdue
        self.unmatchedCredits = unmatchedCredits
    }

    public static func == (lhs: ReportSnapshot, rhs: ReportSnapshot) -> Bool {
        lhs.statusCounts == rhs.statusCounts && lhs.unmatchedCredits == rhs.unmatchedCredits
            && lhs.overdue.map(\.due) == rhs.overdue.map(\.due) && lhs.overdue.map(\.dueDate) == rhs.overdue.map(\.dueDate)
    }
}

/// `paysync report`: how collections went in a window, per day, status and currency. Amounts are
/// exact and per currency, never summed across currencies.
public struct CollectionsReport: Sendable, Equatable {
    public struct DayCount: Sendable, Equatable { public var day: CalendarDate; public var status: PaymentStatus; public var count: Int }
    public struct Amount: Sendable, Equatable { public var currency: Currency; public var amount: Money; public var count: Int }
    public struct DayAmount: Sendable, Equatable { public var day: CalendarDate; public var amount: Money }
    public struct Bucket: Sendable, Equatable { public var bucket: String; public var currency: Currency; public var amount: Money; public var count: Int }
    public struct DaysToPaid: Sendable, Equatable { public var invoices: Int; public var medianDays: Double?; public var meanDays: Double? }

    public var since: CalendarDate
    public var until: CalendarDate
    public var today: CalendarDate
    /// Transitions per day and status (days with none are left out).
    public var transitionsPerDay: [DayCount]
    public var transitionsPerStatus: [(status: PaymentStatus, count: Int)]
    /// Customer payments that became paid in the window, per currency.
    public var collected: [Amount]
    /// The same, per day and currency (the chart's bars).
    public var collectedPerDay: [DayAmount]
    /// Refunds that became refunded in the window, per currency.
    public var refunded: [Amount]
    /// Invoices overdue now, per currency, and by days past due.
    public var overdue: [Amount]
    public var overdueAgeing: [Bucket]
    /// Transitions into `failed` and into `disputed` in the window.
    public var failures: Int
    public var disputes: Int
    /// Invoices that became paid in the window: days from their date to that day.
    public var daysToPaid: DaysToPaid
    /// Bank credits matched to no invoice now, per currency.
    public var unmatchedBankCredits: [Amount]
    /// Objects per source and current status (the status-mix chart).
    public var statusMix: [ReportSnapshot.StatusCount]

    public static func == (lhs: CollectionsReport, rhs: CollectionsReport) -> Bool {
        lhs.since == rhs.since && lhs.until == rhs.until && lhs.transitionsPerDay == rhs.transitionsPerDay
            && lhs.transitionsPerStatus.map(\.status) == rhs.transitionsPerStatus.map(\.status)
            && lhs.transitionsPerStatus.map(\.count) == rhs.transitionsPerStatus.map(\.count)
            && lhs.collected == rhs.collected && lhs.collectedPerDay == rhs.collectedPerDay && lhs.refunded == rhs.refunded
            && lhs.overdue == rhs.overdue && lhs.overdueAgeing == rhs.overdueAgeing && lhs.failures == rhs.failures
            && lhs.disputes == rhs.disputes && lhs.daysToPaid == rhs.daysToPaid && lhs.unmatchedBankCredits == rhs.unmatchedBankCredits
            && lhs.statusMix == rhs.statusMix
    }

    /// The overdue-ageing buckets, in days past the due date.
    public static let buckets: [(name: String, days: ClosedRange<Int>)] = [("1-30", 1...30), ("31-60", 31...60), ("61-90", 61...90), ("over 90", 91...Int.max)]

    /// Builds the report (pure): `transitions` are those of the window, `snapshot` is now.
    public static func build(since: CalendarDate, until: CalendarDate, today: CalendarDate, transitions: [ReportTransition], snapshot: ReportSnapshot) -> CollectionsReport {
        var perDay: [CalendarDate: [PaymentStatus: Int]] = [:]
        var perStatus: [PaymentStatus: Int] = [:]
        var collected = Sums(), refunded = Sums()
        var collectedPerDay: [CalendarDate: [Currency: Int64]] = [:]
        var days: [Int] = []
        for transition in transitions {
            perDay[transition.day, default: [:]][transition.to, default: 0] += 1
            perStatus[transition.to, default: 0] += 1
            switch (transition.kind, transition.to) {
            case (.payment, .paid):
                if let amount = transition.total {
                    collected.add(amount)
                    collectedPerDay[transition.day, default: [:]][amount.currency, default: 0] += amount.minorUnits
                }
            case (.refund, .refunded):
                if let amount = transition.total { refunded.add(amount) }
            case (.invoice, .paid):
                if let issued = transition.documentDate { days.append(max(0, issued.days(until: transition.day))) }
            default:
                break
            }
        }
        var overdue = Sums()
        var ageing: [String: Sums] = [:]
        for invoice in snapshot.overdue {
            overdue.add(invoice.due)
            let late = invoice.dueDate.map { max(1, $0.days(until: today)) } ?? 1
            let bucket = buckets.first { $0.days.contains(late) }?.name ?? buckets.last!.name
            ageing[bucket, default: Sums()].add(invoice.due)
        }
        var unmatched = Sums()
        for credit in snapshot.unmatchedCredits { unmatched.add(credit) }
        days.sort()
        let median: Double? = days.isEmpty ? nil : days.count % 2 == 1 ? Double(days[days.count / 2]) : Double(days[days.count / 2 - 1] + days[days.count / 2]) / 2
        return CollectionsReport(
            since: since, until: until, today: today,
            transitionsPerDay: perDay.keys.sorted().flatMap { day in
                perDay[day]!.sorted { $0.key.rawValue < $1.key.rawValue }.map { DayCount(day: day, status: $0.key, count: $0.value) }
            },
            transitionsPerStatus: PaymentStatus.known.compactMap { status in perStatus[status].map { (status, $0) } }
                + perStatus.filter { $0.key.isUnknown }.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value) },
            collected: collected.amounts, 
            collectedPerDay: collectedPerDay.keys.sorted().flatMap { day in
                collectedPerDay[day]!.sorted { $0.key.code < $1.key.code }.map { DayAmount(day: day, amount: Money(minorUnits: $0.value, currency: $0.key)) }
            },
            refunded: refunded.amounts, overdue: overdue.amounts,
            overdueAgeing: buckets.flatMap { bucket in (ageing[bucket.name]?.amounts ?? []).map { Bucket(bucket: bucket.name, currency: $0.currency, amount: $0.amount, count: $0.count) } },
            failures: perStatus[.failed] ?? 0, disputes: perStatus[.disputed] ?? 0,
            daysToPaid: DaysToPaid(invoices: days.count, medianDays: median, meanDays: days.isEmpty ? nil : Double(days.reduce(0, +)) / Double(days.count)),
            unmatchedBankCredits: unmatched.amounts,
            statusMix: snapshot.statusCounts.sorted { ($0.source, $0.kind.rawValue, $0.status.rawValue) < ($1.source, $1.kind.rawValue, $1.status.rawValue) }
        )
    }

    /// Sums per currency, exactly (an overflowing sum stays at the largest value it can hold).
    struct Sums {
        var totals: [Currency: (minor: Int64, count: Int)] = [:]

        mutating func add(_ money: Money) {
            let current = totals[money.currency] ?? (0, 0)
            let sum = current.minor.addingReportingOverflow(money.minorUnits)
            totals[money.currency] = (sum.overflow ? Int64.max : sum.partialValue, current.count + 1)
        }

        var amounts: [Amount] {
            totals.sorted { $0.key.code < $1.key.code }.map { Amount(currency: $0.key, amount: Money(minorUnits: $0.value.minor, currency: $0.key), count: $0.value.count) }
        }
    }
}
