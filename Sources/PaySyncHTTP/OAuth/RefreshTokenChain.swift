import PaySyncCore

/// A refresh token that rotates: the one place the rotation rule lives, for every provider and
/// CRM whose token endpoint may hand back a new refresh token (Xero on every refresh,
/// QuickBooks now and then, Salesforce with rotation on).
///
/// The configured token (`seed`) starts the chain. A rotated token is saved to the credential
/// store — a committed, fsynced transaction — *before* the access token that came with it is
/// used, so a crash right after can never strand the only valid refresh token (providers revoke
/// the whole family when a rotated-out token is reused). The stored token wins until the
/// configured one changes (someone re-authorised), which starts a new chain.
public struct RefreshTokenChain: Sendable {
    public let store: any CredentialStore
    /// Stored as `<storeKey>:refresh_token`.
    public let storeKey: String
    public let seed: Secret

    public init(store: any CredentialStore, storeKey: String, seed: Secret) {
        self.store = store
        self.storeKey = storeKey
        self.seed = seed
    }

    private var name: String { storeKey + ":refresh_token" }

    /// The refresh token to use now: the newest of this chain.
    public func current() async throws -> Secret {
        if let stored = try await store.load(name), stored.seedFingerprint == seed.fingerprint {
            return stored.value
        }
        return seed
    }

    /// Records what a token response said about the refresh token: a new value is saved (and
    /// durable) when this returns. Call it before handing out the response's access token.
    /// - Returns: whether the token rotated.
    /// - Parameter expiresAt: when the refresh token itself expires, where the response says
    ///   (Intuit's `x_refresh_token_expires_in`); kept with it for `status`, metrics and alerts.
    @discardableResult
    public func accept(_ returned: String?, used: Secret, expiresAt: Timestamp? = nil) async throws -> Bool {
        guard let returned, !returned.isEmpty, returned != used.reveal() else {
            // The same token, a new expiry (a rolling lifetime): remembered with it.
            if let expiresAt { try await store.save(name, StoredToken(value: used, expiresAt: expiresAt, seedFingerprint: seed.fingerprint)) }
            return false
        }
        try await store.save(name, StoredToken(value: Secret(returned), expiresAt: expiresAt, seedFingerprint: seed.fingerprint))
        return true
    }

    /// When the refresh token a token response carries expires: `refresh_token_expires_in`
    /// (RFC-style) or Intuit's `x_refresh_token_expires_in`, seconds from `now`; nil when neither.
    public static func refreshExpiry(in body: JSONValue, now: Timestamp) -> Timestamp? {
        for key in ["refresh_token_expires_in", "x_refresh_token_expires_in"] {
            if let seconds = body[key]?.numberText.flatMap(Double.init), seconds > 0 { return now.adding(seconds: seconds) }
        }
        return nil
    }
}
