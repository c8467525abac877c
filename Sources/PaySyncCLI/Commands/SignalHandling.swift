import Foundation

/// SIGINT and SIGTERM cancel the run: the page being committed completes (a ledger transaction is
/// never cut in half), reading stops, and the process exits 75 with a clear message.
enum SignalHandling {
    static func cancellingOnTermination<T: Sendable>(output: Output, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            let name = signalNumber == SIGINT ? "SIGINT" : "SIGTERM"
            source.setEventHandler {
                output.standardError("paysync: received \(name); finishing the current page, then stopping")
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        defer {
            for source in sources { source.cancel() }
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
        return try await task.value
    }
}
