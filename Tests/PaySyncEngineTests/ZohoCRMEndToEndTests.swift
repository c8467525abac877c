import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncSinks
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine
@testable import PaySyncLedger

/// Xero → ledger → Zoho CRM over real HTTP to a strict fake that keeps only the last value of
/// each field, compared with Xero's truth.
final class ZohoCRMHarness: Sendable {
    let tenant = "c0ffee00-0000-4000-a000-0000000000d4"
    let organisation: XeroOpenInvoices
    var xero: FakeXeroServer { organisation.xero }
    var invoices: [FakeXeroInvoice] { organisation.invoices }
    let zoho: FakeZohoCRMServer
    let directory = TemporaryDirectory(prefix: "paysync-zoho")
    let clock = VirtualClock()
    let configuration: Configuration

    /// - Parameters:
    ///   - seeded: how many of the invoices have a deal in Zoho (the first ones).
    ///   - create: whether the mapping creates missing deals (naming the mandatory fields).
    init(invoices count: Int, seeded: Int? = nil, create: Bool = false, accountsURL: ((FakeZohoCRMServer) -> String)? = nil) throws {
        organisation = try XeroOpenInvoices(tenant: tenant, count: count, idPrefix: "2b")
        let invoices = organisation.invoices
        zoho = try FakeZohoCRMServer()
        zoho.seed("Deals", invoices.prefix(seeded ?? count).map { ["Deal_Name": .string("Deal \($0.invoiceNumber)"), "Stage": "Negotiation/Review",
                                                                  "Invoice_Number": .string($0.invoiceNumber), "Owner": ["id": "5725767000000411002", "name": "Ann"]] })
        var properties = [
            PropertyMapping(name: "Payment_Status", field: .status, values: CRMHarness.statusLabels),
            PropertyMapping(name: "Amount_Paid", field: .amountPaid),
            PropertyMapping(name: "Amount_Due", field: .amountDue),
            PropertyMapping(name: "Last_Payment_Date", field: .lastPaymentDate),
        ]
        if create {
            properties += [PropertyMapping(name: "Deal_Name", field: .invoiceNumber),
                           PropertyMapping(name: "Stage", field: .status, values: ["sent": "Qualification", "paid": "Closed Won", "voided": "Closed Lost"])]
        }
        let mapping = CRMObjectMapping(object: "Deals", idProperty: "Invoice_Number", missingRecord: create ? .create : .skip, properties: properties, actions: [
            .failed: [.task(subject: try Template("Payment failed for {invoice_number} ({provider_status})"), body: nil)],
            .refunded: [.note(body: try Template("Refunded {amount_total} {currency} on {invoice_number}"))],
        ])
        var zohoSettings = ZohoCRMSettings(clientID: .environment("ZOHO_CLIENT_ID"), clientSecret: .environment("ZOHO_CLIENT_SECRET"), refreshToken: .environment("ZOHO_REFRESH_TOKEN"))
        zohoSettings.accountsURL = accountsURL?(zoho) ?? zoho.baseURL
        zohoSettings.triggers = ["workflow"]
        var outbox = OutboxSettings()
        outbox.retryBaseSeconds = 60
        configuration = Configuration(file: "zoho.json", outbox: outbox, sources: [organisation.source], sinks: [
            .zohoCRM(name: "zoho", zohoSettings, objects: [
                .invoice: ObjectMapping(key: [.field(.invoiceNumber)], fields: mapping.fields, crm: mapping),
                .payment: ObjectMapping(key: [.field(.invoiceNumber)], fields: FieldSet([.status]), crm: CRMObjectMapping(
                    object: "Deals", idProperty: "Invoice_Number", properties: [properties[0]], actions: mapping.actions)),
            ]),
        ])
    }

    var variables: [String: String] {
        organisation.variables.merging(["ZOHO_CLIENT_ID": zoho.clientID, "ZOHO_CLIENT_SECRET": zoho.clientSecret, "ZOHO_REFRESH_TOKEN": zoho.refreshToken]) { $1 }
    }

    func run(sources: [any PaySyncConnectors.Source] = [], variables extra: [String: String] = [:]) async throws -> RunReport {
        try await Reconciler.run(configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                                 dependencies: EngineDependencies(environment: clock.environment, transport: URLSessionTransport(),
                                                                  variables: variables.merging(extra) { $1 }),
                                 additionalSources: sources)
    }

    func ledger() throws -> Ledger { try Ledger(path: directory.file("paysync.db"), create: false) }

    var upserts: [Int] { zoho.calls.filter { $0.path.hasSuffix("/upsert") }.map(\.records) }

