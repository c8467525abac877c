import Foundation
import PaySyncCLI
import PaySyncCore
import PaySyncTestSupport
import Testing

/// `paysync auth`, in process, against the fakes' consent screens and token endpoints: the
/// person is a test that reads the printed address, "allows" on the fake, and pastes back (or
/// lets paysync receive) the redirect.
@Suite(.serialized) struct AuthCommandTests {
    /// Collects what the CLI prints.
    final class Screen: Sendable {
        let lines = Locked<[String]>([])
        var output: Output { Output(standardOutput: { [lines] line in lines.withLock { $0.append(line) } },
                                    standardError: { [lines] line in lines.withLock { $0.append(line) } }) }
        var text: String { lines.value.joined(separator: "\n") }

        /// The authorisation address, once printed.
        func address() async throws -> String {
            for _ in 0..<200 {
                if let line = lines.value.first(where: { $0.hasPrefix("  http") }) { return line.trimmingCharacters(in: .whitespaces) }
                try await Task.sleep(for: .milliseconds(25))
            }
            throw GeneralError("no address was printed", exitCode: .internalError)
        }

        /// The person at the keyboard: opens the printed address, allows access on the consent
        /// screen, and pastes back the address the browser lands on.
        var person: Input {
            Input { [self] in
                guard let address = try? await self.address(), let visit = try? await FakeBrowser.open(address) else { return nil }
                return visit.location
            }
        }
    }

    func xeroConfig(_ server: FakeXeroServer, directory: TemporaryDirectory, tenants: [String], refreshToken: String? = nil) -> String {
        let refreshToken = refreshToken ?? #"{"file": "\#(directory.file("xero-refresh"))"}"#
        return directory.write("paysync.json", """
            {"ledger": "paysync.db",
             "sources": [{"name": "xero-uk", "kind": "xero", "tenants": \(JSONWriter.compact(.array(tenants.map { .string($0) }))),
                          "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"env": "XERO_CLIENT_SECRET"},
                          "refresh_token": \(refreshToken),
                          "base_url": "\(server.apiBaseURL)", "token_url": "\(server.tokenURL)", "authorize_url": "\(server.authorizeURL)"}],
             "sinks": [{"kind": "jsonl", "path": "-"}]}
            """)
    }

    @Test func xeroPastedRedirectSavesTheRefreshTokenAndListsTenants() async throws {
        let tenant = "a1b2c3d4-0000-4000-a000-000000000001"
        let server = try FakeXeroServer(tenants: [tenant, "a1b2c3d4-0000-4000-a000-000000000002"])
        let directory = TemporaryDirectory()
        let config = xeroConfig(server, directory: directory, tenants: [tenant])
        let screen = Screen()
        let input = screen.person
        let status = await PaySyncCLI.run(["auth", "xero", "--config", config], variables: ["XERO_CLIENT_ID": server.clientID, "XERO_CLIENT_SECRET": server.clientSecret],
                                          output: screen.output, input: input)
        #expect(status == 0, "\(screen.text)")
        let address = try await screen.address()
        #expect(address.hasPrefix(server.authorizeURL + "?response_type=code&client_id=\(server.clientID)&redirect_uri=http%3A%2F%2Flocalhost%3A8976%2Fcallback"))
        #expect(address.contains("code_challenge_method=S256") && address.contains("scope=offline_access"))
        // The refresh token is in the configured file, owner-only, and the fake accepts it.
        let saved = try #require(directory.read("xero-refresh")).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(server.validRefreshTokens.contains(saved))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: directory.file("xero-refresh"))[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o600)
        #expect(!screen.text.contains(saved), "the token is never printed")
        #expect(screen.text.contains(tenant) && screen.text.contains("a1b2c3d4-0000-4000-a000-000000000002"))
        #expect(screen.text.contains("Not in sources[xero-uk] yet: a1b2c3d4-0000-4000-a000-000000000002"))
    }

    /// The case `paysync auth` exists for: a ledger whose stored refresh token was revoked. After
    /// the consent, the next run uses the new token from the file, not the dead one in the ledger.
    @Test func reAuthorisingRevivesALedgerWhoseTokenWasRevoked() async throws {
        let tenant = "a1b2c3d4-0000-4000-a000-0000000000aa"
        let server = try FakeXeroServer(tenants: [tenant])
        var generator = XeroDataGenerator(seed: 3)
        let data = generator.dataset(objects: 6, start: server.now.adding(milliseconds: -86_400_000))
        server.put(invoices: data.invoices, tenant: tenant)
        let directory = TemporaryDirectory()
        let config = xeroConfig(server, directory: directory, tenants: [tenant])
        _ = directory.write("xero-refresh", "initial-refresh-token\n", mode: 0o600)
        let variables = ["XERO_CLIENT_ID": server.clientID, "XERO_CLIENT_SECRET": server.clientSecret]
        let first = Screen()
        #expect(await PaySyncCLI.run(["reconcile", "--config", config], variables: variables, output: first.output) == 0, "\(first.text)")

        server.revokeTokens()
        server.expireAccessTokens()
        let refused = Screen()
        #expect(await PaySyncCLI.run(["reconcile", "--config", config], variables: variables, output: refused.output) == 77, "\(refused.text)")

        let consent = Screen()
        let input = consent.person
        #expect(await PaySyncCLI.run(["auth", "xero-uk", "--config", config], variables: variables, output: consent.output, input: input) == 0, "\(consent.text)")
        let again = Screen()
        #expect(await PaySyncCLI.run(["reconcile", "--config", config], variables: variables, output: again.output) == 0, "\(again.text)")
    }

