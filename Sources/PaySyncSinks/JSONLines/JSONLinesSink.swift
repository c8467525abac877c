import Foundation
import PaySyncCore
import PaySyncHTTP

/// Writes one JSON line per CRM write to a file (appended, fsynced before the writes count as
/// delivered) or to standard output (`-`). For dry runs, piping into other tools, and audits.
///
/// Line format (`docs/sinks/jsonl.md`):
/// `{"sink":"out","record":"INV-0042","object":"xero:TENANT:invoice:ID","from":"sent","to":"paid",
///   "changes":{"status":{"old":"sent","new":"paid"},"amount_paid":{"old":"0.00","new":"1200.00"}}}`
public struct JSONLinesSink: Sink {
    public let name: String
    public let path: String
    public let calls = CallCounter()
    public var maxBatchSize: Int { 500 }
    let appender = FileAppender()

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    /// The JSON line for one write (no trailing newline): `CoalescedWrite.jsonLine(sink:)`.
    public static func line(sink: String, write: CoalescedWrite) -> String {
        write.jsonLine(sink: sink)
    }

    public func send(_ writes: [CoalescedWrite]) async throws -> [WriteOutcome] {
        var text = ""
        for write in writes {
            text += JSONLinesSink.line(sink: name, write: write)
            text += "\n"
        }
        calls.record(host: path)
        try await appender.append(Data(text.utf8), to: path, sink: name)
        return writes.map { _ in .delivered }
    }
}

/// Appends and fsyncs on a thread of its own: `fsync` blocks, and must not hold one of the
/// shared concurrency threads while the sources are still reading.
actor FileAppender {
    private nonisolated let executor = DedicatedThreadExecutor(name: "paysync-jsonl")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    deinit {
        executor.stop()
    }

    /// Whether the caller runs on the appender's own thread (tests check the isolation holds).
    func isOnOwnThread() -> Bool { executor.isCurrentThread }

    func append(_ data: Data, to path: String, sink name: String) throws {
        if path == "-" {
            FileHandle.standardOutput.write(data)
            return
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SinkError(sink: name, message: "cannot open \(path): \(String(cString: strerror(errno)))", exitCode: .cannotCreate)
        }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 { if errno == EINTR { continue }; return false }
                offset += count
            }
            return true
        }
        guard written, fsync(descriptor) == 0 else {
            throw SinkError(sink: name, message: "cannot write \(path): \(String(cString: strerror(errno)))", exitCode: .cannotCreate)
        }
    }
}
