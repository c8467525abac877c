/// Every paysync command, its options and help.
enum CommandTable {
    static let runOptions: [OptionSpec] = [
        OptionSpec(name: "--source", valueName: "NAME", repeatable: true, help: "Only this source (repeatable; default: all)."),
        OptionSpec(name: "--dry-run", help: "Compute and print the writes; change nothing in the ledger."),
        OptionSpec(name: "--fixtures", valueName: "DIR", help: "Replay recorded exchanges from DIR instead of the network (no credentials)."),
        OptionSpec(name: "--record", valueName: "DIR", help: "Record every exchange, redacted, into DIR (for fixtures)."),
        OptionSpec(name: "--format", valueName: "text|json", help: "How the summary on standard output looks (default: text)."),
        OptionSpec(name: "--quiet", short: "-q", help: "Print nothing when the run succeeds (for cron)."),
    ]

    static let reconcile = CommandSpec(
        path: ["reconcile"], summary: "Poll every source for changes, record them in the ledger, and write what changed to the CRMs.",
        options: runOptions,
        discussion: """
            Reads each source from its saved cursor (with a small overlap), stores one ledger transaction per
            provider page, then delivers the outbox. The last line of the text summary is
            "N fetched, N changed, N written, N failed, N skipped as stale". Exit codes: docs/exit-codes.md.
            """
    )

    static let backfill = CommandSpec(
        path: ["backfill"], summary: "Re-read every object dated in a window without moving cursors; write only what differs.",
        options: [
            OptionSpec(name: "--since", valueName: "DATE", help: "First day of the window (YYYY-MM-DD). Required."),
            OptionSpec(name: "--until", valueName: "DATE", help: "Day after the window (default: tomorrow)."),
        ] + runOptions,
        discussion: "Compares the provider's count for the window with the ledger's and warns on a gap."
    )

    static let status = CommandSpec(
        path: ["status"], summary: "Show each source's cursor, recent runs, object counts and the outbox.",
        options: [OptionSpec(name: "--format", valueName: "text|json", help: "Output format (default: text).")]
    )

    static let history = CommandSpec(
        path: ["history"], summary: "Show an object's status transitions.",
        positionals: [("OBJECT", "An object key (PROVIDER:ACCOUNT:KIND:ID), a provider id, or an invoice number.")],
        options: [OptionSpec(name: "--format", valueName: "text|json", help: "Output format (default: text).")]
    )

    static let outboxList = CommandSpec(
        path: ["outbox", "list"], summary: "List queued, dead-lettered and skipped CRM writes.",
        options: [
            OptionSpec(name: "--state", valueName: "STATE", help: "pending, sending, dead, skipped or all (default: all but sending)."),
            OptionSpec(name: "--sink", valueName: "NAME", help: "Only this sink."),
            OptionSpec(name: "--limit", valueName: "N", help: "At most N rows (default: 100)."),
            OptionSpec(name: "--format", valueName: "text|json", help: "Output format (default: text)."),
        ]
    )

    static let outboxRetry = CommandSpec(
        path: ["outbox", "retry"], summary: "Queue dead-lettered or skipped writes again (attempts reset).",
        options: [
            OptionSpec(name: "--id", valueName: "N", repeatable: true, help: "This row (repeatable)."),
            OptionSpec(name: "--all", help: "Every dead-lettered and skipped row."),
        ]
    )

    static let outboxDrop = CommandSpec(
        path: ["outbox", "drop"], summary: "Delete queued writes that must never be sent.",
        options: [OptionSpec(name: "--id", valueName: "N", repeatable: true, help: "This row (repeatable). Required.")]
    )

    static let configCheck = CommandSpec(
        path: ["config", "check"], summary: "Validate the config file; never prints a secret.",
        options: [OptionSpec(name: "--fixtures", help: "Do not require credentials (the config is for fixture runs).")]
    )

    static let all = [reconcile, backfill, status, history, outboxList, outboxRetry, outboxDrop, configCheck]

    static let overview = """
        OVERVIEW: paysync keeps your CRM in step with what customers have actually paid.

        USAGE: paysync <command> [options]

        COMMANDS:
          reconcile               Poll sources, record changes, write what changed to the CRMs (cron).
          backfill                Re-read a date window without moving cursors.
          status                  Cursors, recent runs, object counts, outbox depth.
          history OBJECT          An object's status transitions.
          outbox list|retry|drop  Inspect and manage queued CRM writes.
          config check            Validate the config file.

        OPTIONS:
          -h, --help              Show help (also after any command).
          --version               Show the version.

        Start with `make demo` (no accounts needed); the docs are in docs/.
        """
}
