import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncHTTP

/// Token servers that depart from RFC 6749's usual shape: credentials in the form body, an API
/// host named in the token response, refusals with HTTP 200, a token-rate refusal, and a
/// client-credentials grant with a scope (Microsoft Entra ID).
@Suite struct TokenServerVariantTests {
    /// Answers with what a test sets, and keeps every request.
    final class ScriptedTokenServer: Sendable {
        let server: LoopbackHTTPServer
        let requests = Locked<[ServerRequest]>([])
        let reply: Locked<ServerReply>

        init(_ reply: ServerReply) throws {
            let requests = self.requests
            let holder = Locked(reply)
            self.reply = holder
            server = try LoopbackHTTPServer { request in
                requests.withLock { $0.append(request) }
                return holder.value
            }
        }

        var url: URL { URL(string: server.baseURL + "/oauth/v2/token")! }
    }

    func provider(_ server: ScriptedTokenServer, store: any CredentialStore, clock: VirtualClock) -> OAuth2RefreshTokenProvider {
        OAuth2RefreshTokenProvider(
            configuration: .init(label: "zoho", tokenURL: server.url, clientID: Secret("1000.CLIENT"), clientSecret: Secret("s3cr3t-of-the-client"),
                                 seedRefreshToken: Secret("1000.refresh"), storeKey: "zoho", style: .formBody, instanceField: "api_domain"),
            store: store, client: HTTPClient(transport: URLSessionTransport(), environment: clock.environment))
    }

    @Test func credentialsGoInTheBodyAndTheAPIHostIsKeptForTheNextRun() async throws {
        let server = try ScriptedTokenServer(.json(200, #"{"access_token":"1000.a","api_domain":"https://www.zohoapis.eu","token_type":"Bearer","expires_in":3600}"#))
        let store = RecordingStore(events: Locked([]))
        let clock = VirtualClock()
        let first = provider(server, store: store, clock: clock)
        #expect(try await first.instance() == "https://www.zohoapis.eu")
        #expect(try await first.accessToken().reveal() == "1000.a")
        let request = try #require(server.requests.value.first)
        #expect(request.headers["Authorization"] == nil)
        #expect(request.formFields == ["grant_type": "refresh_token", "client_id": "1000.CLIENT", "client_secret": "s3cr3t-of-the-client", "refresh_token": "1000.refresh"])

        // The next run (a new provider on the same store) needs no token request for either.
        let next = provider(server, store: store, clock: clock)
        #expect(try await next.instance() == "https://www.zohoapis.eu")
        #expect(server.requests.value.count == 1)
        // An hour later both are fetched afresh.
        clock.advance(by: .seconds(3600))
        _ = try await provider(server, store: store, clock: clock).accessToken()
        #expect(server.requests.value.count == 2)
    }

    @Test func aRefusalAnsweredWithHTTP200IsAnAuthenticationErrorNamingItsCode() async throws {
        let server = try ScriptedTokenServer(.json(200, #"{"error":"invalid_code"}"#))
        let error = await #expect(throws: AuthenticationError.self) {
            _ = try await provider(server, store: RecordingStore(events: Locked([])), clock: VirtualClock()).accessToken()
        }
        #expect(error?.description.contains("refused the refresh token (invalid_code)") == true)
        #expect(error?.description.contains("1000.refresh") == false)
        server.reply.withLock { $0 = .json(200, #"{"error":"invalid_client_secret"}"#) }
        let secret = await #expect(throws: AuthenticationError.self) {
            _ = try await provider(server, store: RecordingStore(events: Locked([])), clock: VirtualClock()).accessToken()
        }
        #expect(secret?.description.contains("check client_id and client_secret") == true)
    }

    @Test func tooManyTokenRequestsIsATemporaryFailureNotAnAuthenticationOne() async throws {
        let server = try ScriptedTokenServer(.json(400, #"{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}"#))
        let error = await #expect(throws: GeneralError.self) {
            _ = try await provider(server, store: RecordingStore(events: Locked([])), clock: VirtualClock()).accessToken()
        }
        #expect(error?.exitCode == .temporaryFailure)
        #expect(error?.description.contains("too many requests continuously") == true)
        #expect(server.requests.value.count == 1)  // never hammered
    }

    @Test func aClientCredentialsGrantCanCarryItsCredentialsAndAScopeInTheBody() async throws {
        let server = try ScriptedTokenServer(.json(200, #"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0.fake"}"#))
        let provider = ClientCredentialsTokenProvider(
            configuration: .init(label: "dynamics", tokenURL: server.url, clientID: Secret("app-id"), clientSecret: Secret("app-secret"), storeKey: "dynamics",
                                 scope: "https://contoso.crm4.dynamics.com/.default", credentialsInBody: true),
            store: RecordingStore(events: Locked([])), client: HTTPClient(transport: URLSessionTransport(), environment: VirtualClock().environment))
        #expect(try await provider.accessToken().reveal() == "eyJ0.fake")
        let request = try #require(server.requests.value.first)
        #expect(request.headers["Authorization"] == nil)
        #expect(request.formFields == ["grant_type": "client_credentials", "client_id": "app-id", "client_secret": "app-secret",
                                       "scope": "https://contoso.crm4.dynamics.com/.default"])
    }
}
