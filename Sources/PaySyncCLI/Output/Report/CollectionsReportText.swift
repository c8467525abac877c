import PaySyncCore

/// `paysync report` on a terminal: the figures in a few short blocks.
enum CollectionsReportText {
    static func render(_ report: CollectionsReport) -> String {
        var lines = ["collections \(report.since) to \(report.until) (the day before), as of \(report.today)", ""]
        func amounts(_ title: String, _ list: [CollectionsReport.Amount], _ noun: String) {
            lines.append(title + (list.isEmpty ? " none" : ""))
            for item in list { lines.append("  \(item.currency.code) \(item.amount.decimalText)  (\(Plural.count(item.count, noun)))") }
        }
        amounts("collected:", report.collected, "payment")
        amounts("refunded:", report.refunded, "refund")
        amounts("overdue now:", report.overdue, "invoice")
        for bucket in report.overdueAgeing {
            lines.append("  \(bucket.bucket) days late: \(bucket.currency.code) \(bucket.amount.decimalText) (\(Plural.count(bucket.count, "invoice")))")
        }
        let paid = report.daysToPaid
        lines.append("days from invoice to paid: " + (paid.invoices == 0 ? "no invoice paid"
            : "median \(days(paid.medianDays ?? 0)), mean \(days(paid.meanDays ?? 0)) (\(Plural.count(paid.invoices, "invoice")))"))
        lines.append("failed payments: \(report.failures); disputes: \(report.disputes)")
        amounts("unmatched bank credits:", report.unmatchedBankCredits, "credit")
        lines.append("transitions: " + (report.transitionsPerStatus.isEmpty ? "none"
            : report.transitionsPerStatus.map { "\($0.status.rawValue) \($0.count)" }.joined(separator: ", ")))
        return lines.joined(separator: "\n")
    }

    /// A day count with at most one decimal (`12`, `12.5`).
    static func days(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(format: "%.1f", tenths / 10)
    }
}
