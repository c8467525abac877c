import Foundation
import Testing
@testable import PaySyncCore

@Suite struct JSONTests {
    @Test func numbersKeepTheirExactText() throws {
        let value = try JSONParser.parse(#"{"a": 1250.10, "b": -5.00, "c": 0.30000000000000004, "d": 1e2}"#)
        #expect(value["a"]?.numberText == "1250.10")
        #expect(value["b"]?.numberText == "-5.00")
        #expect(value["c"]?.numberText == "0.30000000000000004")
        #expect(value["d"]?.numberText == "1e2")
    }

    @Test func objectsKeepSourceOrder() throws {
        let value = try JSONParser.parse(#"{"z": 1, "a": 2, "m": 3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
    }

    @Test func escapesAndUnicode() throws {
        let value = try JSONParser.parse(#"["a\"b\\c\/d\n", "\u00e9\ud83d\ude00", "日本"]"#)
        #expect(value.arrayValue?.compactMap(\.stringValue) == ["a\"b\\c/d\n", "é😀", "日本"])
    }

    @Test("malformed documents report line and column", arguments: [
        ("{\n  \"a\": 1,\n  \"b\": }", 3, 8),
        ("[1, 2", 1, 6),
        ("{\"a\" 1}", 1, 6),
        ("[01]", 1, 3),
        ("\"\\ud800\"", 1, 8),
        ("{} x", 1, 4),
        ("", 1, 1),
    ])
    func malformed(text: String, line: Int, column: Int) {
        let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text, source: "page.json") }
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.description.hasPrefix("page.json:\(line):\(column): malformed JSON:") == true)
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func writerRoundTripsAndEscapes() throws {
        let value: JSONValue = ["s": "quote \" backslash \\ newline \n tab \t bell \u{07}", "n": .number("1250.10"), "a": [true, false, nil], "o": [:]]
        let compact = JSONWriter.compact(value)
        #expect(try JSONParser.parse(compact) == value)
        #expect(try JSONParser.parse(JSONWriter.pretty(value)) == value)
        #expect(compact.contains(#"\u0007"#))
        // Foundation agrees it is valid JSON.
        #expect((try? JSONSerialization.jsonObject(with: Data(compact.utf8))) != nil)
    }
}

@Suite struct JSONPullScannerSyntaxTests {
    /// Skips one value, or reads it through `readObject`/`readArray` skipping every member; the
    /// failure, if any.
    func failure(_ json: String, reading: Bool = false) -> JSONPullScanner.Failure? {
        do {
            try JSONPullScanner.scan(Data(json.utf8)) { scanner in
                guard reading else { return try scanner.skipValue() }
                if scanner.peek() == UInt8(ascii: "{") {
                    try scanner.readObject { scanner, _ in try scanner.skipValue() }
                } else {
                    try scanner.readArray { scanner in try scanner.skipValue() }
                }
            }
            return nil
        } catch let failure as JSONPullScanner.Failure {
            return failure
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test(arguments: [false, true])
    func wellFormedContainersPass(reading: Bool) {
        for json in [#"{"a":[1,{"b":{}},[]],"c":"x"}"#, "{}", "[]", " [ 1 , [ ] , { } ] ", #"{"k":null}"#] {
            #expect(failure(json, reading: reading) == nil, "\(json)")
        }
    }

    @Test(arguments: [false, true])
    func malformedContainersSayWhatAndWhere(reading: Bool) {
        let cases: [(String, Int, String)] = [
            (#"{"a":1 "b":2}"#, 7, "expected ',' or '}'"),
            ("[1 2]", 3, "expected ',' or ']'"),
            (#"{"a":1"#, 6, "unexpected end of input in an object"),
            ("[1", 2, "unexpected end of input in an array"),
            ("[1,", 3, "unexpected end of input"),
            ("{1:2}", 1, "expected a string key"),
            (String(repeating: "[", count: 513), 513, "nested too deeply"),
        ]
        for (json, offset, message) in cases {
            #expect(failure(json, reading: reading) == JSONPullScanner.Failure(offset: offset, message: message), "\(json)")
        }
    }
}

/// `JSONParser` and `JSONPullScanner` share the escape rules (`JSONEscapes`): both must read the
/// same strings and refuse the same ones.
@Suite struct JSONEscapeTests {
    func scanned(_ json: String) throws -> String {
        try JSONPullScanner.scan(Data(json.utf8)) { try $0.readString() }
    }

    @Test("escapes read the same in both readers", arguments: [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
        (#""plain \u0041\u00e9\u65e5""#, "plain Aé日"),
        (#""pair \ud83d\ude00 end""#, "pair 😀 end"),
        (#""\uD83D\uDE00""#, "😀"),
    ])
    func escapes(json: String, expected: String) throws {
        #expect(try JSONParser.parse(json).stringValue == expected)
        #expect(try scanned(json) == expected)
    }

    @Test("bad escapes fail in both readers", arguments: [
        #""\ud800""#, #""\ude00""#, #""\ud83d\u0041""#, #""\u00g1""#, #""\u12""#, #""\x""#,
    ])
    func badEscapes(json: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(json) }
        #expect(throws: JSONPullScanner.Failure.self) { try scanned(json) }
    }
}
