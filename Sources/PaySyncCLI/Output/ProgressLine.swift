import Foundation
import PaySyncCore
import PaySyncEngine
import Synchronization

/// On a terminal, one self-updating line per source and sink on standard error while a run goes:
/// objects read, pages, writes queued or sent, the rate and the time so far. Log lines are
/// printed above the block, which is then drawn again. Only for people: off a terminal, with
/// `--quiet` or with `--log-format json`, none of it (`RunCommandHandler` decides).
final class ProgressLine: Sendable {
    struct Entry: Equatable {
        var name: String
        var isSink = false
        var objects = 0
        var pages = 0
        var writes = 0
        /// Pages the streams whose provider stated a total will take, and those read of them.
        var expectedPages = 0
        var pagesOfExpected = 0
        var streamsWithTotal: Set<String> = []
    }

    private struct State {
        var entries: [Entry] = []
        var drawn = 0
        var lastDraw: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let started = ContinuousClock.now
    private let write: @Sendable (String) -> Void

    /// - Parameter write: raw text to the terminal (no newline added).
    init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Standard error, unbuffered.
    static let standardError: @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

    /// Whether standard error is a terminal a person watches.
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    func handle(_ event: RunProgress) {
        state.withLock { state in
            switch event {
            case .page(let source, let stream, let objects, let writes, let expected):
                let index = ProgressLine.index(of: source, sink: false, in: &state.entries)
                state.entries[index].objects += objects
                state.entries[index].pages += 1
                state.entries[index].writes += writes
                if let expected {
                    if state.entries[index].streamsWithTotal.insert(stream).inserted { state.entries[index].expectedPages += expected }
                    state.entries[index].pagesOfExpected += 1
                }
            case .delivered(let sink, let writes):
                let index = ProgressLine.index(of: sink, sink: true, in: &state.entries)
                state.entries[index].writes += writes
            }
            let now = ContinuousClock.now
            // At most ten redraws a second: a terminal is not a log.
            if let last = state.lastDraw, now - last < .milliseconds(100) { return }
            state.lastDraw = now
            draw(&state)
        }
    }

    /// A log line: printed above the block, which is drawn again below it.
    func printAbove(_ line: String) {
        state.withLock { state in
            write(ProgressLine.clear(state.drawn) + line + "\n")
            state.drawn = 0
            draw(&state)
        }
    }

    /// The figures so far (for tests).
    var entries: [Entry] { state.withLock { $0.entries } }

    /// The final figures, left on screen.
    func finish() {
        state.withLock { state in draw(&state) }
    }

    private func draw(_ state: inout State) {
        let elapsed = ContinuousClock.now - started
        let lines = ProgressLine.render(state.entries, elapsedSeconds: elapsed.seconds)
        guard !lines.isEmpty else { return }
        write(ProgressLine.clear(state.drawn) + lines.map { "\u{1B}[2K" + $0 + "\n" }.joined())
        state.drawn = lines.count
    }

    /// Moves back to the first line of a block of `lines` drawn before, clearing as it goes.
    static func clear(_ lines: Int) -> String {
        lines == 0 ? "" : "\u{1B}[\(lines)A\r" + String(repeating: "\u{1B}[2K\n", count: lines) + "\u{1B}[\(lines)A\r"
    }

    private static func index(of name: String, sink: Bool, in entries: inout [Entry]) -> Int {
        if let index = entries.firstIndex(where: { $0.name == name && $0.isSink == sink }) { return index }
        entries.append(Entry(name: name, isSink: sink))
        return entries.count - 1
    }

    /// `books-uk: 12,000 objects in 12 pages, 7,105 writes queued, 3,410/s, 0:04` per source (and,
    /// where the provider stated how many pages its lists take, `, 12 of 40 pages, about 0:09
    /// left`), and `crm: 6,100 writes sent, 0:06` per sink.
    static func render(_ entries: [Entry], elapsedSeconds: Double) -> [String] {
        let time = clock(elapsedSeconds)
        return entries.map { entry in
            if entry.isSink { return "\(entry.name): \(grouped(entry.writes)) writes sent, \(time)" }
            let rate = elapsedSeconds > 0.5 ? ", \(grouped(Int(Double(entry.objects) / elapsedSeconds)))/s" : ""
            var estimate = ""
            let remaining = entry.expectedPages - entry.pagesOfExpected
            if remaining > 0, entry.pages > 0, elapsedSeconds > 0.5 {
                estimate = ", \(grouped(entry.pagesOfExpected)) of \(grouped(entry.expectedPages)) pages, about \(clock(elapsedSeconds / Double(entry.pages) * Double(remaining))) left"
            }
            return "\(entry.name): \(grouped(entry.objects)) objects in \(grouped(entry.pages)) page\(entry.pages == 1 ? "" : "s"), "
                + "\(grouped(entry.writes)) writes queued\(rate)\(estimate), \(time)"
        }
    }

    /// `m:ss`.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.down))
        return "\(whole / 60):\(whole % 60 < 10 ? "0" : "")\(whole % 60)"
    }

    /// `12,345`.
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var result = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (number < 0 ? "-" : "") + result
    }
}
