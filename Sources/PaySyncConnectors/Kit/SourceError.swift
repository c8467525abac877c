import PaySyncCore

/// A provider answered with something paysync cannot use, or refused a request.
public struct SourceError: PaySyncError, Equatable {
    /// The source's config name.
    public var source: String
    public var message: String
    public var exitCode: ExitCode

    public init(source: String, message: String, exitCode: ExitCode) {
        self.source = source
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { "\(source): \(message)" }
}
