/// A forward-only JSON reader over bytes for hot paths: read the members you want, skip the rest
/// without building values. Strict about syntax (a malformed document throws); numbers come back
/// as their exact text. Use `JSONParser` for documents that are small or need error positions.
public struct JSONPullScanner {
    public struct Failure: Error, Equatable, Sendable {
        public var offset: Int
        public var message: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var offset = 0
    private var depth = 0

    /// Runs `body` with a scanner over `data`'s bytes (valid only inside `body`).
    public static func scan<R>(_ data: some ContiguousBytes, _ body: (inout JSONPullScanner) throws -> R) throws -> R {
        try data.withUnsafeBytes { raw in
            var scanner = JSONPullScanner(bytes: raw.bindMemory(to: UInt8.self))
            let result = try body(&scanner)
            scanner.skipWhitespace()
            guard scanner.offset == scanner.bytes.count else { throw scanner.failure("unexpected data after the document") }
            return result
        }
    }

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    public func failure(_ message: String) -> Failure { Failure(offset: offset, message: message) }

    @inline(__always) mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// The next significant byte, without consuming it (nil at the end).
    @inline(__always) public mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    @inline(__always) mutating func expect(_ byte: UInt8) throws(Failure) {
        guard peek() == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        offset += 1
    }

    /// Whether the next value is `null` (consumed if so).
    public mutating func readNull() throws(Failure) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    private mutating func literal(_ text: StaticString) throws(Failure) {
        let count = text.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw failure("unexpected end of input") }
        for index in 0..<count where bytes[offset + index] != text.utf8Start[index] { throw failure("invalid literal") }
        offset += count
    }

    // MARK: Objects and arrays

    /// Reads an object, calling `member` with each key; `member` must consume the value (read it or
    /// `skipValue()`).
    public mutating func readObject(_ member: (inout JSONPullScanner, Key) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try enter(closing: UInt8(ascii: "}")) { return }
        repeat {
            guard peek() == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try readKey()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
        } while try another(closing: UInt8(ascii: "}"), in: "an object")
    }

