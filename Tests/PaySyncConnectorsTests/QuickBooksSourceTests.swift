import Foundation
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncConnectors

func quickBooksFixture(_ name: String, entity: QuickBooksEntity, today: CalendarDate = CalendarDate(year: 2025, month: 5, day: 2)!) throws -> FetchedPage {
    let source = QuickBooksSource(name: "qbo", settings: QuickBooksSettings(realmID: "9130350000000001"),
                                  client: HTTPClient(transport: FixtureStub()), tokens: StaticTokenProvider(Secret("x")))
    return try source.decodePage(Repository.fixture("quickbooks/\(name)"), entity: entity, startPosition: 1, today: today)
}

@Suite struct QuickBooksMappingTests {
    @Test func statusTableFixtureMapsEveryInvoice() throws {
        let page = try quickBooksFixture("invoices-status-table.json", entity: .invoices).page
        #expect(page.rejects.isEmpty)
        #expect(page.observations.map(\.status) == [.partiallyPaid, .paid, .overdue, .sent, .voided, .sent])
        let partly = page.observations[0]
        #expect(partly.key.description == "quickbooks:9130350000000001:invoice:1045")
        #expect(partly.version == "3")
        #expect(partly.total?.decimalText == "1200.00")
        #expect(partly.due?.decimalText == "450.00")
        #expect(partly.paid?.decimalText == "750.00")
        #expect(partly.invoiceNumber == "1045")
        #expect(partly.customerID == "58" && partly.customerName == "Acme Corp" && partly.customerEmail == "ap@acme.example")
        #expect(partly.documentDate?.description == "2025-04-01" && partly.dueDate?.description == "2025-05-01")
        #expect(partly.lastPaymentID == "2201")
        // 14:40:05 at UTC-7 is 21:40:05 UTC.
        #expect(partly.updatedAt == Timestamp(iso: "2025-04-20T21:40:05Z"))
        #expect(page.observations[4].providerStatus == "Voided")
        #expect(page.observations[5].total == Money(minorUnits: 150_000, currency: Currency(code: "JPY")!))
        #expect(page.lastID == "1050" && page.lastUpdatedAt == Timestamp(iso: "2025-04-30T16:00:00Z"))
        #expect(page.servedAt == Timestamp(iso: "2025-05-02T16:12:44.120Z"))
    }

    @Test func badObjectsAreRejectedOneByOneWithWhereAndWhy() throws {
        let page = try quickBooksFixture("invoices-bad-objects.json", entity: .invoices).page
        #expect(page.observations.map(\.invoiceNumber) == ["2001", "2005"])
        #expect(page.observations[1].status == .unknown("Balance 1200 of TotalAmt 1000"))
        #expect(page.rejects.map(\.externalID) == ["2002", nil, "2004"])
        #expect(page.rejects[0].error == "Invoice[1] (Id 2002).TotalAmt: 10.005 has more than 2 fraction digits, the most USD allows")
        #expect(page.rejects[1].error == "Invoice[2]: missing Id")
        #expect(page.rejects[2].error == #"Invoice[3] (Id 2004).DueDate: "1 May" is not a date"#)
    }

    @Test func paymentsLinkToTheirInvoicesAndVoidedOnesAreVoided() throws {
        let page = try quickBooksFixture("payments.json", entity: .payments).page
        #expect(page.observations.map(\.status) == [.paid, .voided])
        let payment = page.observations[0]
        #expect(payment.key.kind == .payment)
        #expect(payment[text: .parentKey] == "quickbooks:9130350000000001:invoice:1045")
        #expect(payment.paid?.decimalText == "750.00")
        #expect(payment.reference == "CHK-8812")
        #expect(page.observations[1].paid == nil)
        #expect(page.observations[1][text: .parentKey] == nil)
    }

    @Test func refundReceiptsAreRefundsAndVoidedOnesVoided() throws {
        let page = try quickBooksFixture("refund-receipts.json", entity: .refundReceipts).page
        #expect(page.rejects.isEmpty)
        #expect(page.observations.map(\.status) == [.refunded, .voided])
        let refund = page.observations[0]
        #expect(refund.key.description == "quickbooks:9130350000000001:refund:3101")
        #expect(refund.total?.decimalText == "150.00" && refund.customerName == "Acme Corp" && refund.reference == "CHK-2201")
        #expect(refund.documentDate?.description == "2025-04-28")
    }

    @Test func aQueryThatMatchedNothingIsAnEmptyPage() throws {
        let fetched = try quickBooksFixture("query-no-rows.json", entity: .invoices)
        #expect(fetched.count == 0 && fetched.page.observations.isEmpty && fetched.page.rejects.isEmpty)
    }