    func deal(_ invoice: FakeXeroInvoice) -> [String: JSONValue]? { zoho.record("Deals", where: "Invoice_Number", is: invoice.invoiceNumber) }
}

@Suite struct ZohoCRMEndToEndTests {
    @Test func twoHundredFiftyChangedInvoicesTakeThreeUpsertsAndOneTokenForEveryRun() async throws {
        let harness = try ZohoCRMHarness(invoices: 250)
        let first = try await harness.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(harness.upserts == [100, 100, 50])
        #expect(harness.deal(harness.invoices[6])?["Payment_Status"] == "Awaiting payment")

        harness.zoho.clearCalls()
        for invoice in harness.invoices { harness.xero.pay(invoice: invoice.invoiceID, amount: invoice.total, tenant: harness.tenant, on: CalendarDate(year: 2025, month: 5, day: 1)) }
        let second = try await harness.run()
        #expect(second.exitCode == .success, "\(second.problems)")
        #expect(harness.upserts == [100, 100, 50])
        #expect(second.crmCalls == 3)
        for invoice in harness.invoices {
            let deal = try #require(harness.deal(invoice))
            #expect(deal["Payment_Status"] == "Paid")
            #expect(deal["Amount_Paid"] == .number(DecimalText.format(minorUnits: invoice.total, exponent: 2)))
            #expect(deal["Amount_Due"] == .number("0.00"))
            #expect(deal["Last_Payment_Date"] == "2025-05-01")
            #expect(deal["Stage"] == "Negotiation/Review")  // not mapped: untouched
        }

        harness.zoho.clearCalls()
        let third = try await harness.run()
        #expect(third.crmCalls == 0)
        #expect(harness.zoho.calls.isEmpty)
        // Three runs, one access token: it is kept in the ledger for its hour (Zoho refuses an
        // eleventh token for the same refresh token within ten minutes).
        #expect(harness.zoho.tokenRequests == 1)
        #expect(try await harness.ledger().outboxCount(sink: nil, state: .pending) == 0)
    }

