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
        /// A token-response member naming where API calls go (Zoho's and Pipedrive's
        /// `api_domain`): kept with the access token (`<storeKey>:instance`) and handed out by
        /// `instance()`.
        public var instanceField: String?
        /// Sent as `redirect_uri` with the refresh grant, for servers that ask for it there too
        /// (FreshBooks).
        public var redirectURI: String?

        public init(label: String, tokenURL: URL, clientID: Secret, clientSecret: Secret?, seedRefreshToken: Secret, storeKey: String,
                    style: TokenRequestStyle = .form, refreshAheadSeconds: Double = 60, instanceField: String? = nil, redirectURI: String? = nil) {
            self.label = label
            self.tokenURL = tokenURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.seedRefreshToken = seedRefreshToken
            self.storeKey = storeKey
            self.style = style
            self.refreshAheadSeconds = refreshAheadSeconds
            self.instanceField = instanceField
            self.redirectURI = redirectURI
        }
    }

    /// How the token request is written.
    public enum TokenRequestStyle: Sendable, Equatable {
        /// RFC 6749: a form body, the client's credentials in HTTP Basic (Xero, Intuit, most).
        case form
        /// A JSON body carrying `client_id`, `client_secret`, `grant_type` and `refresh_token`
        /// (Square's ObtainToken).
        case json
        /// A form body carrying the client's id and secret beside the grant (RFC 6749 §2.3.1's
        /// other form; Zoho's accounts server).
        case formBody
    }

    private let configuration: Configuration
    private let store: any CredentialStore
    private let client: HTTPClient
    private var cached: StoredToken?
    private var cachedInstance: String?
    private var refreshing: Task<Secret, any Error>?
    /// Refresh calls made (tests and benchmarks count them).
    public private(set) var refreshCount = 0

    public init(configuration: Configuration, store: any CredentialStore, client: HTTPClient) {
        self.configuration = configuration
        self.store = store
        self.client = client
    }

    private var accessName: String { configuration.storeKey + ":access_token" }
    private var instanceName: String { configuration.storeKey + ":instance" }
    private var seedFingerprint: String { configuration.seedRefreshToken.fingerprint }

    public func accessToken() async throws -> Secret {
        let now = client.environment.now()
        if let cached, isFresh(cached, now: now) { return cached.value }
        if cached == nil, let stored = try await store.load(accessName),
           stored.seedFingerprint == seedFingerprint, isFresh(stored, now: now), try await loadInstance() {
            cached = stored
            return stored.value
        }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.store.exclusively(self.configuration.storeKey) { try await self.refreshUnlessStored() } }
        refreshing = task
        defer { refreshing = nil }
        return try await task.value
    }

    /// Under the store's lock: another worker sharing the ledger may have refreshed (and rotated
    /// the refresh token) while this one waited, so a fresh stored access token is taken as it is;
    /// only otherwise is the token endpoint asked.
    private func refreshUnlessStored() async throws -> Secret {
        if let stored = try await store.load(accessName), stored.seedFingerprint == seedFingerprint,
           isFresh(stored, now: client.environment.now()), stored.value != cached?.value, try await loadInstance() {
            cached = stored
            return stored.value
        }
        return try await refresh()
    }

    /// Where API calls go, from the token response's `instanceField` (a token is fetched first if
    /// none is held). Nil when the configuration names no such field.
    public func instance() async throws -> String? {
        guard configuration.instanceField != nil else { return nil }
        _ = try await accessToken()
        return cachedInstance
    }

    /// Reads the stored instance beside a stored access token; false when it is missing (then the
    /// token is fetched afresh, which brings both).
    private func loadInstance() async throws -> Bool {
        guard configuration.instanceField != nil else { return true }
        guard let stored = try await store.load(instanceName), stored.seedFingerprint == seedFingerprint else { return false }
        cachedInstance = stored.value.reveal()
        return true
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
            if let redirect = configuration.redirectURI { form.append(("redirect_uri", redirect)) }
            if let secret = configuration.clientSecret {
                headers.set("Authorization", "Basic \(Secret.basic(user: configuration.clientID, password: secret).reveal())")
            } else {
                form.append(("client_id", configuration.clientID.reveal()))  // public (PKCE) clients
            }
            request = HTTPRequest(method: "POST", url: configuration.tokenURL, headers: headers, body: URLBuilder.formBody(form))
        case .formBody:
            var form = [("grant_type", "refresh_token"), ("client_id", configuration.clientID.reveal())]
            if let secret = configuration.clientSecret { form.append(("client_secret", secret.reveal())) }
            form.append(("refresh_token", refreshToken.reveal()))
            if let redirect = configuration.redirectURI { form.append(("redirect_uri", redirect)) }
            request = HTTPRequest(method: "POST", url: configuration.tokenURL,
                                  headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"], body: URLBuilder.formBody(form))
        case .json:
            var members: [(String, JSONValue)] = [("client_id", .string(configuration.clientID.reveal()))]
            if let secret = configuration.clientSecret { members.append(("client_secret", .string(secret.reveal()))) }
            members += [("grant_type", .string("refresh_token")), ("refresh_token", .string(refreshToken.reveal()))]
            if let redirect = configuration.redirectURI { members.append(("redirect_uri", .string(redirect))) }
            request = HTTPRequest(method: "POST", url: configuration.tokenURL, headers: ["Content-Type": "application/json", "Accept": "application/json"],
                                  body: Data(JSONWriter.compact(.object(JSONObject(members))).utf8))
        }
        refreshCount += 1
        let response = try await client.send(request)
        guard response.isSuccess else { throw refusal(response) }
        let parsed = try? JSONParser.parse(response.body, source: "token response")
        // Some servers refuse with HTTP 200 and an `error` member (Zoho: {"error":"invalid_code"}).
        if parsed?["error"] != nil && parsed?["access_token"] == nil { throw refusal(response) }

        guard let body = parsed, let access = body["access_token"]?.stringValue, !access.isEmpty else {
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
        if let field = configuration.instanceField {
            guard let instance = body[field]?.stringValue, URL(string: instance)?.host != nil else {
                throw AuthenticationError(label: configuration.label, message: "the token endpoint \(configuration.tokenURL.host ?? "") answered without \(field); check token_url")
            }
            let trimmed = instance.hasSuffix("/") ? String(instance.dropLast()) : instance
            try await store.save(instanceName, StoredToken(value: Secret(trimmed), expiresAt: nil, seedFingerprint: seedFingerprint))
            cachedInstance = trimmed
        }
        try await store.save(accessName, token)
        cached = token
        return token.value
    }

    private func refusal(_ response: HTTPResponse) -> any Error {
        let body = try? JSONParser.parse(response.body, source: "token response")
        let code = body?["error"]?.stringValue
        let host = configuration.tokenURL.host ?? configuration.tokenURL.absoluteString
        if code == "Access Denied" || response.status == 429 {
            // Zoho's answer to more than ten token requests in ten minutes: wait, never hammer it.
            let description = body?["error_description"]?.stringValue.map { ": \($0)" } ?? ""
            return GeneralError("\(configuration.label): \(host) is refusing token requests for now (\(code ?? "HTTP 429")\(description)); the run stops and the next one tries again", exitCode: .temporaryFailure)
        }
        switch (response.status, code) {
        case (_, "invalid_code"), (_, "invalid_refresh_token"):
            return AuthenticationError(label: configuration.label, message: "\(host) refused the refresh token (\(code!)): it was revoked or belongs to another data centre; re-authorise and update the configured refresh_token")
        case (_, "invalid_client"), (_, "invalid_client_secret"):
            return AuthenticationError(label: configuration.label, message: "\(host) refused the client id or secret (\(code!)); check client_id and client_secret")
        case (_, "invalid_grant"):
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
