import Foundation
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncConnectors

/// An access-token provider that counts refreshes, standing in for OAuth against the fake's tokens.
actor FakeXeroTokens: AccessTokenProvider {
    let server: FakeXeroServer
    let client: HTTPClient
    var current: Secret?
    var refreshes = 0
    var refresh = "initial-refresh-token"

    init(server: FakeXeroServer, client: HTTPClient) {
        self.server = server
        self.client = client
    }

    func accessToken() async throws -> Secret {
        if let current { return current }
        refreshes += 1
        let basic = Data("\(server.clientID):\(server.clientSecret)".utf8).base64EncodedString()
        let response = try await client.send(HTTPRequest(method: "POST", url: URL(string: server.tokenURL)!,
            headers: ["Authorization": "Basic \(basic)", "Content-Type": "application/x-www-form-urlencoded"],
            body: URLBuilder.formBody([("grant_type", "refresh_token"), ("refresh_token", refresh)])))
        let body = try JSONParser.parse(response.body)
        refresh = body["refresh_token"]?.stringValue ?? refresh
        let token = Secret(body["access_token"]?.stringValue ?? "")
        current = token
        return token
    }

    func invalidate(_ token: Secret) async { if current == token { current = nil } }
}

@Suite(.serialized) struct XeroSourceTests {
    let tenant = "b7c2e1d0-0000-4000-a000-00000000000a"

    func makeSource(_ server: FakeXeroServer, clock: VirtualClock = VirtualClock(), pageSize: Int = 100, perMinute: Int = 60) -> (XeroSource, FakeXeroTokens) {
        var settings = XeroSettings(tenants: [tenant])
        settings.baseURL = server.apiBaseURL
        settings.tokenURL = server.tokenURL
        settings.pageSize = pageSize
        settings.rateLimit = RateLimitSettings(perMinute: perMinute, concurrent: 5)
        let client = HTTPClient(transport: URLSessionTransport(), environment: clock.environment)
        let tokens = FakeXeroTokens(server: server, client: client)
        return (XeroSource(name: "xero-uk", settings: settings, client: client, tokens: tokens), tokens)
    }

    func seeded(objects: Int) throws -> FakeXeroServer {
        let server = try FakeXeroServer(tenants: [tenant])
        var generator = XeroDataGenerator(seed: 7)
        let data = generator.dataset(objects: objects, start: server.now)
        server.put(invoices: data.invoices, tenant: tenant)
        server.put(payments: data.payments, tenant: tenant)
        return server
    }

    func readAll(_ source: XeroSource, entity: String, mode: ReadMode = .incremental(since: nil)) async throws -> [SourcePage] {
        var pages: [SourcePage] = []
        try await source.read(account: tenant, entity: entity, mode: mode) { pages.append($0) }
        return pages
    }

    @Test func bankTransactionsAreReadIncrementallyAndADeletedOneIsVoided() async throws {
        let server = try FakeXeroServer(tenants: [tenant])
        let payer = FakeXeroContact(contactID: "c0ffee00-0000-4000-a000-000000000001", name: "Acme Ltd", email: "ap@acme.example")
        let start = server.now.adding(milliseconds: -3_600_000)
        server.put(bankTransactions: (1...5).map { number in
            FakeXeroBankTransaction(bankTransactionID: "b0b0b0b0-0000-4000-a000-00000000000\(number)", type: number == 5 ? "SPEND" : "RECEIVE",
                                    date: CalendarDate(year: 2025, month: 4, day: 20 + number)!, total: Int64(number) * 10_000, reference: "INV-100\(number)",
                                    currency: "GBP", isReconciled: number == 1, contact: payer, updated: start.adding(milliseconds: Int64(number) * 1000))
        }, tenant: tenant)
        let (source, _) = makeSource(server)
        let first = try await readAll(source, entity: "bank_transactions").flatMap(\.observations)
        #expect(first.map(\.status) == [.paid, .paid, .paid, .paid])
        #expect(first.map { $0[text: .bookingStatus] } == ["booked", "pending", "pending", "pending"])
        #expect(first.map { $0[text: .remittanceText] } == ["INV-1001", "INV-1002", "INV-1003", "INV-1004"])
        let cursor = try #require(first.last?.updatedAt)
        server.updateBankTransaction("b0b0b0b0-0000-4000-a000-000000000002", tenant: tenant) { $0.status = "DELETED" }
        server.clearReceived()
        let later = try await readAll(source, entity: "bank_transactions", mode: .incremental(since: cursor)).flatMap(\.observations)
        #expect(later.map(\.key.externalID) == ["b0b0b0b0-0000-4000-a000-000000000002"])
        #expect(later.first?.status == .voided)
        #expect(server.received.first?.ifModifiedSince != nil)
        #expect(server.received.first?.query["where"] == nil, "no Type filter: spending is left out by the mapping")
    }

