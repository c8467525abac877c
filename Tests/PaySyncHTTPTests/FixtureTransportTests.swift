import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncHTTP

@Suite struct FixtureTransportTests {
    @Test func recordsRedactedExchangesAndReplaysThem() async throws {
        let server = try LoopbackHTTPServer { request in
            if request.path == "/connect/token" {
                return .json(200, #"{"access_token":"secret-access","refresh_token":"secret-refresh","expires_in":1800}"#)
            }
            return .json(200, #"{"Invoices":[{"InvoiceID":"a","Total":1250.10}]}"#, headers: ["Set-Cookie": "session=secret-cookie"])
        }
        let directory = TemporaryDirectory()
        let recorder = try RecordingTransport(wrapping: URLSessionTransport(), directory: directory.path, rewrite: RecordingTransport.origin("https://api.xero.com"))
        let tokenRequest = HTTPRequest(method: "POST", url: URL(string: server.baseURL + "/connect/token")!,
                                       headers: ["Authorization": "Basic Y2xpZW50OnNlY3JldA==", "Content-Type": "application/x-www-form-urlencoded"],
                                       body: URLBuilder.formBody([("grant_type", "refresh_token"), ("refresh_token", "secret-seed")]))
        _ = try await recorder.send(tokenRequest)
        let listRequest = HTTPRequest(url: URLBuilder.url(server.baseURL, path: "/api.xro/2.0/Invoices", query: [("page", "1"), ("where", #"Type=="ACCREC""#)])!,
                                      headers: ["Authorization": "Bearer secret-access", "xero-tenant-id": "t-1", "If-Modified-Since": "2025-05-01T00:00:00"])
        let live = try await recorder.send(listRequest)

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["001-POST-token.http", "002-GET-Invoices.http"])
        let everything = files.compactMap { directory.read($0) }.joined()
        for secret in ["secret-access", "secret-refresh", "secret-seed", "Y2xpZW50OnNlY3JldA==", "secret-cookie"] {
            #expect(!everything.contains(secret), "fixture contains \(secret)")
        }
        #expect(everything.contains("GET https://api.xero.com/api.xro/2.0/Invoices?page=1&where=Type%3D%3D%22ACCREC%22"))
        #expect(everything.contains("1250.10"))

        // Replay: same request (query order shuffled) gets the recorded body.
        let replay = try FixtureTransport(directory: directory.path)
        var shuffled = listRequest
        shuffled.url = URLBuilder.url("https://api.xero.com", path: "/api.xro/2.0/Invoices", query: [("where", #"Type=="ACCREC""#), ("page", "1")])!
        let replayed = try await replay.send(shuffled)
        #expect(try JSONParser.parse(replayed.body) == JSONParser.parse(live.body))
    }

    @Test func anUnrecordedRequestNamesWhatIsMissing() async throws {
        let directory = TemporaryDirectory()
        directory.write("001-GET-Invoices.http", """
            # page one
            GET https://api.xero.com/api.xro/2.0/Invoices?page=1
            If-Modified-Since: 2025-05-01T00:00:00

            HTTP 200
            Content-Type: application/json

            {"Invoices": []}
            """)
        let replay = try FixtureTransport(directory: directory.path)
        let request = HTTPRequest(url: URL(string: "https://api.xero.com/api.xro/2.0/Invoices?page=1")!, headers: ["If-Modified-Since": "2025-06-01T00:00:00"])
        let error = await #expect(throws: FixtureError.self) { try await replay.send(request) }
        #expect(error?.description.contains("no recorded exchange for GET https://api.xero.com/api.xro/2.0/Invoices?page=1 (if-modified-since: 2025-06-01T00:00:00)") == true)
        #expect(error?.description.contains("closest is 001-GET-Invoices.http (its if-modified-since is 2025-05-01T00:00:00)") == true)
        #expect(error?.exitCode == .dataError)
    }

    @Test func aLiveHeaderTheRecordingLacksDoesNotMatch() async throws {
        let directory = TemporaryDirectory()
        directory.write("001-GET-Invoices.http", "GET https://api.xero.com/api.xro/2.0/Invoices?page=1\n\nHTTP 200\n\n{}\n")
        let replay = try FixtureTransport(directory: directory.path)
        let incremental = HTTPRequest(url: URL(string: "https://api.xero.com/api.xro/2.0/Invoices?page=1")!, headers: ["If-Modified-Since": "2025-05-01T00:00:00"])
        let error = await #expect(throws: FixtureError.self) { try await replay.send(incremental) }
        #expect(error?.description.contains("(it was recorded without if-modified-since)") == true)
        // Authorization is never part of a recording and never matched.
        let full = HTTPRequest(url: URL(string: "https://api.xero.com/api.xro/2.0/Invoices?page=1")!, headers: ["Authorization": "Bearer x"])
        #expect(try await replay.send(full).status == 200)
    }

    @Test func repeatedRequestsUseRecordingsInOrderThenReuseTheLast() async throws {
        let directory = TemporaryDirectory()
        for (index, body) in ["first", "second"].enumerated() {
            directory.write("00\(index)-GET-x.http", "GET https://h/x\n\nHTTP 200\n\n\(body)\n")
        }
        let replay = try FixtureTransport(directory: directory.path)
        let request = HTTPRequest(url: URL(string: "https://h/x")!)
        var bodies: [String] = []
        for _ in 0..<3 { bodies.append(String(decoding: try await replay.send(request).body, as: UTF8.self)) }
        #expect(bodies == ["first", "second", "second"])
    }

    @Test func malformedFixtureNamesTheFile() {
        let directory = TemporaryDirectory()
        let path = directory.write("001-bad.http", "not a request line\n")
        let error = #expect(throws: FixtureError.self) { try FixtureTransport(directory: directory.path) }
        #expect(error?.description.hasPrefix("fixture \(path): request line must be 'METHOD URL'") == true)
    }
}
