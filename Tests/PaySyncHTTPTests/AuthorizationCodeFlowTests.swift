import Foundation
import PaySyncCore
import Testing
@testable import PaySyncHTTP

@Suite struct AuthorizationCodeFlowTests {
    let provider = AuthorizationCodeFlow.Provider(name: "Example", authorizeURL: "https://login.example/authorize", scopes: ["offline_access", "read"], pkce: true)

    @Test func pkceChallengeMatchesRFC7636AppendixB() {
        #expect(AuthorizationCodeFlow.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func theAddressCarriesStateScopesAndTheChallenge() throws {
        let flow = AuthorizationCodeFlow(provider: provider, clientID: Secret("client-1"), redirectURI: "http://localhost:8976/callback",
                                         state: "s".padding(toLength: 32, withPad: "s", startingAt: 0), codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        let address = try #require(flow.authorizationURL?.absoluteString)
        #expect(address == "https://login.example/authorize?response_type=code&client_id=client-1&redirect_uri=http%3A%2F%2Flocalhost%3A8976%2Fcallback"
                + "&scope=offline_access%20read&state=ssssssssssssssssssssssssssssssss&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")
    }

    @Test func freshFlowsDrawFreshStatesAndVerifiers() {
        let first = AuthorizationCodeFlow(provider: provider, clientID: Secret("c"), redirectURI: "http://localhost/cb")
        let second = AuthorizationCodeFlow(provider: provider, clientID: Secret("c"), redirectURI: "http://localhost/cb")
        #expect(first.state != second.state && first.codeVerifier != second.codeVerifier)
        #expect(first.state.count == 32 && first.codeVerifier?.count == 64)
        let noPKCE = AuthorizationCodeFlow(provider: .init(name: "P", authorizeURL: "https://p/a", scopes: [], pkce: false), clientID: Secret("c"), redirectURI: "http://l/c")
        #expect(noPKCE.codeVerifier == nil && noPKCE.authorizationURL?.absoluteString.contains("code_challenge") == false)
    }

    @Test("redirects", arguments: [
        ("http://localhost:8976/callback?code=abc&state=S0000000000000000&realmId=42", "abc"),
        ("code=abc&state=S0000000000000000", "abc"),
        ("  http://localhost:8976/callback?state=S0000000000000000&code=a%2Bb  ", "a+b"),
    ])
    func redirectsYieldTheirCode(pasted: String, code: String) throws {
        let flow = AuthorizationCodeFlow(provider: provider, clientID: Secret("c"), redirectURI: "http://localhost:8976/callback", state: "S0000000000000000", codeVerifier: nil)
        #expect(try flow.redirectParameters(pasted)["code"] == code)
    }

    @Test("refused redirects", arguments: [
        ("http://localhost:8976/callback?error=access_denied&state=S0000000000000000", "did not authorise paysync (access_denied)"),
        ("http://localhost:8976/callback?code=abc&state=other", "another authorisation attempt"),
        ("http://localhost:8976/callback?state=S0000000000000000", "holds no authorisation code"),
    ])
    func refusedRedirects(pasted: String, message: String) {
        let flow = AuthorizationCodeFlow(provider: provider, clientID: Secret("c"), redirectURI: "http://localhost:8976/callback", state: "S0000000000000000", codeVerifier: nil)
        let error = #expect(throws: AuthenticationError.self) { try flow.redirectParameters(pasted) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }
}
