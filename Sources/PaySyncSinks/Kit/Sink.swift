import PaySyncCore
import PaySyncHTTP

/// A CRM (or file, or webhook) that receives writes. The engine hands it batches of at most
/// `maxBatchSize` coalesced writes, one call per batch, and settles each write by the outcome
/// it returns.
public protocol Sink: Sendable {
    /// The config name.
    var name: String { get }
    /// The most writes one call may carry (HubSpot 100, Salesforce 200).
    var maxBatchSize: Int { get }
    /// Calls made to the CRM (HTTP attempts, retries included; one per batch for a file).
    var calls: CallCounter { get }

    /// Sends one batch. Returns one outcome per write, in order.
    /// - Throws: when the whole batch failed (the CRM is unreachable after retries, or refused the
    ///   credentials): every write stays queued, and the error ends the run's delivery to this sink.
    func send(_ writes: [CoalescedWrite]) async throws -> [WriteOutcome]
}

/// A sink that cannot be set up from its config (a missing token, a bad URL).
public struct SinkError: PaySyncError, Equatable {
    public var sink: String
    public var message: String
    public var exitCode: ExitCode

    public init(sink: String, message: String, exitCode: ExitCode) {
        self.sink = sink
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { "\(sink): \(message)" }
}
