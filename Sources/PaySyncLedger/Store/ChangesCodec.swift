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
        guard let object = try? JSONParser.parse(text).objectValue else { return [] }
        return object.members.compactMap { member in
            guard let field = Field(rawValue: member.key), let pair = member.value.arrayValue, pair.count == 2 else { return nil }
            return FieldChange(field: field, old: pair[0].stringValue, new: pair[1].stringValue)
        }
    }

    private static func append(_ value: String?, to text: inout String) {
        if let value { JSONWriter.appendQuoted(value, into: &text) } else { text.append("null") }
    }
}
