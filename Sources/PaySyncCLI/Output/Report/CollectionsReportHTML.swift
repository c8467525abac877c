import PaySyncCore

/// `paysync report --format html`: one self-contained page (inline CSS and SVG, no scripts, no
/// external assets) a finance lead can open or mail: the figures, collections per day, overdue
/// ageing and the status mix per source. Every figure sits in an element with `data-figure`
/// naming it, so a test can read the rendered page and compare it with the JSON report.
enum CollectionsReportHTML {
    static let palette: [PaymentStatus: String] = [
        .paid: "#2e7d32", .partiallyPaid: "#81c784", .sent: "#1e88e5", .viewed: "#64b5f6", .draft: "#b0bec5", .pending: "#ffb300",
        .overdue: "#e53935", .failed: "#8e24aa", .refunded: "#6d4c41", .partiallyRefunded: "#a1887f", .voided: "#757575",
        .disputed: "#d81b60", .expired: "#546e7a",
    ]

    /// `provider:account` short enough for a chart label: a long account id keeps its last 8 characters.
    static func shortSource(_ source: String) -> String {
        let parts = source.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[1].count > 12 else { return source }
        return "\(parts[0]) …\(parts[1].suffix(8))"
    }

    static func render(_ report: CollectionsReport) -> String {
        var body = ""
        body += "<h1>Collections \(report.since) to \(report.until.adding(days: -1))</h1>"
        body += "<p class=\"muted\">As of \(report.today). Amounts are exact and per currency; they are never added across currencies.</p>"

        body += "<section><h2>Figures</h2><table><tr><th>figure</th><th>currency</th><th>amount</th><th>count</th></tr>"
        func rows(_ name: String, _ list: [CollectionsReport.Amount]) {
            if list.isEmpty { body += "<tr><td>\(name)</td><td></td><td>none</td><td></td></tr>" }
            for item in list {
                body += "<tr><td>\(name)</td><td>\(item.currency.code)</td><td class=\"num\" data-figure=\"\(name) \(item.currency.code)\">\(item.amount.decimalText)</td>"
                    + "<td class=\"num\" data-figure=\"\(name) \(item.currency.code) count\">\(item.count)</td></tr>"
            }
        }
        rows("collected", report.collected)
        rows("refunded", report.refunded)
        rows("overdue", report.overdue)
        rows("unmatched bank credits", report.unmatchedBankCredits)
        body += "<tr><td>failed payments</td><td></td><td></td><td class=\"num\" data-figure=\"failures\">\(report.failures)</td></tr>"
        body += "<tr><td>disputes</td><td></td><td></td><td class=\"num\" data-figure=\"disputes\">\(report.disputes)</td></tr>"
        if let median = report.daysToPaid.medianDays, let mean = report.daysToPaid.meanDays {
            body += "<tr><td>days from invoice to paid (median, mean)</td><td></td><td class=\"num\"><span data-figure=\"days to paid median\">\(CollectionsReportText.days(median))</span>, "
                + "<span data-figure=\"days to paid mean\">\(CollectionsReportText.days(mean))</span></td><td class=\"num\" data-figure=\"days to paid invoices\">\(report.daysToPaid.invoices)</td></tr>"
        }
        body += "</table></section>"

        // Collections per day: one chart per currency, every day of the window.
        body += "<section><h2>Collections per day</h2>"
        let currencies = Array(Set(report.collectedPerDay.map(\.amount.currency))).sorted { $0.code < $1.code }
        if currencies.isEmpty { body += SVGChart.bars([], title: "Collected per day", colour: "#2e7d32") }
        for currency in currencies {
            var byDay: [CalendarDate: Money] = [:]
            for item in report.collectedPerDay where item.amount.currency == currency { byDay[item.day] = item.amount }
            var bars: [SVGChart.Bar] = []
            var day = report.since
            while day < report.until {
                let amount = byDay[day]
                bars.append(SVGChart.Bar(label: String(day.description.suffix(5)), value: amount.map { Double($0.minorUnits) } ?? 0,
                                         text: amount.map { "\(currency.code) \($0.decimalText)" } ?? "none"))
                day = day.adding(days: 1)
            }
            body += SVGChart.bars(bars, title: "Collected per day, \(currency.code)", colour: "#2e7d32")
        }
        body += "</section>"

        body += "<section><h2>Overdue, by days past due</h2>"
        let overdueCurrencies = Array(Set(report.overdueAgeing.map(\.currency))).sorted { $0.code < $1.code }
        if overdueCurrencies.isEmpty { body += "<p>Nothing is overdue.</p>" }
        for currency in overdueCurrencies {
            let bars = CollectionsReport.buckets.map { bucket -> SVGChart.Bar in
                let item = report.overdueAgeing.first { $0.bucket == bucket.name && $0.currency == currency }
                return SVGChart.Bar(label: bucket.name + " days", value: item.map { Double($0.amount.minorUnits) } ?? 0,
                                    text: item.map { "\(currency.code) \($0.amount.decimalText), \(Plural.count($0.count, "invoice"))" } ?? "none")
            }
            body += SVGChart.bars(bars, title: "Overdue \(currency.code) by days past due", colour: "#e53935", height: 200)
            body += "<table><tr><th>days past due</th><th>amount</th><th>invoices</th></tr>"
            for item in report.overdueAgeing where item.currency == currency {
                body += "<tr><td>\(item.bucket)</td><td class=\"num\" data-figure=\"overdue \(item.bucket) \(currency.code)\">\(item.amount.decimalText)</td><td class=\"num\">\(item.count)</td></tr>"
            }
            body += "</table>"
        }
        body += "</section>"

        body += "<section><h2>Status mix per source</h2>"
        var sources: [String: [PaymentStatus: Int]] = [:]
        for item in report.statusMix { sources["\(shortSource(item.source)) \(item.kind.rawValue)", default: [:]][item.status, default: 0] += item.count }
        let rows = sources.keys.sorted().map { label in
            (label: label, segments: PaymentStatus.known.compactMap { status in
                sources[label]![status].map { SVGChart.Segment(name: status.rawValue, value: Double($0), colour: palette[status] ?? "#9e9e9e") }
            } + sources[label]!.filter { $0.key.isUnknown }.map { SVGChart.Segment(name: $0.key.rawValue, value: Double($0.value), colour: "#212121") })
        }
        body += rows.isEmpty ? "<p>The ledger holds no objects yet.</p>" : SVGChart.stacked(rows, title: "Objects by status, per source")
        body += "</section>"

        body += "<section><h2>Transitions</h2><table><tr><th>status</th><th>transitions into it</th></tr>"
        for item in report.transitionsPerStatus {
            body += "<tr><td>\(HTML.escape(item.status.rawValue))</td><td class=\"num\" data-figure=\"transitions \(HTML.escape(item.status.rawValue))\">\(item.count)</td></tr>"
        }
        body += "</table></section>"

        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>paysync: collections \(report.since) to \(report.until.adding(days: -1))</title>
            <style>
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; background: #ffffff; margin: 24px auto; max-width: 760px; }
            h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; border-bottom: 1px solid #d9dee3; padding-bottom: 4px; }
            table { border-collapse: collapse; width: 100%; margin: 8px 0; } th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef1f4; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; } .muted { color: #52606d; }
            svg { display: block; margin: 8px 0; max-width: 100%; height: auto; } .chart-title { font-size: 13px; font-weight: 600; fill: #1f2933; }
            .axis { font-size: 10px; fill: #52606d; }
            </style></head><body>
            \(body)
            <p class="muted">Made by paysync report. No scripts, no external assets.</p>
            </body></html>

            """
    }
}
