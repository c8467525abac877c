/// Exact conversion between decimal text (JSON number grammar) and integer minor units.
/// Pure integer arithmetic: no `Double`, no `Decimal` rounding.
public enum DecimalText {
    /// The value of `text` times 10^`exponent`, exactly.
    ///
    /// Accepts an optional sign, digits, an optional fraction and an optional exponent (`1.5e3`).
    /// Trailing zeros beyond the currency's digits are fine (`1250.100` USD is 125010); a non-zero
    /// digit beyond them is an error, never rounded.
    public static func minorUnits(of text: String, exponent: Int, field: String, currency: String) throws(MoneyError) -> Int64 {
        func fail(_ reason: MoneyError.Reason) -> MoneyError { MoneyError(field: field, text: text, reason: reason) }

        var bytes = Array(text.utf8)[...]
        guard !bytes.isEmpty else { throw fail(.notANumber) }
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes = bytes.dropFirst() }
        else if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }

        // Significant digits without leading zeros, and how many of them came after the point.
        var digits: [UInt8] = []
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        var scaleExponent = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                sawDigit = true
                if !(digits.isEmpty && byte == UInt8(ascii: "0")) { digits.append(byte - UInt8(ascii: "0")) }
                if sawPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard sawDigit else { throw fail(.notANumber) }
                let rest = bytes[(index + 1)...]
                guard let parsed = Int(String(decoding: rest, as: UTF8.self)), abs(parsed) < 400 else {
                    throw fail(.notANumber)
                }
                scaleExponent = parsed
                index = bytes.endIndex
                break
            } else {
                throw fail(.notANumber)
            }
            index += 1
        }
        guard sawDigit else { throw fail(.notANumber) }
        // A leading-zero fraction such as 0.05 keeps its zeros out of `digits`; they only count as scale.

        // value = digits × 10^(scaleExponent − fractionDigits); minor units = value × 10^exponent.
        var shift = scaleExponent - fractionDigits + exponent
        while shift < 0 {
            guard let last = digits.last else { shift = 0; break }
            guard last == 0 else { throw fail(.tooManyFractionDigits(currency: currency, allowed: exponent)) }
            digits.removeLast()
            shift += 1
        }
        var magnitude: Int64 = 0
        for digit in digits {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { throw fail(.outOfRange) }
            magnitude = sum
        }
        if magnitude != 0 {
            for _ in 0..<shift {
                let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                guard !overflow else { throw fail(.outOfRange) }
                magnitude = times10
            }
        }
        return negative ? -magnitude : magnitude
    }

    /// The shortest text of the same value: no leading or trailing zeros, no exponent, `0` for
    /// zero (`1250.10` → `1250.1`, `-5.00` → `-5`, `1e2` → `100`). This is also how `Decimal`
    /// describes itself, so texts from either source compare by value. Nil for text that is not a
    /// JSON number.
    public static func normalized(_ text: String) -> String? {
        var bytes = Array(text.utf8)[...]
        guard !bytes.isEmpty else { return nil }
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes = bytes.dropFirst() }
        var digits: [UInt8] = []
        var pointPosition: Int?
        var exponent = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits.append(byte)
            } else if byte == UInt8(ascii: "."), pointPosition == nil {
                pointPosition = digits.count
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let value = Int(String(decoding: bytes[(index + 1)...], as: UTF8.self)) else { return nil }
                exponent = value
                break
            } else {
                return nil
            }
            index += 1
        }
        guard !digits.isEmpty else { return nil }
        // value = digits × 10^(exponent − fractionDigits)
        var scale = exponent - (digits.count - (pointPosition ?? digits.count))
        while digits.count > 1 && digits.first == UInt8(ascii: "0") { digits.removeFirst() }
        while digits.count > 1 && digits.last == UInt8(ascii: "0") && scale < 0 { digits.removeLast(); scale += 1 }
        if digits == [UInt8(ascii: "0")] { return "0" }
        var result: [UInt8]
        if scale >= 0 {
            result = digits + [UInt8](repeating: UInt8(ascii: "0"), count: scale)
        } else {
            let fraction = -scale
            if fraction >= digits.count {
                result = Array("0.".utf8) + [UInt8](repeating: UInt8(ascii: "0"), count: fraction - digits.count) + digits
            } else {
                result = Array(digits[..<(digits.count - fraction)]) + [UInt8(ascii: ".")] + Array(digits[(digits.count - fraction)...])
            }
        }
        return (negative ? "-" : "") + String(decoding: result, as: UTF8.self)
    }

    /// `minorUnits` as decimal text with exactly `exponent` fraction digits.
    public static func format(minorUnits: Int64, exponent: Int) -> String {
        let negative = minorUnits < 0
        // Int64.min has no positive twin; its magnitude is formatted through UInt64.
        let magnitude = minorUnits.magnitude
        var digits = String(magnitude)
        if exponent > 0 {
            if digits.count <= exponent {
                digits = String(repeating: "0", count: exponent - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -exponent))
        }
        return negative ? "-" + digits : digits
    }
}
