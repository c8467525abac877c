import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncSinks
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine
@testable import PaySyncLedger

/// Xero → ledger → Pipedrive over real HTTP to a strict fake that keeps only the last value of
/// each field and measures its limits on the run's clock.
final class PipedriveHarness: Sendable {
    let tenant = "c0ffee00-0000-4000-a000-0000000000f6"
    let organisation: XeroOpenInvoices
    var xero: FakeXeroServer { organisation.xero }
    var invoices: [FakeXeroInvoice] { organisation.invoices }
    let pipedrive: FakePipedriveServer
    let directory = TemporaryDirectory(prefix: "paysync-pipedrive")
    let clock = VirtualClock()
    let configuration: Configuration

    static let statusOptions = ["sent": "31", "overdue": "32", "partially_paid": "33", "paid": "34", "failed": "35", "refunded": "36", "voided": "37", "draft": "38"]

    init(invoices count: Int, seeded: Int? = nil, create: Bool = false, burstLimit: Int = 20, configuredBurst: Int = 20, dailyBudget: Int = 1_000_000,
         oauth: Bool = false) throws {
        organisation = try XeroOpenInvoices(tenant: tenant, count: count, idPrefix: "4d")
        let invoices = organisation.invoices
        let clock = self.clock
        pipedrive = try FakePipedriveServer(burstLimit: burstLimit, dailyBudget: dailyBudget, clock: { clock.environment.now() })
        pipedrive.seedDeals(invoiceNumbers: invoices.prefix(seeded ?? count).map(\.invoiceNumber))
        let status = PropertyMapping(name: FakePipedriveServer.paymentStatusKey, field: .status, values: PipedriveHarness.statusOptions, type: .number)
        let mapping = CRMObjectMapping(object: "deals", idProperty: FakePipedriveServer.invoiceNumberKey, missingRecord: create ? .create : .skip, properties: [
            status,
            PropertyMapping(name: FakePipedriveServer.amountPaidKey, field: .amountPaid),
            PropertyMapping(name: FakePipedriveServer.lastPaymentDateKey, field: .lastPaymentDate),
        ], actions: [
            .failed: [.task(subject: try Template("Payment failed for {invoice_number} ({provider_status})"), body: nil)],
            .refunded: [.note(body: try Template("Refunded {amount_total} {currency} on {invoice_number}"))],
        ])
        var pipedriveSettings = PipedriveSettings(authentication: oauth
            ? .oauth(clientID: .environment("PD_CLIENT_ID"), clientSecret: .environment("PD_CLIENT_SECRET"), refreshToken: .environment("PD_REFRESH"))
            : .apiToken(.environment("PIPEDRIVE_TOKEN")))
        pipedriveSettings.baseURL = oauth ? "https://unused.example" : pipedrive.baseURL  // OAuth calls go to the token's api_domain
        pipedriveSettings.tokenURL = pipedrive.tokenURL
        pipedriveSettings.requestsPer2Seconds = configuredBurst
        var outbox = OutboxSettings()
        outbox.retryBaseSeconds = 60
        configuration = Configuration(file: "pipedrive.json", outbox: outbox, sources: [organisation.source], sinks: [
            .pipedrive(name: "pipedrive", pipedriveSettings, objects: [
                .invoice: ObjectMapping(key: [.field(.invoiceNumber)], fields: mapping.fields, crm: mapping),
                .payment: ObjectMapping(key: [.field(.invoiceNumber)], fields: FieldSet([.status]), crm: CRMObjectMapping(
                    object: "deals", idProperty: FakePipedriveServer.invoiceNumberKey, properties: [status], actions: mapping.actions)),
            ]),
        ])
    }

    var variables: [String: String] {
        organisation.variables.merging(["PIPEDRIVE_TOKEN": pipedrive.token,
         "PD_CLIENT_ID": pipedrive.oauthClientID, "PD_CLIENT_SECRET": pipedrive.oauthClientSecret, "PD_REFRESH": pipedrive.oauthRefreshToken]) { $1 }
    }

    func run(sources: [any PaySyncConnectors.Source] = []) async throws -> RunReport {
        try await Reconciler.run(configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                                 dependencies: EngineDependencies(environment: clock.environment, transport: URLSessionTransport(), variables: variables),
                                 additionalSources: sources)
    }

    func ledger() throws -> Ledger { try Ledger(path: directory.file("paysync.db"), create: false) }

    func status(_ invoice: FakeXeroInvoice) -> JSONValue? { pipedrive.deal(invoiceNumber: invoice.invoiceNumber)?["custom_fields"]?[FakePipedriveServer.paymentStatusKey] }
}

