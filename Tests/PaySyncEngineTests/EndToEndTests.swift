import PaySyncConnectors
import PaySyncSinks
import Foundation
import PaySyncCore
import PaySyncHTTP
@testable import PaySyncLedger
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// The engine end to end against a fake Xero, once per ledger backend: the SQLite file and the
/// PostgreSQL ledger keep the same promises through the same runs.
@Suite struct EndToEndTests {
    @Test(arguments: LedgerBackend.allCases)
    func firstRunWritesOneLinePerObjectAndARerunWritesNothing(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 260, pageSize: 100, backend: backend)
        let first = try await harness.run()
        #expect(first.exitCode == .success)
        let written = harness.writtenObjects
        #expect(written.count == harness.allObjectKeys.count)
        #expect(Set(written) == harness.allObjectKeys)
        #expect(first.written == written.count)
        #expect(first.summaryLine == "\(written.count) fetched, \(written.count) changed, \(written.count) written, 0 failed, 0 skipped as stale")

        harness.server.clearReceived()
        let second = try await harness.run()
        #expect(second.exitCode == .success)
        #expect(second.written == 0)
        #expect(second.counts.changedTotal == 0)
        #expect(harness.writtenObjects.count == written.count)
        // Nothing changed: one call per entity (the overlap fits in a page), each with If-Modified-Since.
        #expect(harness.server.calls(to: "/Invoices") == 1 && harness.server.calls(to: "/Payments") == 1)
        #expect(harness.server.received.filter { !$0.path.hasSuffix("/token") }.allSatisfy { $0.ifModifiedSince != nil })
        // Re-reading the overlap moved no cursor: the rerun's pages committed nothing.
        #expect(try await harness.ledger().cursorRuns() == [try #require(first.runID)])
        #expect(try await harness.ledger().count("transitions") == written.count)
    }

    @Test(arguments: LedgerBackend.allCases)
    func changingThreeInvoicesWritesExactlyThoseThree(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 120, backend: backend)
        _ = try await harness.run()
        let before = harness.lines.count
        let invoices = harness.server.invoices(tenant: harness.tenant).sorted { $0.invoiceNumber < $1.invoiceNumber }
        let open = try #require(invoices.first { $0.status == "AUTHORISED" && $0.amountPaid == 0 })
        let draft = try #require(invoices.first { $0.status == "DRAFT" })
        let moved = try #require(invoices.first { $0.status == "AUTHORISED" && $0.invoiceID != open.invoiceID })
        harness.server.updateInvoice(open.invoiceID, tenant: harness.tenant) { $0.status = "VOIDED" }
        harness.server.updateInvoice(draft.invoiceID, tenant: harness.tenant) { $0.status = "AUTHORISED" }
        harness.server.updateInvoice(moved.invoiceID, tenant: harness.tenant) { $0.dueDate = $0.dueDate.adding(days: 60) }

        let third = try await harness.run()
        let newLines = Array(harness.lines.dropFirst(before))
        #expect(newLines.count == 3)
        #expect(Set(newLines.compactMap { $0["record"]?.stringValue }) == [open.invoiceNumber, draft.invoiceNumber, moved.invoiceNumber])
        let voided = try #require(newLines.first { $0["record"]?.stringValue == open.invoiceNumber })
        #expect(voided["to"]?.stringValue == "voided")
        #expect(voided["changes"]?["status"]?["new"]?.stringValue == "voided")
        #expect(third.written == 3)
        #expect(third.counts.changedTotal == 3)
    }

    @Test(arguments: LedgerBackend.allCases)
    func aPaymentWritesTheInvoiceAndTheNewPaymentOnly(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 60, backend: backend)
        _ = try await harness.run()
        let before = harness.lines.count
        let open = try #require(harness.server.invoices(tenant: harness.tenant).first { $0.status == "AUTHORISED" && $0.amountPaid == 0 && $0.currency == "GBP" })
        let payment = try #require(harness.server.pay(invoice: open.invoiceID, amount: open.total, tenant: harness.tenant))
        _ = try await harness.run()
        let newLines = Array(harness.lines.dropFirst(before))
        #expect(Set(newLines.compactMap { $0["object"]?.stringValue }) == [
            "xero:\(harness.tenant):invoice:\(open.invoiceID)", "xero:\(harness.tenant):payment:\(payment)",
        ])
        let invoiceLine = try #require(newLines.first { $0["record"]?.stringValue == open.invoiceNumber })
        #expect(invoiceLine["to"]?.stringValue == "paid")
        #expect(invoiceLine["changes"]?["amount_due"]?["new"]?.stringValue == "0.00")
    }

    @Test(arguments: LedgerBackend.allCases)
    func rateLimitsOutagesAndTokenRotationOnTheWayAreAbsorbed(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 80, pageSize: 20, backend: backend)
        harness.server.inject(.init(pathSuffix: "/Invoices", reply: .status(429, headers: ["Retry-After": "7", "X-Rate-Limit-Problem": "minute"]), after: 1))
        harness.server.inject(.init(pathSuffix: "/Payments", reply: .status(503, body: "The Xero API is currently unavailable")))
        let first = try await harness.run()
        #expect(first.exitCode == .success)
        #expect(Set(harness.writtenObjects) == harness.allObjectKeys)
        #expect(harness.clock.sleeps.contains(.seconds(7)))

        // The refresh token rotated: the ledger holds the only one Xero now accepts.
        let stored = try await harness.ledger().credential(named: "xero:xero-test:refresh_token")
        #expect(harness.server.validRefreshTokens == [try #require(stored?.value.reveal())])

        // Later, the access token expires mid-life: one refresh (with the rotated token), no data lost.
        harness.server.expireAccessTokens()
        harness.clock.advance(by: .seconds(300))
        let open = try #require(harness.server.invoices(tenant: harness.tenant).first { $0.status == "AUTHORISED" && $0.amountPaid == 0 })
        harness.server.updateInvoice(open.invoiceID, tenant: harness.tenant) { $0.status = "VOIDED" }
        let second = try await harness.run()
        #expect(second.exitCode == .success)
        #expect(second.written == 1)
        #expect(harness.server.tokenRefreshes == 2)
        #expect(harness.server.validRefreshTokens == [try #require(try await harness.ledger().credential(named: "xero:xero-test:refresh_token")?.value.reveal())])
    }

    @Test(arguments: LedgerBackend.allCases)
    func aRevokedRefreshTokenIsExit77AndChangesNothing(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 30, backend: backend)
        harness.server.addValidRefreshToken("someone-elses")
        var configuration = harness.configuration
        var settings = try #require(configuration.sources[0].settings as? XeroSettings)
        settings.refreshToken = .environment("REVOKED")
        configuration.sources[0].settings = settings
        let report = try await Reconciler.run(
            configuration: configuration, options: RunOptions(ledgerPath: harness.ledgerPath),
            dependencies: EngineDependencies(environment: harness.clock.environment, transport: URLSessionTransport(),
                                             variables: harness.variables.merging(["REVOKED": "revoked-token"]) { $1 })
        )
        #expect(report.exitCode == .authenticationFailed)
        #expect(report.problems.first?.message.contains("refused the refresh token (invalid_grant)") == true)
        #expect(report.problems.first?.message.contains("revoked-token") == false)
        #expect(try await harness.ledger().count("objects") == 0)
        #expect(harness.lines.isEmpty)
    }

    @Test(arguments: LedgerBackend.allCases)
    func aRunThatStopsMidWayResumesFromTheLastCommittedPage(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 150, pageSize: 20, backend: backend)
        let invoiceCount = harness.server.invoices(tenant: harness.tenant).count
        // Page 3 of the invoices comes back broken: pages 1 and 2 are kept, page 3 is not.
        harness.server.inject(.init(pathSuffix: "/Invoices", reply: .json(200, #"{"Invoices":[{"InvoiceID":"#), after: 2))
        let broken = try await harness.run()
        #expect(broken.exitCode == .dataError)
        let ledger = try harness.ledger()
        #expect(try await ledger.count("objects") == 40 + harness.server.payments(tenant: harness.tenant).count)
        let cursor = try #require(try await ledger.cursor(provider: "xero", account: harness.tenant, entity: "invoices"))
        let sorted = harness.server.invoices(tenant: harness.tenant).sorted { ($0.updated, $0.invoiceID) < ($1.updated, $1.invoiceID) }
        #expect(cursor.position?.lastID == sorted[39].invoiceID)

        harness.server.clearReceived()
        let resumed = try await harness.run()
        #expect(resumed.exitCode == .success)
        #expect(Set(harness.writtenObjects) == harness.allObjectKeys)
        #expect(harness.writtenObjects.count == harness.allObjectKeys.count)
        // It resumed near page 3, not from the beginning.
        #expect(resumed.counts.fetched < invoiceCount)
    }

    @Test(arguments: LedgerBackend.allCases)
    func anObjectCommittedLateWithAnEarlierTimestampIsCaughtByTheOverlap(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 40, backend: backend)
        _ = try await harness.run()
        let cursor = try #require(try await harness.ledger().cursor(provider: "xero", account: harness.tenant, entity: "invoices")?.position)
        // Xero commits an invoice whose UpdatedDateUTC is 20 s before the object our cursor sits on.
        var late = try #require(harness.server.invoices(tenant: harness.tenant).first)
        late.invoiceID = "1a7e0000-0000-4000-a000-000000000001"
        late.invoiceNumber = "INV-LATE"
        late.updated = cursor.updatedAt.adding(milliseconds: -20_000)
        harness.server.put(invoices: [late], tenant: harness.tenant)
        let before = harness.lines.count
        _ = try await harness.run()
        #expect(harness.lines.dropFirst(before).compactMap { $0["record"]?.stringValue } == ["INV-LATE"])
    }

    @Test(arguments: LedgerBackend.allCases)
    func anObjectShiftedAcrossAPageBoundaryWhilePagingIsNotLost(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(pageSize: 10, backend: backend)
        var generator = XeroDataGenerator(seed: 3)
        let data = generator.dataset(objects: 60, start: harness.server.now.adding(milliseconds: -86_400_000))
        let invoices = Array(data.invoices.prefix(30))
        harness.server.put(invoices: invoices, tenant: harness.tenant)
        let sorted = invoices.sorted { ($0.updated, $0.invoiceID) < ($1.updated, $1.invoiceID) }
        // Between page 1 and page 2, someone edits an invoice on page 1: it moves to the end and the
        // first invoice of page 2 slides onto page 1, already read.
        harness.server.schedule(.init(pathSuffix: "/Invoices", beforeRequest: 2, tenant: harness.tenant, invoiceID: sorted[3].invoiceID))
        _ = try await harness.run()
        let slipped = "xero:\(harness.tenant):invoice:\(sorted[10].invoiceID)"
        #expect(!harness.writtenObjects.contains(slipped))  // what offset paging alone would lose for good
        let cursor = try await harness.ledger().cursor(provider: "xero", account: harness.tenant, entity: "invoices")
        #expect(cursor?.holdSince != nil)

        _ = try await harness.run()
        #expect(harness.writtenObjects.filter { $0 == slipped }.count == 1)
        let expected = Set(invoices.filter { $0.type == "ACCREC" }.map { "xero:\(harness.tenant):invoice:\($0.invoiceID)" })
        #expect(Set(harness.writtenObjects) == expected)
        #expect(harness.writtenObjects.count == expected.count)  // nothing written twice
        #expect(try await harness.ledger().cursor(provider: "xero", account: harness.tenant, entity: "invoices")?.holdSince == nil)
    }

    @Test(arguments: LedgerBackend.allCases)
    func aDryRunReportsTheWritesAndChangesNothingInTheLedger(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 50, backend: backend)
        let dry = try await harness.run(dryRun: true)
        #expect(dry.plannedWrites.count == harness.allObjectKeys.count)
        #expect(dry.written == harness.allObjectKeys.count)
        let ledger = try harness.ledger()
        for table in ["objects", "transitions", "outbox", "cursors", "runs"] {
            #expect(try await ledger.count(table) == 0, "\(table) was written by a dry run")
        }
        #expect(harness.lines.isEmpty)
        let real = try await harness.run()
        #expect(real.written == dry.written)
    }

    @Test(arguments: LedgerBackend.allCases)
    func sentInvoicesPastTheirDueDateBecomeOverdueWithoutAProviderChange(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(backend: backend)
        let sorted = XeroDataGenerator(seed: 1)
        _ = sorted
        let contact = FakeXeroContact(contactID: "c1", name: "Acme", email: "ap@acme.example")
        harness.server.put(invoices: [FakeXeroInvoice(
            invoiceID: "0d0e0000-0000-4000-a000-000000000001", invoiceNumber: "INV-DUE", status: "AUTHORISED", contact: contact,
            date: CalendarDate(year: 2025, month: 4, day: 3)!, dueDate: CalendarDate(year: 2025, month: 5, day: 3)!, currency: "GBP",
            subTotal: 10_000, totalTax: 2_000, lineItems: [], updated: harness.server.now.adding(milliseconds: -60_000)
        )], tenant: harness.tenant)
        _ = try await harness.run()
        #expect(harness.lines.last?["to"]?.stringValue == "sent")
        harness.clock.advance(by: .seconds(2 * 86_400))
        let report = try await harness.run()
        #expect(report.written == 1)
        #expect(harness.lines.last?["to"]?.stringValue == "overdue")
        #expect(harness.lines.last?["changes"]?["status"]?["old"]?.stringValue == "sent")
        let history = try await harness.ledger().history(of: "INV-DUE")
        #expect(history.first?.transitions.map(\.toStatus) == [.sent, .overdue])
        _ = try await harness.run()
        #expect(harness.lines.count == 2)  // overdue once, not every run
    }

    @Test(arguments: LedgerBackend.allCases)
    func unknownStatusesAndBadAmountsAreReportedAndTheRestIsWritten(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 30, backend: backend)
        var invoices = harness.server.invoices(tenant: harness.tenant).filter { $0.type == "ACCREC" && $0.currency == "GBP" }
            .sorted { $0.invoiceNumber < $1.invoiceNumber }.prefix(2).map { $0 }
        invoices[0].status = "ON_HOLD"
        invoices[0].updated = harness.server.tick()
        invoices[1].overrides = [("AmountDue", "12.345")]
        invoices[1].updated = harness.server.tick()
        harness.server.put(invoices: invoices, tenant: harness.tenant)
        let report = try await harness.run()
        #expect(report.exitCode == .dataError)
        #expect(report.counts.rejected == 1)
        #expect(report.unknownStatuses == ["xero ON_HOLD": 1])
        #expect(harness.writtenObjects.count == harness.allObjectKeys.count - 2)
        let ledger = try harness.ledger()
        #expect(try await ledger.history(of: invoices[0].invoiceNumber).first?.current.status == .unknown("ON_HOLD"))
        let rejects = try await ledger.recentRejects(limit: 5)
        #expect(rejects.first?.error.contains("AmountDue: 12.345 has more than 2 fraction digits") == true)
    }

    @Test(arguments: LedgerBackend.allCases)
    func aSinkThatCannotBeWrittenKeepsEverythingQueuedForTheNextRun(backend: LedgerBackend) async throws {
        let blocked = TemporaryDirectory()
        let harness = try EngineHarness(objects: 40, outbox: { var o = OutboxSettings(); o.retryBaseSeconds = 60; return o }(),
                                        sinkPath: blocked.file("missing-dir/writes.jsonl"), backend: backend)
        let first = try await harness.run()
        #expect(first.exitCode == .cannotCreate)
        #expect(first.pendingAfter == harness.allObjectKeys.count)
        #expect(first.problems.first?.message.contains("stay queued for the next run") == true)
        try FileManager.default.createDirectory(atPath: blocked.file("missing-dir"), withIntermediateDirectories: true)
        harness.clock.advance(by: .seconds(120))
        let second = try await harness.run()
        #expect(second.exitCode == .success)
        #expect(second.written == harness.allObjectKeys.count)
        let lines = blocked.read("missing-dir/writes.jsonl")?.split(separator: "\n") ?? []
        #expect(lines.count == harness.allObjectKeys.count)
    }
}

