import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PaySyncCore
import PaySyncTestSupport
import Testing

/// The fake QuickBooks's other door: the batch endpoint and form-posted client credentials, which
/// tap-quickbooks (the peer in `make bench-peers`) uses. Strict as the rest of the fake: what it
/// accepts is what Intuit documents, and its answers are the query endpoint's, item by item.
@Suite struct FakeQuickBooksBatchTests {
    static let realm = "9130350000000001"

    func company() throws -> FakeQuickBooksServer {
        let server = try FakeQuickBooksServer(realms: [Self.realm])
        let start = server.now
        server.put(invoices: (1...5).map { index in
            FakeQuickBooksInvoice(id: String(100 + index), docNumber: "B-\(index)", txnDate: start.utcDate, dueDate: start.utcDate.adding(days: 30),
                                  total: Int64(index) * 10_000, created: start.adding(milliseconds: Int64(index) * 1000))
        }, realm: Self.realm)
        server.tick(10)
        server.pay(invoice: "101", amount: 10_000, realm: Self.realm)
        return server
    }

    func send(_ method: String, _ url: String, headers: [String: String], body: String? = nil) async throws -> (status: Int, body: JSONValue) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, (try? JSONParser.parse(data)) ?? .null)
    }

    func form(_ fields: [(String, String)]) -> String {
        fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
    }

    func accessToken(_ server: FakeQuickBooksServer) async throws -> String {
        server.authorise(refreshToken: "batch-test-refresh")
        let reply = try await send("POST", server.tokenURL, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: form([
            ("grant_type", "refresh_token"), ("refresh_token", "batch-test-refresh"),
            ("client_id", server.clientID), ("client_secret", server.clientSecret),
        ]))
        return try #require(reply.body["access_token"]?.stringValue, "\(reply)")
    }

    @Test func clientCredentialsMayComeInTheFormOrByBasicButNeverBoth() async throws {
        let server = try company()
        _ = try await accessToken(server)
        server.authorise(refreshToken: "second")
        let basic = "Basic " + Data("\(server.clientID):\(server.clientSecret)".utf8).base64EncodedString()
        let both = try await send("POST", server.tokenURL, headers: ["Content-Type": "application/x-www-form-urlencoded", "Authorization": basic],
                                  body: form([("grant_type", "refresh_token"), ("refresh_token", "second"),
                                              ("client_id", server.clientID), ("client_secret", server.clientSecret)]))
        #expect(both.status == 401 && both.body["error"]?.stringValue == "invalid_client")
        let wrongSecret = try await send("POST", server.tokenURL, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                         body: form([("grant_type", "refresh_token"), ("refresh_token", "second"),
                                                     ("client_id", server.clientID), ("client_secret", "not-it")]))
        #expect(wrongSecret.status == 401)
        let byBasic = try await send("POST", server.tokenURL, headers: ["Content-Type": "application/x-www-form-urlencoded", "Authorization": basic],
                                     body: form([("grant_type", "refresh_token"), ("refresh_token", "second")]))
        #expect(byBasic.status == 200 && byBasic.body["access_token"]?.stringValue != nil)
    }

    @Test func eachBatchedQueryIsAnsweredUnderItsIdAsTheQueryEndpointAnswersIt() async throws {
        let server = try company()
        let token = try await accessToken(server)
        let headers = ["Authorization": "Bearer \(token)", "Accept": "application/json", "Content-Type": "application/json"]
        // tap-quickbooks's spelling: `Metadata`, `ORDER BY`.
        let invoices = "SELECT * FROM Invoice WHERE Metadata.LastUpdatedTime >= '2020-01-01T00:00:00Z' ORDER BY Metadata.LastUpdatedTime ASC STARTPOSITION 2 MAXRESULTS 3"
        let payments = "SELECT * FROM Payment WHERE Metadata.LastUpdatedTime >= '2020-01-01T00:00:00Z' ORDER BY Metadata.LastUpdatedTime ASC STARTPOSITION 1 MAXRESULTS 1000"
        let body = JSONWriter.compact(.object(JSONObject([("BatchItemRequest", .array([
            .object(JSONObject([("bId", .string("Invoice")), ("Query", .string(invoices))])),
            .object(JSONObject([("bId", .string("Payment")), ("Query", .string(payments))])),
            .object(JSONObject([("bId", .string("Bad")), ("Query", .string("SELECT * FROM Invoice WHERE Id = '1'"))])),
        ]))])))
        let batch = try await send("POST", server.baseURL + "/v3/company/\(Self.realm)/batch?minorversion=75", headers: headers, body: body)
        #expect(batch.status == 200)
        let items = try #require(batch.body["BatchItemResponse"]?.arrayValue)
        #expect(items.map { $0["bId"]?.stringValue ?? "" } == ["Invoice", "Payment", "Bad"])
        #expect(items[0]["QueryResponse"]?["Invoice"]?.arrayValue?.map { $0["Id"]?.stringValue ?? "" } == ["103", "104", "105"])
        #expect(items[0]["QueryResponse"]?["startPosition"]?.intValue == 2 && items[0]["QueryResponse"]?["maxResults"]?.intValue == 3)
        #expect(items[1]["QueryResponse"]?["Payment"]?.arrayValue?.count == 1)
        #expect(items[2]["Fault"]?["type"]?.stringValue == "ValidationFault" && items[2]["QueryResponse"] == nil)

        // The same query on its own endpoint gives the same rows.
        var single = URLComponents(string: server.baseURL + "/v3/company/\(Self.realm)/query")!
        single.queryItems = [URLQueryItem(name: "query", value: invoices), URLQueryItem(name: "minorversion", value: "75")]
        let alone = try await send("GET", single.url!.absoluteString, headers: headers)
        #expect(alone.body["QueryResponse"] == items[0]["QueryResponse"])
        #expect(server.received.map(\.query).prefix(3) == [invoices, payments, "SELECT * FROM Invoice WHERE Id = '1'"])
    }

    @Test func aBatchOutsideTheDocumentedShapeIsRefusedWhole() async throws {
        let server = try company()
        let token = try await accessToken(server)
        let url = server.baseURL + "/v3/company/\(Self.realm)/batch?minorversion=75"
        let headers = ["Authorization": "Bearer \(token)", "Accept": "application/json", "Content-Type": "application/json"]
        func items(_ count: Int, bId: (Int) -> String = { "b\($0)" }) -> String {
            JSONWriter.compact(.object(JSONObject([("BatchItemRequest", .array((0..<count).map {
                .object(JSONObject([("bId", .string(bId($0))), ("Query", .string("SELECT * FROM Invoice"))]))
            }))])))
        }
        #expect(try await send("POST", url, headers: headers, body: items(30)).status == 200)
        #expect(try await send("POST", url, headers: headers, body: items(31)).status == 400)
        #expect(try await send("POST", url, headers: headers, body: items(0)).status == 400)
        #expect(try await send("POST", url, headers: headers, body: items(2) { _ in "same" }).status == 400)
        #expect(try await send("POST", url, headers: headers, body: #"{"BatchItemRequest":[{"bId":"x","Query":"SELECT * FROM Invoice","operation":"delete"}]}"#).status == 400)
        #expect(try await send("POST", url, headers: headers.merging(["Content-Type": "text/plain"]) { $1 }, body: items(1)).status == 415)
        #expect(try await send("POST", server.baseURL + "/v3/company/\(Self.realm)/batch", headers: headers, body: items(1)).status == 400)
        let unauthorised = try await send("POST", url, headers: headers.merging(["Authorization": "Bearer nope"]) { $1 }, body: items(1))
        #expect(unauthorised.status == 401)
    }
}
