import PaySyncCore
import PaySyncEngine

/// Formats a run report: a few lines of text ending with the summary line, or one JSON object.
enum ReportFormatter {
    static func text(_ report: RunReport, output: Output) {
        if report.dryRun {
            for write in report.plannedWrites { output.line(write.asCoalesced.jsonLine(sink: write.sink)) }
        }
        for window in report.windows {
            var line = "\(window.source) account \(window.account) \(window.entity) \(window.from)..<\(window.until): "
            line += "\(window.sourceCount) at source, \(window.ledgerBefore) in ledger before, \(window.ledgerAfter) after"
            line += " (\(window.added) added, \(window.changed) changed)"
            if window.hasGap {
                line += window.added > 0 ? "; GAP: \(window.added) were missing from the ledger" : ""
                line += window.missingAtSource > 0 ? "; GAP: \(window.missingAtSource) in the ledger not returned by the source" : ""
            }
            output.line(line)
        }
        var header = "\(report.command.name)\(report.runID.map { " run \($0)" } ?? "")"
        if report.dryRun { header += " (dry run: the ledger was not changed; nothing was sent)" }
        header += ": \(report.providerCalls) provider call\(report.providerCalls == 1 ? "" : "s"), \(report.crmCalls) CRM call\(report.crmCalls == 1 ? "" : "s")"
        if report.recoveredInFlight > 0 { header += ", \(report.recoveredInFlight) interrupted writes re-queued" }
        output.line(header)
        if !report.dryRun {
            output.line("outbox: \(report.pendingAfter) pending, \(report.deadAfter) dead-lettered, \(report.skippedAfter) without a CRM record")
        }
        if report.outOfScope > 0 {
            output.line("out of scope: \(Plural.count(report.outOfScope, "object")) (bills, supplier payments, charge attempts) read and not stored")
        }
        output.line(report.summaryLine)
    }

    static func json(_ report: RunReport) -> JSONValue {
        var object: [(key: String, value: JSONValue)] = [
            ("command", .string(report.command.name)),
            ("dry_run", .bool(report.dryRun)),
            ("run", report.runID.map { .number(String($0)) } ?? .null),
            ("exit_code", .number(String(report.exitCode.rawValue))),
            ("fetched", .number(String(report.counts.fetched + report.counts.rejected))),
            ("new", .number(String(report.counts.new))),
            ("changed", .number(String(report.counts.changedTotal))),
            ("unchanged", .number(String(report.counts.unchanged))),
            ("written", .number(String(report.written))),
            ("skipped_by_mapping", .number(String(report.skippedByMapping))),
            ("failed", .number(String(report.failed))),
            ("stale", .number(String(report.counts.stale))),
            ("rejected", .number(String(report.counts.rejected))),
            ("unknown_status", .number(String(report.counts.unknownStatus))),
            ("unkeyed", .number(String(report.counts.unkeyed))),
            ("out_of_scope", .number(String(report.outOfScope))),
            ("provider_calls", .number(String(report.providerCalls))),
            ("crm_calls", .number(String(report.crmCalls))),
            ("peak_rss_kb", report.peakRSSKilobytes.map { .number(String($0)) } ?? .null),
            ("outbox", ["pending": .number(String(report.pendingAfter)), "dead": .number(String(report.deadAfter)),
                        "skipped": .number(String(report.skippedAfter)), "recovered": .number(String(report.recoveredInFlight))]),
            ("problems", .array(report.problems.map { ["message": .string($0.message), "exit_code": .number(String($0.exitCode.rawValue))] })),
        ]
        if !report.paused.isEmpty {
            object.append(("paused", .array(report.paused.map { .string($0) })))
        }
        if !report.notes.isEmpty {
            object.append(("notes", .array(report.notes.map { .string($0) })))
        }
        if !report.windows.isEmpty {
            object.append(("windows", .array(report.windows.map { window in
                [
                    "source": .string(window.source), "account": .string(window.account), "entity": .string(window.entity),
                    "from": .string(window.from.description), "until": .string(window.until.description),
                    "source_count": .number(String(window.sourceCount)), "ledger_before": .number(String(window.ledgerBefore)),
                    "ledger_after": .number(String(window.ledgerAfter)), "added": .number(String(window.added)),
                    "changed": .number(String(window.changed)), "missing_at_source": .number(String(window.missingAtSource)),
                ]
            })))
        }
        if report.dryRun {
            object.append(("writes", .array(report.plannedWrites.compactMap { try? JSONParser.parse($0.asCoalesced.jsonLine(sink: $0.sink)) })))
        }
        return .object(JSONObject(object))
    }
}

extension PlannedWrite {
    /// The planned write as the sinks would see it.
    var asCoalesced: CoalescedWrite {
        Coalescing.coalesce([QueuedWrite(rowID: 0, recordKey: recordKey, objectKey: objectKey, changes: changes, fromStatus: fromStatus,
                                         toStatus: toStatus, action: action)])[0]
    }
}
