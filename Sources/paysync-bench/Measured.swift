import Foundation

/// One run of a child process with what the kernel accounted to it.
struct Measured {
    var status: Int32
    var wallSeconds: Double
    var cpuSeconds: Double        // user + system
    /// ru_maxrss. Not used for the report: posix_spawn's vfork shares this process's memory
    /// until exec, and Linux folds that high-water mark into the child's. paysync reports its own
    /// VmHWM instead (`peak_rss_kb` in --format json).
    var maxRSSFromWait: Int
    var standardOutput: String
    var standardError: String
}

/// Runs a program and reads its resource usage from `wait4`, so the figures are the child's own:
/// the fake servers in this process do not count. With `discardOutput`, its standard output goes
/// to /dev/null (a Singer tap writes every record there).
func measure(_ executable: String, _ arguments: [String], environment: [String: String], discardOutput: Bool = false) throws -> Measured {
    let directory = NSTemporaryDirectory() + "paysync-bench-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let outPath = directory + "/out", errPath = directory + "/err"

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, discardOutput ? "/dev/null" : outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let started = Date()
    let code = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard code == 0 else { throw BenchError("cannot start \(executable): \(String(cString: strerror(code)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let wall = Date().timeIntervalSince(started)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    let exited = (status & 0x7f) == 0
    return Measured(
        status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
        wallSeconds: wall, cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime), maxRSSFromWait: usage.ru_maxrss,
        standardOutput: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
        standardError: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    )
}

/// CPU time this thread has used, for the in-process decode-only ceiling.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
