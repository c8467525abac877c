import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncSinks
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine
@testable import PaySyncLedger

/// Xero → ledger → monday.com over real HTTP to a strict fake that keeps only the last value of
/// each column and measures complexity on the run's clock.
final class MondayHarness: Sendable {
    let tenant = "c0ffee00-0000-4000-a000-0000000000a7"
    let organisation: XeroOpenInvoices
    var xero: FakeXeroServer { organisation.xero }
    var invoices: [FakeXeroInvoice] { organisation.invoices }
    let monday: FakeMondayServer
    let directory = TemporaryDirectory(prefix: "paysync-monday")
    let clock = VirtualClock()
    let configuration: Configuration

    init(invoices count: Int, seeded: Int? = nil, create: Bool = false, budgetPerMinute: Int = 10_000_000, pageSize: Int = 500,
         voidedLabel: String = "Voided", perQueryLimit: Int = FakeMondayServer.perQueryLimit) throws {
        organisation = try XeroOpenInvoices(tenant: tenant, count: count, idPrefix: "5e")
        let invoices = organisation.invoices
        let clock = self.clock
        monday = try FakeMondayServer(budgetPerMinute: budgetPerMinute, pageSize: pageSize, perQueryLimit: perQueryLimit, clock: { clock.environment.now() })
        monday.seedItems(invoiceNumbers: invoices.prefix(seeded ?? count).map(\.invoiceNumber))
        var labels = CRMHarness.statusLabels
        labels["voided"] = voidedLabel
        let status = PropertyMapping(name: "status", field: .status, values: labels)
        let mapping = CRMObjectMapping(object: monday.board, idProperty: "text_invoice", missingRecord: create ? .create : .skip, properties: [
            status, PropertyMapping(name: "numbers_paid", field: .amountPaid), PropertyMapping(name: "date4", field: .lastPaymentDate),
        ], actions: [
            .failed: [.task(subject: try Template("Payment failed for {invoice_number} ({provider_status})"), body: nil)],
            .refunded: [.note(body: try Template("Refunded {amount_total} {currency} on {invoice_number}"))],
        ])
        var mondaySettings = MondaySettings(token: .environment("MONDAY_TOKEN"))
        mondaySettings.apiURL = monday.apiURL
        var outbox = OutboxSettings()
        outbox.retryBaseSeconds = 60
        configuration = Configuration(file: "monday.json", outbox: outbox, sources: [organisation.source], sinks: [
            .monday(name: "monday", mondaySettings, objects: [
                .invoice: ObjectMapping(key: [.field(.invoiceNumber)], fields: mapping.fields, crm: mapping),
                .payment: ObjectMapping(key: [.field(.invoiceNumber)], fields: FieldSet([.status]), crm: CRMObjectMapping(
                    object: monday.board, idProperty: "text_invoice", properties: [status], actions: mapping.actions)),
            ]),
        ])
    }

    var variables: [String: String] {
        organisation.variables.merging(["MONDAY_TOKEN": monday.token]) { $1 }
    }

    func run(sources: [any PaySyncConnectors.Source] = []) async throws -> RunReport {
        try await Reconciler.run(configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                                 dependencies: EngineDependencies(environment: clock.environment, transport: URLSessionTransport(), variables: variables),
                                 additionalSources: sources)
    }

    func ledger() throws -> Ledger { try Ledger(path: directory.file("paysync.db"), create: false) }

    func status(_ invoice: FakeXeroInvoice) -> JSONValue? { monday.item(invoiceNumber: invoice.invoiceNumber)?["status"] }
}

