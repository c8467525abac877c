import Foundation
import PaySyncCore

/// Where a command's results (standard output) and diagnostics (standard error) go. Commands
/// never print directly, so tests can run the CLI in-process and read both.
public struct Output: Sendable {
    public var standardOutput: @Sendable (String) -> Void
    public var standardError: @Sendable (String) -> Void
    /// True for the process's own streams (`standard`): only then may a progress line be drawn
    /// on the terminal behind standard error.
    public var isProcessStandardStreams = false

    public init(standardOutput: @escaping @Sendable (String) -> Void, standardError: @escaping @Sendable (String) -> Void) {
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    public static let standard: Output = {
        var output = Output(
            standardOutput: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) },
            standardError: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        )
        output.isProcessStandardStreams = true
        return output
    }()

    // Every line is scrubbed of secret values (`SecretScrubber`), whatever put them there.
    func line(_ text: String) { standardOutput(SecretScrubber.shared.scrub(text)) }
    func error(_ text: String) { standardError("paysync: error: \(SecretScrubber.shared.scrub(text))") }
    func warning(_ text: String) { standardError("paysync: warning: \(SecretScrubber.shared.scrub(text))") }
}
