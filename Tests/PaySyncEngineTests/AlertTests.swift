import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncHTTP
import PaySyncSinks
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine

/// Alerts over several runs, checked at the receiving end (a strict fake Slack webhook and an
/// email command writing to a file): one message when a condition starts, none while it lasts,
/// one when it clears; a message no channel took is sent again on the next run.
@Suite struct AlertTests {
    func configuration(_ harness: EngineHarness, slack: FakeSlackWebhook?, mailbox: String? = nil, sinks: [SinkConfiguration]? = nil,
                       staleHours: Int? = nil, expiryDays: Int? = nil) -> Configuration {
        var configuration = harness.configuration
        configuration.alerts = AlertSettings(slackWebhook: slack.map { _ in .environment("SLACK_WEBHOOK") },
                                             emailCommand: mailbox.map { ["/bin/sh", "-c", "cat >> \($0)"] },
                                             sourceStaleHours: staleHours, tokenExpiryDays: expiryDays)
        if let sinks { configuration.sinks = sinks }
        return configuration
    }

    func run(_ harness: EngineHarness, _ configuration: Configuration, slack: FakeSlackWebhook?) async throws -> RunReport {
        var variables = harness.variables
        variables["SLACK_WEBHOOK"] = slack?.url
        return try await Reconciler.run(configuration: configuration, options: RunOptions(command: .reconcile, ledgerPath: harness.ledgerPath),
                                        dependencies: EngineDependencies(environment: harness.clock.environment, logger: .silent,
                                                                         transport: URLSessionTransport(), variables: variables))
    }

