import PaySyncCore

/// A provider's or CRM's own account of a failed call, read from its error body: its error code
/// (`INVALID_SESSION_ID`, `invalid_grant`) and message, so users can search for them.
public struct ProviderProblem: Sendable, Equatable, CustomStringConvertible {
    public var code: String?
    public var message: String?

    public init(code: String? = nil, message: String? = nil) {
        self.code = code
        self.message = message
    }

    /// `CODE: message`, or whichever of the two is there.
    public var description: String {
        [code, message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
    }
}

/// Reads a provider's error bodies (each connector and sink registers one with its descriptor's
/// machinery); nil when the body says nothing usable.
public typealias ProviderProblemReader = @Sendable (HTTPResponse) -> ProviderProblem?
