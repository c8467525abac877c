import PaySyncCore
import PaySyncHTTP

/// A bank consent's end, the same for every open-banking source: kept with the credentials (so
/// `status`, the metrics and alerts show it), warned about a week ahead, and past it, the run
/// stops for that bank with exit 77 before any call.
public enum ConsentExpiry {
    /// Days before the end from which every run warns.
    public static let warningDays = 7

    /// - Parameters:
    ///   - source: the source's config name (errors and warnings name it).
    ///   - kind: its kind (`obie`): the credential is stored as `KIND:SOURCE:consent`.
    public static func check(source: String, kind: String, aspsp: String, consentID: String, expires: Timestamp?, credentials: any CredentialStore,
                             client: HTTPClient, renew: String) async throws {
        guard let expires else { return }
        try? await credentials.save("\(kind):\(source):consent", StoredToken(value: Secret(consentID), expiresAt: expires))
        let now = client.environment.now()
        if expires <= now {
            throw AuthenticationError(label: source, message: "consent for ASPSP \(aspsp) expired on \(expires.utcDate); re-authorise it with the bank and \(renew)")
        }
        if expires < now.adding(milliseconds: Int64(warningDays) * 86_400_000) {
            client.logger.warning("\(source): consent for ASPSP \(aspsp) expires on \(expires.utcDate); re-authorise it before then")
        }
    }
}