@Suite struct BackfillAndSweepTests {
    @Test(arguments: LedgerBackend.allCases)
    func backfillFindsWhatTheIncrementalFeedMissedAndReportsTheGap(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 80, backend: backend)
        _ = try await harness.run()
        // An invoice whose UpdatedDateUTC is far behind the cursor: no incremental read will see it.
        var hidden = try #require(harness.server.invoices(tenant: harness.tenant).first { $0.type == "ACCREC" })
        hidden.invoiceID = "41dd0000-0000-4000-a000-000000000001"
        hidden.invoiceNumber = "INV-HIDDEN"
        hidden.updated = Timestamp(iso: "2024-01-01T00:00:00Z")!
        harness.server.put(invoices: [hidden], tenant: harness.tenant)
        let incremental = try await harness.run()
        #expect(incremental.written == 0)

        let window = try await harness.run(.backfill(from: hidden.date.adding(days: -1), until: hidden.date.adding(days: 1)))
        #expect(window.written == 1)
        #expect(harness.lines.last?["record"]?.stringValue == "INV-HIDDEN")
        let report = try #require(window.windows.first { $0.entity == "invoices" })
        #expect(report.added == 1)
        #expect(report.hasGap)
        #expect(report.ledgerAfter == report.sourceCount)
        // Backfill never moves cursors.
        let before = try await harness.ledger().cursor(provider: "xero", account: harness.tenant, entity: "invoices")
        _ = try await harness.run(.backfill(from: CalendarDate(year: 2024, month: 1, day: 1)!, until: CalendarDate(year: 2026, month: 1, day: 1)!))
        #expect(try await harness.ledger().cursor(provider: "xero", account: harness.tenant, entity: "invoices")?.position == before?.position)
    }

    @Test(arguments: LedgerBackend.allCases)
    func aBackfillWithNothingChangedWritesNothing(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 100, pageSize: 30, backend: backend)
        _ = try await harness.run()
        let report = try await harness.run(.backfill(from: CalendarDate(year: 2024, month: 1, day: 1)!, until: CalendarDate(year: 2026, month: 1, day: 1)!))
        #expect(report.written == 0)
        #expect(report.counts.unchanged == harness.allObjectKeys.count)
        #expect(report.windows.allSatisfy { !$0.hasGap })
    }

    @Test(arguments: LedgerBackend.allCases)
    func anOlderSnapshotIsSkippedAsStaleNotRolledBack(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 40, backend: backend)
        _ = try await harness.run()
        var paid = try #require(harness.server.invoices(tenant: harness.tenant).first { $0.status == "PAID" })
        let known = try #require(try await harness.ledger().history(of: paid.invoiceNumber).first?.current)
        // A lagging replica serves an older version of a paid invoice.
        paid.status = "AUTHORISED"
        paid.updated = try #require(known.updatedAt).adding(milliseconds: -5_000)
        harness.server.put(invoices: [paid], tenant: harness.tenant)
        let report = try await harness.run(.backfill(from: paid.date, until: paid.date.adding(days: 1)))
        #expect(report.counts.stale == 1)
        #expect(report.written == 0)
        #expect(report.summaryLine.hasSuffix("1 skipped as stale"))
        #expect(try await harness.ledger().history(of: paid.invoiceNumber).first?.current.status == .paid)
    }

    @Test(arguments: LedgerBackend.allCases)
    func aSweepRunsWhenDueAndNotAgainBeforeItsInterval(backend: LedgerBackend) async throws {
        let harness = try EngineHarness(objects: 60, sweep: SweepSettings(everyHours: 24, windowDays: 400), backend: backend)
        let first = try await harness.run()
        #expect(first.windows.map(\.entity).sorted() == ["credit_notes", "invoices", "payments"])
        #expect(first.windows.allSatisfy { !$0.hasGap })
        harness.clock.advance(by: .seconds(3600))
        let second = try await harness.run()
        #expect(second.windows.isEmpty)
        harness.clock.advance(by: .seconds(24 * 3600))
        let third = try await harness.run()
        #expect(third.windows.count == 3)
    }
}
