import Foundation
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine
@testable import PaySyncLedger

/// Two workers sharing one PostgreSQL ledger need the same access token at once, from a server
/// that rotates the refresh token on every refresh and refuses the old one (the FreshBooks
/// fake): one refreshes, the other waits and takes what the first stored. Without the lock both
/// refresh, and the second is refused for using a spent refresh token.
@Suite(.serialized) struct SharedLedgerTokenTests {
    static func provider(_ fake: FakeFreshBooksServer, store: any CredentialStore, clock: VirtualClock) -> OAuth2RefreshTokenProvider {
        OAuth2RefreshTokenProvider(
            configuration: .init(label: "freshbooks", tokenURL: URL(string: fake.baseURL + "/auth/oauth/token")!, clientID: Secret(fake.clientID),
                                 clientSecret: Secret(fake.clientSecret), seedRefreshToken: Secret(fake.firstRefreshToken), storeKey: "freshbooks:fb",
                                 style: .json, redirectURI: fake.redirectURI),
            store: store, client: HTTPClient(transport: URLSessionTransport(), environment: clock.environment))
    }

    /// A credential store without the shared ledger's lock: what two workers would do without it.
    struct Unlocked: CredentialStore {
        let inner: LedgerCredentialStore
        func load(_ name: String) async throws -> StoredToken? { try await inner.load(name) }
        func save(_ name: String, _ token: StoredToken) async throws { try await inner.save(name, token) }
        func remove(_ name: String) async throws { try await inner.remove(name) }
    }

    @Test func twoWorkersRefreshingAtOnceRefreshOnceAndShareTheRotatedToken() async throws {
        let fake = try FakeFreshBooksServer(now: Timestamp(iso: "2026-11-26T10:00:00Z")!)
        let clock = VirtualClock(start: fake.now)
        let url = try ThrowawayPostgres.server().newDatabase()
        let stores = try (0..<2).map { _ in LedgerCredentialStore(ledger: try PostgresLedger(url: url, now: fake.now), environment: clock.environment) }
        let workers = stores.map { Self.provider(fake, store: $0, clock: clock) }
        fake.setTokenDelay(0.5)  // both ask while the first answer is on its way
        async let first = workers[0].accessToken()
        async let second = workers[1].accessToken()
        let tokens = try await [first, second]
        #expect(fake.tokenRequests == 1, "one refresh for both workers")
        #expect(tokens[0] == tokens[1])
        #expect(try await stores[1].load("freshbooks:fb:refresh_token")?.value.reveal() == fake.currentRefreshToken, "the rotated token, stored")
    }

    @Test func withoutTheLockTheSecondWorkerSpendsARotatedToken() async throws {
        let fake = try FakeFreshBooksServer(now: Timestamp(iso: "2026-11-26T10:00:00Z")!)
        let clock = VirtualClock(start: fake.now)
        let url = try ThrowawayPostgres.server().newDatabase()
        let stores = try (0..<2).map { _ in Unlocked(inner: LedgerCredentialStore(ledger: try PostgresLedger(url: url, now: fake.now), environment: clock.environment)) }
        let workers = stores.map { Self.provider(fake, store: $0, clock: clock) }
        fake.setTokenDelay(0.5)  // both ask while the first answer is on its way
        async let first: Secret? = try? workers[0].accessToken()
        async let second: Secret? = try? workers[1].accessToken()
        let tokens = await [first, second]
        #expect(fake.tokenRequests == 2)
        #expect(tokens.contains { $0 == nil }, "the second refresh used the spent token and was refused")
    }
}
