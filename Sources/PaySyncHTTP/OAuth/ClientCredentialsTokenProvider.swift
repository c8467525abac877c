import Foundation
import PaySyncCore

/// OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for providers that issue an app its own
/// access token from its id and secret (PayPal): `grant_type=client_credentials` in a form body,
/// the credentials in HTTP Basic. There is no refresh token to keep; the access token is kept in
/// the credential store until a minute before `expires_in` ends, so a cron job does not ask for a
/// new one every run, and asked for again after a 401. Microsoft Entra ID wants the credentials
/// in the form body and a `scope` (`https://{org}.crm.dynamics.com/.default`): `credentialsInBody`.
public actor ClientCredentialsTokenProvider: AccessTokenProvider {
    public struct Configuration: Sendable {
        public var label: String
        public var tokenURL: URL
        public var clientID: Secret
        public var clientSecret: Secret
        /// The credential-store name of the cached access token.
        public var storeKey: String
        /// The `scope` parameter, where the server wants one.
        public var scope: String?
        /// Send `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1's other form)
        /// rather than in HTTP Basic.
        public var credentialsInBody: Bool

        public init(label: String, tokenURL: URL, clientID: Secret, clientSecret: Secret, storeKey: String, scope: String? = nil, credentialsInBody: Bool = false) {
            self.label = label
            self.tokenURL = tokenURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.storeKey = storeKey
            self.scope = scope
            self.credentialsInBody = credentialsInBody
        }
    }

    private let configuration: Configuration
    private let store: any CredentialStore
    private let client: HTTPClient
    private var cached: StoredToken?
    private var requesting: Task<Secret, any Error>?
    /// Token requests made (tests count them).
    public private(set) var requests = 0

    public init(configuration: Configuration, store: any CredentialStore, client: HTTPClient) {
        self.configuration = configuration
        self.store = store
        self.client = client
    }

    private var accessName: String { configuration.storeKey + ":access_token" }
    /// A cached token belongs to these credentials only: new ones in the config start afresh.
    private var fingerprint: String {
        configuration.clientID.fingerprint + configuration.clientSecret.fingerprint + (configuration.scope.map { Secret($0).fingerprint } ?? "")
    }

    public func accessToken() async throws -> Secret {
        let now = client.environment.now()
        if let cached, fresh(cached, now) { return cached.value }
        if cached == nil, let stored = try await store.load(accessName), stored.seedFingerprint == fingerprint, fresh(stored, now) {
            cached = stored
            return stored.value
        }
        if let requesting { return try await requesting.value }
        let task = Task { try await self.request() }
        requesting = task
        defer { requesting = nil }
        return try await task.value
    }

    public func invalidate(_ token: Secret) async {
        guard cached?.value == token else { return }
        cached = nil
        try? await store.remove(accessName)
    }

    private func fresh(_ token: StoredToken, _ now: Timestamp) -> Bool {
        guard let expiresAt = token.expiresAt else { return true }
        return now.adding(milliseconds: 60_000) < expiresAt
    }

    private func request() async throws -> Secret {
        var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"]
        var form = [("grant_type", "client_credentials")]
        if configuration.credentialsInBody {
            form += [("client_id", configuration.clientID.reveal()), ("client_secret", configuration.clientSecret.reveal())]
        } else {
            headers.set("Authorization", "Basic \(Secret.basic(user: configuration.clientID, password: configuration.clientSecret).reveal())")
        }
        if let scope = configuration.scope { form.append(("scope", scope)) }
        let request = HTTPRequest(method: "POST", url: configuration.tokenURL, headers: headers, body: URLBuilder.formBody(form))
        requests += 1
        let response = try await client.send(request)
        let host = configuration.tokenURL.host ?? configuration.tokenURL.absoluteString
        guard response.isSuccess else {
            let body = try? JSONParser.parse(response.body, source: "token response")
            let code = body?["error"]?.stringValue ?? "HTTP \(response.status)"
            if response.status == 401 || response.status == 400 || response.status == 403 {
                let description = body?["error_description"]?.stringValue.map { ": \($0)" } ?? ""
                throw AuthenticationError(label: configuration.label, message: "\(host) refused the client id or secret (\(code)\(description)); check client_id and client_secret")
            }
            throw HTTPError(.status(response.status), call: "POST \(host)\(configuration.tokenURL.path)", detail: code)
        }
        guard let body = try? JSONParser.parse(response.body, source: "token response"), let access = body["access_token"]?.stringValue, !access.isEmpty else {
            throw AuthenticationError(label: configuration.label, message: "the token endpoint \(host) answered without an access_token; check token_url")
        }
        let now = client.environment.now()
        let expiresIn = body["expires_in"]?.numberText.flatMap(Double.init) ?? 3600
        let token = StoredToken(value: Secret(access), expiresAt: now.adding(seconds: expiresIn), seedFingerprint: fingerprint)
        try await store.save(accessName, token)
        cached = token
        return token.value
    }
}
