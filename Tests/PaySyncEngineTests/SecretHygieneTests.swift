import Foundation
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncEngine
@testable import PaySyncLedger

@Suite struct SecretHygieneTests {
    /// A run at debug level, with a refresh, a 401 and a rotation, never logs a token or secret.
    @Test func debugLogsOfARunWithRefreshesHoldNoSecret() async throws {
        let harness = try EngineHarness(objects: 40, pageSize: 10)
        let lines = Locked<[String]>([])
        let logger = Logger(minimumLevel: .debug, format: .json, now: harness.clock.environment.now) { line in lines.withLock { $0.append(line) } }
        let dependencies = EngineDependencies(environment: harness.clock.environment, logger: logger, transport: URLSessionTransport(), variables: harness.variables)
        _ = try await Reconciler.run(configuration: harness.configuration, options: RunOptions(ledgerPath: harness.ledgerPath), dependencies: dependencies)
        harness.server.expireAccessTokens()
        harness.server.inject(.init(pathSuffix: "/Invoices", reply: .status(503)))
        _ = try await Reconciler.run(configuration: harness.configuration, options: RunOptions(ledgerPath: harness.ledgerPath), dependencies: dependencies)

        let log = lines.value.joined(separator: "\n")
        #expect(log.contains("refreshing the access token once"))
        #expect(log.contains("retrying in"))
        let secrets = [harness.server.clientSecret, "initial-refresh-token"] + Array(harness.server.validRefreshTokens)
        for secret in secrets { #expect(!log.contains(secret), "log contains \(secret)") }
        #expect(!log.contains("fake-access-"))
        #expect(!log.contains("Bearer "))
    }

    /// Issue 9, case 7: recordings redacted credentials by key name only, so a token endpoint
    /// that echoes the refresh token in `error_description` had it saved verbatim. Every secret
    /// value is scrubbed wherever it appears: recordings, log lines, the run's problems.
    @Test func aSecretEchoedByAProviderIsNeitherRecordedNorLogged() async throws {
        let harness = try EngineHarness(objects: 10)
        let sentinel = "initial-refresh-token"
        harness.server.inject(.init(pathSuffix: "/connect/token", reply: .json(400,
            #"{"error":"invalid_grant","error_description":"refresh token initial-refresh-token was revoked"}"#)))
        let lines = Locked<[String]>([])
        let logger = Logger(minimumLevel: .debug, format: .text, now: harness.clock.environment.now) { line in lines.withLock { $0.append(line) } }
        let recordings = harness.directory.file("recorded")
        let report = try await Reconciler.run(
            configuration: harness.configuration, options: RunOptions(ledgerPath: harness.ledgerPath, recordDirectory: recordings),
            dependencies: EngineDependencies(environment: harness.clock.environment, logger: logger, transport: URLSessionTransport(), variables: harness.variables)
        )
        #expect(report.exitCode == .authenticationFailed)
        let files = try FileManager.default.contentsOfDirectory(atPath: recordings)
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOfFile: recordings + "/" + file, encoding: .utf8)
            #expect(!text.contains(sentinel), "\(file) holds the refresh token")
            if file.contains("token") { #expect(text.contains("[redacted] was revoked")) }
        }
        let log = lines.value.joined(separator: "\n") + report.problems.map(\.message).joined(separator: "\n")
        #expect(!log.contains(sentinel))
    }

    @Test func theScrubberReplacesEveryRegisteredValueLongestFirst() {
        let scrubber = SecretScrubber()
        scrubber.register("sk_live_0123456789")
        scrubber.register("sk_live_0123456789abcdef")
        scrubber.register("short")  // too short to be a credential: never scrubbed
        scrubber.register("p@ss w0rd/+=x")
        #expect(scrubber.scrub("a sk_live_0123456789abcdef b sk_live_0123456789 c short") == "a [redacted] b [redacted] c short")
        #expect(scrubber.scrub("grant&refresh_token=p%40ss%20w0rd%2F%2B%3Dx&x=1") == "grant&refresh_token=[redacted]&x=1")
    }

    /// Issue 9, case 12: the token endpoint's refusals are a person's to fix (77), and a token
    /// endpoint that keeps failing is reported once.
    @Test("token endpoint answers and their exit codes", arguments: [
        (ServerReply.json(400, #"{"error":"invalid_request","error_description":"Missing parameter"}"#), ExitCode.authenticationFailed),
        (ServerReply.json(400, #"{"error":"unauthorized_client"}"#), ExitCode.authenticationFailed),
        (ServerReply.status(500), ExitCode.unavailable),
    ])
    func tokenEndpointAnswers(reply: ServerReply, exit: ExitCode) async throws {
        let harness = try EngineHarness(objects: 5)
        for _ in 0..<8 { harness.server.inject(.init(pathSuffix: "/connect/token", reply: reply)) }
        let report = try await harness.run()
        #expect(report.exitCode == exit, "\(report.problems)")
        #expect(report.problems.count == 1, "\(report.problems.map(\.message))")
    }
}
