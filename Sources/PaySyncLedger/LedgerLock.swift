import Foundation
import PaySyncCore

/// One run at a time per ledger: an exclusive `flock` on `LEDGER.lock`, holding the owner's pid.
/// The kernel releases it when the process dies (even by SIGKILL), so a crash never leaves a
/// stale lock behind, and two cron runs never refresh the same OAuth token.
public final class LedgerLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock or fails at once (no waiting) with `LedgerError.lockHeld` naming the holder.
    public init(ledgerPath: String) throws(LedgerError) {
        let path = ledgerPath + ".lock"
        let directory = (ledgerPath as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw LedgerError.missingDirectory(path: ledgerPath, directory: directory)
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LedgerError.cannotCreate(path: ledgerPath, reason: String(cString: strerror(errno)))
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let holder = LedgerLock.readPID(descriptor)
            close(descriptor)
            throw LedgerError.lockHeld(path: ledgerPath, pid: holder)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
