import PaySyncCore

/// How command output on standard output looks.
enum OutputFormat: String, Sendable { case text, json }

/// What `paysync report` writes.
enum ReportFormat: String, Sendable { case text, json, csv, html }

/// Every option paysync takes, declared once with its type, help and validation. Command specs
/// (`CommandTable`) list them; commands read them through `ParsedArguments.value(_:command:)`.
enum Options {
    // MARK: Global

    static let config = TypedOption<String>("--config", valueName: "PATH", help: "The config file (default: $PAYSYNC_CONFIG, then ./paysync.json).")
    static let ledger = TypedOption<String>("--ledger", valueName: "PATH", help: "The ledger file or postgres:// URL (default: the config's \"ledger\", then ./paysync.db).")
    static let logFormat = TypedOption<Logger.Format>("--log-format", valueName: "text|json", help: "How diagnostics on standard error look (default: text).",
                                                      refusal: "is not text or json") { Logger.Format(rawValue: $0) }
    static let logLevel = TypedOption<Logger.Level>("--log-level", valueName: "LEVEL", help: "debug, info, warning or error (default: info; error with --quiet).",
                                                    refusal: "is not one of debug, info, warning, error") { Logger.Level(name: $0) }
    static let verbose = Flag("--verbose", short: "-v", help: "Same as --log-level debug.")
    static let now = TypedOption<Timestamp>("--now", valueName: "TIMESTAMP", help: "Pin the clock's start (ISO 8601), for demos and reproducible tests.",
                                            refusal: "is not an ISO 8601 timestamp (e.g. 2025-05-02T09:00:00Z)") { Timestamp(iso: $0) }
    static let help = Flag("--help", short: "-h", help: "Show help for the command.")

    // MARK: Moving a ledger

    static let migrateFrom = TypedOption<String>("--from", valueName: "PATH", help: "The SQLite ledger file to move. Required.")
    static let migrateTo = TypedOption<String>("--to", valueName: "URL",
                                               help: "The empty PostgreSQL ledger to move it into (default: the config's \"ledger\"; a URL with a password is better kept there, in the environment).")

    // MARK: Runs

    static let source = TypedOption<String>("--source", valueName: "NAME", repeatable: true, help: "Only this source (repeatable; default: all).")
    static let dryRun = Flag("--dry-run", help: "Compute and print the writes; change nothing in the ledger.")
    static let fixtures = TypedOption<String>("--fixtures", valueName: "DIR", help: "Replay recorded exchanges from DIR instead of the network (no credentials).")
    static let record = TypedOption<String>("--record", valueName: "DIR", help: "Record every exchange, redacted, into DIR (for fixtures).")
    static let summaryFormat = TypedOption<OutputFormat>("--format", valueName: "text|json", help: "How the summary on standard output looks (default: text).",
                                                         refusal: "is not text or json") { OutputFormat(rawValue: $0) }
    static let quiet = Flag("--quiet", short: "-q", help: "Print nothing when the run succeeds (for cron).")
    static let metricsFile = TypedOption<String>("--metrics-file", valueName: "PATH",
                                                 help: "Write the run's Prometheus metrics to PATH (atomically; default: the config's \"metrics_file\").")
    static let since = TypedOption<CalendarDate>("--since", valueName: "DATE", help: "First day of the window (YYYY-MM-DD). Required.",
                                                 refusal: "is not a date (YYYY-MM-DD)", convert: day)
    static let until = TypedOption<CalendarDate>("--until", valueName: "DATE", help: "Day after the window (default: tomorrow).",
                                                 refusal: "is not a date (YYYY-MM-DD)", convert: day)

    // MARK: Reports and the outbox

    static let format = TypedOption<OutputFormat>("--format", valueName: "text|json", help: "Output format (default: text).",
                                                  refusal: "is not text or json") { OutputFormat(rawValue: $0) }
    static let state = TypedOption<[OutboxState]>("--state", valueName: "STATE", help: "pending, sending, dead, skipped or all (default: all but sending).",
                                                  refusal: "is not pending, sending, dead, skipped or all") { name in
        if name == "all" { return OutboxState.stored }
        return OutboxState(rawValue: name).flatMap { OutboxState.stored.contains($0) ? [$0] : nil }
    }
    static let sink = TypedOption<String>("--sink", valueName: "NAME", help: "Only this sink.")
    static let limit = TypedOption<Int>("--limit", valueName: "N", help: "At most N rows (default: 100).",
                                        refusal: "is not a positive number") { Int($0).flatMap { $0 > 0 ? $0 : nil } }
    static let retryID = TypedOption<Int64>("--id", valueName: "N", repeatable: true, help: "This row (repeatable).",
                                            refusal: "is not a row number") { Int64($0.trimmingPrefix("#")) }
    static let dropID = TypedOption<Int64>("--id", valueName: "N", repeatable: true, help: "This row (repeatable). Required.",
                                           refusal: "is not a row number") { Int64($0.trimmingPrefix("#")) }
    static let all = Flag("--all", help: "Every dead-lettered and skipped row.")

    static let reportFormat = TypedOption<ReportFormat>("--format", valueName: "text|json|csv|html", help: "Output format (default: text).",
                                                        refusal: "is not text, json, csv or html") { ReportFormat(rawValue: $0) }
    static let output = TypedOption<String>("--output", valueName: "FILE", help: "Write the report to FILE (atomically) instead of standard output.")
    static let reportSince = TypedOption<CalendarDate>("--since", valueName: "DATE", help: "First day of the report (YYYY-MM-DD). Required.",
                                                       refusal: "is not a date (YYYY-MM-DD)", convert: day)
    static let reportUntil = TypedOption<CalendarDate>("--until", valueName: "DATE", help: "Day after the report (default: tomorrow).",
                                                       refusal: "is not a date (YYYY-MM-DD)", convert: day)

    static let account = TypedOption<String>("--account", valueName: "NAME", help: "The statement source (\"kind\": \"statement\") the file belongs to. Required.")
    static let unmatched = Flag("--unmatched", help: "Only credits waiting for a person: for review, ambiguous, unmatched.")
    static let matchesFormat = TypedOption<ReportFormat>("--format", valueName: "text|json|csv", help: "Output format (default: text).",
                                                         refusal: "is not text, json or csv") { $0 == "html" ? nil : ReportFormat(rawValue: $0) }

    static let last = TypedOption<Int>("--last", valueName: "N", help: "The N most recent runs (default: 20).",
                                       refusal: "is not a positive number") { Int($0).flatMap { $0 > 0 ? $0 : nil } }

    // MARK: Authorisation

    static let listen = TypedOption<Int>("--listen", valueName: "PORT", help: "Receive the browser's redirect on 127.0.0.1:PORT instead of pasting it.",
                                         refusal: "is not a port (1-65535)") { Int($0).flatMap { (1...65535).contains($0) ? $0 : nil } }
    static let redirectURI = TypedOption<String>("--redirect-uri", valueName: "URI",
                                                 help: "The redirect URI registered for the app (default: http://localhost:PORT/callback, PORT 8976 or --listen).")
    static let fixturesOnly = Flag("--fixtures", help: "Do not require credentials (the config is for fixture runs).")

    /// `YYYY-MM-DD` exactly.
    @Sendable private static func day(_ text: String) -> CalendarDate? {
        text.count == 10 ? CalendarDate(iso: text) : nil
    }
}
