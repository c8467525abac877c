import Foundation
import PaySyncCore
import PaySyncHTTP

/// A Salesforce session: an access token and the `instance_url` API calls go to, from the
/// refresh-token or client-credentials grant. Salesforce sends no `expires_in`; a session is used
/// until an API call answers 401 `INVALID_SESSION_ID`, then renewed once.
public actor SalesforceSession: AccessTokenProvider {
    public struct Credentials: Sendable {
        public var label: String
        public var tokenURL: URL
        public var grant: SalesforceSettings.Grant
        public var clientID: Secret
        public var clientSecret: Secret
        public var refreshToken: Secret?

        public init(label: String, tokenURL: URL, grant: SalesforceSettings.Grant, clientID: Secret, clientSecret: Secret, refreshToken: Secret?) {
            self.label = label
            self.tokenURL = tokenURL
            self.grant = grant
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.refreshToken = refreshToken
        }
    }

    private let credentials: Credentials
    private let client: HTTPClient
    /// The refresh-token grant's rotation chain (nil for client credentials): with Salesforce's
    /// rotation on, each refresh returns a new token, saved before the session is used.
    private let chain: RefreshTokenChain?
    private var current: (token: Secret, instance: String)?
    private var pending: Task<(token: Secret, instance: String), any Error>?
    public private(set) var tokenRequests = 0

    /// - Parameter store: where a rotated refresh token is kept between runs (under `storeKey`).
    public init(credentials: Credentials, client: HTTPClient, store: any CredentialStore, storeKey: String) {
        self.credentials = credentials
        self.client = client
        self.chain = credentials.refreshToken.map { RefreshTokenChain(store: store, storeKey: storeKey, seed: $0) }
    }

    /// The current session, opened if needed.
    public func session() async throws -> (token: Secret, instance: String) {
        if let current { return current }
        if let pending { return try await pending.value }
        let task = Task { try await self.open() }
        pending = task
        defer { pending = nil }
        let opened = try await task.value
        current = opened
        return opened
    }

    /// Forgets a session the API refused.
    public func invalidate(_ token: Secret) {
        if current?.token == token { current = nil }
    }

    /// The session's access token (the kit's authorised sender asks for it).
    public func accessToken() async throws -> Secret {
        try await session().token
    }

    private func open() async throws -> (token: Secret, instance: String) {
        var form = [("grant_type", credentials.grant.rawValue), ("client_id", credentials.clientID.reveal()), ("client_secret", credentials.clientSecret.reveal())]
        let refresh = credentials.grant == .refreshToken ? try await chain?.current() : nil
        if let refresh { form.append(("refresh_token", refresh.reveal())) }
        tokenRequests += 1
        let response = try await client.send(HTTPRequest(method: "POST", url: credentials.tokenURL,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"], body: URLBuilder.formBody(form)))
        let body = try? JSONParser.parse(response.body)
        guard response.isSuccess else {
            let code = body?["error"]?.stringValue ?? "HTTP \(response.status)"
            let description = body?["error_description"]?.stringValue.map { ": \($0)" } ?? ""
            let host = credentials.tokenURL.host ?? ""
            if response.status == 400 || response.status == 401 {
                throw AuthenticationError(label: credentials.label, message: "Salesforce \(host) refused the \(credentials.grant.rawValue) grant (\(code)\(description)); re-authorise the connected app or check its client id and secret")
            }
            throw HTTPError(.status(response.status), call: "POST \(host)\(credentials.tokenURL.path)", detail: code)
        }
        guard let token = body?["access_token"]?.stringValue, let instance = body?["instance_url"]?.stringValue, !token.isEmpty, !instance.isEmpty else {
            throw AuthenticationError(label: credentials.label, message: "Salesforce's token response had no access_token or instance_url; check token_url")
        }
        // A rotated refresh token is stored (committed) before this session is used.
        if let refresh, try await chain?.accept(body?["refresh_token"]?.stringValue, used: refresh) == true {
            client.logger.debug("\(credentials.label): Salesforce refresh token rotated and stored")
        }
        return (Secret(token), instance.hasSuffix("/") ? String(instance.dropLast()) : instance)
    }
}
