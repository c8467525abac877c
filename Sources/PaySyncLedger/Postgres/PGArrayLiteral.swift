/// PostgreSQL array literals (`{"a","b \"c\"",NULL}`), the form every list parameter takes
/// (`= ANY($1::text[])`, `unnest($1::bigint[], …)`). Built in UTF-8 bytes: element by element in
/// `String` it was a sixth of paysync's CPU in a first sync (measured: docs/performance.md).
enum PGArrayLiteral {
    /// `count` elements, `element(i)` each (nil is NULL).
    static func make(count: Int, _ element: (Int) -> String?) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(count * 16 + 2)
        for index in 0..<count {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard var value = element(index) else {
                bytes.append(contentsOf: [UInt8(ascii: "N"), UInt8(ascii: "U"), UInt8(ascii: "L"), UInt8(ascii: "L")])
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            value.withUTF8 { utf8 in
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                    bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func make(_ values: some Collection<String>) -> String {
        let array = Array(values)
        return make(count: array.count) { array[$0] }
    }
}
