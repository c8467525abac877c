import Foundation
import Synchronization

/// Named places where a test can make the process die by SIGKILL, to prove that a crash there
/// loses nothing. Armed only by the environment variable `PAYSYNC_FAULT`: `POINT` dies at the
/// first hit, `POINT@N` at the Nth (`PAYSYNC_FAULT=after-page-commit@3`). Documented in
/// `docs/operations.md`; `make chaos` walks them all.
public enum FaultPoint: String, Sendable, CaseIterable {
    /// A page is read and normalised; nothing of it is committed yet.
    case afterFetch = "after-fetch"
    /// A page is committed (states, transitions, outbox rows, cursor).
    case afterPageCommit = "after-page-commit"
    /// A rotated refresh token is stored; its access token is not used yet.
    case afterTokenStore = "after-token-store"
    /// Every page is committed; no CRM write has been sent.
    case killBeforeDelivery = "kill-before-delivery"
    /// A batch is claimed (`sending`, committed); nothing is sent yet.
    case afterClaim = "after-claim"
    /// A batch reached the sink, and the outbox has not yet recorded it as delivered.
    case killAfterSend = "kill-after-send"
    /// A batch's outcomes are settled (committed).
    case afterSettle = "after-settle"

    private static let hits = Mutex<[FaultPoint: Int]>([:])

    /// Dies here if the environment arms this point for this hit.
    public func hit(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let armed = environment["PAYSYNC_FAULT"], armed == rawValue || armed.hasPrefix(rawValue + "@") else { return }
        let wanted = armed == rawValue ? 1 : Int(armed.dropFirst(rawValue.count + 1)) ?? 1
        let count = FaultPoint.hits.withLock { hits -> Int in
            hits[self, default: 0] += 1
            return hits[self]!
        }
        guard count == wanted else { return }
        FileHandle.standardError.write(Data("paysync: fault point \(armed): killing myself with SIGKILL\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
