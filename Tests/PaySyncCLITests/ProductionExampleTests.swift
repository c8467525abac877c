import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing

/// The production setup in cron/README.md is what an operator copies: its config must pass
/// `paysync config check` as written, with its secret files where it says (moved under a
/// temporary root here) and mode 0600.
@Suite struct ProductionExampleTests {
    @Test func theProductionConfigInCronReadmePassesConfigCheck() async throws {
        let readme = try String(contentsOfFile: Repository.path("cron/README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## 4. The config").map { readme[$0.upperBound...] })
        let start = try #require(section.range(of: "```json\n"))
        let end = try #require(section[start.upperBound...].range(of: "```"))
        let root = TemporaryDirectory(prefix: "paysync-prod-example")
        let config = String(section[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "\"/etc/paysync/", with: "\"\(root.path)/etc/paysync/")
            .replacingOccurrences(of: "\"/var/lib/", with: "\"\(root.path)/var/lib/")
        let path = root.write("paysync.json", config)
        for secret in ["xero-client-id", "xero-client-secret", "hubspot-token", "slack-webhook"] {
            try FileManager.default.createDirectory(atPath: root.path + "/etc/paysync/secrets", withIntermediateDirectories: true)
            let file = root.path + "/etc/paysync/secrets/" + secret
            try Data("example-\(secret)".utf8).write(to: URL(fileURLWithPath: file))
            chmod(file, 0o600)
        }
        let check = await paysync(["config", "check", "--fixtures", "--config", path])
        #expect(check.code == 0, "\(check.err)")
        #expect(check.out.contains("OK (1 source: xero; 1 sink: crm)"), "\(check.out)")
        #expect(!check.err.contains("readable by other users"), "\(check.err)")
    }
}
