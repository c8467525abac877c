import Testing
import PaySyncCore
@testable import PaySyncHTTP

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, maxRetrySeconds: 100, baseSeconds: 1, capSeconds: 8)

    @Test("which outcomes are retried", arguments: [
        (429, true), (500, true), (502, true), (503, true), (504, true),
        (400, false), (401, false), (403, false), (404, false), (409, false), (422, false),
    ])
    func retryableStatuses(status: Int, retried: Bool) {
        let decision = policy.decide(attempt: 1, status: status, retryAfterSeconds: nil, elapsedSeconds: 0, random: 0.5)
        #expect((decision != .giveUp) == retried)
    }

    @Test func transportFailuresAreRetried() {
        #expect(policy.decide(attempt: 1, status: nil, retryAfterSeconds: nil, elapsedSeconds: 0, random: 0.5) == .retry(afterSeconds: 0.5))
    }

    @Test("backoff is full jitter below an exponential, capped ceiling", arguments: [
        (1, 1.0, 1.0), (2, 1.0, 2.0), (3, 1.0, 4.0), (4, 1.0, 8.0), (4, 0.25, 2.0), (2, 0.0, 0.0),
    ])
    func backoff(attempt: Int, random: Double, seconds: Double) {
        let capped = RetryPolicy(maxAttempts: 10, maxRetrySeconds: 1000, baseSeconds: 1, capSeconds: 8)
        #expect(capped.decide(attempt: attempt, status: 503, retryAfterSeconds: nil, elapsedSeconds: 0, random: random) == .retry(afterSeconds: seconds))
        #expect(capped.decide(attempt: 7, status: 503, retryAfterSeconds: nil, elapsedSeconds: 0, random: 1.0) == .retry(afterSeconds: 8))
    }

    @Test func retryAfterIsHonouredExactly() {
        #expect(policy.decide(attempt: 1, status: 429, retryAfterSeconds: 17, elapsedSeconds: 0, random: 0.9) == .retry(afterSeconds: 17))
    }

    @Test func attemptsAndTotalTimeAreBounded() {
        #expect(policy.decide(attempt: 5, status: 503, retryAfterSeconds: nil, elapsedSeconds: 0, random: 0.5) == .giveUp)
        #expect(policy.decide(attempt: 2, status: 503, retryAfterSeconds: nil, elapsedSeconds: 99.5, random: 1) == .giveUp)
        #expect(policy.decide(attempt: 1, status: 429, retryAfterSeconds: 3600, elapsedSeconds: 0, random: 0.5) == .waitTooLong(seconds: 3600))
    }
}

@Suite struct RetryAfterTests {
    let now = Timestamp(iso: "2015-10-21T07:27:00Z")!

    @Test func secondsAndDates() {
        #expect(RetryAfter.seconds("120", now: now) == 120)
        #expect(RetryAfter.seconds(" 0 ", now: now) == 0)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 60)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:00:00 GMT", now: now) == 0)
        #expect(RetryAfter.seconds(nil, now: now) == nil)
        #expect(RetryAfter.seconds("soon", now: now) == nil)
        #expect(RetryAfter.seconds("-5", now: now) == nil)
    }
}
