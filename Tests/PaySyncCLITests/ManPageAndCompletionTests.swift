import Foundation
import PaySyncCLI
import PaySyncCore
import PaySyncTestSupport
import Testing

@Suite struct ManPageAndCompletionTests {
    /// Every command word and option the parser knows, read from the help it prints.
    func commandsAndOptions() async -> (commands: [String], options: [String]) {
        let overview = await paysync(["--help"]).out
        let commands = overview.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("  -") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        var options: Set<String> = []
        for command in ["reconcile", "backfill", "status", "history", "runs", "outbox list", "outbox retry", "outbox drop", "config check", "auth", "completions"] {
            let help = await paysync(command.split(separator: " ").map(String.init) + ["--help"]).out
            // The option column: `  -q, --quiet   Print …` → --quiet (the words before the first that is no option).
            for line in help.split(separator: "\n") where line.hasPrefix("  -") {
                for word in line.split(separator: " ") {
                    let name = word.trimmingCharacters(in: CharacterSet(charactersIn: ","))
                    guard name.hasPrefix("-") else { break }
                    if name.hasPrefix("--") { options.insert(name) }
                }
            }
        }
        return (commands, options.sorted())
    }

    @Test func theManPageIsInStepWithTheCommandTable() throws {
        let committed = try String(contentsOfFile: Repository.path("docs/paysync.1"), encoding: .utf8)
        #expect(committed == ManPage.render(), "docs/paysync.1 is out of date: run `swift run paysync-dev man-page`")
    }

    @Test func theManPageNamesEveryCommandAndOption() async throws {
        let page = ManPage.render()
        let (commands, options) = await commandsAndOptions()
        #expect(commands.count >= 8)
        for command in commands { #expect(page.contains(".SS \(command)"), "\(command)") }
        for option in options { #expect(page.contains(option.replacingOccurrences(of: "-", with: "\\-")), "\(option)") }
    }

    @Test("completions offer every command and option", arguments: ["bash", "zsh", "fish"])
    func completions(shell: String) async throws {
        let result = await paysync(["completions", shell])
        #expect(result.code == 0, "\(result.err)")
        let (commands, options) = await commandsAndOptions()
        for command in commands { #expect(result.out.contains(command), "\(shell): \(command)") }
        for option in options {
            let spelled = shell == "fish" ? "-l \(option.dropFirst(2))" : option
            #expect(result.out.contains(spelled), "\(shell): \(option)")
        }
    }

    @Test func theBashScriptParsesAndCompletesAsked() throws {
        let work = TemporaryDirectory(prefix: "paysync-completion")
        let script = work.file("paysync.bash")
        let run = try ChildProcess.run(Repository.paysyncExecutable, ["completions", "bash"])
        try run.standardOutput.write(toFile: script, atomically: true, encoding: .utf8)
        #expect(try ChildProcess.run("/bin/bash", ["-n", script]).status == 0)
        // Drive the function as bash would for `paysync outbox l` and `paysync reconcile --dr`.
        let probe = """
            source \(script)
            COMP_WORDS=(paysync outbox l); COMP_CWORD=2; _paysync; echo "${COMPREPLY[@]}"
            COMP_WORDS=(paysync reconcile --dr); COMP_CWORD=2; _paysync; echo "${COMPREPLY[@]}"
            COMP_WORDS=(paysync outbox list --st); COMP_CWORD=3; _paysync; echo "${COMPREPLY[@]}"
            """
        let answers = try ChildProcess.run("/bin/bash", ["-c", probe]).standardOutput.split(separator: "\n").map(String.init)
        #expect(answers == ["list", "--dry-run", "--state"])
    }

    @Test func anUnknownShellIsAUsageErrorWithASuggestion() async {
        let result = await paysync(["completions", "bsh"])
        #expect(result.code == ExitCode.usage.rawValue)
        #expect(result.err.contains(#"unknown shell "bsh"; did you mean "bash"?"#), "\(result.err)")
    }
}
