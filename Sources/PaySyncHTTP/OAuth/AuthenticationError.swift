import PaySyncCore

/// Credentials were refused or have expired: a person must re-authorise. Exit 77.
public struct AuthenticationError: PaySyncError, Equatable {
    /// The source or sink name from the config (`xero-uk`).
    public var label: String
    public var message: String

    public init(label: String, message: String) {
        self.label = label
        self.message = message
    }

    public var exitCode: ExitCode { .authenticationFailed }
    public var description: String { "\(label): \(message)" }
}
