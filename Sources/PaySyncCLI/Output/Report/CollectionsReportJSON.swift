import PaySyncCore

/// `paysync report --format json`: the report's figures, amounts as exact decimal strings with
/// their currency. The other formats show the same figures (tests compare them with these).
enum CollectionsReportJSON {
    static func render(_ report: CollectionsReport) -> JSONValue {
        func amounts(_ list: [CollectionsReport.Amount]) -> JSONValue {
            .array(list.map { .object(JSONObject([("currency", .string($0.currency.code)), ("amount", .string($0.amount.decimalText)), ("count", .number(String($0.count)))])) })
        }
        func optional(_ value: Double?) -> JSONValue { value.map { .number(CollectionsReportText.days($0)) } ?? .null }
        return .object(JSONObject([
            ("since", .string(report.since.description)), ("until", .string(report.until.description)), ("today", .string(report.today.description)),
            ("transitions_per_status", .object(JSONObject(report.transitionsPerStatus.map { ($0.status.rawValue, .number(String($0.count))) }))),
            ("transitions_per_day", .array(report.transitionsPerDay.map {
                .object(JSONObject([("day", .string($0.day.description)), ("status", .string($0.status.rawValue)), ("count", .number(String($0.count)))]))
            })),
            ("collected", amounts(report.collected)),
            ("collected_per_day", .array(report.collectedPerDay.map {
                .object(JSONObject([("day", .string($0.day.description)), ("currency", .string($0.amount.currency.code)), ("amount", .string($0.amount.decimalText))]))
            })),
            ("refunded", amounts(report.refunded)),
            ("overdue", amounts(report.overdue)),
            ("overdue_ageing", .array(report.overdueAgeing.map {
                .object(JSONObject([("bucket", .string($0.bucket)), ("currency", .string($0.currency.code)), ("amount", .string($0.amount.decimalText)),
                                    ("count", .number(String($0.count)))]))
            })),
            ("failures", .number(String(report.failures))), ("disputes", .number(String(report.disputes))),
            ("days_to_paid", .object(JSONObject([("invoices", .number(String(report.daysToPaid.invoices))), ("median", optional(report.daysToPaid.medianDays)),
                                                 ("mean", optional(report.daysToPaid.meanDays))]))),
            ("unmatched_bank_credits", amounts(report.unmatchedBankCredits)),
            ("status_mix", .array(report.statusMix.map {
                .object(JSONObject([("source", .string($0.source)), ("kind", .string($0.kind.rawValue)), ("status", .string($0.status.rawValue)),
                                    ("count", .number(String($0.count)))]))
            })),
        ]))
    }
}
