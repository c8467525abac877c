import PaySyncCore
import PaySyncHTTP

/// A credential store in memory, for tests of components that keep tokens between calls.
public final class InMemoryCredentialStore: CredentialStore {
    private let tokens = Locked<[String: StoredToken]>([:])

    public init() {}

    public func load(_ name: String) async throws -> StoredToken? { tokens.value[name] }
    public func save(_ name: String, _ token: StoredToken) async throws { tokens.withLock { $0[name] = token } }
    public func remove(_ name: String) async throws { _ = tokens.withLock { $0.removeValue(forKey: name) } }

    /// Everything stored, by name.
    public var all: [String: StoredToken] { tokens.value }
}
