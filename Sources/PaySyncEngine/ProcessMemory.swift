import Foundation

/// The process's own memory figures, from `/proc/self/status` (Linux).
enum ProcessMemory {
    /// `VmHWM`: the peak resident set size, in KiB.
    static func peakResidentKilobytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }
}
