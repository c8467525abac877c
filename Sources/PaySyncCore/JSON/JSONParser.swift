import Foundation

/// Why a document is not valid JSON, with the line and column where parsing stopped.
public struct JSONSyntaxError: PaySyncError, Equatable {
    public var message: String
    public var offset: Int
    public var line: Int
    public var column: Int
    /// What was being parsed, for the message: a file path, or a provider page such as `/Invoices page 2`.
    public var source: String

    public var exitCode: ExitCode { .dataError }

    public var description: String {
        "\(source):\(line):\(column): malformed JSON: \(message)"
    }
}

/// Reads whole JSON documents into `JSONValue`s: a layer over `JSONPullScanner`, the one JSON
/// reader in Core, so both accept and refuse exactly the same documents (JSONTestSuite checks
/// it). Numbers keep their source text; duplicate keys keep the last value. Errors carry the
/// line and column where reading stopped.
public enum JSONParser {
    /// Parses one JSON document; `source` names it in errors.
    public static func parse(_ data: some Collection<UInt8>, source: String = "JSON") throws(JSONSyntaxError) -> JSONValue {
        let bytes = Array(data)
        do {
            return try JSONPullScanner.scan(bytes) { scanner in try readValue(&scanner) }
        } catch let failure as JSONPullScanner.Failure {
            throw syntaxError(failure, in: bytes, source: source)
        } catch {
            throw JSONSyntaxError(message: "\(error)", offset: 0, line: 1, column: 1, source: source)
        }
    }

    public static func parse(_ text: String, source: String = "JSON") throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8), source: source)
    }

    private static func readValue(_ scanner: inout JSONPullScanner) throws -> JSONValue {
        switch scanner.peek() {
        case UInt8(ascii: "{"):
            var members: [(key: String, value: JSONValue)] = []
            var positions: [String: Int] = [:]
            try scanner.readObject { scanner, key in
                let name = key.string
                let value = try readValue(&scanner)
                if let existing = positions[name] {
                    members[existing].value = value
                } else {
                    positions[name] = members.count
                    members.append((name, value))
                }
            }
            return .object(JSONObject(members))
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try scanner.readArray { scanner in elements.append(try readValue(&scanner)) }
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(try scanner.readString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try scanner.readBool())
        case UInt8(ascii: "n"):
            _ = try scanner.readNull()
            return .null
        case nil:
            throw scanner.failure("unexpected end of input")
        default:
            guard scanner.nextIsNumber() else { throw scanner.failure("unexpected value") }
            return .number(try scanner.readNumberText())
        }
    }

    /// The scanner's failure with its line and column, and what was found where an "expected …"
    /// message needs it.
    private static func syntaxError(_ failure: JSONPullScanner.Failure, in bytes: [UInt8], source: String) -> JSONSyntaxError {
        var line = 1
        var column = 1
        for byte in bytes[..<min(failure.offset, bytes.count)] {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        var message = failure.message
        if message == "unexpected value" {
            message = "unexpected " + describe(at: failure.offset, in: bytes)
        } else if message.hasPrefix("expected") || message == "invalid literal" || message.hasPrefix("unexpected data") {
            message += ", found " + describe(at: failure.offset, in: bytes)
        }
        return JSONSyntaxError(message: message, offset: failure.offset, line: line, column: column, source: source)
    }

    private static func describe(at offset: Int, in bytes: [UInt8]) -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }
}
