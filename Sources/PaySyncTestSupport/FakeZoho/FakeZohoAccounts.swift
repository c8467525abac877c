import Foundation
import PaySyncCore
import PaySyncHTTP

/// Zoho's accounts server as every Zoho fake serves it (Zoho CRM, Zoho Books share one OAuth):
/// `POST /oauth/v2/token` with the refresh-token grant, credentials in the form body (never the
/// query); a refused grant answered with HTTP 200 and an `error` member (`invalid_code`,
/// `invalid_client`…); "Access Denied" after ten tokens per refresh token in ten minutes; one-hour
/// access tokens with `api_domain` naming the API host. `../shared/reference/crm-apis.md` §6.1.
public final class FakeZohoAccounts: Sendable {
    struct State: Sendable {
        var accessTokens: Set<String> = []
        var tokenTimes: [Date] = []
        var tokenRequests = 0
    }

    public let clientID: String
    public let clientSecret: String
    public let refreshToken: String
    public let scope: String
    private let state = Locked(State())

    public init(clientID: String = "1000.FAKEZOHOCLIENT", clientSecret: String = "fake-zoho-secret",
                refreshToken: String = "1000.fake-zoho-refresh.token", scope: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
        self.scope = scope
    }

    public var tokenRequests: Int { state.value.tokenRequests }
    /// Spends the ten tokens a refresh token may have in ten minutes (another client of the same
    /// refresh token was busy), so the next token request is refused with "Access Denied".
    public func exhaustTokenAllowance() { state.withLock { $0.tokenTimes = Array(repeating: Date(), count: 10) } }
    /// Ten minutes passed: the allowance is whole again.
    public func clearTokenAllowance() { state.withLock { $0.tokenTimes.removeAll() } }
    /// Every access token issued so far stops working (its hour passed).
    public func expireAccessTokens() { state.withLock { $0.accessTokens.removeAll() } }

    /// Whether a request carries `Authorization: Zoho-oauthtoken TOKEN` with a live token.
    public func authorizes(_ request: ServerRequest) -> Bool {
        let auth = request.headers["Authorization"] ?? ""
        return auth.hasPrefix("Zoho-oauthtoken ") && state.value.accessTokens.contains(String(auth.dropFirst(16)))
    }

    /// The token endpoint's answer; `domain` is the API host the token names.
    public func token(_ request: ServerRequest, domain: String) -> ServerReply {
        let form = request.formFields
        return state.withLock { state -> ServerReply in
            state.tokenRequests += 1
            let now = Date()
            state.tokenTimes.removeAll { now.timeIntervalSince($0) > 600 }
            if state.tokenTimes.count >= 10 {
                return .json(400, #"{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}"#)
            }
            guard request.queryValue("client_secret") == nil, request.queryValue("refresh_token") == nil else {
                return .json(400, #"{"error":"invalid_request","error_description":"credentials belong in the body"}"#)
            }
            // Zoho answers a refused grant with HTTP 200 and an `error` member.
            guard form["grant_type"] == "refresh_token" else { return .json(200, #"{"error":"unsupported_grant_type"}"#) }
            guard form["client_id"] == clientID else { return .json(200, #"{"error":"invalid_client"}"#) }
            guard form["client_secret"] == clientSecret else { return .json(200, #"{"error":"invalid_client_secret"}"#) }
            guard form["refresh_token"] == refreshToken else { return .json(200, #"{"error":"invalid_code"}"#) }
            state.tokenTimes.append(now)
            let access = "1000.\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
            state.accessTokens.insert(access)
            return .json(200, #"{"access_token":"\#(access)","scope":"\#(scope)","api_domain":"\#(domain)","token_type":"Bearer","expires_in":3600}"#)
        }
    }
}