@Suite struct MondayEndToEndTests {
    @Test func twoHundredFiftyWritesGoInAFewAliasedRequestsAndTheIdsAreKept() async throws {
        let harness = try MondayHarness(invoices: 250)
        let first = try await harness.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        // The board's columns once, one search per batch of 100 keys, then the mutations 100 at a
        // time (the first request's complexity gives the price of one).
        #expect(harness.monday.requests.filter { $0 == "items" }.count == 3)
        #expect(harness.monday.requests.filter { $0 == "columns" }.count == 1)
        #expect(harness.monday.mutationsPerRequest == [100, 100, 50])
        #expect(first.crmCalls == 1 + 3 + 3)
        #expect(harness.status(harness.invoices[6]) == "Awaiting payment")

        harness.monday.clearCalls()
        for invoice in harness.invoices { harness.xero.pay(invoice: invoice.invoiceID, amount: invoice.total, tenant: harness.tenant, on: CalendarDate(year: 2025, month: 5, day: 1)) }
        harness.clock.advance(by: .seconds(300))
        let second = try await harness.run()
        #expect(second.exitCode == .success, "\(second.problems)")
        #expect(!harness.monday.requests.contains("items"))  // every item id was kept in the ledger
        #expect(harness.monday.mutationsPerRequest == [100, 100, 50])
        #expect(second.crmCalls == 1 + 3)  // the columns, then three requests
        for invoice in harness.invoices {
            let item = try #require(harness.monday.item(invoiceNumber: invoice.invoiceNumber))
            #expect(item["status"] == "Paid")
            #expect(item["numbers_paid"] == .string(DecimalText.format(minorUnits: invoice.total, exponent: 2)))
            #expect(item["date4"] == "2025-05-01")
            #expect(item["name"] == .string("Deal \(invoice.invoiceNumber)"))  // not mapped: untouched
        }

        harness.monday.clearCalls()
        #expect(try await harness.run().crmCalls == 0)
        #expect(harness.monday.requests.isEmpty)
    }

    @Test func aSmallComplexityBudgetIsWaitedForNeverOverspent() async throws {
        // 1,000,000 points a minute buy 50 updates at 20,000: 250 writes need five minutes.
        let harness = try MondayHarness(invoices: 250, budgetPerMinute: 1_000_000)
        let started = harness.clock.environment.now()
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        // The first request, unmeasured, asks for 2,000,000 and is refused whole; half of it is
        // measured, and from then on every request fits what is left: never refused again.
        #expect(harness.monday.budgetRefusals == 1)
        #expect(harness.invoices.allSatisfy { harness.status($0) == "Awaiting payment" })
        #expect(harness.clock.environment.now().millisecondsSinceEpoch - started.millisecondsSinceEpoch >= 4 * 60_000)
    }

