import CSQLite
import Foundation
import PaySyncCore
@testable import PaySyncLedger
import PaySyncTestSupport
import Testing

/// Issue 9, case 6: `status --ledger other-app.sqlite` added paysync's tables to another
/// application's database and switched it to WAL. Read-only commands never create or migrate;
/// every command refuses an SQLite file that is not a paysync ledger, and leaves it as it was.
@Suite struct ForeignLedgerTests {
    /// Another application's SQLite database, in rollback-journal mode.
    func foreignDatabase(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.file("other-app.sqlite")
        let database = try Database(path: path, create: true)
        try database.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')")
        return path
    }

    func snapshot(_ path: String) throws -> (bytes: Data, siblings: [String]) {
        let directory = (path as NSString).deletingLastPathComponent
        let siblings = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix((path as NSString).lastPathComponent) }.sorted()
        return (try Data(contentsOf: URL(fileURLWithPath: path)), siblings)
    }

    @Test("every command refuses another application's database and leaves it untouched", arguments: [
        ["status"], ["history", "INV-1"], ["outbox", "list"], ["outbox", "retry", "--all"], ["outbox", "drop", "--id", "1"],
        ["reconcile", "--fixtures", "FIXTURES"],
    ])
    func refusesAForeignDatabase(arguments: [String]) async throws {
        let directory = TemporaryDirectory(prefix: "paysync-foreign")
        let path = try foreignDatabase(directory)
        let before = try snapshot(path)
        let fixtures = Repository.path("fixtures/demo/1-first-sync")
        var command = arguments.map { $0 == "FIXTURES" ? fixtures : $0 }
        if command.first == "reconcile" { command += ["--config", Repository.path("fixtures/demo/paysync.json")] }
        let result = await paysync(command + ["--ledger", path])
        #expect(result.code == ExitCode.dataError.rawValue, "\(result.err)")
        #expect(result.err.contains("is not a paysync ledger"), "\(result.err)")
        let after = try snapshot(path)
        #expect(after.bytes == before.bytes)
        #expect(after.siblings == before.siblings)  // no -wal, -shm or lock file left behind
    }

    @Test func aReadOnlyCommandNeverMigratesAnOlderLedger() async throws {
        let directory = TemporaryDirectory(prefix: "paysync-older")
        let path = directory.file("old.db")
        let database = try Database(path: path, create: true)
        try Migrator(migrations: Array(LedgerSchema.migrations.prefix(3))).migrate(database)
        let before = try snapshot(path)
        let result = await paysync(["status", "--ledger", path])
        #expect(result.code == ExitCode.dataError.rawValue)
        #expect(result.err.contains("written by an older paysync"), "\(result.err)")
        #expect(try snapshot(path).bytes == before.bytes)
        #expect(try database.scalar("PRAGMA user_version") == 3)
    }

    @Test func aReadOnlyCommandOnAMissingLedgerCreatesNothing() async throws {
        let directory = TemporaryDirectory(prefix: "paysync-missing")
        let result = await paysync(["status", "--ledger", directory.file("nothing.db")])
        #expect(result.code == ExitCode.cannotCreate.rawValue)
        #expect(!FileManager.default.fileExists(atPath: directory.file("nothing.db")))
    }

    /// Issue 9, case 12: the README's ledger directory did not exist, and the error named the
    /// lock file. It names the directory and what to do, and creates nothing.
    @Test func aMissingLedgerDirectoryIsNamedWithTheFix() async throws {
        let directory = TemporaryDirectory(prefix: "paysync-nodir")
        let ledger = directory.file("var/lib/paysync/paysync.db")
        let result = await paysync(["reconcile", "--config", Repository.path("fixtures/demo/paysync.json"), "--ledger", ledger,
                                    "--fixtures", Repository.path("fixtures/demo/1-first-sync"), "--now", "2025-05-02T09:00:00Z"])
        #expect(result.code == ExitCode.cannotCreate.rawValue)
        #expect(result.err.contains("its directory \(directory.file("var/lib/paysync")) does not exist; create it (mkdir -p"), "\(result.err)")
        #expect(!result.err.contains(".lock"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("var")))
    }
}
