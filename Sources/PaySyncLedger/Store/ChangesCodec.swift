import Foundation
import PaySyncCore

/// The outbox `changes` column: `{"status":["sent","paid"],"amount_paid":[null,"12.00"]}`.
/// Written by hand because it runs once per queued write on the hot path.
enum ChangesCodec {
    static func encode(_ changes: [FieldChange]) -> String {
        var text = "{"
        for (index, change) in changes.enumerated() {
            if index > 0 { text.append(",") }
            text.append("\"")
            text.append(change.field.rawValue)
            text.append("\":[")
            append(change.old, to: &text)
            text.append(",")
            append(change.new, to: &text)
            text.append("]")
        }
        text.append("}")
        return text
    }

    /// Reads a stored change set back. Throws `UndecodablePayload` when the text is not the
    /// shape `encode` writes (corrupted, or from a paysync that knew other fields): such a row
    /// must be dead-lettered with the reason, never sent as an empty write.
    static func decode(_ text: String) throws(UndecodablePayload) -> [FieldChange] {
        var changes: [FieldChange] = []
        var problem: String?
        do {
            try JSONPullScanner.scan(Data(text.utf8)) { scanner in
                try scanner.readObject { scanner, key in
                    guard let field = Field(rawValue: key.string) else {
                        problem = "unknown field \"\(key.string)\""
                        return try scanner.skipValue()
                    }
                    var pair: [String?] = []
                    try scanner.readArray { scanner in pair.append(try scanner.readNull() ? nil : try scanner.readString()) }
                    guard pair.count == 2 else {
                        problem = "field \(field) holds \(pair.count) values, not [old, new]"
                        return
                    }
                    changes.append(FieldChange(field: field, old: pair[0], new: pair[1]))
                }
            }
        } catch {
            throw UndecodablePayload(reason: "changes are not a change set (\((error as? JSONPullScanner.Failure)?.message ?? "\(error)"))")
        }
        if let problem { throw UndecodablePayload(reason: "changes: \(problem)") }
        return changes
    }

    /// Reads what it can, for listing rows to an operator (undecodable parts read as none).
    static func decodeLeniently(_ text: String) -> [FieldChange] {
        (try? decode(text)) ?? []
    }

    private static func append(_ value: String?, to text: inout String) {
        if let value { JSONWriter.appendQuoted(value, into: &text) } else { text.append("null") }
    }
}

/// Why a stored outbox payload cannot be read back.
struct UndecodablePayload: Error, Equatable {
    var reason: String
}
