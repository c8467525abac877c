import Foundation
import PaySyncCore

/// Sends requests through a transport with retries (see `RetryPolicy`), an optional rate limiter,
/// and logging that never shows a secret. Connectors and sinks talk to the network only through it.
public struct HTTPClient: Sendable {
    public var transport: any HTTPTransport
    public var policy: RetryPolicy
    public var environment: RunEnvironment
    public var logger: Logger
    /// Counts calls per host (benchmarks and summaries compare them with the minimum).
    public let counter: CallCounter

    public init(transport: any HTTPTransport, policy: RetryPolicy = RetryPolicy(), environment: RunEnvironment = .live,
                logger: Logger = .silent, counter: CallCounter = CallCounter()) {
        self.transport = transport
        self.policy = policy
        self.environment = environment
        self.logger = logger
        self.counter = counter
    }

    /// Sends `request`, retrying retryable failures.
    /// - Parameters:
    ///   - limiter: the provider's rate limiter, acquired around each attempt.
    ///   - isRetryable: a provider's veto for a retryable status (Xero's daily 429 is not worth retrying).
    ///   - defaultRetryAfter: the wait a provider implies without a `Retry-After` header
    ///     (HubSpot's ten-secondly 429 means 10 s).
    /// - Returns: the first response whose status is not retried (any 2xx, or a non-retryable 4xx).
    /// - Parameter explain: the provider's reading of an error body (its code and message), used in
    ///   the error when retries run out instead of a raw excerpt of the body.
    /// - Throws: `HTTPError` when retries run out, or a `Retry-After` exceeds the budget.
    public func send(
        _ request: HTTPRequest, limiter: RateLimiter? = nil,
        isRetryable: @Sendable (HTTPResponse) -> Bool = { _ in true },
        defaultRetryAfter: @Sendable (HTTPResponse) -> Double? = { _ in nil },
        explain: @Sendable (HTTPResponse) -> String? = { _ in nil }
    ) async throws -> HTTPResponse {
        let started = environment.now()
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let outcome: Result<HTTPResponse, HTTPError>
            do {
                let response: HTTPResponse
                if let limiter {
                    response = try await limiter.withPermit { try await transport.send(request) }
                } else {
                    response = try await transport.send(request)
                }
                outcome = .success(response)
            } catch let error as HTTPError {
                outcome = .failure(error)
            } catch is CancellationError {
                throw HTTPError(.cancelled, call: request.summary, attempts: attempt)
            }
            counter.record(host: request.url.host ?? "")
            if case .success(let response) = outcome, response.status == 429 { counter.recordThrottle() }

            let status: Int?
            var retryAfter: Double?
            switch outcome {
            case .success(let response):
                if response.status < 400 || !RetryPolicy.retryableStatuses.contains(response.status) || !isRetryable(response) {
                    return response
                }
                status = response.status
                retryAfter = RetryAfter.seconds(response.headers["Retry-After"], now: environment.now()) ?? defaultRetryAfter(response)
            case .failure(let error):
                status = nil
                if !error.isTransportFailure { throw HTTPError(error.kind, call: error.call, attempts: attempt, detail: error.detail) }
            }

            let elapsed = environment.now().duration(since: started).seconds
            switch policy.decide(attempt: attempt, status: status, retryAfterSeconds: retryAfter, elapsedSeconds: elapsed, random: environment.random()) {
            case .retry(let seconds):
                logger.info("\(request.summary): \(describe(outcome)); retrying in \(String(format: "%.1f", seconds)) s (attempt \(attempt + 1) of \(policy.maxAttempts))")
                try await environment.sleep(.milliseconds(Int64((seconds * 1000).rounded())))
            case .waitTooLong(let seconds):
                // The provider's own words too (Intuit's throttle code, say), as when retries run out.
                var detail: String?
                if case .success(let response) = outcome { detail = explain(response) ?? response.bodyExcerpt() }
                throw HTTPError(.rateLimited(retryAfterSeconds: seconds), call: request.summary, attempts: attempt, detail: detail)
            case .giveUp:
                switch outcome {
                case .success(let response):
                    // The provider's own account of the failure when its reader can tell, else the body.
                    let detail = explain(response) ?? response.bodyExcerpt()
                    if response.status == 429 {
                        throw HTTPError(.rateLimited(retryAfterSeconds: retryAfter), call: request.summary, attempts: attempt, detail: detail)
                    }
                    throw HTTPError(.status(response.status), call: request.summary, attempts: attempt, detail: detail)
                case .failure(let error):
                    throw HTTPError(error.kind, call: error.call, attempts: attempt, detail: error.detail)
                }
            }
        }
    }

    private func describe(_ outcome: Result<HTTPResponse, HTTPError>) -> String {
        switch outcome {
        case .success(let response): "HTTP \(response.status)"
        case .failure(let error): HTTPError(error.kind, call: "").description.dropFirst(2).description
        }
    }
}

/// Counts HTTP calls (attempts included) per host, and those answered 429. Thread-safe.
public final class CallCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let throttles = Mutex(0)

    public init() {}

    public func record(host: String) { counts.withLock { $0[host, default: 0] += 1 } }

    public func recordThrottle() { throttles.withLock { $0 += 1 } }

    /// Calls the server answered with 429 (each retried attempt counts).
    public var throttled: Int { throttles.withLock { $0 } }

    public func count(host: String) -> Int { counts.withLock { $0[host] ?? 0 } }

    public var total: Int { counts.withLock { $0.values.reduce(0, +) } }
}

import Synchronization
