import Foundation

/// Where the config says a secret lives: an environment variable or a file. Secrets are never
/// written inline in the config file.
public enum SecretReference: Hashable, Sendable, CustomStringConvertible {
    case environment(String)
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "file \(path)"
        }
    }

    /// Reads the secret. A file's trailing newline is dropped.
    /// - Parameter configPath: the config key that holds this reference, named in errors.
    public func resolve(
        configPath: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SecretError) -> Secret {
        switch self {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw SecretError(configPath: configPath, reference: self, reason: "is not set")
            }
            return Secret(value)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SecretError(configPath: configPath, reference: self, reason: "cannot be read")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else { throw SecretError(configPath: configPath, reference: self, reason: "is empty") }
            return Secret(text)
        }
    }

    /// For a file reference, whether users other than the owner can read it (a warning in
    /// `config check`). Nil for environment variables or unreadable files.
    public var isReadableByOthers: Bool? {
        guard case .file(let path) = self,
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let permissions = attributes[.posixPermissions] as? NSNumber
        else { return nil }
        return permissions.intValue & 0o044 != 0
    }
}

/// A secret that could not be read. Names the config key and where it looked, never a value.
public struct SecretError: PaySyncError, Equatable {
    public var configPath: String
    public var reference: SecretReference
    public var reason: String

    public var exitCode: ExitCode { .configuration }

    public var description: String { "\(configPath): \(reference) \(reason)" }
}
