/// RFC 4180 records: quoted fields may hold the delimiter, doubled quotes and line breaks; a
/// leading byte-order mark is skipped. Shared by the statement files and Adyen's reports.
public enum CSVRecords {
    public struct Failure: Error, Equatable {
        public var line: Int
        public var message: String
    }

    /// The records with the line each starts on.
    public static func parse(_ text: String, delimiter: Character = ",") throws(Failure) -> [(line: Int, fields: [String])] {
        var rows: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false, wasQuoted = false
        var line = 1, rowLine = 1
        var characters = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.append(characters.removeFirst()) } else { quoted = false }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty && !wasQuoted: quoted = true; wasQuoted = true
            case delimiter: fields.append(field); field = ""; wasQuoted = false
            case "\n", "\r\n", "\r":
                fields.append(field)
                rows.append((rowLine, fields))
                fields = []; field = ""; wasQuoted = false
                line += 1; rowLine = line
            default: field.append(character)
            }
        }
        if quoted { throw Failure(line: rowLine, message: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { fields.append(field); rows.append((rowLine, fields)) }
        return rows
    }
}
