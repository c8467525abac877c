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
            case .page(let source, let objects, let writes):
                let index = ProgressLine.index(of: source, sink: false, in: &state.entries)
                state.entries[index].objects += objects
                state.entries[index].pages += 1
                state.entries[index].writes += writes
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

    /// `books-uk: 12,000 objects in 12 pages, 7,105 writes queued, 3,410/s, 0:04` per source, and
    /// `crm: 6,100 writes sent, 0:06` per sink.
    static func render(_ entries: [Entry], elapsedSeconds: Double) -> [String] {
        let time = "\(Int(elapsedSeconds) / 60):\(Int(elapsedSeconds) % 60 < 10 ? "0" : "")\(Int(elapsedSeconds) % 60)"
        return entries.map { entry in
            if entry.isSink { return "\(entry.name): \(grouped(entry.writes)) writes sent, \(time)" }
            let rate = elapsedSeconds > 0.5 ? ", \(grouped(Int(Double(entry.objects) / elapsedSeconds)))/s" : ""
            return "\(entry.name): \(grouped(entry.objects)) objects in \(grouped(entry.pages)) page\(entry.pages == 1 ? "" : "s"), "
                + "\(grouped(entry.writes)) writes queued\(rate), \(time)"
        }
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
