import Foundation
import Testing
@testable import PaySyncCore

/// Nicolas Seriot's JSONTestSuite (`fixtures/json-test-suite/README.md`): every `y_` document
/// must be read and every `n_` document refused, by the DOM parser and by the pull scanner
/// skipping it, which are one reader. Implementation-defined `i_` cases are not asserted.
@Suite struct JSONTestSuiteTests {
    /// `fixtures/json-test-suite`, found from this file (Core's tests use no test-support target).
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/json-test-suite").path
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    static let accepted = files.filter { $0.hasPrefix("y_") }
    static let refused = files.filter { $0.hasPrefix("n_") }

    static func bytes(_ name: String) throws -> [UInt8] {
        switch name {
        // Built here instead of copied: 100 KB and 250 KB of one repeated pattern.
        case "n_structure_100000_opening_arrays.json": return Array(repeating: UInt8(ascii: "["), count: 100_000)
        case "n_structure_open_array_object.json": return Array(String(repeating: #"[{"":"#, count: 50_000).utf8) + [0x0A]
        default: return Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
        }
    }

    static func scannerAccepts(_ bytes: [UInt8]) -> Bool {
        (try? JSONPullScanner.scan(bytes) { try $0.skipValue() }) != nil
    }

    @Test func theSuiteIsComplete() {
        #expect(Self.accepted.count == 95)
        #expect(Self.refused.count == 186)
    }

    @Test("y_ documents are read", arguments: accepted)
    func accepts(name: String) throws {
        let bytes = try Self.bytes(name)
        #expect(throws: Never.self) { try JSONParser.parse(bytes, source: name) }
        #expect(Self.scannerAccepts(bytes), "\(name)")
    }

    @Test("n_ documents are refused", arguments: refused + ["n_structure_100000_opening_arrays.json", "n_structure_open_array_object.json"])
    func refuses(name: String) throws {
        let bytes = try Self.bytes(name)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes, source: name) }
        #expect(!Self.scannerAccepts(bytes), "\(name)")
    }
}