    @Test func aBudgetRefusalIsWaitedOutAndTheRequestSentAgain() async throws {
        let harness = try MondayHarness(invoices: 5)
        harness.monday.inject(FakeMondayServer.budgetExhausted(retryIn: 7))
        let started = harness.clock.environment.now()
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.invoices.allSatisfy { harness.status($0) == "Awaiting payment" })
        #expect(harness.clock.environment.now().millisecondsSinceEpoch - started.millisecondsSinceEpoch >= 7_000)
    }

    @Test func aFirstRequestOverThePerQueryLimitIsHalvedNotLost() async throws {
        // 250 creations at 30,000 points: a request of 100 (3,000,000) fits, but the fake's
        // per-query limit is lowered to make the first guess too big.
        let harness = try MondayHarness(invoices: 40, seeded: 0, create: true, perQueryLimit: 700_000)
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.monday.itemCount == 40)
        #expect(harness.monday.mutationsPerRequest == [20, 20])  // 40 refused whole, then halved
        #expect(harness.monday.oversizeRefusals == 1)
    }

    @Test func anHTTP429IsWaitedOutAsItsRetryAfterSays() async throws {
        let harness = try MondayHarness(invoices: 5)
        harness.monday.inject(.json(429, #"{"errors":[{"message":"Rate limit exceeded","extensions":{"code":"RATE_LIMIT_EXCEEDED","retry_in_seconds":9}}]}"#,
                                    headers: ["Retry-After": "9"]))
        let started = harness.clock.environment.now()
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.invoices.allSatisfy { harness.status($0) == "Awaiting payment" })
        #expect(harness.clock.environment.now().millisecondsSinceEpoch - started.millisecondsSinceEpoch >= 9_000)
    }

    @Test func searchesPageThroughManyMatches() async throws {
        let harness = try MondayHarness(invoices: 60, pageSize: 25)
        #expect(try await harness.run().exitCode == .success)
        #expect(harness.monday.requests.filter { $0 == "next" }.count == 2)  // 60 items in pages of 25
        #expect(harness.invoices.allSatisfy { harness.status($0) == "Awaiting payment" })
    }

    @Test func missingItemsAreSkippedOrCreatedPerTheMapping() async throws {
        let skip = try MondayHarness(invoices: 5, seeded: 3)
        #expect(try await skip.run().exitCode == .success)
        #expect(skip.monday.itemCount == 3)
        let skipped = try await skip.ledger().outboxRows(states: [.skipped], sink: "monday", limit: 10)
        #expect(Set(skipped.map(\.recordKey)) == ["INV-00004", "INV-00005"])

        let create = try MondayHarness(invoices: 5, seeded: 3, create: true)
        #expect(try await create.run().exitCode == .success)
        #expect(create.monday.itemCount == 5)
        #expect(create.monday.item(invoiceNumber: "INV-00005")?["name"] == "INV-00005")
        create.monday.clearCalls()
        create.xero.pay(invoice: create.invoices[4].invoiceID, amount: create.invoices[4].total, tenant: create.tenant)
        #expect(try await create.run().exitCode == .success)
        #expect(!create.monday.requests.contains("items"))  // the created item's id was kept
        #expect(create.monday.itemCount == 5)
        #expect(create.status(create.invoices[4]) == "Paid")
    }

    @Test func aLabelTheBoardLacksFailsItsOwnAliasAndTheOthersArrive() async throws {
        let harness = try MondayHarness(invoices: 12, voidedLabel: "Cancelled")
        _ = try await harness.run()
        for invoice in harness.invoices.dropLast() { harness.xero.pay(invoice: invoice.invoiceID, amount: invoice.total, tenant: harness.tenant) }
        harness.xero.updateInvoice(harness.invoices.last!.invoiceID, tenant: harness.tenant) { $0.status = "VOIDED" }
        let report = try await harness.run()
        #expect(report.exitCode == .dataError)
        let dead = try await harness.ledger().outboxRows(states: [.dead], sink: "monday", limit: 10)
        #expect(dead.map(\.recordKey) == [harness.invoices.last!.invoiceNumber])
        #expect(dead.first?.lastError?.hasPrefix("monday.com ColumnValueException: This status label doesn't exist") == true)
        #expect(harness.invoices.dropLast().allSatisfy { harness.status($0) == "Paid" })
    }

    @Test func mondayDownForARunKeepsEverythingQueuedAndTheNextRunDeliversEachOnce() async throws {
        let harness = try MondayHarness(invoices: 30)
        harness.monday.setDown(true)
        let down = try await harness.run()
        #expect(down.exitCode == .unavailable)
        #expect(down.problems.contains { $0.message.contains("30 writes for monday stay queued for the next run") }, "\(down.problems)")
        harness.monday.setDown(false)
        harness.clock.advance(by: .seconds(3600))
        let next = try await harness.run()
        #expect(next.exitCode == .success, "\(next.problems)")
        #expect(harness.monday.mutationsPerRequest.reduce(0, +) == 30)
        #expect(harness.invoices.allSatisfy { harness.status($0) == "Awaiting payment" })
    }

    @Test func aRefundAddsAnUpdateToTheItemAndAFailedPaymentATaskUpdate() async throws {
        let harness = try MondayHarness(invoices: 3)
        let processor = ScriptedSource()
        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .pending, providerStatus: "processing", updated: 1_000)])
        _ = try await harness.run(sources: [processor])
        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .failed, providerStatus: "card_declined", updated: 2_000)])
        #expect(try await harness.run(sources: [processor]).exitCode == .success)
        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .refunded, providerStatus: "refunded", updated: 3_000)])
        #expect(try await harness.run(sources: [processor]).exitCode == .success)
        _ = try await harness.run(sources: [processor])
        #expect(harness.monday.updates.map(\.body) == ["Task: Payment failed for INV-00002 (card_declined)", "Refunded 120.00 GBP on INV-00002"])
        let ids = try await harness.ledger().crmRecordIDs(sink: "monday", object: harness.monday.board, keys: ["INV-00002"])
        #expect(Set(harness.monday.updates.map(\.item)) == [ids["INV-00002"]!])
    }
}
