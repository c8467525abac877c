import PaySyncCore
import Testing
@testable import PaySyncConnectors

@Suite struct QuickBooksConfigTests {
    func read(_ text: String) -> (QuickBooksSettings?, [ConfigIssue]) {
        var reader = ConfigReader()
        let object = try! JSONParser.parse(text).objectValue!
        let settings = QuickBooksConfig.read(object, at: "sources[0]", reader: &reader)
        return (settings, reader.issues)
    }

    @Test func documentedDefaults() throws {
        let (settings, issues) = read(#"{"realm_id": "9130350000000001", "client_id": {"env": "A"}, "client_secret": {"env": "B"}, "refresh_token": {"file": "/run/qbo"}}"#)
        #expect(issues.isEmpty)
        let qbo = try #require(settings)
        #expect(qbo.baseURL == "https://quickbooks.api.intuit.com")
        #expect(qbo.tokenURL == "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer")
        #expect(qbo.pageSize == 1000 && qbo.overlapSeconds == 300)
        #expect(qbo.rateLimit == RateLimitSettings(perMinute: 500, concurrent: 10))
        #expect(qbo.entities == [.invoices, .payments, .creditMemos])
        let (withRefunds, none) = read(#"{"realm_id": "1", "entities": ["invoices", "payments", "refund_receipts"]}"#)
        #expect(none.isEmpty && withRefunds?.entities == [.invoices, .payments, .refundReceipts])
        #expect(qbo.secrets.map(\.key) == ["client_id", "client_secret", "refresh_token"])
    }

    @Test("mistakes name their key path", arguments: [
        (#"{}"#, "sources[0].realm_id", "is required"),
        (#"{"realm_id": "acme"}"#, "sources[0].realm_id", "digits only"),
        (#"{"realm_id": "1", "page_size": 1001}"#, "sources[0].page_size", "1000"),
        (#"{"realm_id": "1", "entities": ["invoice"]}"#, "sources[0].entities[0]", "did you mean \"invoices\""),
        (#"{"realm_id": "1", "refresh_token": "AB11abc"}"#, "sources[0].refresh_token", "secrets are references"),
    ])
    func mistakes(text: String, path: String, message: String) {
        let (_, issues) = read(text)
        #expect(issues.contains { $0.path == path && $0.message.contains(message) }, "\(issues)")
        #expect(!issues.description.contains("AB11abc"), "an inline secret is not echoed")
    }
}
