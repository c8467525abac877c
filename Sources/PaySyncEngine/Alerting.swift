import Foundation
import PaySyncCore
import PaySyncHTTP

/// Where alert messages go.
protocol AlertChannel: Sendable {
    var name: String { get }
    func send(_ text: String) async throws
}

/// A chat incoming webhook: `POST {"text": …}`; the service answers `ok`, or a 4xx with
/// `invalid_payload`, `no_service`, … in the body.
struct WebhookAlertChannel: AlertChannel {
    let url: Secret
    let client: HTTPClient
    var name: String { "chat webhook" }

    func send(_ text: String) async throws {
        guard let target = URL(string: url.reveal()), target.scheme == "https" || target.host == "127.0.0.1" else {
            throw AlertError("alerts.slack_webhook_url is not an https URL")
        }
        let body = Data(JSONWriter.compact(.object(JSONObject([("text", .string(text))]))).utf8)
        let response = try await client.send(HTTPRequest(method: "POST", url: target, headers: ["Content-Type": "application/json"], body: body, pathIsSecret: true))
        guard response.isSuccess else {
            // The URL is the secret: name the host only.
            throw AlertError("the webhook at \(target.host ?? "?") answered HTTP \(response.status) (\(response.bodyExcerpt()))")
        }
    }
}

/// A command run once per message, the message on its standard input (`mail -s …`).
struct CommandAlertChannel: AlertChannel {
    let arguments: [String]
    var name: String { "email command" }

    func send(_ text: String) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0].hasPrefix("/") ? arguments[0] : "/usr/bin/env")
        process.arguments = arguments[0].hasPrefix("/") ? Array(arguments.dropFirst()) : arguments
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw AlertError("cannot start \(arguments[0]): \(error.localizedDescription)") }
        input.fileHandleForWriting.write(Data((text + "\n").utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw AlertError("\(arguments[0]) exited \(process.terminationStatus)") }
    }
}

struct AlertError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// After a run: which conditions hold (`AlertRules`), what to announce (`AlertTransitions`), and
/// announcing it. A notice is recorded in the ledger only once a channel took it, so one that
/// could not be sent is tried again on the next run; a failure to alert never changes the run's
/// exit code.
enum Alerting {
    static func notify(report: RunReport, settings: AlertSettings, sources: [String], sinks: [String], ledger: any LedgerStore,
                       channels: [any AlertChannel], now: Timestamp, logger: Logger) async {
        do {
            var dead: [String: Int] = [:]
            for sink in sinks { dead[sink] = try await ledger.outboxCount(sink: sink, state: .dead) }
            let successes = try await ledger.sourceSuccesses()
            let facts = AlertFacts(
                command: report.command.name, exitCode: report.exitCode, problem: report.decisiveProblem?.message, deadLetters: dead,
                sourceSuccesses: Dictionary(uniqueKeysWithValues: sources.map { ($0, successes[$0]) }),
                expiries: try await ledger.credentialExpiries(), unmatchedBankCredits: try await ledger.unmatchedBankCredits(), now: now
            )
            let notices = AlertTransitions.notices(now: AlertRules.evaluate(facts, settings: settings), active: try await ledger.activeAlerts())
            for notice in notices {
                var delivered = false
                for channel in channels {
                    do {
                        try await channel.send(notice.text)
                        delivered = true
                    } catch {
                        logger.warning("alert \(notice.key) not sent by \(channel.name): \(error)")
                    }
                }
                guard delivered else { continue }
                switch notice {
                case .firing(let alert): try await ledger.recordAlert(alert, since: now)
                case .cleared(let active): try await ledger.clearAlert(key: active.key)
                }
                logger.info("alert \(notice.key) \(notice.isFiring ? "announced" : "cleared")")
            }
        } catch {
            logger.warning("alerts were not evaluated: \(error)")
        }
    }
}

extension AlertNotice {
    var isFiring: Bool {
        if case .firing = self { return true }
        return false
    }
}
