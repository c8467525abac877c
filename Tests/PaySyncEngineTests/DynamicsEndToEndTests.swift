import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncSinks
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine
@testable import PaySyncLedger

/// Xero → ledger → Dataverse over real HTTP to a strict fake that keeps only the last value of
/// each column, compared with Xero's truth.
final class DynamicsHarness: Sendable {
    let tenant = "c0ffee00-0000-4000-a000-0000000000e5"
    let organisation: XeroOpenInvoices
    var xero: FakeXeroServer { organisation.xero }
    var invoices: [FakeXeroInvoice] { organisation.invoices }
    let dataverse: FakeDataverseServer
    let directory = TemporaryDirectory(prefix: "paysync-dynamics")
    let clock = VirtualClock()
    let configuration: Configuration

    /// Choice values of `contoso_paymentstatus` (the fake's option set is 100000000…100000007).
    static let statusValues = ["sent": "100000000", "overdue": "100000001", "partially_paid": "100000002", "paid": "100000003",
                               "failed": "100000004", "refunded": "100000005", "voided": "100000006", "draft": "100000007"]

    init(invoices count: Int, seeded: Int? = nil, create: Bool = false, statusValues: [String: String] = DynamicsHarness.statusValues) throws {
        organisation = try XeroOpenInvoices(tenant: tenant, count: count, idPrefix: "3c")
        let invoices = organisation.invoices
        dataverse = try FakeDataverseServer()
        dataverse.seed("contoso_invoices", invoices.prefix(seeded ?? count).map { ["contoso_name": .string("Invoice \($0.invoiceNumber)"), "contoso_invoicenumber": .string($0.invoiceNumber)] })
        let status = PropertyMapping(name: "contoso_paymentstatus", field: .status, values: statusValues, type: .number)
        let mapping = CRMObjectMapping(object: "contoso_invoices", idProperty: "contoso_invoicenumber", missingRecord: create ? .create : .skip, properties: [
            status,
            PropertyMapping(name: "contoso_amountpaid", field: .amountPaid),
            PropertyMapping(name: "contoso_amountdue", field: .amountDue),
            PropertyMapping(name: "contoso_lastpaymentdate", field: .lastPaymentDate),
        ], actions: [
            .failed: [.task(subject: try Template("Payment failed for {invoice_number} ({provider_status})"), body: nil)],
            .refunded: [.note(body: try Template("Refunded {amount_total} {currency} on {invoice_number}"))],
        ])
        var dynamics = DynamicsSettings(environmentURL: dataverse.environmentURL, tenantID: dataverse.tenantID,
                                        clientID: .environment("DYN_CLIENT_ID"), clientSecret: .environment("DYN_CLIENT_SECRET"))
        dynamics.authorityURL = dataverse.authorityURL
        var outbox = OutboxSettings()
        outbox.retryBaseSeconds = 60
        configuration = Configuration(file: "dynamics.json", outbox: outbox, sources: [organisation.source], sinks: [
            .dynamics(name: "dynamics", dynamics, objects: [
                .invoice: ObjectMapping(key: [.field(.invoiceNumber)], fields: mapping.fields, crm: mapping),
                .payment: ObjectMapping(key: [.field(.invoiceNumber)], fields: FieldSet([.status]), crm: CRMObjectMapping(
                    object: "contoso_invoices", idProperty: "contoso_invoicenumber", properties: [status], actions: mapping.actions)),
            ]),
        ])
    }

    var variables: [String: String] {
        organisation.variables.merging(["DYN_CLIENT_ID": dataverse.clientID, "DYN_CLIENT_SECRET": dataverse.clientSecret]) { $1 }
    }

    func run(sources: [any PaySyncConnectors.Source] = [], variables extra: [String: String] = [:]) async throws -> RunReport {
        try await Reconciler.run(configuration: configuration, options: RunOptions(ledgerPath: directory.file("paysync.db")),
                                 dependencies: EngineDependencies(environment: clock.environment, transport: URLSessionTransport(),
                                                                  variables: variables.merging(extra) { $1 }),
                                 additionalSources: sources)
    }

    func ledger() throws -> Ledger { try Ledger(path: directory.file("paysync.db"), create: false) }

    var batchSizes: [Int] { dataverse.batches.map(\.parts) }

    func row(_ invoice: FakeXeroInvoice) -> [String: JSONValue]? { dataverse.row("contoso_invoices", where: "contoso_invoicenumber", is: invoice.invoiceNumber)?.columns }
}

