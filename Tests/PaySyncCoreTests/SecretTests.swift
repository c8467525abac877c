import Foundation
import Testing
@testable import PaySyncCore

@Suite struct SecretTests {
    @Test func secretsNeverPrint() {
        let secret = Secret("xero-refresh-token-value")
        #expect("\(secret)" == "[redacted]")
        #expect(String(describing: secret) == "[redacted]")
        #expect(String(reflecting: secret) == "[redacted]")
        #expect(secret.reveal() == "xero-refresh-token-value")
        #expect(!secret.fingerprint.contains("xero"))
    }

    @Test func missingEnvironmentVariableNamesTheKeyNotAValue() {
        let error = #expect(throws: SecretError.self) {
            try SecretReference.environment("XERO_CLIENT_SECRET").resolve(configPath: "sources[0].client_secret", environment: [:])
        }
        #expect(error?.description == "sources[0].client_secret: environment variable XERO_CLIENT_SECRET is not set")
        #expect(error?.exitCode == .configuration)
    }

    @Test func fileSecretDropsTheTrailingNewlineAndReportsLoosePermissions() throws {
        let path = NSTemporaryDirectory() + "paysync-secret-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data("s3cret\n".utf8), attributes: [.posixPermissions: 0o644])
        let reference = SecretReference.file(path)
        #expect(try reference.resolve(configPath: "x").reveal() == "s3cret")
        #expect(reference.isReadableByOthers == true)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(reference.isReadableByOthers == false)
    }
}
