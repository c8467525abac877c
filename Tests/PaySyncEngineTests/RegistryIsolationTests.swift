import Foundation
import PaySyncEngine
import PaySyncTestSupport
import Testing

/// A provider or CRM is named in its own folder and in the registry, nowhere else in the core,
/// the engine or the CLI (docs/connectors/adding-a-connector.md): adding one never means editing
/// shared code.
@Suite struct RegistryIsolationTests {
    @Test func providersAndCRMsAreNamedOnlyInTheRegistry() throws {
        // Vendors' kinds. `jsonl`, `webhook` and `statement` (bank statement files, which the CLI's
        // `import-statement` reads for any bank) are generic words, not vendors.
        let generic = ["jsonl", "webhook", "statement"]
        let names = (Registry.sources.map(\.kind) + Registry.sinks.map(\.kind)).filter { !generic.contains($0) }
        #expect(names.contains("xero") && names.contains("quickbooks") && names.contains("hubspot"))
        var offenders: [String] = []
        for target in ["Sources/PaySyncCore", "Sources/PaySyncEngine", "Sources/PaySyncCLI"] {
            let root = Repository.path(target)
            let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            #expect(!files.isEmpty, "\(target) holds Swift files")
            for file in files where file != "Registry.swift" {
                let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8).lowercased()
                // As a word: "otherwise" does not name Wise.
                for name in names where text.contains(try Regex("\\b\(name)\\b")) { offenders.append("\(target)/\(file) names \(name)") }
            }
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }
}
