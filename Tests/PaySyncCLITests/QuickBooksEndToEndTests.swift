import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// `paysync reconcile` (the built binary) against the fake QuickBooks, with a jsonl sink that
/// keeps every write: a first sync, a rerun that writes nothing, a payment applied and then
/// voided (two transitions, two writes), and the rotated refresh token kept across runs.
@Suite(.serialized) struct QuickBooksEndToEndTests {
    let realm = "9130350000000001"

    final class Setup: Sendable {
        let server: FakeQuickBooksServer
        let directory = TemporaryDirectory(prefix: "paysync-qbo")

        init(realm: String, invoices: Int = 30, secondRealm: String? = nil) throws {
            server = try FakeQuickBooksServer(realms: [realm] + (secondRealm.map { [$0] } ?? []))
            let start = server.now.adding(milliseconds: -86_400_000 * 10)
            for (prefix, company) in [("Q", realm)] + (secondRealm.map { [("R", $0)] } ?? []) {
                server.put(invoices: (1...invoices).map { number in
                    var invoice = FakeQuickBooksInvoice(id: String(100 + number), docNumber: "\(prefix)-\(1000 + number)", txnDate: CalendarDate(year: 2025, month: 4, day: 20)!,
                                                        dueDate: CalendarDate(year: number.isMultiple(of: 3) ? 2025 : 2099, month: 4, day: 1)!,
                                                        total: Int64(number) * 10_000, created: start.adding(milliseconds: Int64(number) * 60_000))
                    if number.isMultiple(of: 5) { invoice.balance = 0 }
                    return invoice
                }, realm: company)
            }
            if secondRealm != nil { server.authorise(refreshToken: "qbo-second-refresh") }
            configure(realms: [realm])
        }

        /// Writes the config: one source entry per company (each its own refresh token).
        func configure(realms: [String], http: String = #"{"max_retry_seconds": 20}"#) {
            let sources = realms.enumerated().map { index, realm in
                """
                {
                    "name": "qbo\(index == 0 ? "" : "-\(index + 1)")", "kind": "quickbooks", "realm_id": "\(realm)",
                    "client_id": {"env": "QBO_CLIENT_ID"}, "client_secret": {"env": "QBO_CLIENT_SECRET"},
                    "refresh_token": {"env": "QBO_REFRESH_TOKEN\(index == 0 ? "" : "_\(index + 1)")"},
                    "base_url": "\(server.baseURL)", "token_url": "\(server.tokenURL)", "page_size": 10,
                    "timezone": "America/Los_Angeles"
                  }
                """
            }
            directory.write("paysync.json", """
                {
                  "ledger": "paysync.db",
                  "sources": [\(sources.joined(separator: ", "))],
                  "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}],
                  "http": \(http)
                }
                """)
        }

        func reconcile(_ extra: [String] = []) throws -> ProcessResult {
            try paysync(["reconcile"] + extra)
        }

        func paysync(_ arguments: [String]) throws -> ProcessResult {
            try ChildProcess(Repository.paysyncExecutable, arguments + ["--config", directory.file("paysync.json")],
                             environment: ["QBO_CLIENT_ID": server.clientID, "QBO_CLIENT_SECRET": server.clientSecret,
                                           "QBO_REFRESH_TOKEN": "qbo-initial-refresh", "QBO_REFRESH_TOKEN_2": "qbo-second-refresh"],
                             workingDirectory: directory.path).wait()
        }

        /// Every line written so far, as (record, to).
        var writes: [(record: String, to: String)] {
            (directory.read("writes.jsonl") ?? "").split(separator: "\n").compactMap { line in
                guard let json = try? JSONParser.parse(String(line)), let record = json["record"]?.stringValue, let to = json["to"]?.stringValue else { return nil }
                return (record, to)
            }
        }
    }