    @Test func aFailedRunIsAnnouncedOnceAndClearedOnce() async throws {
        let harness = try EngineHarness(objects: 20)
        let slack = try FakeSlackWebhook()
        let mailbox = harness.directory.file("mailbox")
        let configuration = configuration(harness, slack: slack, mailbox: mailbox)
        #expect(try await run(harness, configuration, slack: slack).exitCode == .success)
        #expect(slack.messages.isEmpty, "nothing wrong, nothing said")

        // Xero fails every call for two runs: one message.
        for _ in 0..<2 {
            for _ in 0..<30 { harness.server.inject(.init(pathSuffix: "/Invoices", reply: .json(503, #"{"Title":"Service Unavailable"}"#))) }
            harness.clock.advance(by: .seconds(600))
            let failed = try await run(harness, configuration, slack: slack)
            #expect(failed.exitCode != .success)
        }
        #expect(slack.messages.count == 1, "\(slack.messages)")
        #expect(slack.messages.first?.hasPrefix("ALERT: paysync reconcile failed (exit 69): GET 127.0.0.1/api.xro/2.0/Invoices: HTTP 503") == true, "\(slack.messages)")
        harness.clock.advance(by: .seconds(600))
        // The queued faults the failed runs left are spent first.
        while harness.server.pendingFaults > 0 { _ = try await run(harness, configuration, slack: slack) }
        #expect(try await run(harness, configuration, slack: slack).exitCode == .success)
        #expect(try await run(harness, configuration, slack: slack).exitCode == .success)
        #expect(slack.messages.count == 2, "\(slack.messages)")
        #expect(slack.messages.last?.hasPrefix("RESOLVED: paysync reconcile failed") == true)
        // The email command got the same two messages.
        let mail = try String(contentsOfFile: mailbox, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(mail == slack.messages)
        #expect(try await harness.ledger().activeAlerts().isEmpty)
    }

    @Test func aMessageNoChannelTookIsSentAgainNextRun() async throws {
        let harness = try EngineHarness(objects: 10)
        let slack = try FakeSlackWebhook()
        // A source that has not succeeded for an hour: never, in a ledger this new.
        let configuration = configuration(harness, slack: slack, staleHours: 1)
        for _ in 0..<30 { harness.server.inject(.init(pathSuffix: "/Invoices", reply: .json(503, #"{"Title":"Service Unavailable"}"#))) }
        slack.failNext(6)  // every attempt the HTTP client makes at the first message
        _ = try await run(harness, configuration, slack: slack)
        #expect(slack.messages.count == 1, "the first of two alerts was refused, the second sent: \(slack.messages)")
        #expect(try await harness.ledger().activeAlerts().map(\.key).count == 1)
        harness.clock.advance(by: .seconds(60))
        _ = try await run(harness, configuration, slack: slack)
        #expect(slack.messages.count == 2, "the refused one again, the other not: \(slack.messages)")
        #expect(Set(try await harness.ledger().activeAlerts().map(\.key)) == ["run_failed", "source_stale:xero-test"])
    }

    @Test func deadLettersAreAnnouncedPerSinkAndClearedWhenRedelivered() async throws {
        let harness = try EngineHarness(objects: 6)
        let slack = try FakeSlackWebhook()
        let receiver = try WebhookReceiver(secret: "hook-secret")
        var outbox = OutboxSettings()
        outbox.maxAttempts = 1
        var configuration = configuration(harness, slack: slack, sinks: [SinkConfiguration(name: "hook", kind: "webhook", settings: WebhookSettings(url: receiver.url, secret: .environment("HOOK_SECRET")),
                                                                                                    objects: FieldMappingDefaults.objects)])
        configuration.outbox = outbox
        var variables = harness.variables
        variables["HOOK_SECRET"] = "hook-secret"
        variables["SLACK_WEBHOOK"] = slack.url
        let dependencies = EngineDependencies(environment: harness.clock.environment, logger: .silent, transport: URLSessionTransport(), variables: variables)
        receiver.failNext(1_000)
        _ = try await Reconciler.run(configuration: configuration, options: RunOptions(command: .reconcile, ledgerPath: harness.ledgerPath), dependencies: dependencies)
        #expect(slack.messages.contains { $0.hasPrefix("ALERT: ") && $0.contains("to hook dead-lettered") }, "\(slack.messages)")
        let announced = slack.messages.count

        receiver.failNext(0)
        _ = try await harness.ledger().requeue(ids: nil, now: harness.clock.environment.now())
        harness.clock.advance(by: .seconds(60))
        _ = try await Reconciler.run(configuration: configuration, options: RunOptions(command: .reconcile, ledgerPath: harness.ledgerPath), dependencies: dependencies)
        #expect(slack.messages.count == announced + 2, "the dead letters and the failed run both cleared: \(slack.messages)")
        #expect(slack.messages.suffix(2).allSatisfy { $0.hasPrefix("RESOLVED: ") })
    }

    @Test func rulesAndTransitionsArePure() {
        let now = Timestamp(iso: "2025-05-02T09:00:00Z")!
        let facts = AlertFacts(command: "reconcile", exitCode: .success, problem: nil, deadLetters: ["crm": 0, "hook": 2],
                               sourceSuccesses: ["xero": now.adding(milliseconds: -3 * 3_600_000), "qbo": now, "new": nil],
                               expiries: ["qbo:refresh_token": now.adding(milliseconds: 5 * 86_400_000), "xero:refresh_token": now.adding(milliseconds: 50 * 86_400_000)],
                               unmatchedBankCredits: 30, now: now)
        let alerts = AlertRules.evaluate(facts, settings: AlertSettings(sourceStaleHours: 2, tokenExpiryDays: 14, unmatchedBankCredits: 25))
        #expect(alerts.map(\.key) == ["dead_letters:hook", "source_stale:new", "source_stale:xero", "expiring:qbo:refresh_token", "unmatched_bank_credits"])
        #expect(alerts.first { $0.key == "expiring:qbo:refresh_token" }?.message.contains("expires on 2025-05-07") == true)
        let active = [ActiveAlert(key: "dead_letters:hook", message: "old", since: now), ActiveAlert(key: "run_failed", message: "failed", since: now)]
        let notices = AlertTransitions.notices(now: alerts, active: active)
        #expect(notices.map(\.key) == ["source_stale:new", "source_stale:xero", "expiring:qbo:refresh_token", "unmatched_bank_credits", "run_failed"])
        #expect(notices.last?.text.hasPrefix("RESOLVED: failed") == true)
    }
}
