import Foundation

/// Replaces a file atomically: the text goes to a new file beside it (created with `mode`),
/// synced, then renamed over the old one, and the directory synced. A reader (node_exporter, a
/// person, paysync itself) sees the old file or the new one, never half of one.
public enum AtomicFile {
    public static func write(_ text: String, to path: String, mode: mode_t) throws(GeneralError) {
        var bytes = Array(text.utf8)
        defer { for index in bytes.indices { bytes[index] = 0 } }
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = "\(path).paysync-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw GeneralError("cannot write \(path): \(String(cString: strerror(errno)))", exitCode: .cannotCreate)
        }
        fchmod(descriptor, mode)  // whatever the umask
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
