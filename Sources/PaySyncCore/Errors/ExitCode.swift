/// The process exit codes paysync uses, taken from BSD `sysexits.h` so that cron, systemd and
/// shell scripts can tell "try again later" from "a human must act". Documented in `docs/exit-codes.md`.
public enum ExitCode: Int32, Sendable, CaseIterable, Comparable {
    /// Everything fetched was recorded and every due write was delivered.
    case success = 0
    /// The command line was wrong (unknown option, missing argument).
    case usage = 64
    /// A provider sent data paysync cannot use (malformed JSON, an amount that does not fit its
    /// currency, an unknown status), or the ledger was written by a newer paysync.
    case dataError = 65
    /// A provider or CRM stayed unreachable or kept failing after every retry.
    case unavailable = 69
    /// A bug in paysync: please report it with the log.
    case internalError = 70
    /// The ledger file or its directory could not be created or opened.
    case cannotCreate = 73
    /// Temporary: another run holds the ledger, a rate limit asks us to wait, or the run was interrupted.
    case temporaryFailure = 75
    /// Credentials were rejected or have expired; someone must re-authorise.
    case authenticationFailed = 77
    /// The configuration is wrong.
    case configuration = 78

    /// How urgent a code is when one run meets several problems: the most urgent one wins.
    /// A bug outranks a human-fixable problem, which outranks a passing one.
    public var severity: Int {
        switch self {
        case .success: 0
        case .dataError: 1
        case .temporaryFailure: 2
        case .unavailable: 3
        case .cannotCreate: 4
        case .authenticationFailed: 5
        case .configuration: 6
        case .usage: 7
        case .internalError: 8
        }
    }

    public static func < (lhs: ExitCode, rhs: ExitCode) -> Bool { lhs.severity < rhs.severity }
}