    @Test func aFaultSentWithHTTP200IsAFailedCallNotAnEmptyPage() throws {
        let error = #expect(throws: SourceError.self) { try quickBooksFixture("fault-with-200.json", entity: .invoices) }
        #expect(error?.exitCode == .dataError)
        #expect(error?.description.contains("QuickBooks answered with a fault (code 6000: A business validation error has occurred while processing your request: Business Validation Error: Unexpected Internal Error. (-30021))") == true,
                "\(error?.description ?? "")")
    }

    @Test func malformedJSONNamesLineAndColumn() throws {
        let source = QuickBooksSource(name: "qbo", settings: QuickBooksSettings(realmID: "1"), client: HTTPClient(transport: FixtureStub()), tokens: StaticTokenProvider(Secret("x")))
        let error = #expect(throws: SourceError.self) {
            try source.decodePage(Data(#"{"QueryResponse":{"Invoice":[{"Id":"1""#.utf8), entity: .invoices, startPosition: 1, today: CalendarDate(year: 2025, month: 5, day: 2)!)
        }
        #expect(error?.exitCode == .dataError)
        #expect(error?.description.contains("company 1 Invoice from 1, line 1 column") == true, "\(error?.description ?? "")")
    }
}

@Suite(.serialized) struct QuickBooksSourceTests {
    let realm = "9130350000000001"

    func makeSource(_ server: FakeQuickBooksServer, clock: VirtualClock = VirtualClock(), pageSize: Int = 100,
                    store: InMemoryCredentialStore = InMemoryCredentialStore(), refreshToken: String = "qbo-initial-refresh") -> QuickBooksSource {
        var settings = QuickBooksSettings(realmID: realm)
        settings.baseURL = server.baseURL
        settings.tokenURL = server.tokenURL
        settings.pageSize = pageSize
        let client = HTTPClient(transport: URLSessionTransport(), environment: clock.environment)
        let tokens = OAuth2RefreshTokenProvider(
            configuration: .init(label: "qbo", tokenURL: URL(string: server.tokenURL)!, clientID: Secret(server.clientID),
                                 clientSecret: Secret(server.clientSecret), seedRefreshToken: Secret(refreshToken), storeKey: "quickbooks:qbo:\(realm)"),
            store: store, client: client)
        return QuickBooksSource(name: "qbo", settings: settings, client: client, tokens: tokens)
    }

    func seeded(invoices count: Int) throws -> FakeQuickBooksServer {
        let server = try FakeQuickBooksServer(realms: [realm])
        let start = server.now.adding(milliseconds: -86_400_000 * 30)
        server.put(invoices: (1...max(count, 1)).prefix(count).map { number in
            FakeQuickBooksInvoice(id: String(number), docNumber: "INV-\(number)", txnDate: CalendarDate(year: 2025, month: 4, day: 1)!,
                                  dueDate: CalendarDate(year: 2025, month: 6, day: 1)!, total: Int64(number) * 100,
                                  created: start.adding(milliseconds: Int64(number) * 1000))
        }, realm: realm)
        return server
    }

    func readAll(_ source: QuickBooksSource, entity: QuickBooksEntity = .invoices, mode: ReadMode = .incremental(since: nil)) async throws -> [SourcePage] {
        var pages: [SourcePage] = []
        try await source.read(account: realm, entity: entity.rawValue, mode: mode) { pages.append($0) }
        return pages
    }

    @Test func pagesByStartPositionUntilAShortPage() async throws {
        let server = try seeded(invoices: 250)
        let pages = try await readAll(makeSource(server, pageSize: 100))
        #expect(pages.map(\.observations.count) == [100, 100, 50])
        #expect(pages.flatMap(\.observations).map(\.key.externalID) == (1...250).map(String.init), "oldest first")
        #expect(server.received.map { $0.query.components(separatedBy: "STARTPOSITION ").last! } == ["1 MAXRESULTS 100", "101 MAXRESULTS 100", "201 MAXRESULTS 100"])
        #expect(pages.last?.isLast == true)
    }

    @Test func incrementalReadsAskFromTheCursorInWholeSeconds() async throws {
        let server = try seeded(invoices: 10)
        let since = server.invoice("6", realm: realm)!.updated.adding(milliseconds: 250)
        let pages = try await readAll(makeSource(server), mode: .incremental(since: since))
        #expect(pages.flatMap(\.observations).map(\.key.externalID) == ["6", "7", "8", "9", "10"], "the second the cursor falls in is read again")
        let expected = "MetaData.LastUpdatedTime >= \(QuickBooksQuery.quoted(Timestamp(millisecondsSinceEpoch: since.millisecondsSinceEpoch - 250).iso8601))"
        #expect(server.received.first?.query.contains(expected) == true, "\(server.received.first?.query ?? "")")
    }

    @Test func anExpiredAccessTokenIsRefreshedWithBasicAuthAndTheRotatedTokenStored() async throws {
        let server = try seeded(invoices: 3)
        let store = InMemoryCredentialStore()
        let source = makeSource(server, store: store)
        _ = try await readAll(source)
        server.expireAccessTokens()
        let pages = try await readAll(source)
        #expect(pages.flatMap(\.observations).count == 3)
        #expect(server.tokenRefreshes == 2)
        let stored = try #require(store.all["quickbooks:qbo:\(realm):refresh_token"])
        #expect(server.validRefreshTokens == [stored.value.reveal()], "the rotated refresh token is the one kept")
    }