@Suite struct PipedriveEndToEndTests {
    @Test func twoHundredFiftyWritesSearchOncePerKeyThenUpdateByTheKeptIdAlone() async throws {
        let harness = try PipedriveHarness(invoices: 250)
        let first = try await harness.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(harness.pipedrive.updates == 250)
        #expect(harness.pipedrive.searches == 250)  // one per key never seen
        #expect(first.crmCalls == 500)
        #expect(harness.status(harness.invoices[6]) == .number("31"))

        harness.pipedrive.clearCalls()
        for invoice in harness.invoices { harness.xero.pay(invoice: invoice.invoiceID, amount: invoice.total, tenant: harness.tenant, on: CalendarDate(year: 2025, month: 5, day: 1)) }
        harness.clock.advance(by: .seconds(300))  // the next cron run
        let second = try await harness.run()
        #expect(second.exitCode == .success, "\(second.problems)")
        #expect(harness.pipedrive.updates == 250)
        #expect(harness.pipedrive.searches == 0)  // every id was kept in the ledger
        #expect(second.crmCalls == 250)
        for invoice in harness.invoices {
            let custom = try #require(harness.pipedrive.deal(invoiceNumber: invoice.invoiceNumber)?["custom_fields"])
            #expect(custom[FakePipedriveServer.paymentStatusKey] == .number("34"))
            #expect(custom[FakePipedriveServer.amountPaidKey] == .number(DecimalText.format(minorUnits: invoice.total, exponent: 2)))
            #expect(custom[FakePipedriveServer.lastPaymentDateKey] == "2025-05-01")
        }
        // 500 calls at the Lite plan's 20 per 2 seconds: the limit was kept, never hit.
        #expect(harness.pipedrive.burstRefusals == 0)

        harness.pipedrive.clearCalls()
        let third = try await harness.run()
        #expect(third.crmCalls == 0)
        #expect(harness.pipedrive.calls.isEmpty)
    }

    @Test func aDealPipedriveLacksIsSkippedAndADeletedOneIsLookedForAgain() async throws {
        let harness = try PipedriveHarness(invoices: 5, seeded: 3)
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.pipedrive.searches == 5)
        #expect(harness.pipedrive.updates == 3)
        #expect(harness.pipedrive.dealCount == 3)
        let skipped = try await harness.ledger().outboxRows(states: [.skipped], sink: "pipedrive", limit: 10)
        #expect(Set(skipped.map(\.recordKey)) == ["INV-00004", "INV-00005"])

