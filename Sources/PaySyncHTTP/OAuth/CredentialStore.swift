import PaySyncCore

/// A credential as kept between runs.
public struct StoredToken: Sendable, Equatable {
    public var value: Secret
    public var expiresAt: Timestamp?
    /// Which configured refresh token this one descends from (rotation chain).
    public var seedFingerprint: String?

    public init(value: Secret, expiresAt: Timestamp? = nil, seedFingerprint: String? = nil) {
        self.value = value
        self.expiresAt = expiresAt
        self.seedFingerprint = seedFingerprint
    }
}

/// Where OAuth tokens persist across runs (the ledger's credentials table). `save` must be durable
/// when it returns: a rotated refresh token is saved before its access token is used.
public protocol CredentialStore: Sendable {
    func load(_ name: String) async throws -> StoredToken?
    func save(_ name: String, _ token: StoredToken) async throws
    func remove(_ name: String) async throws
    /// Runs `body` while no other process sharing the store runs one under the same name (a
    /// shared ledger's lock); a store one process owns runs it at once.
    func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T
}

extension CredentialStore {
    public func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T { try await body() }
}

/// Hands out bearer tokens for API calls.
public protocol AccessTokenProvider: Sendable {
    /// A token valid for at least the next minute.
    func accessToken() async throws -> Secret
    /// The API rejected `token` (401): forget it so the next call refreshes.
    func invalidate(_ token: Secret) async
    /// Whether a refused token can be replaced by a fresh one (false for a fixed token).
    var canRefresh: Bool { get }
    /// Where API calls go when the token server says so (Zoho's `api_domain`); nil otherwise.
    func instance() async throws -> String?
}

extension AccessTokenProvider {
    public var canRefresh: Bool { true }
    public func instance() async throws -> String? { nil }
}

/// A fixed token: a private-app token (HubSpot), or the placeholder used when replaying fixtures.
public struct StaticTokenProvider: AccessTokenProvider {
    public let token: Secret

    public init(_ token: Secret) { self.token = token }

    public func accessToken() async throws -> Secret { token }
    public func invalidate(_ token: Secret) async {}
    public var canRefresh: Bool { false }
}