    @Test func aSourceReadingAllTenantsListsThemWithoutAskingToAddThem() async throws {
        let server = try FakeXeroServer(tenants: ["a1b2c3d4-0000-4000-a000-0000000000c1", "a1b2c3d4-0000-4000-a000-0000000000c2"])
        let directory = TemporaryDirectory()
        var config = xeroConfig(server, directory: directory, tenants: ["x"])
        let text = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: #""tenants": ["x"]"#, with: #""tenants": "all""#)
        config = directory.write("paysync.json", text)
        let screen = Screen()
        let input = screen.person
        let status = await PaySyncCLI.run(["auth", "xero", "--config", config], variables: ["XERO_CLIENT_ID": server.clientID, "XERO_CLIENT_SECRET": server.clientSecret],
                                          output: screen.output, input: input)
        #expect(status == 0, "\(screen.text)")
        #expect(screen.text.contains("a1b2c3d4-0000-4000-a000-0000000000c1") && screen.text.contains("a1b2c3d4-0000-4000-a000-0000000000c2"))
        #expect(!screen.text.contains("Not in"), "\(screen.text)")
    }

    @Test func aRedirectFromAnotherAttemptIsRefusedAndNothingIsWritten() async throws {
        let server = try FakeXeroServer(tenants: ["t-1"])
        let directory = TemporaryDirectory()
        let config = xeroConfig(server, directory: directory, tenants: ["t-1"])
        let screen = Screen()
        let input = Input { "http://localhost:8976/callback?code=abc&state=someone-elses-state-0000" }
        let status = await PaySyncCLI.run(["auth", "xero-uk", "--config", config], variables: ["XERO_CLIENT_ID": server.clientID, "XERO_CLIENT_SECRET": server.clientSecret],
                                          output: screen.output, input: input)
        #expect(status == 77)
        #expect(screen.text.contains("another authorisation attempt (its state does not match)"), "\(screen.text)")
        #expect(directory.read("xero-refresh") == nil)
    }

    @Test func aRefreshTokenFromAnEnvironmentVariableCannotBeWrittenAndSaysWhatToChange() async throws {
        let server = try FakeXeroServer(tenants: ["t-1"])
        let directory = TemporaryDirectory()
        let config = xeroConfig(server, directory: directory, tenants: ["t-1"], refreshToken: #"{"env": "XERO_REFRESH_TOKEN"}"#)
        let screen = Screen()
        let status = await PaySyncCLI.run(["auth", "xero", "--config", config], variables: [:], output: screen.output, input: Input { nil })
        #expect(status == 78)
        #expect(screen.text.contains("sources[xero-uk].refresh_token: paysync auth writes the new refresh token to a file"), "\(screen.text)")
    }

    @Test func quickBooksWithListenReceivesTheRedirectAndNamesTheCompany() async throws {
        let realm = "9130350000000042"
        let server = try FakeQuickBooksServer(realms: [realm])
        let directory = TemporaryDirectory()
        let port = Int.random(in: 20_000...40_000)
        let config = directory.write("paysync.json", """
            {"ledger": "paysync.db",
             "sources": [{"name": "qbo", "kind": "quickbooks", "realm_id": "\(realm)",
                          "client_id": {"env": "QBO_CLIENT_ID"}, "client_secret": {"env": "QBO_CLIENT_SECRET"},
                          "refresh_token": {"file": "\(directory.file("qbo-refresh"))"},
                          "base_url": "\(server.baseURL)", "token_url": "\(server.tokenURL)", "authorize_url": "\(server.authorizeURL)"}],
             "sinks": [{"kind": "jsonl", "path": "-"}]}
            """)
        let screen = Screen()
        let run = Task {
            await PaySyncCLI.run(["auth", "quickbooks", "--listen", String(port), "--config", config],
                                 variables: ["QBO_CLIENT_ID": server.clientID, "QBO_CLIENT_SECRET": server.clientSecret],
                                 output: screen.output, input: Input { nil })
        }
        // The person allows access; the browser follows the redirect to paysync's listener.
        let visit = try await FakeBrowser.open(try await screen.address())
        let location = try #require(visit.location)
        #expect(location.hasPrefix("http://localhost:\(port)/callback?code=") && location.contains("realmId=\(realm)"))
        let landing = try await FakeBrowser.open(location.replacingOccurrences(of: "localhost", with: "127.0.0.1"))
        #expect(landing.status == 200)
        let status = await run.value
        #expect(status == 0, "\(screen.text)")
        #expect(!(try await screen.address()).contains("code_challenge"), "Intuit's consent takes no PKCE")
        let saved = try #require(directory.read("qbo-refresh")).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(server.validRefreshTokens.contains(saved))
        #expect(screen.text.contains("QuickBooks companies this authorisation reaches:\n  \(realm)"), "\(screen.text)")
    }
}
