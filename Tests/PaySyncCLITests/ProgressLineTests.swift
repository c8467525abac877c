import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncCLI

@Suite struct ProgressLineTests {
    @Test func linesPerSourceAndSink() {
        let lines = ProgressLine.render([
            .init(name: "xero-uk", objects: 12_000, pages: 12, writes: 7_105),
            .init(name: "qbo", objects: 1, pages: 1, writes: 0),
            .init(name: "hubspot", isSink: true, writes: 6_100),
        ], elapsedSeconds: 64)
        #expect(lines == [
            "xero-uk: 12,000 objects in 12 pages, 7,105 writes queued, 187/s, 1:04",
            "qbo: 1 objects in 1 page, 0 writes queued, 0/s, 1:04",
            "hubspot: 6,100 writes sent, 1:04",
        ])
        #expect(ProgressLine.render([.init(name: "a", objects: 5, pages: 1, writes: 0)], elapsedSeconds: 0.2) == ["a: 5 objects in 1 page, 0 writes queued, 0:00"])
    }

    /// Where a provider states how many pages a list takes (Xero's `pagination.pageCount`), the
    /// line says how far along it is and estimates what is left from the pace so far; a stream
    /// counts its total once, and streams without one add pages but no estimate.
    @Test func anEstimateWhereTheProviderGivesATotal() {
        let screen = Locked<String>("")
        let progress = ProgressLine { text in screen.withLock { $0 += text } }
        for _ in 0..<3 { progress.handle(.page(source: "xero", stream: "t1 invoices", objects: 1_000, writesQueued: 10, pagesExpected: 12)) }
        progress.handle(.page(source: "xero", stream: "t1 payments", objects: 1_000, writesQueued: 0, pagesExpected: 8))
        progress.handle(.page(source: "xero", stream: "t1 credit_notes", objects: 7, writesQueued: 0, pagesExpected: nil))
        var entry = ProgressLine.Entry(name: "xero", objects: 4_007, pages: 5, writes: 30)
        (entry.expectedPages, entry.pagesOfExpected, entry.streamsWithTotal) = (20, 4, ["t1 invoices", "t1 payments"])
        // 5 pages in 10 s: 2 s a page; 16 pages left.
        #expect(ProgressLine.render([entry], elapsedSeconds: 10) == ["xero: 4,007 objects in 5 pages, 30 writes queued, 400/s, 4 of 20 pages, about 0:32 left, 0:10"])
        #expect(progress.entries == [entry], "the events gave the same bookkeeping")
        entry.pagesOfExpected = 20
        #expect(!ProgressLine.render([entry], elapsedSeconds: 10)[0].contains("left"), "nothing left, no estimate")
    }

    /// A run on a (stand-in) terminal draws the block and redraws it in place; log lines go above it.
    @Test func aRunOnATerminalDrawsTheBlockAndLogsAboveIt() async throws {
        let work = TemporaryDirectory(prefix: "paysync-progress")
        let config = work.write("paysync.json", try demoConfig(sinkPath: work.file("writes.jsonl")))
        let screen = Locked<String>("")
        let captured = Locked<[String]>([])
        let output = Output(standardOutput: { line in captured.withLock { $0.append(line) } }, standardError: { line in captured.withLock { $0.append(line) } })
        let status = await PaySyncCLI.run(["reconcile", "--config", config, "--ledger", work.file("p.db"), "--fixtures", Repository.path("fixtures/demo/1-first-sync"),
                                           "--now", "2025-05-02T09:00:00Z"], variables: [:], output: output, terminal: .some({ text in screen.withLock { $0 += text } }))
        #expect(status == 0, "\(captured.value)")
        let text = screen.value
        #expect(text.contains("\u{1B}[2K"), "drawn with clear-line sequences")
        // The final block: both sources with all their objects, the sink with every write.
        let finalBlock = text.components(separatedBy: "\u{1B}[2K").suffix(4).joined()
        #expect(finalBlock.contains("demo-xero: 15 objects in 3 pages, 15 writes queued"), "\(finalBlock)")
        #expect(finalBlock.contains("demo-quickbooks: 6 objects in 3 pages, 6 writes queued"), "\(finalBlock)")
        #expect(finalBlock.contains("demo-stripe: 7 objects in"), "\(finalBlock)")
        // Rows sent: the part-refunded payment's two rows (paid, then partially refunded) travel
        // in one request, which the run's summary counts as one write.
        #expect(finalBlock.contains("crm-preview: 29 writes sent"), "\(finalBlock)")
        // Log lines were printed on the terminal, above the block, not into the captured output.
        #expect(text.contains("paysync: info: demo-xero account"), "\(text)")
        #expect(!captured.value.contains { $0.contains("paysync: info:") })
    }

    @Test func offATerminalOrQuietOrJSONThereIsNone() async throws {
        let work = TemporaryDirectory(prefix: "paysync-progress")
        let config = work.write("paysync.json", try demoConfig(sinkPath: work.file("writes.jsonl")))
        for extra in [["--quiet"], ["--log-format", "json"]] {
            let screen = Locked<String>("")
            let output = Output(standardOutput: { _ in }, standardError: { _ in })
            let status = await PaySyncCLI.run(["reconcile", "--config", config, "--ledger", work.file("q-\(extra[0]).db"), "--fixtures",
                                               Repository.path("fixtures/demo/1-first-sync"), "--now", "2025-05-02T09:00:00Z"] + extra,
                                              variables: [:], output: output, terminal: .some({ text in screen.withLock { $0 += text } }))
            #expect(status == 0)
            #expect(screen.value.isEmpty, "\(extra): \(screen.value)")
        }
        // No terminal at all (the default off a terminal): the captured output has no escape sequences.
        let result = await paysync(["reconcile", "--config", config, "--ledger", work.file("n.db"), "--fixtures", Repository.path("fixtures/demo/1-first-sync"),
                                    "--now", "2025-05-02T09:00:00Z"])
        #expect(result.code == 0 && !result.err.contains("\u{1B}") && !result.out.contains("\u{1B}"))
    }
}
