import PaySyncEngine
/// Every paysync command, its options and help.
enum CommandTable {
    static let runOptions: [OptionSpec] = [
        Options.source.spec, Options.dryRun.spec, Options.fixtures.spec, Options.record.spec, Options.summaryFormat.spec, Options.quiet.spec,
        Options.metricsFile.spec,
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
        options: [Options.since.spec, Options.until.spec] + runOptions,
        discussion: "Compares the provider's count for the window with the ledger's and warns on a gap."
    )

    static let status = CommandSpec(
        path: ["status"], summary: "Show each source's cursor, recent runs, object counts and the outbox.",
        options: [Options.format.spec]
    )

    static let history = CommandSpec(
        path: ["history"], summary: "Show an object's status transitions.",
        positionals: [("OBJECT", "An object key (PROVIDER:ACCOUNT:KIND:ID), a provider id, or an invoice number.")],
        options: [Options.format.spec]
    )

    static let runs = CommandSpec(
        path: ["runs"], summary: "Show the ledger's run history: each run's summary line and exit code, newest first.",
        options: [Options.last.spec, Options.format.spec]
    )

    static let report = CommandSpec(
        path: ["report"], summary: "Report collections for a window: transitions, amounts paid, refunded and overdue per currency, with charts in HTML.",
        options: [Options.reportSince.spec, Options.reportUntil.spec, Options.reportFormat.spec, Options.output.spec],
        discussion: """
            Reads the ledger only. Per day and status: transitions; per currency (never added across currencies):
            payments collected, refunds, what is overdue now and for how long; failed payments and disputes; days
            from invoice to paid; unmatched bank credits; objects by status per source. --format html writes one
            self-contained page with charts (no scripts, no external assets); csv is one table a spreadsheet opens.
            """
    )

    static let importStatement = CommandSpec(
        path: ["import-statement"], summary: "Read a bank statement file (camt.053 or CSV) into a statement source, match its credits, write what changed.",
        positionals: [("FILE", "An ISO 20022 camt.053 file (.001.02 or .001.08), or a CSV in the layout the source declares.")],
        options: [Options.account.spec, Options.dryRun.spec, Options.summaryFormat.spec, Options.quiet.spec, Options.metricsFile.spec],
        discussion: """
            Money in only: debits and pending lines are left out. Importing the same file again changes nothing. A file that
            cannot be read is refused whole, naming the line or element. Then, as every run does, bank credits are matched to
            open invoices (docs/matching.md) and the CRM writes are delivered.
            """
    )

    static let matches = CommandSpec(
        path: ["matches"], summary: "List what matching decided for each bank credit, with its reason.",
        options: [Options.unmatched.spec, Options.matchesFormat.spec]
    )

    static let matchesConfirm = CommandSpec(
        path: ["matches", "confirm"], summary: "Confirm that a bank credit pays an invoice (applied on the next run).",
        positionals: [("CREDIT", "The credit's object key, or its id."), ("INVOICE", "The invoice's object key, id or number.")]
    )

    static let matchesReject = CommandSpec(
        path: ["matches", "reject"], summary: "Say a bank credit pays no invoice: matching leaves it alone from now on.",
        positionals: [("CREDIT", "The credit's object key, or its id.")]
    )

    static let outboxList = CommandSpec(
        path: ["outbox", "list"], summary: "List queued, dead-lettered and skipped CRM writes.",
        options: [Options.state.spec, Options.sink.spec, Options.limit.spec, Options.format.spec]
    )

    static let outboxRetry = CommandSpec(
        path: ["outbox", "retry"], summary: "Queue dead-lettered or skipped writes again (attempts reset).",
        options: [Options.retryID.spec, Options.all.spec]
    )

    static let outboxDrop = CommandSpec(
        path: ["outbox", "drop"], summary: "Delete queued writes that must never be sent.",
        options: [Options.dropID.spec]
    )

    static let configCheck = CommandSpec(
        path: ["config", "check"], summary: "Validate the config file; never prints a secret.",
        options: [Options.fixturesOnly.spec]
    )

