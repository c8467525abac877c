import Foundation
import PaySyncCore

/// OAuth 2.0 refresh-token grant (RFC 6749 §6) for providers that rotate refresh tokens (Xero
/// returns a new one on every refresh; QuickBooks now and then).
///
/// Durability rule: when the token endpoint returns a new refresh token, it is saved to the
/// credential store — a committed, fsynced transaction — *before* the new access token is handed
/// out, so a crash right after can never strand the only valid refresh token.
///
/// The configured refresh token (`seed`) starts the chain. Once rotated, the stored token wins —
/// until the configured one changes (someone re-authorised), which starts a new chain.
/// Access tokens are cached in the store until a minute before they expire, so a cron job that
/// runs every five minutes refreshes (and rotates) only about every half hour.
public actor OAuth2RefreshTokenProvider: AccessTokenProvider {
    public struct Configuration: Sendable {
        public var label: String
        public var tokenURL: URL
        public var clientID: Secret
        public var clientSecret: Secret?
        public var seedRefreshToken: Secret
        /// Credential-store names are `<storeKey>:refresh_token` and `<storeKey>:access_token`.
        public var storeKey: String
        public var style: TokenRequestStyle
        /// How long before its expiry an access token is refreshed: a minute for tokens that
        /// live half an hour; days for tokens that live a month (Square suggests a week).
        public var refreshAheadSeconds: Double

        public init(label: String, tokenURL: URL, clientID: Secret, clientSecret: Secret?, seedRefreshToken: Secret, storeKey: String,
                    style: TokenRequestStyle = .form, refreshAheadSeconds: Double = 60) {
            self.label = label
            self.tokenURL = tokenURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.seedRefreshToken = seedRefreshToken
            self.storeKey = storeKey
            self.style = style
            self.refreshAheadSeconds = refreshAheadSeconds
        }
    }

    /// How the token request is written.
    public enum TokenRequestStyle: Sendable, Equatable {
        /// RFC 6749: a form body, the client's credentials in HTTP Basic (Xero, Intuit, most).
        case form
        /// A JSON body carrying `client_id`, `client_secret`, `grant_type` and `refresh_token`
        /// (Square's ObtainToken).
        case json
    }

    private let configuration: Configuration
    private let store: any CredentialStore
    private let client: HTTPClient
    private var cached: StoredToken?
    private var refreshing: Task<Secret, any Error>?
    /// Refresh calls made (tests and benchmarks count them).
    public private(set) var refreshCount = 0

    public init(configuration: Configuration, store: any CredentialStore, client: HTTPClient) {
        self.configuration = configuration
        self.store = store
        self.client = client
    }

    private var accessName: String { configuration.storeKey + ":access_token" }
    private var seedFingerprint: String { configuration.seedRefreshToken.fingerprint }

    public func accessToken() async throws -> Secret {
        let now = client.environment.now()
        if let cached, isFresh(cached, now: now) { return cached.value }
        if cached == nil, let stored = try await store.load(accessName),
           stored.seedFingerprint == seedFingerprint, isFresh(stored, now: now) {
            cached = stored
            return stored.value
        }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.refresh() }
        refreshing = task
        defer { refreshing = nil }
        return try await task.value
    }

    public func invalidate(_ token: Secret) async {
        guard cached?.value == token else { return }
        cached = nil
        try? await store.remove(accessName)
    }

    private func isFresh(_ token: StoredToken, now: Timestamp) -> Bool {
        guard let expiresAt = token.expiresAt else { return true }
        return now.adding(seconds: configuration.refreshAheadSeconds) < expiresAt
    }

    private var chain: RefreshTokenChain {
        RefreshTokenChain(store: store, storeKey: configuration.storeKey, seed: configuration.seedRefreshToken)
    }

    private func refresh() async throws -> Secret {
        let refreshToken = try await chain.current()
        let request: HTTPRequest
        switch configuration.style {
        case .form:
            var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"]
            var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken.reveal())]
            if let secret = configuration.clientSecret {
                let basic = Data("\(configuration.clientID.reveal()):\(secret.reveal())".utf8).base64EncodedString()
                headers.set("Authorization", "Basic \(basic)")
            } else {
                form.append(("client_id", configuration.clientID.reveal()))  // public (PKCE) clients
            }
            request = HTTPRequest(method: "POST", url: configuration.tokenURL, headers: headers, body: URLBuilder.formBody(form))
        case .json:
            var members: [(String, JSONValue)] = [("client_id", .string(configuration.clientID.reveal()))]
            if let secret = configuration.clientSecret { members.append(("client_secret", .string(secret.reveal()))) }
            members += [("grant_type", .string("refresh_token")), ("refresh_token", .string(refreshToken.reveal()))]
            request = HTTPRequest(method: "POST", url: configuration.tokenURL, headers: ["Content-Type": "application/json", "Accept": "application/json"],
                                  body: Data(JSONWriter.compact(.object(JSONObject(members))).utf8))
        }
        refreshCount += 1
        let response = try await client.send(request)
        guard response.isSuccess else { throw refusal(response) }

        guard let body = try? JSONParser.parse(response.body, source: "token response"),
              let access = body["access_token"]?.stringValue, !access.isEmpty else {
            throw AuthenticationError(label: configuration.label, message: "the token endpoint \(configuration.tokenURL.host ?? "") answered without an access_token; check token_url")
        }
        let now = client.environment.now()
        // Seconds (`expires_in`, RFC 6749) or an instant (`expires_at`, Square's ISO 8601 time).
        let expiresIn = body["expires_in"]?.numberText.flatMap(Double.init)
            ?? body["expires_at"]?.stringValue.flatMap(Timestamp.init(iso:)).map { Double($0.millisecondsSinceEpoch - now.millisecondsSinceEpoch) / 1000 }
            ?? 1800
        // Committed before the access token leaves this function.
        if try await chain.accept(body["refresh_token"]?.stringValue, used: refreshToken, expiresAt: RefreshTokenChain.refreshExpiry(in: body, now: now)) {
            client.logger.debug("\(configuration.label): refresh token rotated and stored")
        }
        let token = StoredToken(value: Secret(access), expiresAt: now.adding(seconds: expiresIn), seedFingerprint: seedFingerprint)
        try await store.save(accessName, token)
        cached = token
        return token.value
    }

    private func refusal(_ response: HTTPResponse) -> any Error {
        let body = try? JSONParser.parse(response.body, source: "token response")
        let code = body?["error"]?.stringValue
        let host = configuration.tokenURL.host ?? configuration.tokenURL.absoluteString
        switch (response.status, code) {
        case (400, "invalid_grant"):
            return AuthenticationError(label: configuration.label, message: "\(host) refused the refresh token (invalid_grant): it has expired or was revoked; re-authorise and update the configured refresh_token")
        case (400, "invalid_client"), (401, _):
            return AuthenticationError(label: configuration.label, message: "\(host) refused the client id or secret (\(code ?? "HTTP \(response.status)")); check client_id and client_secret")
        case (400, _), (403, _):
            // Any other refusal of the grant (invalid_request, unauthorized_client, invalid_scope):
            // retrying cannot help; a person must look at the app's authorisation.
            let description = body?["error_description"]?.stringValue.map { ": \($0)" } ?? ""
            return AuthenticationError(label: configuration.label, message: "\(host) refused the token request (\(code ?? "HTTP \(response.status)")\(description)); check the app's authorisation and re-authorise if needed")
        default:
            return HTTPError(.status(response.status), call: "POST \(host)\(configuration.tokenURL.path)", detail: code ?? Redaction.redactedJSONText(response.body))
        }
    }
}
