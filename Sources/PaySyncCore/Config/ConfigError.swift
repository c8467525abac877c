/// One problem in the config file, at a key path such as `sources[1].kind`.
public struct ConfigIssue: Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// The config file is wrong. `description` is one line naming the file, the first problem's key
/// path and what to do; `issues` holds every problem for `paysync config check`.
public struct ConfigError: PaySyncError, Equatable {
    public var file: String
    public var issues: [ConfigIssue]

    public init(file: String, issues: [ConfigIssue]) {
        self.file = file
        self.issues = issues
    }

    public var exitCode: ExitCode { .configuration }

    public var description: String {
        guard let first = issues.first else { return "\(file): invalid configuration" }
        let more = issues.count > 1 ? " (and \(issues.count - 1) more; run `paysync config check`)" : ""
        return "\(file): \(first)\(more)"
    }
}
