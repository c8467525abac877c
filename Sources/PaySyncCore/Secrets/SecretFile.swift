import Foundation

/// Writes a secret to the file a `{"file": PATH}` reference names: readable by the owner only
/// (0600), replaced atomically (a new file renamed over the old, both synced), so a crash leaves
/// the old token or the new one, never half of one, and no other user ever can read it.
public enum SecretFile {
    public static func write(_ secret: Secret, to path: String) throws(GeneralError) {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = "\(path).paysync-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw GeneralError("cannot write \(path): \(String(cString: strerror(errno)))", exitCode: .cannotCreate)
        }
        var bytes = Array((secret.reveal() + "\n").utf8)
        defer { for index in bytes.indices { bytes[index] = 0 } }
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw GeneralError("cannot write \(path): \(reason)", exitCode: .cannotCreate)
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}