    static let auth = CommandSpec(
        path: ["auth"], summary: "Connect a source's account once: consent in a browser, the refresh token saved to its file.",
        positionals: [("SOURCE", "A source's name in the config, or its kind when only one source has it ("
                       + Registry.sources.filter { $0.authorization != nil }.map(\.kind).joined(separator: ", ") + ").")],
        options: [Options.listen.spec, Options.redirectURI.spec],
        discussion: """
            Prints the provider's authorisation address. After you allow access, the browser is sent to the
            redirect URI: paste that address back (or let paysync receive it with --listen PORT). The code is
            exchanged for tokens, the refresh token is written to the file the source's "refresh_token" names
            (mode 0600, atomically), and the tenants or companies it reaches are listed. Step by step for each
            provider: docs/connectors/.
            """
    )

    static let migrateLedger = CommandSpec(
        path: ["migrate-ledger"], summary: "Move an SQLite ledger into an empty PostgreSQL ledger, for several workers to share.",
        options: [Options.migrateFrom.spec, Options.migrateTo.spec],
        discussion: """
            Copies states, history, cursors, the outbox, credentials and matches in one PostgreSQL transaction (all or
            nothing), keeping ids, write keys and the ledger's identity: nothing is lost and nothing is sent again. Holds the
            file's run lock meanwhile. Refuses a PostgreSQL ledger that already holds data. See docs/scaling.md.
            """
    )

    static let completions = CommandSpec(
        path: ["completions"], summary: "Print a shell completion script (bash, zsh or fish).",
        positionals: [("SHELL", "bash, zsh or fish.")],
        discussion: """
            bash: paysync completions bash > /etc/bash_completion.d/paysync (or source it from ~/.bashrc).
            zsh: paysync completions zsh > "${fpath[1]}/_paysync". fish: paysync completions fish > ~/.config/fish/completions/paysync.fish.
            `make install` installs all three.
            """
    )

    static let all = [reconcile, backfill, importStatement, status, history, runs, report, matches, matchesConfirm, matchesReject, outboxList, outboxRetry, outboxDrop, configCheck, auth, migrateLedger, completions]

    /// Help for a command group (`paysync outbox --help`): its subcommands and what they do.
    static func groupHelp(_ group: String) -> String {
        let commands = all.filter { $0.path.first == group }
        var text = "OVERVIEW: the \(group) commands.\n\nUSAGE: paysync \(group) <subcommand> [options]\n\nSUBCOMMANDS:\n"
        for command in commands {
            let name = command.path[1]
            text += "  " + name + String(repeating: " ", count: max(1, 24 - name.count)) + command.summary + "\n"
        }
        text += "\nSee `paysync \(group) <subcommand> --help` for each one's options."
        return text
    }

    static let overview = """
        OVERVIEW: paysync keeps your CRM in step with what customers have actually paid.

        USAGE: paysync <command> [options]

        COMMANDS:
          reconcile               Poll sources, record changes, write what changed to the CRMs (cron).
          backfill                Re-read a date window without moving cursors.
          status                  Cursors, recent runs, object counts, outbox depth.
          history OBJECT          An object's status transitions.
          runs                    The run history, newest first.
          report                  Collections for a window, as text, JSON, CSV or HTML with charts.
          import-statement FILE   Read a bank statement file (camt.053, CSV) and match its credits.
          matches [confirm|reject] What matching decided per bank credit; a person's decision.
          outbox list|retry|drop  Inspect and manage queued CRM writes.
          config check            Validate the config file.
          auth SOURCE             Connect a source's account once: consent in a browser, token saved.
          migrate-ledger          Move an SQLite ledger into PostgreSQL, for several workers.
          completions SHELL       Print a completion script for bash, zsh or fish.

        OPTIONS:
          -h, --help              Show help (also after any command).
          --version               Show the version.

        Start with `make demo` (no accounts needed); the docs are in docs/.
        """
}
