import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// A processor's change feed and re-list survive a SIGKILL after any page commit: the built
/// binary is killed mid-read, run again, and the receiving side (a file that keeps every line,
/// checked as a CRM that keeps the last value per record) ends equal to Stripe's truth, with no
/// transition sent twice.
@Suite(.serialized) struct ProcessorCrashTests {
    final class Setup: Sendable {
        let stripe: FakeStripeServer
        let directory = TemporaryDirectory(prefix: "paysync-stripe-crash")

        init() throws {
            stripe = try FakeStripeServer(now: Timestamp(Date()).adding(milliseconds: -2 * 86_400_000))
            for index in 0..<150 { stripe.paymentIntent("pi_crash\(String(format: "%03d", index))", amount: Int64(1_000 + index)) }
            directory.write("paysync.json", """
                {"ledger": "paysync.db",
                 "sources": [{"name": "stripe", "kind": "stripe", "secret_key": {"env": "STRIPE_SECRET_KEY"}, "base_url": "\(stripe.baseURL)"}],
                 "sinks": [{"name": "out", "kind": "jsonl", "path": "\(directory.file("writes.jsonl"))"}]}
                """)
        }

        func reconcile(fault: String? = nil) throws -> ProcessResult {
            var variables = ["STRIPE_SECRET_KEY": stripe.key]
            variables["PAYSYNC_FAULT"] = fault
            return try ChildProcess(Repository.paysyncExecutable, ["reconcile", "--config", directory.file("paysync.json")],
                                    environment: variables, workingDirectory: directory.path).wait()
        }

        var lines: [JSONValue] {
            (directory.read("writes.jsonl") ?? "").split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        }

        /// What a CRM that keeps the last value per record holds.
        var lastValues: [String: String] {
            var values: [String: String] = [:]
            for line in lines { values[line["object"]?.stringValue ?? ""] = line["to"]?.stringValue }
            return values
        }

        /// Transitions sent more than once.
        var repeated: [String] {
            var seen = Set<String>(), twice: [String] = []
            for line in lines {
                let transition = "\(line["object"]?.stringValue ?? "") \(line["from"]?.stringValue ?? "-")→\(line["to"]?.stringValue ?? "")"
                if !seen.insert(transition).inserted { twice.append(transition) }
            }
            return twice
        }
    }

    @Test(arguments: [1, 2, 4, 6])
    func killedAfterAnyPageCommitOfTheReListOrTheFeedLosesNothingAndSendsNothingTwice(page: Int) throws {
        let setup = try Setup()
        // The first sync re-lists (payment intents over two pages, then the other lists).
        let killed = try setup.reconcile(fault: "after-page-commit@\(page)")
        #expect(killed.signalled && killed.status == SIGKILL, "\(killed.standardError)")
        let rerun = try setup.reconcile()
        #expect(rerun.status == 0, "\(rerun.standardError)")
        var truth = Dictionary(uniqueKeysWithValues: (0..<150).map { ("stripe:self:payment:pi_crash\(String(format: "%03d", $0))", "paid") })
        #expect(setup.lastValues == truth)

        // Then 120 full refunds: 240 events and more, three pages of the feed.
        setup.stripe.advance(seconds: max(0, (Timestamp(Date()).millisecondsSinceEpoch - setup.stripe.now.millisecondsSinceEpoch) / 1000 - 120))
        for index in 0..<120 {
            let id = "pi_crash\(String(format: "%03d", index))"
            setup.stripe.refund("re_crash\(String(format: "%03d", index))", of: id, amount: Int64(1_000 + index))
            truth["stripe:self:payment:\(id)"] = "refunded"
            truth["stripe:self:refund:re_crash\(String(format: "%03d", index))"] = "refunded"
        }
        let killedAgain = try setup.reconcile(fault: "after-page-commit@\(min(page, 2))")
        #expect(killedAgain.signalled && killedAgain.status == SIGKILL, "\(killedAgain.standardError)")
        let again = try setup.reconcile()
        #expect(again.status == 0, "\(again.standardError)")
        #expect(setup.lastValues == truth, "the receiving side equals Stripe's truth")
        #expect(setup.repeated.isEmpty, "no transition sent twice: \(setup.repeated.prefix(5))")
    }
}