    @Test func aRevokedRefreshTokenIsExit77NamingTheCompanyAndTheCommand() async throws {
        let server = try seeded(invoices: 3)
        server.revokeRefreshTokens()
        let error = await #expect(throws: AuthenticationError.self) { try await readAll(makeSource(server)) }
        #expect(error?.exitCode == .authenticationFailed)
        #expect(error?.description.contains("invalid_grant") == true, "\(error?.description ?? "")")
    }

    @Test func aRefreshedTokenRefusedAgainSaysRunPaysyncAuth() async throws {
        let server = try seeded(invoices: 3)
        let source = makeSource(server)
        // The first call is served; the next read's call and its retry after a refresh both get 401.
        let refused = ServerReply.json(401, #"{"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token revoked","code":"3200"}],"type":"AUTHENTICATION"}}"#)
        server.inject(.init(pathSuffix: "/query", reply: refused, after: 1))
        server.inject(.init(pathSuffix: "/query", reply: refused))
        _ = try await readAll(source)
        let error = await #expect(throws: AuthenticationError.self) { try await readAll(source) }
        #expect(error?.exitCode == .authenticationFailed)
        #expect(error?.description.contains("QuickBooks company \(realm): refresh token expired or revoked; run `paysync auth quickbooks`") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("code 3200") == true, "Intuit's code is kept: \(error?.description ?? "")")
    }

    @Test func throttlingInXMLIsWaitedOutThenExit75WithIntuitsWords() async throws {
        let server = try seeded(invoices: 3)
        let clock = VirtualClock()
        // One throttled answer is waited out (60 s, Intuit's advice) and the call succeeds.
        server.inject(.init(pathSuffix: "/query", reply: FakeQuickBooksServer.throttled))
        let source = makeSource(server, clock: clock)
        let pages = try await readAll(source)
        #expect(pages.flatMap(\.observations).count == 3)
        #expect(clock.sleeps.contains { $0 >= .seconds(60) }, "waited Intuit's minute: \(clock.sleeps)")
        // Throttled on every retry: the run stops with exit 75 and Intuit's code and message.
        for _ in 0..<20 { server.inject(.init(pathSuffix: "/query", reply: FakeQuickBooksServer.throttled)) }
        let thrown = await #expect(throws: (any Error).self) { try await readAll(source) }
        let error = thrown as? any PaySyncError
        #expect(error?.exitCode == .temporaryFailure)
        #expect(error?.description.contains("code 3001: message=ThrottleExceeded; errorCode=003001; statusCode=429") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("<Fault") == false, "Intuit's words, not its XML")
    }

    @Test func aQueryTheServerRejectsIsExit65WithIntuitsDetail() async throws {
        let server = try seeded(invoices: 3)
        server.inject(.init(pathSuffix: "/query", reply: .json(400, #"{"Fault":{"Error":[{"Message":"Error parsing query","Detail":"QueryParserError: Encountered \" <EOF>","code":"4000","element":""}],"type":"ValidationFault"},"time":"2025-05-02T09:20:00.000-07:00"}"#)))
        let thrown = await #expect(throws: (any Error).self) { try await readAll(makeSource(server)) }
        let error = thrown as? any PaySyncError
        #expect(error?.exitCode == .dataError)
        #expect(error?.description.contains("code 4000: Error parsing query: QueryParserError") == true, "\(error?.description ?? "")")
    }

    @Test func refundReceiptsAreReadFromTheirOwnQuery() async throws {
        let server = try seeded(invoices: 3)
        let refund = try #require(server.refund(25_00, toCustomerOf: "2", realm: realm))
        let pages = try await readAll(makeSource(server), entity: .refundReceipts)
        #expect(pages.flatMap(\.observations).map { "\($0.key.externalID) \($0.status)" } == ["\(refund) refunded"])
        #expect(server.received.first?.query.hasPrefix("SELECT * FROM RefundReceipt ") == true)
    }

    @Test func everyCallPinsTheMinorVersionAndTheFakeParsesEveryQuery() async throws {
        let server = try seeded(invoices: 5)
        _ = try await readAll(makeSource(server, pageSize: 2), mode: .window(from: CalendarDate(year: 2025, month: 4, day: 1)!, until: CalendarDate(year: 2025, month: 5, day: 1)!))
        #expect(server.received.count == 3)
        #expect(server.received.allSatisfy { $0.minorVersion == String(QuickBooksSettings.minorVersion) })
        #expect(server.received.allSatisfy { $0.query.hasPrefix("SELECT * FROM Invoice WHERE TxnDate >= '2025-04-01' AND TxnDate < '2025-05-01'") })
    }
}
