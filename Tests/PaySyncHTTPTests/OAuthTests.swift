import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncHTTP

/// A credential store that records the order of saves relative to token use.
final class RecordingStore: CredentialStore {
    let tokens = Locked<[String: StoredToken]>([:])
    let events: Locked<[String]>

    init(events: Locked<[String]>) { self.events = events }

    func load(_ name: String) async throws -> StoredToken? { tokens.withLock { $0[name] } }
    func save(_ name: String, _ token: StoredToken) async throws {
        tokens.withLock { $0[name] = token }
        events.withLock { $0.append("save \(name) \(token.value.reveal())") }
    }
    func remove(_ name: String) async throws { tokens.withLock { $0[name] = nil } }
}

@Suite struct OAuthTests {
    final class TokenServer: Sendable {
        let server: LoopbackHTTPServer
        let valid = Locked<Set<String>>(["seed-1"])
        let issued = Locked(0)
        let authorizations = Locked<[String]>([])

        init(rotate: Bool = true) throws {
            let valid = self.valid, issued = self.issued, authorizations = self.authorizations
            server = try LoopbackHTTPServer { request in
                authorizations.withLock { $0.append(request.headers["Authorization"] ?? "") }
                let token = request.formFields["refresh_token"] ?? ""
                guard request.formFields["grant_type"] == "refresh_token", valid.withLock({ $0.contains(token) }) else {
                    return .json(400, #"{"error":"invalid_grant"}"#)
                }
                let number = issued.withLock { $0 += 1; return $0 }
                var body = #"{"id_token":"id","access_token":"access-\#(number)","expires_in":1800,"token_type":"Bearer""#
                if rotate {
                    valid.withLock { $0.remove(token); $0.insert("rotated-\(number)") }
                    body += #","refresh_token":"rotated-\#(number)""#
                }
                return .json(200, body + "}")
            }
        }
    }

    func provider(_ server: TokenServer, store: RecordingStore, clock: VirtualClock, seed: String = "seed-1") -> OAuth2RefreshTokenProvider {
        OAuth2RefreshTokenProvider(
            configuration: .init(label: "xero-uk", tokenURL: URL(string: server.server.baseURL + "/connect/token")!,
                                 clientID: Secret("client"), clientSecret: Secret("shh"), seedRefreshToken: Secret(seed), storeKey: "xero-uk"),
            store: store, client: HTTPClient(transport: URLSessionTransport(), environment: clock.environment)
        )
    }

    @Test func rotatedRefreshTokenIsStoredBeforeTheAccessTokenIsReturned() async throws {
        let server = try TokenServer()
        let events = Locked<[String]>([])
        let store = RecordingStore(events: events)
        let clock = VirtualClock()
        let token = try await provider(server, store: store, clock: clock).accessToken()
        events.withLock { $0.append("use \(token.reveal())") }
        #expect(events.withLock { $0 } == ["save xero-uk:refresh_token rotated-1", "save xero-uk:access_token access-1", "use access-1"])
        #expect(server.authorizations.withLock { $0 } == ["Basic " + Data("client:shh".utf8).base64EncodedString()])
    }

    @Test func theStoredTokenIsUsedNextRunAndTheAccessTokenIsCachedUntilNearExpiry() async throws {
        let server = try TokenServer()
        let store = RecordingStore(events: Locked([]))
        let clock = VirtualClock()
        _ = try await provider(server, store: store, clock: clock).accessToken()
        // Next run, 10 minutes later: cached access token, no refresh.
        clock.advance(by: .seconds(600))
        let second = provider(server, store: store, clock: clock)
        #expect(try await second.accessToken().reveal() == "access-1")
        #expect(await second.refreshCount == 0)
        // 30 minutes later the access token is stale: refresh with the rotated token, not the seed.
        clock.advance(by: .seconds(1200))
        let third = provider(server, store: store, clock: clock)
        #expect(try await third.accessToken().reveal() == "access-2")
        #expect(store.tokens.withLock { $0["xero-uk:refresh_token"]?.value.reveal() } == "rotated-2")
    }

    @Test func aNewConfiguredTokenStartsANewChain() async throws {
        let server = try TokenServer()
        let store = RecordingStore(events: Locked([]))
        let clock = VirtualClock()
        _ = try await provider(server, store: store, clock: clock).accessToken()
        server.valid.withLock { $0.insert("seed-2") }
        clock.advance(by: .seconds(3600))
        #expect(try await provider(server, store: store, clock: clock, seed: "seed-2").accessToken().reveal() == "access-2")
    }

    @Test func concurrentCallersShareOneRefresh() async throws {
        let server = try TokenServer()
        let provider = provider(server, store: RecordingStore(events: Locked([])), clock: VirtualClock())
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await provider.accessToken().reveal() } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(tokens == ["access-1"])
        #expect(server.issued.withLock { $0 } == 1)
    }

    @Test func aRevokedRefreshTokenIsExit77WithoutTheToken() async throws {
        let server = try TokenServer()
        let error = await #expect(throws: AuthenticationError.self) {
            try await provider(server, store: RecordingStore(events: Locked([])), clock: VirtualClock(), seed: "revoked-token-value").accessToken()
        }
        #expect(error?.exitCode == .authenticationFailed)
        #expect(error?.description.hasPrefix("xero-uk: 127.0.0.1 refused the refresh token (invalid_grant)") == true)
        #expect(error?.description.contains("revoked-token-value") == false)
    }
}
