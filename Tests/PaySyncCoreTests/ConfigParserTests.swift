import Testing
@testable import PaySyncCore

@Suite struct ConfigParserTests {
    let minimal = """
    {
      "sources": [{"name": "xero-uk", "kind": "xero", "tenants": ["t-1"],
                   "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"file": "/run/secrets/xero"},
                   "refresh_token": {"env": "XERO_REFRESH_TOKEN"}}],
      "sinks": [{"kind": "jsonl", "path": "-"}]
    }
    """

    @Test func minimalConfigTakesDocumentedDefaults() throws {
        let config = try ConfigParser.parse(minimal, file: "paysync.json")
        guard case .xero(let xero) = try #require(config.sources.first).provider else { Issue.record("not xero"); return }
        #expect(xero.baseURL == "https://api.xero.com/api.xro/2.0")
        #expect(xero.tokenURL == "https://identity.xero.com/connect/token")
        #expect(xero.pageSize == 1000)
        #expect(xero.rateLimit == RateLimitSettings(perMinute: 60, concurrent: 5))
        #expect(xero.entities == [.invoices, .payments])
        #expect(xero.clientSecret == .file("/run/secrets/xero"))
        #expect(config.sinks.first?.name == "jsonl")
        #expect(config.sinks.first?.objects[.invoice]?.key == [.field(.invoiceNumber), .externalID])
        #expect(config.http.maxAttempts == 6)
    }

    @Test func unknownKindSuggestsTheNearestOne() {
        let text = minimal.replacingOccurrences(of: "\"kind\": \"xero\"", with: "\"kind\": \"xeroo\"")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "paysync.json") }
        #expect(error?.description == "paysync.json: sources[0].kind: unknown kind \"xeroo\"; did you mean \"xero\"?; expected one of xero")
        #expect(error?.exitCode == .configuration)
    }

    @Test func unknownKeyIsAnErrorWithASuggestion() {
        let text = minimal.replacingOccurrences(of: "\"tenants\"", with: "\"tenant\"")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json") }
        #expect(error?.issues.contains(ConfigIssue(path: "sources[0].tenant", message: "unknown key; did you mean \"tenants\"?")) == true)
    }

    @Test func inlineSecretIsRefusedWithoutEchoingIt() {
        let text = minimal.replacingOccurrences(of: "{\"env\": \"XERO_CLIENT_ID\"}", with: "\"super-secret-value\"")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json") }
        #expect(error?.description.contains("sources[0].client_id: secrets are references, not values") == true)
        #expect(error?.description.contains("super-secret-value") == false)
    }

    @Test func badValuesNameTheirPath() {
        let text = minimal.replacingOccurrences(of: "\"tenants\": [\"t-1\"]", with: "\"tenants\": [\"t-1\"], \"page_size\": 5000, \"timezone\": \"Europe/Londn\"")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json") }
        #expect(error?.issues.map(\.path) == ["sources[0].page_size", "sources[0].timezone"])
        #expect(error?.issues.first?.message == "5000 is out of range; use 1 to 1000")
        #expect(error?.issues.last?.message.contains("did you mean \"Europe/London\"?") == true)
    }

    @Test func malformedJSONGivesLineAndColumn() {
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse("{\n \"sources\": [,]\n}", file: "c.json") }
        #expect(error?.description == "c.json: line 2, column 14: malformed JSON: unexpected ','")
    }

    @Test func duplicateNamesAreRefused() {
        let text = minimal.replacingOccurrences(of: "[{\"kind\": \"jsonl\", \"path\": \"-\"}]", with: "[{\"kind\": \"jsonl\"}, {\"kind\": \"jsonl\"}]")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json") }
        #expect(error?.issues == [ConfigIssue(path: "sinks[1].name", message: "\"jsonl\" is used twice; names must be unique")])
    }

    @Test func objectMappingOverridesAndDisables() throws {
        let text = minimal.replacingOccurrences(
            of: "{\"kind\": \"jsonl\", \"path\": \"-\"}",
            with: "{\"kind\": \"jsonl\", \"objects\": {\"invoice\": {\"key\": [\"id\"], \"fields\": [\"status\"]}, \"payment\": false}}"
        )
        let config = try ConfigParser.parse(text, file: "c.json")
        let objects = try #require(config.sinks.first?.objects)
        #expect(objects[.invoice] == ObjectMapping(key: [.externalID], fields: FieldSet([.status])))
        #expect(objects[.payment] == nil)
        #expect(objects[.refund] != nil)
    }

    @Test func missingTopLevelSectionsAreNamed() {
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse("{}", file: "c.json") }
        #expect(error?.issues.map(\.path) == ["sources", "sinks"])
    }
}

@Suite struct SuggestionTests {
    @Test func closeTyposAreSuggestedFarOnesAreNot() {
        #expect(Suggestion.closest(to: "tenant", in: ["tenants", "entities"]) == "tenants")
        #expect(Suggestion.closest(to: "zzzzzz", in: ["tenants", "entities"]) == nil)
    }
}
