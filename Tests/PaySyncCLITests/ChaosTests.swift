import Foundation
import PaySyncConnectors
import PaySyncCore
@testable import PaySyncLedger
import PaySyncTestSupport
import Testing

/// `make chaos` (and CI): the built `paysync` against a fake Xero that keeps changing (payments,
/// deleted payments, voids, renumbered invoices), a fake HubSpot that keeps only the last value
/// per record, and a webhook receiver that drops idempotency keys it has seen. Each round kills
/// the run with SIGKILL at a seeded fault point (after a page is fetched, after its commit,
/// after a rotated token is stored, before delivery, after a claim, after a send, after a
/// settle). After every kill the ledger passes `integrity_check`; at the end, after one clean
/// run, every deal holds the provider's truth, no idempotency key came back with a different
/// payload, and the refresh-token chain still works (the clean run could refresh).
///
/// Off in `make test` (it takes a few minutes); `PAYSYNC_CHAOS=1` turns it on (`make chaos`).
/// `PAYSYNC_CHAOS_ROUNDS` sets the number of kill points (default 100), `PAYSYNC_CHAOS_SEED`
/// the seed, `PAYSYNC_CHAOS_LEDGER=postgres` the PostgreSQL ledger instead of the SQLite file
/// (there, "integrity" is: every outbox row and transition points at an object, and every
/// object at its scope).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["PAYSYNC_CHAOS"] == "1"))
struct ChaosTests {
    static let labels = ["sent": "Awaiting payment", "overdue": "Overdue", "partially_paid": "Partially paid", "paid": "Paid",
                         "refunded": "Refunded", "voided": "Voided", "draft": "Draft", "failed": "Failed"]
    static let points = ["after-fetch", "after-page-commit", "after-token-store", "kill-before-delivery", "after-claim", "kill-after-send", "after-settle"]

