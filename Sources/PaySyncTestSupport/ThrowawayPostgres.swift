import Foundation

/// A throwaway PostgreSQL server for the tests: `initdb` into a temporary directory and
/// `pg_ctl start` on a Unix socket there (no TCP port), from the distribution's `postgresql`
/// package (`make deps` installs it). PostgreSQL refuses to run as root, so under root (CI, this
/// machine) it runs as the `postgres` user through `runuser`. One server per test process,
/// stopped and removed when the process exits; each test makes its own database.
public final class ThrowawayPostgres: Sendable {
    public let root: String
    public let binaries: String
    let runAs: String?

    public static let shared: Result<ThrowawayPostgres, ThrowawayPostgresError> = {
        do {
            let server = try ThrowawayPostgres()
            ThrowawayPostgres.started.withLock { $0 = server.root }
            atexit { ThrowawayPostgres.stopAtExit() }
            return .success(server)
        } catch let error as ThrowawayPostgresError {
            return .failure(error)
        } catch {
            return .failure(ThrowawayPostgresError(message: "\(error)"))
        }
    }()

    static let started = LockedPath()

    /// The shared server, or the reason there is none, as a test failure should say it.
    public static func server() throws -> ThrowawayPostgres { try shared.get() }

    /// A new server. The tests' shared one runs with `fsync` off (`-F`: a test's durability is
    /// the ledger's logic, not the disk's); `durable` keeps PostgreSQL's defaults (`fsync` and
    /// `synchronous_commit` on), as a benchmark beside SQLite's `synchronous=FULL` must.
    /// `settings` are more `-c name=value` server settings (the bench loads pg_stat_statements).
    public init(durable: Bool = false, settings: [String] = []) throws {
        guard let binaries = ThrowawayPostgres.findBinaries() else {
            throw ThrowawayPostgresError(message: "PostgreSQL's initdb and pg_ctl were not found; run `make deps` (it installs Debian's postgresql package)")
        }
        self.binaries = binaries
        root = "/tmp/paysync-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        runAs = getuid() == 0 ? "postgres" : nil
        if let user = runAs {
            try ThrowawayPostgres.check(ChildProcess.run("/bin/chown", [user, root]), "chown \(root)")
        }
        try ThrowawayPostgres.check(run("initdb", ["-D", root + "/data", "-A", "trust", "-U", "paysync", "-E", "UTF8", "--no-sync", "--no-instructions"]), "initdb")
        // Not through `Process`: Foundation learns that a child ended when every process holding
        // its watch descriptor has, and the server pg_ctl leaves running would hold it for ever.
        let start = "\(binaries)/pg_ctl -D \(root)/data -l \(root)/server.log -w -t 60 -o \"-k \(root) -c listen_addresses=''\(durable ? "" : " -F") -c max_connections=60\(settings.map { " -c \($0)" }.joined())\" start"
        let status = ThrowawayPostgres.shell(runAs.map { "/usr/sbin/runuser -u \($0) -- \(start)" } ?? start)
        guard status == 0 else {
            throw ThrowawayPostgresError(message: "pg_ctl start failed (\(status)): \((try? String(contentsOfFile: root + "/server.log", encoding: .utf8))?.suffix(600) ?? "")")
        }
    }

    /// A libpq URL of a new, empty database on this server.
    public func newDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try ThrowawayPostgres.check(run("psql", ["-h", root, "-U", "paysync", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \(name)"]),
                                    "CREATE DATABASE")
        return url(database: name)
    }

    /// Runs SQL with psql in `database`; its output, unaligned, without headers.
    public func psql(database: String = "postgres", _ sql: String) throws -> String {
        let result = try run("psql", ["-h", root, "-U", "paysync", "-d", database, "-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-F", "|", "-c", sql])
        try ThrowawayPostgres.check(result, "psql")
        return result.standardOutput
    }

    /// `postgresql://paysync@/NAME?host=SOCKET_DIRECTORY`.
    public func url(database: String) -> String {
        "postgresql://paysync@/\(database)?host=\(root)"
    }

    func run(_ program: String, _ arguments: [String]) throws -> ProcessResult {
        let path = program == "psql" && !FileManager.default.fileExists(atPath: binaries + "/psql") ? "/usr/bin/psql" : binaries + "/" + program
        if let user = runAs {
            return try ChildProcess.run("/usr/sbin/runuser", ["-u", user, "--", path] + arguments, environment: ["LC_ALL": "C.UTF-8"])
        }
        return try ChildProcess.run(path, arguments, environment: ["LC_ALL": "C.UTF-8"])
    }

    static func check(_ result: ProcessResult, _ what: String) throws {
        guard result.status == 0 else {
            throw ThrowawayPostgresError(message: "\(what) failed (\(result.status)): \(result.standardError.prefix(600))\(result.standardOutput.prefix(300))")
        }
    }

    static func findBinaries() -> String? {
        var candidates: [String] = []
        if let bin = try? ChildProcess.run("/usr/bin/env", ["pg_config", "--bindir"]), bin.status == 0 {
            candidates.append(bin.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") && FileManager.default.isExecutableFile(atPath: $0 + "/pg_ctl") }
    }

    /// Runs a command line through `/bin/sh`, its output to /dev/null; its exit status.
    static func shell(_ command: String) -> Int32 {
        let status = system("exec </dev/null >/dev/null 2>&1; " + command)
        return status == -1 ? -1 : (status >> 8) & 0xff
    }

    static func stopAtExit() {
        guard started.value != nil, case .success(let server) = shared else { return }
        server.stop()
    }

    /// Stops the server and removes its directory.
    public func stop() {
        let stop = "\(binaries)/pg_ctl -D \(root)/data -m immediate -w stop"
        _ = ThrowawayPostgres.shell(runAs.map { "/usr/sbin/runuser -u \($0) -- \(stop)" } ?? stop)
        try? FileManager.default.removeItem(atPath: root)
    }

    /// CPU seconds the server has used so far: the postmaster's own, its ended children's (each
    /// connection's backend is a child the postmaster reaps) and its live children's (the WAL
    /// writer, the checkpointer, open connections), from /proc. Measured before and after a
    /// run, it is what that run cost the database server.
    public func cpuSeconds() -> Double {
        guard let pidText = try? String(contentsOfFile: root + "/data/postmaster.pid", encoding: .utf8),
              let postmaster = pidText.split(separator: "\n").first.flatMap({ Int($0) }) else { return 0 }
        var ticks = Self.stat(postmaster).map { $0.utime + $0.stime + $0.cutime + $0.cstime } ?? 0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int(entry), pid != postmaster, let stat = Self.stat(pid), stat.parent == postmaster else { continue }
            ticks += stat.utime + stat.stime
        }
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A process's parent and CPU ticks (fields 4 and 14-17 of /proc/PID/stat).
    private static func stat(_ pid: Int) -> (parent: Int, utime: Double, stime: Double, cutime: Double, cstime: Double)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        // After the command name: field 3 (state) is first.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 14, let parent = Int(fields[1]) else { return nil }
        let numbers = fields[11...14].map { Double($0) ?? 0 }
        return (parent, numbers[0], numbers[1], numbers[2], numbers[3])
    }
}

public struct ThrowawayPostgresError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { "throwaway PostgreSQL: \(message)" }
}

/// A path set once, read at exit.
final class LockedPath: @unchecked Sendable {
    private let lock = NSLock()
    private var path: String?
    var value: String? { lock.lock(); defer { lock.unlock() }; return path }
    func withLock(_ body: (inout String?) -> Void) { lock.lock(); body(&path); lock.unlock() }
}
