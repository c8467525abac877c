import Foundation

/// Named places where a test can make the process die by SIGKILL, to prove that a crash there
/// loses nothing. Armed only by the environment variable `PAYSYNC_FAULT` (for example
/// `PAYSYNC_FAULT=kill-before-delivery`); documented in `docs/operations.md`.
public enum FaultPoint: String, Sendable, CaseIterable {
    /// Every page is committed (states, outbox rows, cursors); no CRM write has been sent.
    case killBeforeDelivery = "kill-before-delivery"
    /// A batch reached the sink, and the outbox has not yet recorded it as delivered.
    case killAfterSend = "kill-after-send"

    /// Dies here if the environment arms this point.
    public func hit(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["PAYSYNC_FAULT"] == rawValue else { return }
        FileHandle.standardError.write(Data("paysync: fault point \(rawValue): killing myself with SIGKILL\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