    @Test func firstSyncRerunAndAPaymentAppliedThenVoided() async throws {
        let setup = try Setup(realm: realm)
        let first = try setup.reconcile()
        #expect(first.status == 0, "\(first.standardError)")
        let invoices = setup.writes.filter { $0.record.hasPrefix("Q-") }
        #expect(invoices.count == 30)
        #expect(invoices.filter { $0.to == "paid" }.count == 6)
        #expect(invoices.filter { $0.to == "overdue" }.count == 8, "due in 2025 and unpaid: 8 of the 10 multiples of 3 (15 and 30 are paid)")
        #expect(invoices.filter { $0.to == "sent" }.count == 16)
        // 30 invoices at 10 a page: 4 calls (the last one short, here empty); no payments and no
        // credit memos yet: 1 call each.
        #expect(setup.server.received.count == 6)

        setup.server.clearReceived()
        let rerun = try setup.reconcile()
        #expect(rerun.status == 0, "\(rerun.standardError)")
        #expect(setup.writes.count == 30, "a rerun writes nothing")
        #expect(setup.server.received.filter { $0.query.contains("FROM Invoice") }.allSatisfy { $0.query.contains("MetaData.LastUpdatedTime >= ") },
                "the rerun reads invoices from their cursor")

        let payment = try #require(setup.server.pay(invoice: "101", amount: 4_000, realm: realm))
        let third = try setup.reconcile()
        #expect(third.status == 0, "\(third.standardError)")
        #expect(setup.writes.suffix(from: 30).filter { $0.record == "Q-1001" }.map(\.to) == ["partially_paid"])

