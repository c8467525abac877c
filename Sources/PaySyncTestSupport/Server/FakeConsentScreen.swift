import Foundation
import PaySyncCore
import PaySyncHTTP

/// The authorisation-code half of a fake provider's OAuth server, shared by the fakes: a consent
/// screen that "allows" at once (302 to the redirect URI with a code and the state), and the
/// code's one-time exchange at the token endpoint, checking what RFC 6749 §4.1.3 and RFC 7636
/// require: the same client, the same redirect URI, an unused code, and the PKCE verifier whose
/// S256 challenge the consent screen was given.
public struct FakeConsentScreen: Sendable {
    struct Grant: Sendable {
        var clientID: String
        var redirectURI: String
        var challenge: String?
        var used = false
    }

    public let clientID: String
    /// Scopes the consent screen requires (all must be asked for).
    public let requiredScopes: [String]
    public let requirePKCE: Bool
    /// Extra redirect parameters (QuickBooks' `realmId`).
    public let extraParameters: [(String, String)]
    private let grants = Locked<[String: Grant]>([:])

    public init(clientID: String, requiredScopes: [String], requirePKCE: Bool, extraParameters: [(String, String)] = []) {
        self.clientID = clientID
        self.requiredScopes = requiredScopes
        self.requirePKCE = requirePKCE
        self.extraParameters = extraParameters
    }

    /// `GET …/authorize?response_type=code&client_id&redirect_uri&scope&state[&code_challenge&code_challenge_method=S256]`.
    public func authorize(_ request: ServerRequest) -> ServerReply {
        func refuse(_ reason: String) -> ServerReply { .status(400, headers: ["Content-Type": "text/plain"], body: "invalid_request: \(reason)") }
        guard request.method == "GET", request.queryValue("response_type") == "code" else { return refuse("response_type must be code") }
        guard request.queryValue("client_id") == clientID else { return refuse("unknown client_id") }
        guard let redirect = request.queryValue("redirect_uri"), URL(string: redirect)?.scheme != nil else { return refuse("redirect_uri missing") }
        guard let state = request.queryValue("state"), state.count >= 16 else { return refuse("state missing or too short") }
        let scopes = Set((request.queryValue("scope") ?? "").split(separator: " ").map(String.init))
        guard requiredScopes.allSatisfy(scopes.contains) else { return refuse("scope must include \(requiredScopes.joined(separator: " "))") }
        let challenge = request.queryValue("code_challenge")
        if requirePKCE || challenge != nil {
            guard let challenge, challenge.count >= 43, request.queryValue("code_challenge_method") == "S256" else { return refuse("PKCE with S256 required") }
        }
        let code = "code-" + UUID().uuidString.lowercased()
        grants.withLock { $0[code] = Grant(clientID: clientID, redirectURI: redirect, challenge: challenge) }
        let query = ([("code", code), ("state", state)] + extraParameters).map { "\($0.0)=\(URLBuilder.encode($0.1))" }.joined(separator: "&")
        return .status(302, headers: ["Location": redirect + (redirect.contains("?") ? "&" : "?") + query])
    }

    /// The `authorization_code` grant at the token endpoint: nil when the code is good (issue
    /// tokens), else the OAuth error reply.
    public func exchange(_ form: [String: String]) -> ServerReply? {
        guard let code = form["code"] else { return .json(400, #"{"error":"invalid_request"}"#) }
        return grants.withLock { grants -> ServerReply? in
            guard var grant = grants[code], !grant.used else { return .json(400, #"{"error":"invalid_grant"}"#) }
            grant.used = true
            grants[code] = grant
            guard form["redirect_uri"] == grant.redirectURI else { return .json(400, #"{"error":"invalid_grant","error_description":"redirect_uri mismatch"}"#) }
            if let challenge = grant.challenge {
                guard let verifier = form["code_verifier"], FakeConsentScreen.s256(verifier) == challenge else {
                    return .json(400, #"{"error":"invalid_grant","error_description":"code_verifier does not match"}"#)
                }
            }
            return nil
        }
    }

    /// RFC 7636 §4.2, computed here independently of paysync's own.
    static func s256(_ verifier: String) -> String {
        Data(SHA256.hash(Array(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
