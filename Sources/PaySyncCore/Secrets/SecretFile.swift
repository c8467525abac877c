import Foundation

/// Writes a secret to the file a `{"file": PATH}` reference names: readable by the owner only
/// (0600), replaced atomically (`AtomicFile`), so a crash leaves the old token or the new one,
/// never half of one, and no other user ever can read it.
public enum SecretFile {
    public static func write(_ secret: Secret, to path: String) throws(GeneralError) {
        try AtomicFile.write(secret.reveal() + "\n", to: path, mode: 0o600)
    }
}
