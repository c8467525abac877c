import PaySyncCore

/// One provider account can make no more calls for a while (a daily call budget is spent): its
/// reading stops cleanly, the run carries on with the other accounts, and the engine reports it
/// as a note — the run exits 75 only when no account could make progress.
public struct AccountPaused: PaySyncError, Equatable {
    public var source: String
    public var account: String
    /// What is spent and when it comes back, in the provider's terms.
    public var reason: String

    public init(source: String, account: String, reason: String) {
        self.source = source
        self.account = account
        self.reason = reason
    }

    public var exitCode: ExitCode { .temporaryFailure }
    public var description: String { "\(source): \(reason)" }
}
