import PaySyncCore
import Testing

/// Issue 9, case 12: `outbox --help` and `config --help` exited 64 pointing at themselves.
@Suite struct HelpTests {
    @Test("a command group's help lists its subcommands and succeeds", arguments: [
        ("outbox", ["list", "retry", "drop"]), ("config", ["check"]),
    ])
    func groupHelp(group: String, subcommands: [String]) async {
        for flag in ["--help", "-h"] {
            let result = await paysync([group, flag])
            #expect(result.code == 0, "\(result.err)")
            #expect(result.err.isEmpty)
            for subcommand in subcommands { #expect(result.out.contains("  \(subcommand) "), "\(result.out)") }
        }
    }

    /// The overview names every command (the table of commands is what dispatch knows).
    @Test func theOverviewListsEveryCommand() async {
        let result = await paysync(["--help"])
        for command in ["reconcile", "backfill", "status", "history", "runs", "outbox", "config check", "auth", "completions"] {
            #expect(result.out.contains("\n  \(command) "), "\(command) missing from:\n\(result.out)")
        }
    }

    @Test func aGroupWithoutASubcommandIsStillAUsageError() async {
        let result = await paysync(["outbox"])
        #expect(result.code == ExitCode.usage.rawValue)
    }
}
