import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncHTTP

/// Replies from a script, one per request, then a default.
final class ScriptedServer: Sendable {
    let server: LoopbackHTTPServer
    private let script: Locked<[ServerReply]>
    private let received: Locked<[ServerRequest]>

    init(_ replies: [ServerReply], otherwise: ServerReply = .json(200, #"{"ok":true}"#)) throws {
        let script = Locked(replies)
        let received = Locked<[ServerRequest]>([])
        self.script = script
        self.received = received
        self.server = try LoopbackHTTPServer { request in
            received.withLock { $0.append(request) }
            return script.withLock { $0.isEmpty ? otherwise : $0.removeFirst() }
        }
    }

    var requests: [ServerRequest] { received.withLock { $0 } }
    var url: URL { URL(string: server.baseURL + "/api/things")! }
}

@Suite(.serialized) struct HTTPClientTests {
    func client(_ clock: VirtualClock, timeout: Double = 5, attempts: Int = 6) -> HTTPClient {
        HTTPClient(transport: URLSessionTransport(timeoutSeconds: timeout, deadlineSeconds: 30),
                   policy: RetryPolicy(maxAttempts: attempts, maxRetrySeconds: 300, baseSeconds: 1, capSeconds: 60),
                   environment: clock.environment)
    }

    @Test func honoursRetryAfterThenSucceeds() async throws {
        let fake = try ScriptedServer([.status(429, headers: ["Retry-After": "7", "X-Rate-Limit-Problem": "minute"])])
        let clock = VirtualClock()
        let response = try await client(clock).send(HTTPRequest(url: fake.url))
        #expect(response.status == 200)
        #expect(clock.sleeps == [.seconds(7)])
        #expect(fake.requests.count == 2)
    }

    @Test func retriesA503WithJitteredBackoff() async throws {
        let fake = try ScriptedServer([.status(503), .status(502)])
        let clock = VirtualClock(jitter: 0.5)
        let response = try await client(clock).send(HTTPRequest(url: fake.url))
        #expect(response.status == 200)
        #expect(clock.sleeps == [.milliseconds(500), .milliseconds(1000)])
    }

    @Test func neverRetriesOther4xx() async throws {
        let fake = try ScriptedServer([.json(400, #"{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred"}"#)])
        let clock = VirtualClock()
        let response = try await client(clock).send(HTTPRequest(url: fake.url))
        #expect(response.status == 400)
        #expect(fake.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func retriesAConnectionReset() async throws {
        let fake = try ScriptedServer([.reset])
        let clock = VirtualClock()
        let response = try await client(clock).send(HTTPRequest(url: fake.url))
        #expect(response.status == 200)
        #expect(clock.sleeps.count == 1)
    }

    @Test func retriesATruncatedBody() async throws {
        let body = String(repeating: "x", count: 5000)
        let fake = try ScriptedServer([.truncated(HTTPResponse(status: 200, body: Data(body.utf8)), bytes: 100)])
        let clock = VirtualClock()
        let response = try await client(clock).send(HTTPRequest(url: fake.url))
        #expect(response.body == Data(#"{"ok":true}"#.utf8))
        #expect(clock.sleeps.count == 1)
    }

    @Test func retriesATimeout() async throws {
        let fake = try ScriptedServer([.delayed(seconds: 3, .status(200))])
        let clock = VirtualClock()
        let response = try await client(clock, timeout: 1).send(HTTPRequest(url: fake.url))
        #expect(response.status == 200)
        #expect(clock.sleeps.count == 1)
    }

    @Test func givesUpAfterMaxAttemptsWithExit69() async throws {
        let fake = try ScriptedServer([], otherwise: .status(503, body: "maintenance"))
        let clock = VirtualClock()
        let error = await #expect(throws: HTTPError.self) { try await client(clock, attempts: 3).send(HTTPRequest(url: fake.url)) }
        #expect(error?.kind == .status(503))
        #expect(error?.attempts == 3)
        #expect(error?.exitCode == .unavailable)
        #expect(error?.description == "GET 127.0.0.1/api/things: HTTP 503 after 3 attempts: maintenance")
        #expect(fake.requests.count == 3)
    }

    @Test func refusedConnectionIsUnavailable() async throws {
        let fake = try ScriptedServer([])
        let url = fake.url
        fake.server.stop()
        let error = await #expect(throws: HTTPError.self) { try await client(VirtualClock(), attempts: 2).send(HTTPRequest(url: url)) }
        #expect(error?.kind == .connectionRefused)
        #expect(error?.exitCode == .unavailable)
    }

    @Test func aRetryAfterBeyondTheBudgetIsExit75() async throws {
        let fake = try ScriptedServer([.status(429, headers: ["Retry-After": "86400", "X-Rate-Limit-Problem": "day"])])
        let error = await #expect(throws: HTTPError.self) { try await client(VirtualClock()).send(HTTPRequest(url: fake.url)) }
        #expect(error?.kind == .rateLimited(retryAfterSeconds: 86400))
        #expect(error?.exitCode == .temporaryFailure)
    }

    @Test func aProviderCanVetoARetry() async throws {
        let fake = try ScriptedServer([.status(429, headers: ["Retry-After": "5", "X-Rate-Limit-Problem": "day"])])
        let response = try await client(VirtualClock()).send(HTTPRequest(url: fake.url)) { $0.headers["X-Rate-Limit-Problem"] != "day" }
        #expect(response.status == 429)
        #expect(fake.requests.count == 1)
    }

    @Test func largePostBodiesArriveIntact() async throws {
        let fake = try ScriptedServer([])
        let body = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        _ = try await client(VirtualClock()).send(HTTPRequest(method: "POST", url: fake.url, headers: ["Content-Type": "application/octet-stream"], body: body))
        #expect(fake.requests.first?.body == body)
    }
}

@Suite struct RateLimiterTests {
    @Test func allowsAtMostTheLimitInAnyRollingMinute() async throws {
        let clock = VirtualClock()
        let limiter = RateLimiter(perMinute: 60, concurrent: 5, environment: clock.environment)
        let start = clock.now
        var starts: [Timestamp] = []
        for _ in 0..<150 {
            try await limiter.acquire()
            starts.append(clock.now)
            await limiter.release()
        }
        // Check every window of 60 s: never more than 60 starts.
        for (index, time) in starts.enumerated() {
            let inWindow = starts[index...].prefix { $0 < time.adding(milliseconds: 60_000) }.count
            #expect(inWindow <= 60)
        }
        // 150 calls at 60 a minute need two full windows of waiting.
        #expect(clock.now.duration(since: start) == .seconds(120))
    }

    @Test func limitsConcurrency() async throws {
        let limiter = RateLimiter(perMinute: 1000, concurrent: 2, environment: VirtualClock().environment)
        let peak = Locked([0, 0])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await limiter.withPermit {
                        peak.withLock { $0[0] += 1; $0[1] = max($0[1], $0[0]) }
                        try await Task.sleep(for: .milliseconds(5))
                        peak.withLock { $0[0] -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.value[1] == 2)
    }
}
