/// Serialises `JSONValue`s: compact for the wire and for JSON lines, indented for fixture files
/// people read. Object members keep their order; numbers are written exactly as held.
public enum JSONWriter {
    public static func compact(_ value: JSONValue) -> String {
        var output = ""
        write(value, into: &output, indent: nil, level: 0)
        return output
    }

    public static func pretty(_ value: JSONValue) -> String {
        var output = ""
        write(value, into: &output, indent: "  ", level: 0)
        return output
    }

    /// `text` as a JSON string literal, quotes included.
    public static func quoted(_ text: String) -> String {
        var output = ""
        appendQuoted(text, into: &output)
        return output
    }

    public static func appendQuoted(_ text: String, into output: inout String) {
        output.append("\"")
        var needsEscaping = false
        for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscaping = true
            break
        }
        if !needsEscaping {
            output.append(text)
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": output.append("\\\"")
                case "\\": output.append("\\\\")
                case "\n": output.append("\\n")
                case "\r": output.append("\\r")
                case "\t": output.append("\\t")
                case "\u{08}": output.append("\\b")
                case "\u{0C}": output.append("\\f")
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                    } else {
                        output.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        output.append("\"")
    }

    private static func write(_ value: JSONValue, into output: inout String, indent: String?, level: Int) {
        switch value {
        case .null: output.append("null")
        case .bool(let flag): output.append(flag ? "true" : "false")
        case .number(let text): output.append(text)
        case .string(let text): appendQuoted(text, into: &output)
        case .array(let elements):
            if elements.isEmpty { output.append("[]"); return }
            output.append("[")
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(",") }
                newline(into: &output, indent: indent, level: level + 1)
                write(element, into: &output, indent: indent, level: level + 1)
            }
            newline(into: &output, indent: indent, level: level)
            output.append("]")
        case .object(let object):
            if object.members.isEmpty { output.append("{}"); return }
            output.append("{")
            for (position, member) in object.members.enumerated() {
                if position > 0 { output.append(",") }
                newline(into: &output, indent: indent, level: level + 1)
                appendQuoted(member.key, into: &output)
                output.append(indent == nil ? ":" : ": ")
                write(member.value, into: &output, indent: indent, level: level + 1)
            }
            newline(into: &output, indent: indent, level: level)
            output.append("}")
        }
    }

    private static func newline(into output: inout String, indent: String?, level: Int) {
        guard let indent else { return }
        output.append("\n")
        for _ in 0..<level { output.append(indent) }
    }
}