        // A deal deleted in Pipedrive after its id was kept: the PATCH's 404 forgets the id, the
        // search finds nothing, and the write is skipped rather than failed.
        harness.pipedrive.deleteDeal(invoiceNumber: "INV-00001")
        harness.pipedrive.clearCalls()
        harness.xero.pay(invoice: harness.invoices[0].invoiceID, amount: harness.invoices[0].total, tenant: harness.tenant)
        let again = try await harness.run()
        #expect(again.exitCode == .success, "\(again.problems)")
        #expect(harness.pipedrive.calls.map(\.method) == ["PATCH", "GET"])
        #expect(try await harness.ledger().crmRecordIDs(sink: "pipedrive", object: "deals", keys: ["INV-00001"]).isEmpty)
    }

    @Test func aMappingThatCreatesMakesTheDealOnceAndThenUpdatesIt() async throws {
        let harness = try PipedriveHarness(invoices: 2, seeded: 0, create: true)
        #expect(try await harness.run().exitCode == .success)
        #expect(harness.pipedrive.dealCount == 2)
        #expect(harness.pipedrive.deal(invoiceNumber: "INV-00002")?["title"] == "INV-00002")
        harness.pipedrive.clearCalls()
        harness.xero.pay(invoice: harness.invoices[1].invoiceID, amount: harness.invoices[1].total, tenant: harness.tenant)
        #expect(try await harness.run().exitCode == .success)
        #expect(harness.pipedrive.calls.map(\.method) == ["PATCH"])  // by the id kept at creation
        #expect(harness.pipedrive.dealCount == 2)
        #expect(harness.status(harness.invoices[1]) == .number("34"))
    }

    @Test func aSpentDailyBudgetDefersTheRestWithoutCountingAnAttemptAndTheNextDayDeliversEachOnce() async throws {
        // Each first write costs a search (40) and an update (10): 500 tokens buy 10 of 20.
        let harness = try PipedriveHarness(invoices: 20, dailyBudget: 500)
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")  // the source progressed; the sink paused
        #expect(report.paused.contains { $0.contains("pipedrive: Pipedrive's daily API budget is spent") && $0.contains("10 writes stay queued") }, "\(report.paused)")
        #expect(harness.pipedrive.updates == 10)
        let pending = try await harness.ledger().outboxRows(states: [.pending], sink: "pipedrive", limit: 50)
        #expect(pending.count == 10)
        #expect(pending.allSatisfy { $0.attempts == 0 })  // deferred, not failed

        harness.pipedrive.setBudget(1_000_000)
        harness.pipedrive.clearCalls()
        let next = try await harness.run()
        #expect(next.exitCode == .success, "\(next.problems)")
        #expect(harness.pipedrive.updates == 10)  // the other ten, once each
        #expect(harness.invoices.allSatisfy { harness.status($0) == .number("31") })
        #expect(try await harness.ledger().outboxCount(sink: nil, state: .pending) == 0)
    }

    @Test func aBurstLimitSetTooHighIsCorrectedByPipedrives429AndNothingIsLost() async throws {
        let harness = try PipedriveHarness(invoices: 40, burstLimit: 20, configuredBurst: 200)
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.pipedrive.burstRefusals > 0)
        #expect(harness.pipedrive.updates == 40)
        #expect(harness.invoices.allSatisfy { harness.status($0) == .number("31") })
    }

    @Test func pipedriveDownForARunKeepsEverythingQueuedAndTheNextRunDeliversEachOnce() async throws {
        let harness = try PipedriveHarness(invoices: 30)
        harness.pipedrive.setDown(true)
        let down = try await harness.run()
        #expect(down.exitCode == .unavailable)
        #expect(down.problems.contains { $0.message.contains("30 writes for pipedrive stay queued for the next run") }, "\(down.problems)")
        harness.pipedrive.setDown(false)
        harness.clock.advance(by: .seconds(3600))
        let next = try await harness.run()
        #expect(next.exitCode == .success, "\(next.problems)")
        #expect(harness.pipedrive.updates == 30)
        #expect(harness.invoices.allSatisfy { harness.status($0) == .number("31") })
    }

    @Test func anOAuthAppWritesToItsAPIDomainAndItsRotatedRefreshTokenCarriesOn() async throws {
        let harness = try PipedriveHarness(invoices: 6, oauth: true)
        let first = try await harness.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(harness.pipedrive.updates == 6)
        #expect(harness.pipedrive.tokenRequests == 1)
        // The access token expires; the refresh token Pipedrive rotated is the one used next.
        harness.pipedrive.expireAccessTokens()
        harness.xero.pay(invoice: harness.invoices[0].invoiceID, amount: harness.invoices[0].total, tenant: harness.tenant)
        let second = try await harness.run()
        #expect(second.exitCode == .success, "\(second.problems)")
        #expect(harness.pipedrive.tokenRequests == 2)
        #expect(harness.status(harness.invoices[0]) == .number("34"))
    }

    @Test func aFailedPaymentOpensOneTaskForTheDealsOwnerAndARefundAddsANote() async throws {
        let harness = try PipedriveHarness(invoices: 3)
        let processor = ScriptedSource()
        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .pending, providerStatus: "processing", updated: 1_000)])
        _ = try await harness.run(sources: [processor])
        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .failed, providerStatus: "card_declined", updated: 2_000)])
        let failed = try await harness.run(sources: [processor])
        #expect(failed.exitCode == .success, "\(failed.problems)")
        let deal = try #require(harness.pipedrive.deal(invoiceNumber: "INV-00002"))
        #expect(harness.pipedrive.activities.count == 1)
        let activity = try #require(harness.pipedrive.activities.first)
        #expect(activity["subject"] == "Payment failed for INV-00002 (card_declined)")
        #expect(activity["type"] == "task")
        #expect(activity["deal_id"] == deal["id"])
        #expect(activity["owner_id"] == .number(String(harness.pipedrive.owner)))
        _ = try await harness.run(sources: [processor])
        #expect(harness.pipedrive.activities.count == 1)

        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .refunded, providerStatus: "refunded", updated: 3_000)])
        _ = try await harness.run(sources: [processor])
        #expect(harness.pipedrive.notes.count == 1)
        #expect(harness.pipedrive.notes.first?["deal_id"] == deal["id"])
        #expect(harness.pipedrive.notes.first?["content"] == "Refunded 120.00 GBP on INV-00002")
    }
}