    @Test func aDealZohoDoesNotHaveIsSkippedAndNeverCreated() async throws {
        let harness = try ZohoCRMHarness(invoices: 5, seeded: 3)
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.upserts == [5])
        #expect(harness.zoho.records("Deals").count == 3)
        let skipped = try await harness.ledger().outboxRows(states: [.skipped], sink: "zoho", limit: 10)
        #expect(Set(skipped.map(\.recordKey)) == ["INV-00004", "INV-00005"])
        #expect(skipped.first?.lastError?.contains("no Deals record with Invoice_Number = INV-0000") == true)
        #expect(skipped.first?.lastError?.contains("MANDATORY_NOT_FOUND") == true)
    }

    @Test func aMappingThatCreatesMakesTheMissingDealsOnce() async throws {
        let harness = try ZohoCRMHarness(invoices: 5, seeded: 3, create: true)
        #expect(try await harness.run().exitCode == .success)
        #expect(harness.zoho.records("Deals").count == 5)
        let created = try #require(harness.zoho.record("Deals", where: "Invoice_Number", is: "INV-00005"))
        #expect(created["Deal_Name"] == "INV-00005")
        #expect(created["Stage"] == "Qualification")
        harness.xero.pay(invoice: harness.invoices[4].invoiceID, amount: harness.invoices[4].total, tenant: harness.tenant)
        #expect(try await harness.run().exitCode == .success)
        #expect(harness.zoho.records("Deals").count == 5)  // updated, not duplicated
        #expect(harness.zoho.record("Deals", where: "Invoice_Number", is: "INV-00005")?["Stage"] == "Closed Won")
    }

    @Test func aConcurrencyLimitIsWaitedOutAndEveryWriteArrivesOnce() async throws {
        let harness = try ZohoCRMHarness(invoices: 120)
        harness.zoho.inject(FakeZohoCRMServer.tooManyRequests, FakeZohoCRMServer.tooManyRequests)
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.upserts == [100, 20])  // the refused attempts carried no records the fake kept
        #expect(report.crmCalls == 5)  // the token, two refused attempts, two upserts
        #expect(harness.invoices.allSatisfy { harness.deal($0)?["Payment_Status"] == "Awaiting payment" })
    }

    @Test func zohoDownForARunKeepsEverythingQueuedAndTheNextRunDeliversEachOnce() async throws {
        let harness = try ZohoCRMHarness(invoices: 120)
        harness.zoho.setDown(true)
        let down = try await harness.run()
        #expect(down.exitCode == .unavailable)
        #expect(down.problems.contains { $0.message.contains("120 writes for zoho stay queued for the next run") }, "\(down.problems)")
        #expect(try await harness.ledger().outboxCount(sink: "zoho", state: .pending) == 120)
        harness.zoho.setDown(false)
        harness.zoho.clearCalls()
        harness.clock.advance(by: .seconds(3600))
        let next = try await harness.run()
        #expect(next.exitCode == .success, "\(next.problems)")
        #expect(harness.upserts == [100, 20])
        #expect(harness.invoices.allSatisfy { harness.deal($0)?["Payment_Status"] == "Awaiting payment" })
        #expect(try await harness.ledger().outboxCount(sink: nil, state: .pending) == 0)
    }

    @Test func anExpiredAccessTokenIsRenewedOnceMidRun() async throws {
        let harness = try ZohoCRMHarness(invoices: 10)
        _ = try await harness.run()
        harness.zoho.expireAccessTokens()
        harness.xero.updateInvoice(harness.invoices[0].invoiceID, tenant: harness.tenant) { $0.status = "VOIDED" }
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.deal(harness.invoices[0])?["Payment_Status"] == "Voided")
        #expect(harness.zoho.tokenRequests == 2)
    }

    @Test func aRefusedRefreshTokenAnsweredWithHTTP200StopsWithExit77AndKeepsTheWrites() async throws {
        let harness = try ZohoCRMHarness(invoices: 4)
        let report = try await harness.run(variables: ["ZOHO_REFRESH_TOKEN": "1000.revoked"])
        #expect(report.exitCode == .authenticationFailed, "\(report.problems)")
        let problem = try #require(report.problems.first { $0.exitCode == .authenticationFailed })
        #expect(problem.message.contains("refused the refresh token (invalid_code)"), "\(problem.message)")
        #expect(!problem.message.contains("1000.revoked"))
        #expect(!problem.message.contains("\n"))
        #expect(try await harness.ledger().outboxCount(sink: "zoho", state: .pending) == 4)
        #expect(harness.zoho.calls.isEmpty)
    }

    @Test func zohosTokenRateRefusalEndsTheRunWith75AndTheNextRunDelivers() async throws {
        let harness = try ZohoCRMHarness(invoices: 6)
        harness.zoho.exhaustTokenAllowance()
        let refused = try await harness.run()
        #expect(refused.exitCode == .temporaryFailure, "\(refused.problems)")
        let problem = try #require(refused.problems.first { $0.exitCode == .temporaryFailure })
        #expect(problem.message.contains("is refusing token requests for now (Access Denied: You have made too many requests continuously"), "\(problem.message)")
        #expect(harness.zoho.tokenRequests == 1)  // asked once, not hammered
        #expect(try await harness.ledger().outboxCount(sink: "zoho", state: .pending) == 6)

        harness.zoho.clearTokenAllowance()
        harness.clock.advance(by: .seconds(3600))
        let next = try await harness.run()
        #expect(next.exitCode == .success, "\(next.problems)")
        #expect(harness.upserts == [6])
    }

    @Test func aFailedPaymentOpensOneTaskForTheDealsOwnerAndARefundAddsANote() async throws {
        let harness = try ZohoCRMHarness(invoices: 3)
        let processor = ScriptedSource()
        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .pending, providerStatus: "processing", updated: 1_000)])
        _ = try await harness.run(sources: [processor])
        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .failed, providerStatus: "card_declined", updated: 2_000)])
        let failed = try await harness.run(sources: [processor])
        #expect(failed.exitCode == .success, "\(failed.problems)")
        let deal = try #require(harness.zoho.record("Deals", where: "Invoice_Number", is: "INV-00002"))
        #expect(deal["Payment_Status"] == "Failed")
        let tasks = harness.zoho.records("Tasks")
        #expect(tasks.count == 1)
        #expect(tasks.first?["Subject"] == "Payment failed for INV-00002 (card_declined)")
        #expect(tasks.first?["What_Id"]?["id"] == deal["id"])
        #expect(tasks.first?["$se_module"] == "Deals")
        #expect(tasks.first?["Owner"]?["id"] == "5725767000000411002")
        _ = try await harness.run(sources: [processor])
        #expect(harness.zoho.records("Tasks").count == 1)  // no transition, no new task

        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .refunded, providerStatus: "refunded", updated: 3_000)])
        _ = try await harness.run(sources: [processor])
        let notes = harness.zoho.records("Notes")
        #expect(notes.count == 1)
        #expect(notes.first?["Parent_Id"]?["id"] == deal["id"])
        #expect(notes.first?["Parent_Id"]?["module"]?["api_name"] == "Deals")
    }
}