    @Test func pagesUntilPageCountWithoutAnEmptyPageCall() async throws {
        let server = try seeded(objects: 450)
        let invoices = server.invoices(tenant: tenant).count
        let (source, _) = makeSource(server, pageSize: 50)
        let pages = try await readAll(source, entity: "invoices")
        #expect(pages.reduce(0) { $0 + $1.observations.count } == invoices)
        #expect(server.calls(to: "/Invoices") == (invoices + 49) / 50)
        #expect(pages.last?.isLast == true)
        let first = try #require(server.received.first { $0.path.hasSuffix("/Invoices") })
        #expect(first.query["pageSize"] == "50")
        #expect(first.query["order"] == "UpdatedDateUTC ASC")
        #expect(first.query["where"] == #"Type=="ACCREC""#)
        #expect(first.tenant == tenant)
        #expect(first.ifModifiedSince == nil)
    }

    @Test func ordersOldestFirstAndHonoursIfModifiedSince() async throws {
        let server = try seeded(objects: 200)
        let (source, _) = makeSource(server)
        let all = try await readAll(source, entity: "invoices").flatMap(\.observations)
        let times = all.compactMap(\.updatedAt)
        #expect(times == times.sorted())
        let middle = times[times.count / 2]
        let since = try await readAll(source, entity: "invoices", mode: .incremental(since: middle)).flatMap(\.observations)
        #expect(since.allSatisfy { $0.updatedAt! > Timestamp(secondsSinceEpoch: middle.secondsSinceEpoch) })
        #expect(since.count == times.filter { $0 > Timestamp(secondsSinceEpoch: middle.secondsSinceEpoch) }.count)
        #expect(server.received.last?.ifModifiedSince == XeroDate.ifModifiedSince(middle))
    }

    @Test func windowModeFiltersByDocumentDate() async throws {
        let server = try seeded(objects: 300)
        let (source, _) = makeSource(server)
        let from = server.now.utcDate.adding(days: -60), until = server.now.utcDate.adding(days: -30)
        let observations = try await readAll(source, entity: "invoices", mode: .window(from: from, until: until)).flatMap(\.observations)
        let expected = server.invoices(tenant: tenant).filter { $0.date >= from && $0.date < until }.count
        #expect(observations.count == expected)
        #expect(observations.allSatisfy { $0.documentDate! >= from && $0.documentDate! < until })
        #expect(server.received.last?.query["where"]?.contains("Date>=DateTime(") == true)
    }

    @Test func anExpiredAccessTokenIsRefreshedOnceAndTheCallRetried() async throws {
        let server = try seeded(objects: 20)
        let (source, tokens) = makeSource(server)
        _ = try await readAll(source, entity: "invoices")
        server.expireAccessTokens()
        let pages = try await readAll(source, entity: "invoices")
        #expect(!pages.isEmpty)
        #expect(await tokens.refreshes == 2)
    }

    @Test func aRefusedTenantIsAnAuthenticationError() async throws {
        let server = try FakeXeroServer(tenants: ["some-other-tenant"])
        let (source, _) = makeSource(server)
        let error = await #expect(throws: AuthenticationError.self) { try await readAll(source, entity: "invoices") }
        #expect(error?.exitCode == .authenticationFailed)
        #expect(error?.description.contains("Xero refused tenant \(tenant) (403 Forbidden: AuthenticationUnsuccessful)") == true)
    }

    @Test func aMinuteRateLimitIsWaitedOutAndA503Retried() async throws {
        let server = try seeded(objects: 20)
        server.inject(.init(pathSuffix: "/Invoices", reply: .status(429, headers: ["Retry-After": "12", "X-Rate-Limit-Problem": "minute"])))
        server.inject(.init(pathSuffix: "/Invoices", reply: .status(503, body: "The Xero API is currently unavailable")))
        let clock = VirtualClock()
        let (source, _) = makeSource(server, clock: clock)
        let pages = try await readAll(source, entity: "invoices")
        #expect(pages.flatMap(\.observations).count == server.invoices(tenant: tenant).count)
        #expect(clock.sleeps.first == .seconds(12))
        #expect(clock.sleeps.count == 2)
    }

    @Test func theDailyLimitPausesTheTenantWithoutRetrying() async throws {
        let server = try seeded(objects: 20)
        server.inject(.init(pathSuffix: "/Invoices", reply: .status(429, headers: ["Retry-After": "3600", "X-Rate-Limit-Problem": "day"])))
        let (source, _) = makeSource(server)
        let error = await #expect(throws: AccountPaused.self) { try await readAll(source, entity: "invoices") }
        #expect(error?.exitCode == .temporaryFailure && error?.account == tenant)
        #expect(error?.description == "xero-uk: Xero's daily limit (5,000 calls) is spent for tenant \(tenant); it is read again after 3600 s, from where it stopped")
        #expect(server.calls(to: "/Invoices") == 1)
    }

    @Test func callsStayInsideSixtyAMinutePerTenant() async throws {
        let server = try seeded(objects: 700)
        let clock = VirtualClock()
        let (source, _) = makeSource(server, clock: clock, pageSize: 5)
        let start = clock.now
        _ = try await readAll(source, entity: "invoices")
        let calls = server.calls(to: "/Invoices")
        #expect(calls > 60)
        // Over 60 calls cannot fit in the first minute.
        #expect(clock.now.duration(since: start) >= .seconds(60 * ((calls - 1) / 60)))
    }
}
