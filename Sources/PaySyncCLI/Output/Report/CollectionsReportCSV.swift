import PaySyncCore

/// `paysync report --format csv`: one table in long form (a row per figure), RFC 4180 quoting,
/// CRLF line ends and a header, so a spreadsheet opens it as it is and can pivot it.
enum CollectionsReportCSV {
    static let header = ["section", "day", "source", "kind", "status", "bucket", "currency", "amount", "count"]

    static func render(_ report: CollectionsReport) -> String {
        var rows: [[String]] = [header]
        func row(_ section: String, day: CalendarDate? = nil, source: String = "", kind: String = "", status: String = "", bucket: String = "",
                 currency: String = "", amount: String = "", count: Int? = nil) {
            rows.append([section, day?.description ?? "", source, kind, status, bucket, currency, amount, count.map(String.init) ?? ""])
        }
        for item in report.transitionsPerDay { row("transitions", day: item.day, status: item.status.rawValue, count: item.count) }
        for item in report.collected { row("collected", currency: item.currency.code, amount: item.amount.decimalText, count: item.count) }
        for item in report.collectedPerDay { row("collected_per_day", day: item.day, currency: item.amount.currency.code, amount: item.amount.decimalText) }
        for item in report.refunded { row("refunded", currency: item.currency.code, amount: item.amount.decimalText, count: item.count) }
        for item in report.overdue { row("overdue", currency: item.currency.code, amount: item.amount.decimalText, count: item.count) }
        for item in report.overdueAgeing { row("overdue_ageing", bucket: item.bucket, currency: item.currency.code, amount: item.amount.decimalText, count: item.count) }
        row("failures", count: report.failures)
        row("disputes", count: report.disputes)
        if let median = report.daysToPaid.medianDays { row("days_to_paid_median", amount: CollectionsReportText.days(median), count: report.daysToPaid.invoices) }
        if let mean = report.daysToPaid.meanDays { row("days_to_paid_mean", amount: CollectionsReportText.days(mean), count: report.daysToPaid.invoices) }
        for item in report.unmatchedBankCredits { row("unmatched_bank_credits", currency: item.currency.code, amount: item.amount.decimalText, count: item.count) }
        for item in report.statusMix { row("status_mix", source: item.source, kind: item.kind.rawValue, status: item.status.rawValue, count: item.count) }
        return rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// A field, quoted when it holds a comma, quote or line break (quotes doubled). A value a
    /// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading quote mark,
    /// unless it is a plain number.
    static func field(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
