import PaySyncCore
import PaySyncHTTP

/// OAuth tokens kept in the ledger's credentials table. Each save is its own committed, fsynced
/// transaction, which is what lets `OAuth2RefreshTokenProvider` store a rotated refresh token
/// before using its access token.
struct LedgerCredentialStore: CredentialStore {
    let ledger: any CredentialRecordStore
    let environment: RunEnvironment

    func load(_ name: String) async throws -> StoredToken? {
        try await ledger.credential(named: name).map { StoredToken(value: $0.value, expiresAt: $0.expiresAt, seedFingerprint: $0.seedFingerprint) }
    }

    func save(_ name: String, _ token: StoredToken) async throws {
        try await ledger.saveCredential(named: name, value: token.value, expiresAt: token.expiresAt,
                                        seedFingerprint: token.seedFingerprint, now: environment.now())
        if name.hasSuffix(":refresh_token") { FaultPoint.afterTokenStore.hit() }
    }

    func remove(_ name: String) async throws {
        try await ledger.deleteCredential(named: name)
    }

    func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T {
        try await ledger.lockCredential(named: name)
        do {
            let value = try await body()
            try await ledger.unlockCredential(named: name)
            return value
        } catch {
            try? await ledger.unlockCredential(named: name)
            throw error
        }
    }
}
