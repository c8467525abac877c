import PaySyncCore
import PaySyncHTTP

/// What a run does.
public enum RunCommand: Sendable, Equatable {
    /// Incremental: read what changed since each cursor, write what differs, deliver the outbox.
    case reconcile
    /// Re-read every object dated in `[from, until)` without moving cursors; write what differs.
    case backfill(from: CalendarDate, until: CalendarDate)
    /// Read one file into one source (a bank statement); no cursor moves, and importing the same
    /// file again changes nothing.
    case importFile(path: String)

    public var name: String {
        switch self {
        case .reconcile: "reconcile"
        case .backfill: "backfill"
        case .importFile: "import-statement"
        }
    }
}

public struct RunOptions: Sendable {
    public var command: RunCommand
    public var ledgerPath: String
    /// Only these sources (config names); all when empty.
    public var sourceNames: [String]
    /// Compute and report the writes; change nothing in the ledger (rotated OAuth tokens excepted:
    /// losing one would lock paysync out).
    public var dryRun: Bool
    /// Replay recorded exchanges from this directory instead of the network; no credentials needed.
    public var fixturesDirectory: String?
    /// Record every exchange (redacted) into this directory.
    public var recordDirectory: String?

    public init(command: RunCommand = .reconcile, ledgerPath: String, sourceNames: [String] = [], dryRun: Bool = false,
                fixturesDirectory: String? = nil, recordDirectory: String? = nil) {
        self.command = command
        self.ledgerPath = ledgerPath
        self.sourceNames = sourceNames
        self.dryRun = dryRun
        self.fixturesDirectory = fixturesDirectory
        self.recordDirectory = recordDirectory
    }
}

/// Everything outside the run's own logic: clock, logs, network, environment variables.
public struct EngineDependencies: Sendable {
    /// The network as the engine's callers inject it (tests pass a loopback or scripted one).
    public typealias Transport = any HTTPTransport

    public var environment: RunEnvironment
    public var logger: Logger
    /// The network; nil for URLSession (or fixtures, when the options name a directory).
    public var transport: (any HTTPTransport)?
    /// Where `{"env": "NAME"}` secrets are looked up.
    public var variables: [String: String]
    /// Told of each page committed and each batch delivered (a terminal's progress line); nil: nobody listens.
    public var progress: (@Sendable (RunProgress) -> Void)?

    public init(environment: RunEnvironment = .live, logger: Logger = .silent, transport: (any HTTPTransport)? = nil,
                variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        self.logger = logger
        self.transport = transport
        self.variables = variables
    }
}

import Foundation
