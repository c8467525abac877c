import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    public var status: Int32
    /// True when a signal ended it (then `status` is the signal number).
    public var signalled: Bool
    public var standardOutput: String
    public var standardError: String

    public var outputLines: [String] { standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
}

/// Runs a program as a child process with its output captured in files (pipes can fill up and
/// stall a chatty child).
public final class ChildProcess: Sendable {
    private let process: Process
    private let directory: TemporaryDirectory

    public var pid: Int32 { process.processIdentifier }

    /// Starts `executable`; the environment is exactly `environment` (plus PATH and HOME).
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil) throws {
        directory = TemporaryDirectory(prefix: "paysync-child")
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var variables = environment
        let inherited = ProcessInfo.processInfo.environment
        variables["PATH"] = variables["PATH"] ?? inherited["PATH"] ?? "/usr/bin:/bin"
        variables["HOME"] = variables["HOME"] ?? inherited["HOME"] ?? "/tmp"
        process.environment = variables
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        _ = FileManager.default.createFile(atPath: directory.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: directory.file("err"), contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: directory.file("out"))
        process.standardError = FileHandle(forWritingAtPath: directory.file("err"))
        try process.run()
    }

    /// Runs to completion.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil) throws -> ProcessResult {
        try ChildProcess(executable, arguments, environment: environment, workingDirectory: workingDirectory).wait()
    }

    public func wait() -> ProcessResult {
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            signalled: process.terminationReason == .uncaughtSignal,
            standardOutput: directory.read("out") ?? "",
            standardError: directory.read("err") ?? ""
        )
    }

    public var isRunning: Bool { process.isRunning }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }
}
