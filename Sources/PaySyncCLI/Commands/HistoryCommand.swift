import PaySyncCore
import PaySyncEngine

/// `paysync history OBJECT`: every transition of the matching objects, oldest first.
enum HistoryCommand {
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let format = try invocation.format(command: "history")
        let reference = invocation.parsed.positionals[0]
        let configuration = try invocation.optionalConfiguration()
        let ledger = try LedgerAccess.openForReading(path: try invocation.ledgerPath(configuration: configuration), logger: invocation.logger)
        let objects = try await LedgerAccess.history(of: reference, in: ledger)
        let output = invocation.output
        switch format {
        case .json:
            output.line(JSONWriter.compact(.array(objects.map { object in
                [
                    "object": .string(object.key.description),
                    "status": .string(object.current.status.rawValue),
                    "provider_status": .string(object.current.providerStatus),
                    "invoice_number": object.current.invoiceNumber.map { .string($0) } ?? .null,
                    "transitions": .array(object.transitions.map { transition in
                        [
                            "run": transition.runID.map { .number(String($0)) } ?? .null,
                            "observed_at": .string(transition.observedAt.iso8601),
                            "provider_updated_at": transition.providerUpdatedAt.map { .string($0.iso8601) } ?? .null,
                            "from": transition.fromStatus.map { .string($0.rawValue) } ?? .null,
                            "to": .string(transition.toStatus.rawValue),
                            "changed": .array(transition.changed.map { .string($0) }),
                        ]
                    }),
                ]
            })))
        case .text:
            for object in objects {
                let current = object.current
                var line = "\(object.key)"
                let label = [current.invoiceNumber, current.customerName].compactMap { $0 }.joined(separator: ", ")
                if !label.isEmpty { line += " (\(label))" }
                line += ": now \(current.status.rawValue)"
                if let total = current.total {
                    let paid = current.paid ?? Money(minorUnits: 0, currency: total.currency)
                    line += ", \(paid.decimalText) of \(total) paid"
                }
                if let due = current.dueDate { line += ", due \(due)" }
                output.line(line)
                for transition in object.transitions {
                    let from = transition.fromStatus?.rawValue ?? "(new)"
                    output.line("  \(transition.observedAt.iso8601)  run \(transition.runID.map(String.init) ?? "-")  \(from) -> \(transition.toStatus.rawValue)  [\(transition.changed.joined(separator: ", "))]")
                }
            }
        }
        return .success
    }
}
