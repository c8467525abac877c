/// `docs/paysync.1`, the manual page, rendered from the command table (`paysync-dev man-page`
/// writes it; a test fails when the committed page and the table disagree).
public enum ManPage {
    public static func render(version: String = PaySyncCLI.version) -> String {
        var text = """
            .\\" Generated from paysync's command table by `paysync-dev man-page`; do not edit.
            .TH PAYSYNC 1 "" "paysync \(version)" "User Commands"
            .SH NAME
            paysync \\- keep a CRM in step with what customers have actually paid
            .SH SYNOPSIS
            .B paysync
            .I command
            [\\fIoptions\\fR]
            .SH DESCRIPTION
            paysync polls payment, invoice and bank-transaction lists from accounting and payment
            providers, normalises each object to one payment status, records it in a local SQLite
            ledger, and writes only what changed to the CRM through a durable outbox. It is meant
            to run from cron or a systemd timer (\\fBpaysync reconcile \\-\\-quiet\\fR).
            .SH COMMANDS

            """
        for spec in CommandTable.all {
            let arguments = spec.positionals.map { " \\fI\($0.name)\\fR" }.joined()
            text += ".SS \(spec.name)\(arguments)\n\(escape(spec.summary))\n"
            if !spec.discussion.isEmpty {
                text += ".PP\n\(escape(spec.discussion.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")))\n"
            }
            for (name, help) in spec.positionals { text += ".TP\n.I \(name)\n\(escape(help))\n" }
            for option in spec.options { text += optionEntry(option) }
        }
        text += ".SH GLOBAL OPTIONS\n"
        for option in CommandLineParser.globalOptions { text += optionEntry(option) }
        text += """
            .SH EXIT STATUS
            0 success; 64 usage; 65 data error (an unreadable object, an unknown status, a ledger from a
            newer paysync); 69 a provider or CRM unavailable; 70 internal error; 73 cannot create a file;
            75 temporary (another run holds the ledger, a rate limit, interrupted); 77 authentication
            (run \\fBpaysync auth\\fR); 78 configuration. Details: docs/exit-codes.md.
            .SH FILES
            .TP
            .I ./paysync.json
            the config ($PAYSYNC_CONFIG or \\-\\-config elsewhere)
            .TP
            .I ./paysync.db
            the ledger (the config's "ledger", or \\-\\-ledger)
            .SH SEE ALSO
            docs/configuration.md, docs/operations.md, docs/connectors/, docs/sinks/ in the source tree.

            """
        return text
    }

    private static func optionEntry(_ option: OptionSpec) -> String {
        var head = "\\fB\(escape(option.name))\\fR"
        if let short = option.short { head = "\\fB\(escape(short))\\fR, " + head }
        if let value = option.valueName { head += " \\fI\(value)\\fR" }
        return ".TP\n\(head)\n\(escape(option.help))\n"
    }

    /// Backslashes and leading dots or quotes would be roff requests; hyphens in options are
    /// written as `\-` so they copy as ASCII.
    static func escape(_ text: String) -> String {
        var result = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        if result.hasPrefix(".") || result.hasPrefix("'") { result = "\\&" + result }
        return result
    }
}