        setup.server.voidPayment(payment, realm: realm)
        let fourth = try setup.reconcile()
        #expect(fourth.status == 0, "\(fourth.standardError)")
        #expect(setup.writes.filter { $0.record == "Q-1001" }.map(\.to) == ["sent", "partially_paid", "sent"], "the void moves it back")
        #expect(setup.writes.filter { $0.record == payment }.map(\.to) == ["paid", "voided"])
        // Each run refreshed with the token the previous one stored (Intuit rotates them).
        #expect(setup.server.tokenRefreshes <= 4 && setup.server.validRefreshTokens.count == 1)
    }

    /// Deleted objects vanish from QuickBooks' lists: change data capture names those of the last
    /// 30 days (a run then voids them), and a backfill or sweep finds older ones by comparing a
    /// window with the ledger.
    @Test func deletionsBecomeVoidedThroughChangeDataCaptureAndTheSweep() async throws {
        let setup = try Setup(realm: realm)
        // The runs' clock near the fake's, so the cursors lie within change data capture's 30 days.
        func now() -> [String] { ["--now", setup.server.now.adding(milliseconds: 60_000).iso8601] }
        #expect(try setup.reconcile(now()).status == 0)
        let payment = try #require(setup.server.pay(invoice: "101", amount: 4_000, realm: realm))
        #expect(try setup.reconcile(now()).status == 0)
        #expect(setup.writes.suffix(2).map(\.to).sorted() == ["paid", "partially_paid"])

        setup.server.deletePayment(payment, realm: realm)
        setup.server.deleteInvoice("110", realm: realm)
        setup.server.clearReceived()
        let afterDeletes = try setup.reconcile(now())
        #expect(afterDeletes.status == 0, "\(afterDeletes.standardError)")
        #expect(setup.server.received.filter { $0.query.hasPrefix("CDC ") }.map(\.query).sorted() == ["CDC CreditMemo", "CDC Invoice", "CDC Payment"])
        #expect(setup.writes.filter { $0.record == payment }.map(\.to) == ["paid", "voided"])
        #expect(setup.writes.filter { $0.record == "Q-1001" }.map(\.to) == ["sent", "partially_paid", "sent"])
        #expect(setup.writes.filter { $0.record == "Q-1010" }.last?.to == "voided")
        let written = setup.writes.count

        // An invoice deleted without the feed seeing it (as beyond its 30 days): the window finds it.
        setup.server.deleteInvoice("111", realm: realm)
        let backfill = try setup.paysync(["backfill", "--since", "2025-04-01", "--until", "2025-05-01"] + now())
        #expect(backfill.status == 0, "\(backfill.standardError)")
        #expect(setup.writes.suffix(from: written).map { "\($0.record) \($0.to)" } == ["Q-1011 voided"])
        // Deleted objects are not deleted again.
        #expect(try setup.reconcile(now()).status == 0)
        #expect(setup.writes.count == written + 1)
    }

    /// In a window, an object QuickBooks returned but paysync could not read was not deleted.
    @Test func aWindowDoesNotTakeAnUnreadableObjectForADeletedOne() async throws {
        let setup = try Setup(realm: realm, invoices: 2)
        func now() -> [String] { ["--now", setup.server.now.adding(milliseconds: 60_000).iso8601] }
        #expect(try setup.reconcile(now()).status == 0)
        // The window's page: invoice 101 as usual, 102 with an amount USD cannot hold.
        let good = try #require(setup.server.invoice("101", realm: realm))
        let bad = try JSONParser.parse(#"{"Id":"102","SyncToken":"9","DocNumber":"Q-1002","TxnDate":"2025-04-20","DueDate":"2099-04-01","TotalAmt":20.005,"Balance":20.005,"CurrencyRef":{"value":"USD"},"CustomerRef":{"value":"58","name":"Acme Corp"},"MetaData":{"LastUpdatedTime":"2025-05-02T09:00:00-07:00"}}"#)
        let page = #"{"QueryResponse":{"Invoice":["# + JSONWriter.compact(goodJSON(good)) + "," + JSONWriter.compact(bad) + #"],"startPosition":1,"maxResults":2},"time":"2025-05-02T09:15:00.000-07:00"}"#
        setup.server.inject(.init(pathSuffix: "/query", reply: .json(200, page)))
        let written = setup.writes.count
        let backfill = try setup.paysync(["backfill", "--since", "2025-04-01", "--until", "2025-05-01"] + now())
        #expect(backfill.status == 65, "the unreadable invoice is quarantined: \(backfill.standardError)")
        #expect(setup.writes.count == written, "nothing voided: \(setup.writes.suffix(from: written).map(\.record))")
    }

    func goodJSON(_ invoice: FakeQuickBooksInvoice) -> JSONValue {
        // As the fake renders it (offset of the company's clock).
        (try? JSONParser.parse(#"{"Id":"\#(invoice.id)","SyncToken":"\#(invoice.syncToken)","DocNumber":"\#(invoice.docNumber)","TxnDate":"\#(invoice.txnDate)","DueDate":"\#(invoice.dueDate)","TotalAmt":\#(Double(invoice.total) / 100),"Balance":\#(Double(invoice.balance) / 100),"CurrencyRef":{"value":"USD"},"CustomerRef":{"value":"\#(invoice.customerID)","name":"\#(invoice.customerName)"},"MetaData":{"LastUpdatedTime":"\#(invoice.updated.iso8601)"}}"#)) ?? .null
    }

    /// A credit memo that names the invoice it was issued for (`InvoiceRef`) gives that money back
    /// against a paid invoice: partially refunded, then refunded, and back when one is voided. One
    /// that names no invoice moves none.
    @Test func creditMemosNamingAPaidInvoiceRefundIt() async throws {
        let setup = try Setup(realm: realm, invoices: 5)
        func now() -> [String] { ["--now", setup.server.now.adding(milliseconds: 60_000).iso8601] }
        #expect(try setup.reconcile(now()).status == 0)
        #expect(setup.writes.filter { $0.record == "Q-1005" }.map(\.to) == ["paid"], "500.00 received")

        let first = try #require(setup.server.issueCreditMemo(20_000, forCustomerOf: "105", referencing: true, realm: realm))
        #expect(try setup.reconcile(now()).status == 0)
        #expect(setup.writes.filter { $0.record == "Q-1005" }.map(\.to) == ["paid", "partially_refunded"])
        #expect(setup.writes.contains { $0.record == first && $0.to == "sent" }, "the credit memo is its own record too")

        let second = try #require(setup.server.issueCreditMemo(30_000, forCustomerOf: "105", referencing: true, realm: realm))
        setup.server.issueCreditMemo(5_000, forCustomerOf: "104", referencing: false, realm: realm)
        #expect(try setup.reconcile(now()).status == 0)
        #expect(setup.writes.filter { $0.record == "Q-1005" }.map(\.to) == ["paid", "partially_refunded", "refunded"])
        let written = setup.writes.count
        #expect(try setup.reconcile(now()).status == 0)
        #expect(setup.writes.count == written, "a rerun writes nothing")

        setup.server.voidCreditMemo(second, realm: realm)
        #expect(try setup.reconcile(now()).status == 0)
        #expect(setup.writes.filter { $0.record == "Q-1005" }.map(\.to) == ["paid", "partially_refunded", "refunded", "partially_refunded"])
        #expect(setup.writes.filter { $0.record == "Q-1004" }.map(\.to) == ["sent"], "a credit memo naming no invoice moves none")
    }

    /// A second company added to the config of a ledger in use: its first sync, while the first
    /// company's rerun writes nothing.
    @Test func aSecondCompanyAddedMidLifeGetsItsFirstSync() async throws {
        let second = "9130350000000002"
        let setup = try Setup(realm: realm, invoices: 12, secondRealm: second)
        #expect(try setup.reconcile().status == 0)
        #expect(setup.writes.allSatisfy { $0.record.hasPrefix("Q-") } && setup.writes.count == 12)
        setup.configure(realms: [realm, second])
        let both = try setup.reconcile()
        #expect(both.status == 0, "\(both.standardError)")
        let added = setup.writes.dropFirst(12)
        #expect(added.count == 12 && added.allSatisfy { $0.record.hasPrefix("R-") }, "\(added.map(\.record))")
        #expect(try setup.reconcile().status == 0)
        #expect(setup.writes.count == 24, "then both rerun writing nothing")
    }

    /// Intuit throttles per company: one company throttled past the retry budget stops (exit 75,
    /// its cursor where it was), the other is read in full, and the next run resumes the first.
    @Test func aThrottledCompanyStopsAloneAndResumesOnTheNextRun() async throws {
        let second = "9130350000000002"
        let setup = try Setup(realm: realm, invoices: 12, secondRealm: second)
        // Intuit asks for a minute's wait after a 429; this config allows at most 30 s of retrying.
        setup.configure(realms: [realm, second], http: #"{"max_retry_seconds": 30}"#)
        setup.server.inject(.init(pathSuffix: "\(realm)/query", reply: FakeQuickBooksServer.throttled))
        let throttled = try setup.reconcile()
        #expect(throttled.status == 75, "\(throttled.standardError)")
        #expect(throttled.standardError.contains("3001"), "Intuit's code kept: \(throttled.standardError)")
        // Each entity's log line counts its own objects, not those another company read meanwhile.
        #expect(throttled.standardError.contains("qbo account \(realm) payments: 1 page since the beginning, 0 objects"), "\(throttled.standardError)")
        #expect(throttled.standardError.contains("qbo account \(realm) credit_memos: 1 page since the beginning, 0 objects"), "\(throttled.standardError)")
        #expect(setup.writes.filter { $0.record.hasPrefix("R-") }.count == 12)
        #expect(setup.writes.filter { $0.record.hasPrefix("Q-") }.isEmpty)
        let resumed = try setup.reconcile()
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(setup.writes.filter { $0.record.hasPrefix("Q-") }.count == 12)
        #expect(setup.writes.count == 24)
    }

    /// Intuit says how long its refresh token lives (`x_refresh_token_expires_in`, about 100
    /// days); paysync keeps that with the token and exports it for alerting.
    @Test func theRefreshTokensExpiryIsKeptAndExported() async throws {
        let setup = try Setup(realm: realm, invoices: 2)
        let metrics = setup.directory.file("paysync.prom")
        let now = setup.server.now
        #expect(try setup.reconcile(["--now", now.iso8601, "--metrics-file", metrics]).status == 0)
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("paysync_credential_expiry_timestamp_seconds{") })
        #expect(line.contains("refresh_token"), "\(line)")
        let seconds = try #require(Double(line.split(separator: " ").last ?? ""))
        #expect(abs(seconds - (Double(now.millisecondsSinceEpoch) / 1000 + 8_726_400)) < 5, "the fake's 101 days: \(line)")
    }

    @Test func aRevokedTokenStopsTheRunWithExit77AndTheCommandToRun() async throws {
        let setup = try Setup(realm: realm)
        setup.server.revokeRefreshTokens()
        let result = try setup.reconcile()
        #expect(result.status == 77)
        #expect(result.standardError.contains("invalid_grant"), "\(result.standardError)")
        #expect(!result.standardError.contains("qbo-initial-refresh"), "no secret in the error")
    }
}
