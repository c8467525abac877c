import Foundation
import PaySyncCore

/// Sends a provider's or CRM's authenticated calls: a bearer token from the token provider, one
/// refresh on 401 and one retry, then exit 77 in the provider's own words. Every connector and
/// sink sends through one of these instead of writing its own 401 logic.
public struct AuthorizedSender: Sendable {
    /// The source or sink's config name.
    public let label: String
    /// The provider's display name (`Xero`).
    public let provider: String
    public let client: HTTPClient
    public let tokens: any AccessTokenProvider
    public let problem: ProviderProblemReader
    /// What to do when a fresh token is refused too (`re-authorise the app`).
    public let reauthorise: String

    public init(label: String, provider: String, client: HTTPClient, tokens: any AccessTokenProvider,
                problem: @escaping ProviderProblemReader, reauthorise: String) {
        self.label = label
        self.provider = provider
        self.client = client
        self.tokens = tokens
        self.problem = problem
        self.reauthorise = reauthorise
    }

    /// Sends the request `make` builds for a token (it sets the credentials header, and may use
    /// state the token came with, such as an instance URL). On 401 the token is invalidated and
    /// the call made once more with a fresh one; a second 401 throws `AuthenticationError`.
    /// Any other status is returned for the caller to read (per-record results live in 2xx and
    /// some 4xx bodies); `failure(_:call:hint:)` classifies what it cannot use.
    public func send(
        limiter: RateLimiter? = nil,
        isRetryable: @escaping @Sendable (HTTPResponse) -> Bool = { _ in true },
        defaultRetryAfter: @escaping @Sendable (HTTPResponse) -> Double? = { _ in nil },
        _ make: (Secret) async throws -> HTTPRequest
    ) async throws -> HTTPResponse {
        let token = try await tokens.accessToken()
        let explain: @Sendable (HTTPResponse) -> String? = { [problem] in problem($0)?.description.nonEmpty }
        var response = try await client.send(try await make(token), limiter: limiter, isRetryable: isRetryable, defaultRetryAfter: defaultRetryAfter,
                                             explain: explain)
        guard response.status == 401 else { return response }
        guard tokens.canRefresh else {
            throw AuthenticationError(label: label, message: "\(provider) refused the token (\(problem(response)?.description.nonEmpty ?? "401")); \(reauthorise)")
        }
        client.logger.info("\(label): \(provider) answered 401 (\(problem(response)?.description.nonEmpty ?? "unauthorised")); refreshing the access token once")
        await tokens.invalidate(token)
        response = try await client.send(try await make(try await tokens.accessToken()), limiter: limiter,
                                         isRetryable: isRetryable, defaultRetryAfter: defaultRetryAfter, explain: explain)
        if response.status == 401 {
            throw AuthenticationError(label: label, message: "\(provider) rejected a freshly refreshed access token (\(problem(response)?.description.nonEmpty ?? "401")); \(reauthorise)")
        }
        return response
    }

    /// The classified error for a response the caller cannot use (see `HTTPFailure`).
    public func failure(_ response: HTTPResponse, call: String, hint: String? = nil) -> any PaySyncError {
        HTTPFailure.error(response, call: call, label: label, provider: provider, problem: problem(response), hint: hint)
    }
}

extension HTTPRequest {
    /// Sets `Authorization: Bearer TOKEN` on a request.
    public func bearer(_ token: Secret) -> HTTPRequest {
        var request = self
        request.headers.set("Authorization", "Bearer \(token.reveal())")
        return request
    }

    /// Sets `Authorization: Basic CREDENTIALS` on a request, from `Secret.basic(user:password:)`.
    public func basic(_ credentials: Secret) -> HTTPRequest {
        var request = self
        request.headers.set("Authorization", "Basic \(credentials.reveal())")
        return request
    }
}

extension Secret {
    /// HTTP Basic's credentials (RFC 7617): `base64(user ":" password)`, itself a secret.
    public static func basic(user: Secret, password: Secret) -> Secret {
        Secret(Data("\(user.reveal()):\(password.reveal())".utf8).base64EncodedString())
    }
}
