/// The parts of JSON string escapes that do not depend on who reads them: `JSONParser` and
/// `JSONPullScanner` walk the bytes and report errors their own way, and share these.
enum JSONEscapes {
    /// The byte a one-letter escape (`\n`, `\"`, …) stands for; nil for `u` and invalid letters.
    @inline(__always) static func single(_ escape: UInt8) -> UInt8? {
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return escape
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return nil
        }
    }

    /// The value of one hex digit of a `\u` escape.
    @inline(__always) static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    static func isHighSurrogate(_ code: UInt32) -> Bool { (0xD800...0xDBFF).contains(code) }
    static func isLowSurrogate(_ code: UInt32) -> Bool { (0xDC00...0xDFFF).contains(code) }

    /// The code point a surrogate pair stands for.
    static func combine(high: UInt32, low: UInt32) -> UInt32 { 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00) }

    /// Appends `code` as UTF-8; false when it is not a Unicode scalar.
    static func appendUTF8(_ code: UInt32, to bytes: inout [UInt8]) -> Bool {
        guard let scalar = Unicode.Scalar(code) else { return false }
        bytes.append(contentsOf: UTF8.encode(scalar)!)
        return true
    }
}
