import Foundation

/// Writes diagnostics to standard error (standard output carries results only), as text for
/// people or JSON lines for machines. Messages must never contain secrets; values that are
/// secrets are `Secret`s, which print as `[redacted]`.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name }) else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public enum Format: String, Sendable { case text, json }

    public var minimumLevel: Level
    public var format: Format
    /// Fields every JSON line of this logger carries (the run, the source and account): see `with`.
    public private(set) var context: [(String, String)] = []
    private let now: @Sendable () -> Timestamp
    private let write: @Sendable (String) -> Void

    public init(
        minimumLevel: Level = .info, format: Format = .text,
        now: @escaping @Sendable () -> Timestamp = { Timestamp(Date()) },
        write: @escaping @Sendable (String) -> Void = Logger.standardError
    ) {
        self.minimumLevel = minimumLevel
        self.format = format
        self.now = now
        self.write = write
    }

    /// This logger with more fields on every JSON line (`run`, `source`, `account`). Text lines
    /// stay as they are: their messages already name what they are about.
    public func with(_ fields: [(String, String)]) -> Logger {
        var logger = self
        logger.context = context.filter { field in !fields.contains { $0.0 == field.0 } } + fields
        return logger
    }

    /// A logger that drops everything (library defaults, tests that do not read logs).
    public static let silent = Logger(minimumLevel: .error, write: { _ in })

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    public func isEnabled(_ level: Level) -> Bool { level >= minimumLevel }

    public func debug(_ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) {
        log(.debug, message(), metadata)
    }

    public func info(_ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) {
        log(.info, message(), metadata)
    }

    public func warning(_ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) {
        log(.warning, message(), metadata)
    }

    public func error(_ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) {
        log(.error, message(), metadata)
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) {
        guard isEnabled(level) else { return }
        // No secret value leaves in a log line, whatever quoted it.
        let scrubber = SecretScrubber.shared
        let text = scrubber.scrub(message())
        let metadata = metadata.map { ($0.0, scrubber.scrub($0.1)) }
        switch format {
        case .text:
            var line = "paysync: \(level.name): \(text)"
            for (key, value) in metadata { line += " \(key)=\(value)" }
            write(line)
        case .json:
            var members: [(key: String, value: JSONValue)] = [
                ("time", .string(now().iso8601)), ("level", .string(level.name)), ("message", .string(text)),
            ]
            for (key, value) in context { members.append((key, .string(scrubber.scrub(value)))) }
            for (key, value) in metadata { members.append((key, .string(value))) }
            write(JSONWriter.compact(.object(JSONObject(members))))
        }
    }
}
