import Foundation
import PaySyncCore

/// The one-time OAuth 2.0 authorisation-code grant a person completes at a terminal
/// (`paysync auth`): the URL to open (RFC 6749 §4.1.1, with `state` and, where the provider
/// supports it, PKCE S256 per RFC 7636), the redirect the browser was sent to, and the exchange of
/// its code for tokens. The provider's part (its authorise URL, scopes, whether it does PKCE) comes
/// from its descriptor; nothing here names one.
public struct AuthorizationCodeFlow: Sendable {
    public struct Provider: Sendable {
        /// The display name (`Xero`).
        public var name: String
        public var authorizeURL: String
        public var scopes: [String]
        public var pkce: Bool

        public init(name: String, authorizeURL: String, scopes: [String], pkce: Bool) {
            self.name = name
            self.authorizeURL = authorizeURL
            self.scopes = scopes
            self.pkce = pkce
        }
    }

    public let provider: Provider
    public let clientID: Secret
    public let redirectURI: String
    public let state: String
    public let codeVerifier: String?

    /// A new flow with a fresh random `state` (and PKCE verifier).
    public init(provider: Provider, clientID: Secret, redirectURI: String) {
        var random = SystemRandomNumberGenerator()
        self.init(provider: provider, clientID: clientID, redirectURI: redirectURI, state: Self.randomToken(32, using: &random),
                  codeVerifier: provider.pkce ? Self.randomToken(64, using: &random) : nil)
    }

    public init(provider: Provider, clientID: Secret, redirectURI: String, state: String, codeVerifier: String?) {
        self.provider = provider
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.state = state
        self.codeVerifier = codeVerifier
    }

    /// The URL the person opens in a browser.
    public var authorizationURL: URL? {
        var query = [("response_type", "code"), ("client_id", clientID.reveal()), ("redirect_uri", redirectURI),
                     ("scope", provider.scopes.joined(separator: " ")), ("state", state)]
        if let codeVerifier {
            query.append(("code_challenge", Self.challenge(for: codeVerifier)))
            query.append(("code_challenge_method", "S256"))
        }
        return URLBuilder.url(provider.authorizeURL, path: "", query: query)
    }

    /// `BASE64URL(SHA-256(verifier))`, without padding (RFC 7636 §4.2).
    public static func challenge(for verifier: String) -> String {
        base64URL(SHA256.hash(Array(verifier.utf8)))
    }

    /// `count` characters from RFC 7636's unreserved set.
    static func randomToken(_ count: Int, using random: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return String((0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The redirect's query (the `code`, and whatever else the provider adds, such as
    /// QuickBooks' `realmId`) from the URL the browser was sent to, or the part after `?`.
    /// Refuses a redirect for another request (`state` differs) or one that carries an error.
    public func redirectParameters(_ pasted: String) throws(AuthenticationError) -> [String: String] {
        let text = pasted.trimmingCharacters(in: .whitespacesAndNewlines)
        let query = text.contains("?") ? String(text[text.index(after: text.firstIndex(of: "?")!)...]) : text
        guard let url = URL(string: "http://127.0.0.1/?" + query) else {
            throw AuthenticationError(label: "auth", message: "that is not the address the browser was sent to; paste the whole address (it starts with \(redirectURI))")
        }
        let parameters = Dictionary(URLBuilder.queryItems(of: url), uniquingKeysWith: { first, _ in first })
        if let error = parameters["error"] {
            throw AuthenticationError(label: "auth", message: "\(provider.name) did not authorise paysync (\(error)\(parameters["error_description"].map { ": \($0)" } ?? "")); run `paysync auth` again and choose Allow")
        }
        guard parameters["state"] == state else {
            throw AuthenticationError(label: "auth", message: "the address is from another authorisation attempt (its state does not match); use the URL printed by this run")
        }
        guard let code = parameters["code"], !code.isEmpty else {
            throw AuthenticationError(label: "auth", message: "the address holds no authorisation code; paste the whole address the browser was sent to")
        }
        return parameters
    }

    /// Tokens from the exchange of a code.
    public struct Tokens: Sendable {
        public var accessToken: Secret
        public var refreshToken: Secret
    }

    /// Exchanges the redirect's code at the token endpoint (client authenticated with HTTP Basic
    /// when there is a secret, as the refresh does).
    public func exchange(code: String, tokenURL: URL, clientSecret: Secret?, client: HTTPClient) async throws -> Tokens {
        var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"]
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)]
        if let codeVerifier { form.append(("code_verifier", codeVerifier)) }
        if let clientSecret {
            headers.set("Authorization", "Basic \(Secret.basic(user: clientID, password: clientSecret).reveal())")
        } else {
            form.append(("client_id", clientID.reveal()))
        }
        let response = try await client.send(HTTPRequest(method: "POST", url: tokenURL, headers: headers, body: URLBuilder.formBody(form)))
        let body = try? JSONParser.parse(response.body, source: "token response")
        guard response.isSuccess else {
            let error = body?["error"]?.stringValue ?? "HTTP \(response.status)"
            let description = body?["error_description"]?.stringValue.map { ": \($0)" } ?? ""
            throw AuthenticationError(label: "auth", message: "\(tokenURL.host ?? "the token endpoint") refused the authorisation code (\(error)\(description)); codes are single-use and expire in minutes: run `paysync auth` again")
        }
        guard let access = body?["access_token"]?.stringValue, !access.isEmpty,
              let refresh = body?["refresh_token"]?.stringValue, !refresh.isEmpty else {
            throw AuthenticationError(label: "auth", message: "\(tokenURL.host ?? "the token endpoint") answered without an access and a refresh token; check the app's scopes (offline access is needed)")
        }
        return Tokens(accessToken: Secret(access), refreshToken: Secret(refresh))
    }
}
