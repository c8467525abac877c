import Foundation
import PaySyncHTTP
import PaySyncTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// What one HTTP call costs the client alone: `BENCH_HTTP_N` (2,000) sequential 1 KB POSTs
/// through paysync's `URLSessionTransport` to a loopback server that answers a constant at once,
/// with this process's CPU time measured around them (the server's share is a constant reply).
/// It isolates the per-call cost that dominates a sink with no bulk endpoint (Pipedrive's line in
/// `paysync-bench crms`).
enum HTTPCallCost {
    static func run(environment: [String: String]) async throws {
        let count = Int(environment["BENCH_HTTP_N"] ?? "") ?? 2_000
        let server = try LoopbackHTTPServer { _ in .json(200, #"{"success":true,"data":{"id":1}}"#) }
        let transport = URLSessionTransport()
        let url = URL(string: server.baseURL + "/api/v2/deals/1")!
        let body = Data(repeating: UInt8(ascii: "a"), count: 1_000)
        _ = try await transport.send(HTTPRequest(method: "PATCH", url: url, headers: ["Content-Type": "application/json"], body: body))  // warm
        let before = cpu()
        let start = Date()
        for _ in 0..<count {
            _ = try await transport.send(HTTPRequest(method: "PATCH", url: url, headers: ["Content-Type": "application/json"], body: body))
        }
        let seconds = cpu() - before
        print("")
        print("HTTP client cost: \(count) sequential 1 KB PATCHes over loopback through URLSessionTransport")
        print("  \(fixed(seconds, 2)) CPU s, \(fixed(seconds / Double(count) * 1000, 2)) ms CPU per call, \(fixed(Date().timeIntervalSince(start) / Double(count) * 1000, 2)) ms wall per call")
    }

    static func cpu() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