@Suite struct DynamicsEndToEndTests {
    @Test func twoHundredFiftyChangedInvoicesTakeOneBatchAndARerunNone() async throws {
        let harness = try DynamicsHarness(invoices: 250)
        let first = try await harness.run()
        #expect(first.exitCode == .success, "\(first.problems)")
        #expect(harness.batchSizes == [250])
        #expect(harness.row(harness.invoices[6])?["contoso_paymentstatus"] == .number("100000000"))

        harness.dataverse.clearCalls()
        for invoice in harness.invoices { harness.xero.pay(invoice: invoice.invoiceID, amount: invoice.total, tenant: harness.tenant, on: CalendarDate(year: 2025, month: 5, day: 1)) }
        let second = try await harness.run()
        #expect(second.exitCode == .success, "\(second.problems)")
        #expect(harness.batchSizes == [250])
        #expect(second.crmCalls == 1)  // the token is kept from the first run
        for invoice in harness.invoices {
            let row = try #require(harness.row(invoice))
            #expect(row["contoso_paymentstatus"] == .number("100000003"))
            #expect(row["contoso_amountpaid"] == .number(DecimalText.format(minorUnits: invoice.total, exponent: 2)))
            #expect(row["contoso_amountdue"] == .number("0.00"))
            #expect(row["contoso_lastpaymentdate"] == "2025-05-01")
            #expect(row["contoso_name"] == .string("Invoice \(invoice.invoiceNumber)"))  // not mapped: untouched
        }

        harness.dataverse.clearCalls()
        let third = try await harness.run()
        #expect(third.crmCalls == 0)
        #expect(harness.dataverse.batches.isEmpty)
        #expect(harness.dataverse.tokenRequests == 1)
        #expect(try await harness.ledger().outboxCount(sink: nil, state: .pending) == 0)
    }

