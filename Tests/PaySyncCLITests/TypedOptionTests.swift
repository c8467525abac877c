import PaySyncCore
import Testing

/// Each option converts and validates its value in one place; a bad value is exit 64 naming the
/// option, the value and the command's help.
@Suite struct TypedOptionTests {
    @Test("bad values are refused where the option is declared", arguments: [
        (["outbox", "list", "--limit", "0"], "--limit 0 is not a positive number (see `paysync outbox list --help`)"),
        (["outbox", "list", "--state", "gone"], "--state gone is not pending, sending, dead, skipped or all (see `paysync outbox list --help`)"),
        (["outbox", "drop", "--id", "x7"], "--id x7 is not a row number (see `paysync outbox drop --help`)"),
        (["backfill", "--since", "2025-5-1"], "--since 2025-5-1 is not a date (YYYY-MM-DD) (see `paysync backfill --help`)"),
        (["status", "--format", "yaml"], "--format yaml is not text or json (see `paysync status --help`)"),
        (["status", "--now", "yesterday"], "--now yesterday is not an ISO 8601 timestamp (e.g. 2025-05-02T09:00:00Z) (see `paysync --help`)"),
        (["status", "--log-level", "loud"], "--log-level loud is not one of debug, info, warning, error (see `paysync --help`)"),
    ])
    func refusals(arguments: [String], message: String) async {
        let result = await paysync(arguments)
        #expect(result.code == ExitCode.usage.rawValue)
        #expect(result.err == "paysync: error: \(message)", "\(result.err)")
    }
}
