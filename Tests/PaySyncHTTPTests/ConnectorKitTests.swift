import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncHTTP

/// The kit's shared HTTP machinery: one classification of failures, one authorised send.
@Suite struct HTTPFailureTests {
    @Test("status → exit code", arguments: [
        (401, ExitCode.authenticationFailed), (403, .authenticationFailed), (429, .temporaryFailure), (408, .unavailable),
        (400, .dataError), (404, .dataError), (409, .dataError), (422, .dataError), (500, .unavailable), (502, .unavailable), (503, .unavailable),
        (200, .dataError),
    ])
    func classification(status: Int, exit: ExitCode) {
        #expect(HTTPFailure.exitCode(status: status) == exit)
        // What retries leave ends the same way.
        #expect(HTTPError(.status(status), call: "GET x").exitCode == exit)
    }

    @Test func anAPIErrorKeepsTheProvidersWords() {
        let response = HTTPResponse(status: 400, headers: [:], body: Data())
        let error = HTTPFailure.error(response, call: "POST api.example.com/things", label: "crm", provider: "Example",
                                      problem: ProviderProblem(code: "VALIDATION_ERROR", message: "Property values were not valid"))
        #expect(error.exitCode == .dataError)
        #expect(error.description == "crm: POST api.example.com/things answered HTTP 400: VALIDATION_ERROR: Property values were not valid")
    }
}

/// Hands out numbered tokens and counts refreshes.
private actor CountingTokens: AccessTokenProvider {
    private var generation = 1
    private(set) var invalidations = 0

    func accessToken() async throws -> Secret { Secret("token-\(generation)") }

    func invalidate(_ token: Secret) async {
        invalidations += 1
        generation += 1
    }
}

@Suite(.serialized) struct AuthorizedSenderTests {
    func sender(_ fake: ScriptedServer, tokens: any AccessTokenProvider) -> AuthorizedSender {
        let client = HTTPClient(transport: URLSessionTransport(timeoutSeconds: 5, deadlineSeconds: 30), environment: VirtualClock().environment)
        return AuthorizedSender(label: "src", provider: "Example", client: client, tokens: tokens,
                                problem: { ($0.status == 401) ? ProviderProblem(code: "expired_token") : nil }, reauthorise: "re-authorise the app")
    }

    @Test func a401RefreshesOnceAndRetriesWithTheNewToken() async throws {
        let fake = try ScriptedServer([.json(401, #"{"error":"expired_token"}"#)])
        let tokens = CountingTokens()
        let response = try await sender(fake, tokens: tokens).send { HTTPRequest(url: fake.url).bearer($0) }
        #expect(response.status == 200)
        #expect(fake.requests.map { $0.headers["authorization"] } == ["Bearer token-1", "Bearer token-2"])
        #expect(await tokens.invalidations == 1)
    }

    @Test func aSecond401IsExit77InTheProvidersWords() async throws {
        let fake = try ScriptedServer([.json(401, "{}"), .json(401, "{}")])
        let error = await #expect(throws: AuthenticationError.self) {
            try await sender(fake, tokens: CountingTokens()).send { HTTPRequest(url: fake.url).bearer($0) }
        }
        #expect(error?.exitCode == .authenticationFailed)
        #expect(error?.description == "src: Example rejected a freshly refreshed access token (expired_token); re-authorise the app")
        #expect(fake.requests.count == 2)
    }

    @Test func aFixedTokenIsNotRetried() async throws {
        let fake = try ScriptedServer([.json(401, "{}")])
        let error = await #expect(throws: AuthenticationError.self) {
            try await sender(fake, tokens: StaticTokenProvider(Secret("fixed"))).send { HTTPRequest(url: fake.url).bearer($0) }
        }
        #expect(error?.description == "src: Example refused the token (expired_token); re-authorise the app")
        #expect(fake.requests.count == 1)
    }

    @Test func otherStatusesAreTheCallersToRead() async throws {
        let fake = try ScriptedServer([.json(207, #"{"status":"COMPLETE","results":[]}"#)])
        let response = try await sender(fake, tokens: CountingTokens()).send { HTTPRequest(url: fake.url).bearer($0) }
        #expect(response.status == 207)
        #expect(fake.requests.count == 1)
    }
}
