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

    static func decode(_ text: String) -> [FieldChange] {
        var changes: [FieldChange] = []
        var text = text
        _ = try? text.withUTF8 { bytes in
            try JSONPullScanner.scan(Data(bytes)) { scanner in
                try scanner.readObject { scanner, key in
                    guard let field = Field(rawValue: key.string) else { return try scanner.skipValue() }
                    var pair: [String?] = []
                    try scanner.readArray { scanner in pair.append(try scanner.readNull() ? nil : try scanner.readString()) }
                    if pair.count == 2 { changes.append(FieldChange(field: field, old: pair[0], new: pair[1])) }
                }
            }
        }
        return changes
    }

    private static func append(_ value: String?, to text: inout String) {
        if let value { JSONWriter.appendQuoted(value, into: &text) } else { text.append("null") }
    }
}