    @Test func everyKillPointLosesNothingAndTheCRMEndsWithTheProvidersTruth() async throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = Int(environment["PAYSYNC_CHAOS_ROUNDS"] ?? "") ?? 100
        var random = SplitMix64(seed: UInt64(environment["PAYSYNC_CHAOS_SEED"] ?? "") ?? 2026)
        let tenant = "c4a05000-0000-4000-a000-00000000c4a0"
        let backend: LedgerBackend = environment["PAYSYNC_CHAOS_LEDGER"] == "postgres" ? .postgres : .sqlite
        let xero = try FakeXeroServer(tenants: [tenant])
        var generator = XeroDataGenerator(seed: 9)
        let data = generator.dataset(objects: 90, start: xero.now.adding(milliseconds: -86_400_000 * 20))
        xero.put(invoices: data.invoices, tenant: tenant)
        xero.put(payments: data.payments, tenant: tenant)
        xero.put(creditNotes: data.creditNotes, tenant: tenant)
        let hubspot = try FakeHubSpotServer(requestsPer10Seconds: 10_000)
        hubspot.defineDeals()
        let receiver = try WebhookReceiver(secret: "whsec_chaos_secret")
        let work = TemporaryDirectory(prefix: "paysync-chaos")
        let ledgerLocation = try backend.newLocation(in: work)
        let labels = JSONWriter.compact(.object(JSONObject(Self.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        work.write("paysync.json", """
            {
              "ledger": "\(ledgerLocation)",
              "sources": [{"name": "xero", "kind": "xero", "tenants": ["\(tenant)"],
                "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"env": "XERO_CLIENT_SECRET"}, "refresh_token": {"env": "XERO_REFRESH_TOKEN"},
                "base_url": "\(xero.apiBaseURL)", "token_url": "\(xero.tokenURL)", "page_size": 15, "rate_limit": {"per_minute": 100000, "concurrent": 5}}],
              "sinks": [
                {"name": "hubspot", "kind": "hubspot", "token": {"env": "HUBSPOT_TOKEN"}, "base_url": "\(hubspot.baseURL)", "requests_per_10_seconds": 10000,
                 "objects": {"invoice": {"object": "deals", "id_property": "invoice_number", "missing_record": "create",
                   "properties": {"payment_status": {"field": "status", "values": \(labels)}, "amount_paid": "amount_paid", "amount_due": "amount_due"}}}},
                {"name": "hook", "kind": "webhook", "url": "\(receiver.url)", "secret": {"env": "WEBHOOK_SECRET"}, "batch_size": 7}
              ],
              "http": {"max_retry_seconds": 5}
            }
            """)
        let variables = ["XERO_CLIENT_ID": xero.clientID, "XERO_CLIENT_SECRET": xero.clientSecret, "XERO_REFRESH_TOKEN": "initial-refresh-token",
                         "HUBSPOT_TOKEN": hubspot.token, "WEBHOOK_SECRET": "whsec_chaos_secret"]
        let start = Timestamp(iso: "2025-05-02T09:00:00Z")!
        var now = start
        func paysync(fault: String?) throws -> ProcessResult {
            var environment = variables
            environment["PAYSYNC_FAULT"] = fault
            return try ChildProcess(Repository.paysyncExecutable, ["reconcile", "--config", work.file("paysync.json"), "--now", now.iso8601, "--log-level", "error"],
                                    environment: environment, workingDirectory: work.path).wait()
        }
        func integrity() throws -> String {
            if backend == .postgres {
                let connection = try PGConnection(ledgerLocation)
                let orphans = try connection.execute("""
                    SELECT (SELECT count(*) FROM outbox o LEFT JOIN objects x ON x.id = o.object_id WHERE x.id IS NULL)
                         + (SELECT count(*) FROM transitions t LEFT JOIN objects x ON x.id = t.object_id WHERE x.id IS NULL)
                         + (SELECT count(*) FROM objects x LEFT JOIN scopes s ON s.id = x.scope WHERE s.id IS NULL)
                    """).scalar
                return orphans == "0" ? "ok" : "\(orphans ?? "?") rows point nowhere"
            }
            let database = try Database(path: ledgerLocation, create: false, readOnly: true)
            let statement = try database.statement("PRAGMA integrity_check", [])
            defer { statement.reset() }
            return try statement.step() ? statement.string(0) : "no answer"
        }

        var kills = 0
        var killsByPoint: [String: Int] = [:]
        for round in 0..<rounds {
            // The provider changes between runs.
            let open = xero.invoices(tenant: tenant).filter { $0.type == "ACCREC" && $0.status == "AUTHORISED" }
            let paid = xero.payments(tenant: tenant).filter { $0.status == "AUTHORISED" && $0.paymentType == "ACCRECPAYMENT" }
            for _ in 0..<(1 + random.below(3)) {
                let action = random.below(5)
                switch action {
                case 0 where !open.isEmpty, 1 where !open.isEmpty:
                    let invoice = open[random.below(open.count)]
                    // Half the amount due, in the currency's units (the fake keeps hundredths; yen are whole).
                    let unit: Int64 = invoice.currency == "JPY" ? 100 : 1
                    let amount = random.below(2) == 0 ? invoice.amountDue : max(unit, invoice.amountDue / 2 / unit * unit)
                    xero.pay(invoice: invoice.invoiceID, amount: amount, tenant: tenant, paymentID: "chaos-pay-\(round)-\(random.below(1_000_000))")
                case 2 where !paid.isEmpty:
                    xero.deletePayment(paid[random.below(paid.count)].paymentID, tenant: tenant)
                case 3 where !open.isEmpty:
                    xero.updateInvoice(open[random.below(open.count)].invoiceID, tenant: tenant) { $0.status = "VOIDED" }
                case 4 where !open.isEmpty:
                    xero.updateInvoice(open[random.below(open.count)].invoiceID, tenant: tenant) { $0.invoiceNumber = "INV-R\(round)-\(random.below(1000))" }
                default:
                    break
                }
            }
            // Tokens expire now and then, so refreshes (and rotations) happen mid-chaos.
            if random.below(3) == 0 { xero.expireAccessTokens() }
            now = now.adding(seconds: 1800)
            let point = Self.points[round % Self.points.count]
            // Points a run passes once (a token rotation, the start of delivery) die at their first hit.
            let once = point == "after-token-store" || point == "kill-before-delivery"
            let fault = "\(point)@\(once ? 1 : 1 + random.below(3))"
            let result = try paysync(fault: fault)
            if result.signalled {
                kills += 1
                killsByPoint[point, default: 0] += 1
                #expect(result.status == SIGKILL, "round \(round) \(fault)")
                #expect(try integrity() == "ok", "round \(round) \(fault)")
            } else {
                #expect(result.status == 0, "round \(round) \(fault): exit \(result.status): \(result.standardError)")
            }
        }

        // One clean run converges everything queued.
        now = now.adding(seconds: 1800)
        let final = try paysync(fault: nil)
        #expect(final.status == 0, "\(final.standardError)")  // it refreshed: no refresh token was stranded
        #expect(try integrity() == "ok")
        #expect(kills >= rounds / 2, "only \(kills) of \(rounds) runs reached their kill point: \(killsByPoint)")
        #expect(Set(killsByPoint.keys) == Set(Self.points), "\(killsByPoint)")

        // Every current invoice's deal holds what the provider says now.
        let today = now.utcDate
        var wrong: [String] = []
        for invoice in xero.invoices(tenant: tenant) where invoice.type == "ACCREC" {
            let status = XeroMapping.invoiceStatus(status: invoice.status, received: invoice.amountPaid, amountDue: invoice.amountDue,
                                                   dueDate: invoice.dueDate, today: today)
            let deal = hubspot.record("deals", where: "invoice_number", is: invoice.invoiceNumber)
            // The fake keeps every amount in hundredths; a yen amount is whole yen to paysync.
            func text(_ hundredths: Int64) -> String {
                invoice.currency == "JPY" ? DecimalText.format(minorUnits: hundredths / 100, exponent: 0) : DecimalText.format(minorUnits: hundredths, exponent: 2)
            }
            let expected = (Self.labels[status.rawValue], text(invoice.amountPaid), text(invoice.amountDue))
            let got = (deal?.properties["payment_status"], deal?.properties["amount_paid"], deal?.properties["amount_due"])
            if got.0 != expected.0 || got.1 != expected.1 || got.2 != expected.2 {
                wrong.append("\(invoice.invoiceNumber): want \(expected), deal has \(got)")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) deals differ from the provider: \(wrong.prefix(5))")
        #expect(receiver.conflicts.isEmpty, "idempotency keys reused for a different write: \(receiver.conflictDetails.prefix(2).joined(separator: "\n"))")
        #expect(receiver.badSignatures == 0)
        let ledger: any LedgerStore = backend == .postgres
            ? try PostgresLedger(url: ledgerLocation, now: RunEnvironment.live.now(), migrating: false)
            : try Ledger(path: ledgerLocation, create: false, readOnly: true)
        #expect(try await ledger.outboxCount(sink: nil, state: .pending) == 0)
        #expect(try await ledger.outboxCount(sink: nil, state: .sending) == 0)
        #expect(try await ledger.outboxCount(sink: nil, state: .dead) == 0)
        print("chaos (\(backend)): \(rounds) rounds, \(kills) kills \(killsByPoint.sorted { $0.key < $1.key }), \(receiver.repeats) repeats dropped by key")
    }
}
