import Foundation
import PaySyncFuzzTargets
import PaySyncTestSupport
import Testing

/// A seeded mutation loop over the fuzz entry points (`PaySyncFuzzTargets`), in every `make test`:
/// each seed input (documented fixtures, JSONTestSuite cases, and every file kept in
/// `fixtures/fuzz/<target>/`, which is where crashes `make fuzz` finds are kept as regressions)
/// and thousands of byte-level mutations of them must neither crash nor break an invariant.
/// `make fuzz` runs the same entry points under libFuzzer for longer (docs/reliability.md).
@Suite struct FuzzLoopTests {
    static func seeds(for target: String) -> [[UInt8]] {
        var paths: [String] = []
        func add(_ directory: String, _ filter: (String) -> Bool = { _ in true }) {
            let root = Repository.path(directory)
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() where filter(file) { paths.append(root + "/" + file) }
        }
        add("fixtures/fuzz/\(target)")
        switch target {
        case "json": add("fixtures/json-test-suite") { $0.hasSuffix(".json") && $0.utf8.count < 60 }
        case "xero-invoices": add("fixtures/xero") { $0.hasPrefix("invoices") }
        case "xero-payments": add("fixtures/xero") { $0.hasPrefix("payments") }
        case "config": add("fixtures/demo") { $0.hasSuffix(".json") }
        default: break
        }
        var seeds = paths.compactMap { FileManager.default.contents(atPath: $0).map(Array.init) }
        switch target {
        case "money": seeds += ["1250.10", "-0.5", "1e2", "0.30000000000000004", "12.345", "999999999999999999", ".5", "1."].map { Array($0.utf8) }
        case "dates": seeds += ["2025-05-02", "2025-05-02T09:00:00Z", "/Date(1573755038314+0000)/", "Sun, 06 Nov 1994 08:49:37 GMT", "/Date(-1)/"].map { Array($0.utf8) }
        default: break
        }
        return seeds.isEmpty ? [Array("{}".utf8)] : seeds
    }

    static let interesting: [[UInt8]] = ["\"", "\\", "{", "}", "[", "]", ",", ":", "null", "-", "e", "0", ".", "\u{0}", "\\u0000", "\\ud800",
                                         "99999999999999999999", "/Date(", ")/", "+", " "].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + random.below(4)) {
            switch random.below(5) {
            case 0 where !bytes.isEmpty: bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
            case 1 where !bytes.isEmpty: bytes.remove(at: random.below(bytes.count))
            case 2: bytes.insert(contentsOf: interesting[random.below(interesting.count)], at: random.below(bytes.count + 1))
            case 3 where bytes.count > 1:
                let start = random.below(bytes.count), end = min(bytes.count, start + 1 + random.below(16))
                bytes.insert(contentsOf: bytes[start..<end], at: random.below(bytes.count + 1))
            default: bytes = Array(bytes.prefix(random.below(bytes.count + 1)))
            }
        }
        return bytes
    }

    @Test("mutations neither crash nor break an invariant", arguments: FuzzTargets.names)
    func mutationLoop(target: String) {
        let iterations = Int(ProcessInfo.processInfo.environment["PAYSYNC_FUZZ_ITERATIONS"] ?? "") ?? 3000
        var random = SplitMix64(seed: 0xF022 ^ UInt64(target.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        let seeds = Self.seeds(for: target)
        for seed in seeds { FuzzTargets.run(target, seed) }
        for _ in 0..<iterations {
            FuzzTargets.run(target, Self.mutate(seeds[random.below(seeds.count)], &random))
        }
        #expect(!seeds.isEmpty)
    }
}