    @Test func aRowDataverseLacksIsSkippedInTheSameBatchAndNeverCreated() async throws {
        let harness = try DynamicsHarness(invoices: 5, seeded: 3)
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.batchSizes == [5])
        #expect(harness.dataverse.rows("contoso_invoices").count == 3)
        #expect(harness.dataverse.rows("contoso_invoices").allSatisfy { $0["contoso_paymentstatus"] == .number("100000000") })
        let skipped = try await harness.ledger().outboxRows(states: [.skipped], sink: "dynamics", limit: 10)
        #expect(Set(skipped.map(\.recordKey)) == ["INV-00004", "INV-00005"])
        #expect(skipped.first?.lastError?.contains("Does Not Exist") == true)
    }

    @Test func aMappingThatCreatesUpsertsTheMissingRowsOnce() async throws {
        let harness = try DynamicsHarness(invoices: 5, seeded: 3, create: true)
        #expect(try await harness.run().exitCode == .success)
        #expect(harness.dataverse.rows("contoso_invoices").count == 5)
        harness.xero.pay(invoice: harness.invoices[4].invoiceID, amount: harness.invoices[4].total, tenant: harness.tenant)
        #expect(try await harness.run().exitCode == .success)
        #expect(harness.dataverse.rows("contoso_invoices").count == 5)
        #expect(harness.row(harness.invoices[4])?["contoso_paymentstatus"] == .number("100000003"))
    }

    @Test func oneValueOutsideTheChoiceIsDeadLetteredAndTheRestOfTheBatchArrives() async throws {
        var values = DynamicsHarness.statusValues
        values["voided"] = "100000009"  // not an option of the column
        let harness = try DynamicsHarness(invoices: 20, statusValues: values)
        _ = try await harness.run()
        harness.dataverse.clearCalls()
        for invoice in harness.invoices.dropLast() { harness.xero.pay(invoice: invoice.invoiceID, amount: invoice.total, tenant: harness.tenant) }
        harness.xero.updateInvoice(harness.invoices.last!.invoiceID, tenant: harness.tenant) { $0.status = "VOIDED" }
        let report = try await harness.run()
        #expect(report.exitCode == .dataError)
        #expect(harness.batchSizes == [20])  // one call; no splitting needed to find the culprit
        let dead = try await harness.ledger().outboxRows(states: [.dead], sink: "dynamics", limit: 10)
        #expect(dead.map(\.recordKey) == [harness.invoices.last!.invoiceNumber])
        #expect(dead.first?.lastError?.hasPrefix("Dataverse 0x8004431a: A validation error occurred. The value 100000009") == true)
        #expect(harness.invoices.dropLast().allSatisfy { harness.row($0)?["contoso_paymentstatus"] == .number("100000003") })
    }

    @Test func serviceProtectionsRetryAfterIsHonouredAndNothingIsSentTwice() async throws {
        let harness = try DynamicsHarness(invoices: 30)
        harness.dataverse.inject(FakeDataverseServer.serviceProtection(retryAfter: 7))
        let before = harness.clock.environment.now()
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.batchSizes == [30])
        #expect(harness.clock.environment.now().millisecondsSinceEpoch - before.millisecondsSinceEpoch >= 7_000)
        #expect(report.crmCalls == 3)  // the token, the refused batch, the batch
    }

    @Test func dataverseDownForARunKeepsEverythingQueuedAndTheNextRunDeliversEachOnce() async throws {
        let harness = try DynamicsHarness(invoices: 120)
        harness.dataverse.setDown(true)
        let down = try await harness.run()
        #expect(down.exitCode == .unavailable)
        #expect(down.problems.contains { $0.message.contains("120 writes for dynamics stay queued for the next run") }, "\(down.problems)")
        #expect(try await harness.ledger().outboxCount(sink: "dynamics", state: .pending) == 120)
        harness.dataverse.setDown(false)
        harness.clock.advance(by: .seconds(3600))
        let next = try await harness.run()
        #expect(next.exitCode == .success, "\(next.problems)")
        #expect(harness.batchSizes == [120])
        #expect(harness.invoices.allSatisfy { harness.row($0)?["contoso_paymentstatus"] == .number("100000000") })
    }

    @Test func aWrongClientSecretStopsWithExit77InEntraIDsWords() async throws {
        let harness = try DynamicsHarness(invoices: 3)
        let report = try await harness.run(variables: ["DYN_CLIENT_SECRET": "wrong~secret"])
        #expect(report.exitCode == .authenticationFailed, "\(report.problems)")
        let problem = try #require(report.problems.first { $0.exitCode == .authenticationFailed })
        #expect(problem.message.contains("invalid_client"), "\(problem.message)")
        #expect(problem.message.contains("AADSTS7000215"), "\(problem.message)")
        #expect(!problem.message.contains("wrong~secret"))
        #expect(try await harness.ledger().outboxCount(sink: "dynamics", state: .pending) == 3)
        #expect(harness.dataverse.batches.isEmpty)
    }

    @Test func anExpiredTokenIsRenewedOnce() async throws {
        let harness = try DynamicsHarness(invoices: 4)
        _ = try await harness.run()
        harness.dataverse.expireTokens()
        harness.xero.updateInvoice(harness.invoices[0].invoiceID, tenant: harness.tenant) { $0.status = "VOIDED" }
        let report = try await harness.run()
        #expect(report.exitCode == .success, "\(report.problems)")
        #expect(harness.row(harness.invoices[0])?["contoso_paymentstatus"] == .number("100000006"))
        #expect(harness.dataverse.tokenRequests == 2)
    }

    @Test func aFailedPaymentOpensOneTaskRegardingTheRowForItsOwnerAndARefundAddsANote() async throws {
        let harness = try DynamicsHarness(invoices: 3)
        let processor = ScriptedSource()
        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .pending, providerStatus: "processing", updated: 1_000)])
        _ = try await harness.run(sources: [processor])
        harness.dataverse.clearCalls()
        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .failed, providerStatus: "card_declined", updated: 2_000)])
        let failed = try await harness.run(sources: [processor])
        #expect(failed.exitCode == .success, "\(failed.problems)")
        let row = try #require(harness.dataverse.row("contoso_invoices", where: "contoso_invoicenumber", is: "INV-00002"))
        #expect(row.columns["contoso_paymentstatus"] == .number("100000004"))
        let tasks = harness.dataverse.rows("tasks")
        #expect(tasks.count == 1)
        #expect(tasks.first?["subject"] == "Payment failed for INV-00002 (card_declined)")
        #expect(tasks.first?["regardingobjectid_contoso_invoice_task"] == .string("/contoso_invoices(\(row.id))"))
        #expect(tasks.first?["ownerid"] == .string("/systemusers(\(harness.dataverse.owner))"))
        #expect(harness.dataverse.batches.map(\.methods) == [["PATCH"], ["GET"], ["POST"]])
        _ = try await harness.run(sources: [processor])
        #expect(harness.dataverse.rows("tasks").count == 1)  // no transition, no new task

        processor.set([processor.payment("pi_1", invoice: "INV-00002", status: .refunded, providerStatus: "refunded", updated: 3_000)])
        _ = try await harness.run(sources: [processor])
        let notes = harness.dataverse.rows("annotations")
        #expect(notes.count == 1)
        #expect(notes.first?["objectid_contoso_invoice"] == .string("/contoso_invoices(\(row.id))"))
        #expect(notes.first?["notetext"] == "Refunded 120.00 GBP on INV-00002")
    }
}
