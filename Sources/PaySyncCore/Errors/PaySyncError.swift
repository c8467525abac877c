/// An error that reaches the user: a one-line `description` that says what failed, where, and what
/// to do, and the exit code the process ends with. Every layer's error type conforms, so the CLI has
/// one exit path that needs no knowledge of the layers.
///
/// Conforming types must never put a secret (token, password, client secret) in `description`.
public protocol PaySyncError: Error, CustomStringConvertible, Sendable {
    var exitCode: ExitCode { get }
}

/// A failure that does not belong to a more specific layer: usage errors, internal invariants.
public struct GeneralError: PaySyncError, Equatable {
    public var message: String
    public var exitCode: ExitCode

    public init(_ message: String, exitCode: ExitCode) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}
