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
}