    /// Reads an array, calling `element` for each element (which must consume it).
    public mutating func readArray(_ element: (inout JSONPullScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try enter(closing: UInt8(ascii: "]")) { return }
        repeat {
            try element(&self)
        } while try another(closing: UInt8(ascii: "]"), in: "an array")
    }

    /// Just past a container's opening byte: one level deeper. True when the container is empty
    /// (its closing byte consumed, the level left again).
    @inline(__always) private mutating func enter(closing: UInt8) throws(Failure) -> Bool {
        depth += 1
        guard depth <= 512 else { throw failure("nested too deeply") }
        guard peek() == closing else { return false }
        offset += 1
        depth -= 1
        return true
    }

    /// After a container's element: true when a ',' announces another, false at the closing byte
    /// (consumed, the level left).
    @inline(__always) private mutating func another(closing: UInt8, in container: StaticString) throws(Failure) -> Bool {
        guard let next = peek() else { throw failure("unexpected end of input in \(container)") }
        offset += 1
        if next == UInt8(ascii: ",") { return true }
        if next == closing { depth -= 1; return false }
        offset -= 1
        throw failure("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
    }

    /// An object key, compared without allocating.
    public struct Key {
        let start: UnsafePointer<UInt8>
        let count: Int
        let escaped: String?

        /// Whether the key is exactly `name`.
        @inline(__always) public func `is`(_ name: StaticString) -> Bool {
            if let escaped { return escaped == name.description }
            guard name.utf8CodeUnitCount == count else { return false }
            return memcmp(start, name.utf8Start, count) == 0
        }

        public var string: String { escaped ?? String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) }
    }

    mutating func readKey() throws(Failure) -> Key {
        offset += 1  // opening quote
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return Key(start: bytes.baseAddress! + start, count: offset - 1 - start, escaped: nil)
            }
            if byte == UInt8(ascii: "\\") {
                offset = start - 1
                let text = try readString()
                return Key(start: bytes.baseAddress! + start, count: 0, escaped: text)
            }
            if byte < 0x20 { throw failure("control character in a string") }
            offset += 1
        }
        throw failure("unterminated string")
    }

    // MARK: Scalars

    /// A string value. Throws if the next value is not a string.
    public mutating func readString() throws(Failure) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw failure("expected a string") }
        offset += 1
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
                offset += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure("control character in a string") }
            offset += 1
        }
        // Escapes: decode the rest one byte at a time.
        var decoded = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { throw failure("unterminated string") }
                let escape = bytes[offset]
                offset += 1
                if let single = JSONEscapes.single(escape) {
                    decoded.append(single)
                    continue
                }
                switch escape {
                case UInt8(ascii: "u"):
                    guard JSONEscapes.appendUTF8(try unicodeEscape(), to: &decoded) else { throw failure("invalid \\u escape") }
                default:
                    throw failure("invalid escape")
                }
            default:
                if byte < 0x20 { throw failure("control character in a string") }
                decoded.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    /// The code point of a `\\u` escape whose `\\u` is already consumed: a high surrogate must be
    /// followed by its low half (`\\uD83D\\uDE00`), and a low one alone is refused.
    private mutating func unicodeEscape() throws(Failure) -> UInt32 {
        let code = try hex4()
        if JSONEscapes.isHighSurrogate(code) {
            guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else { throw failure("unpaired surrogate") }
            offset += 2
            let low = try hex4()
            guard JSONEscapes.isLowSurrogate(low) else { throw failure("unpaired surrogate") }
            return JSONEscapes.combine(high: code, low: low)
        }
        if JSONEscapes.isLowSurrogate(code) { throw failure("unpaired surrogate") }
        return code
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw failure("incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = JSONEscapes.hexDigit(bytes[offset]) else { throw failure("invalid \\u escape") }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    /// A number's exact text. Throws if the next value is not a number.
    public mutating func readNumberText() throws(Failure) -> String {
        let start = try scanNumber()
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    public mutating func readBool() throws(Failure) -> Bool {
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw failure("expected a boolean")
        }
    }

    /// Whether the next value is a number (without consuming it).
    public mutating func nextIsNumber() -> Bool {
        guard let byte = peek() else { return false }
        return byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    @inline(__always) private func isDigit(_ index: Int) -> Bool {
        index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
    }

    private mutating func scanNumber() throws(Failure) -> Int {
        guard nextIsNumber() else { throw failure("expected a number") }
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard isDigit(offset) else { throw failure("expected a digit") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if isDigit(offset) { throw failure("leading zero in a number") }
        } else {
            while isDigit(offset) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard isDigit(offset) else { throw failure("expected a digit after '.'") }
            while isDigit(offset) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard isDigit(offset) else { throw failure("expected a digit in the exponent") }
            while isDigit(offset) { offset += 1 }
        }
        return start
    }

    /// Skips one value of any type, checking its syntax.
    public mutating func skipValue() throws(Failure) {
        guard let byte = peek() else { throw failure("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"):
            offset += 1
            if try enter(closing: UInt8(ascii: "}")) { return }
            repeat {
                guard peek() == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                try skipString()
                try expect(UInt8(ascii: ":"))
                try skipValue()
            } while try another(closing: UInt8(ascii: "}"), in: "an object")
        case UInt8(ascii: "["):
            offset += 1
            if try enter(closing: UInt8(ascii: "]")) { return }
            repeat {
                try skipValue()
            } while try another(closing: UInt8(ascii: "]"), in: "an array")
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try scanNumber()
        }
    }

    @inline(__always) private mutating func skipString() throws(Failure) {
        offset += 1
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") { offset += 1; return }
            if byte == UInt8(ascii: "\\") {
                offset += 1
                guard offset < bytes.count else { break }
                if bytes[offset] == UInt8(ascii: "u") {
                    offset += 1
                    // Checked as readString checks it, so skipping and reading accept the same strings.
                    _ = try unicodeEscape()
                    continue
                }
                switch bytes[offset] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): break
                default: throw failure("invalid escape")
                }
            } else if byte < 0x20 {
                throw failure("control character in a string")
            }
            offset += 1
        }
        throw failure("unterminated string")
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
