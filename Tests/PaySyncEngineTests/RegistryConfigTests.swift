import Testing
import PaySyncConnectors
@testable import PaySyncCore
import PaySyncEngine
import PaySyncSinks
import PaySyncTestSupport
import Foundation

// The config as the registry reads it: each provider's and sink's own reader behind one parser.

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
        let config = try ConfigParser.parse(minimal, file: "paysync.json", kinds: Registry.configKinds)
        let xero = try #require(config.sources.first?.settings as? XeroSettings)
        #expect(xero.baseURL == "https://api.xero.com/api.xro/2.0")
        #expect(xero.tokenURL == "https://identity.xero.com/connect/token")
        #expect(xero.pageSize == 1000)
        #expect(xero.rateLimit == RateLimitSettings(perMinute: 60, concurrent: 5))
        #expect(xero.entities == [.invoices, .payments, .creditNotes])
        #expect(xero.clientSecret == .file("/run/secrets/xero"))
        #expect(config.sinks.first?.name == "jsonl")
        #expect(config.sinks.first?.objects[.invoice]?.key == [.field(.invoiceNumber), .externalID])
        #expect(config.http.maxAttempts == 6)
    }

    @Test func unknownKindSuggestsTheNearestOne() {
        let text = minimal.replacingOccurrences(of: "\"kind\": \"xero\"", with: "\"kind\": \"xeroo\"")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "paysync.json", kinds: Registry.configKinds) }
        #expect(error?.description == "paysync.json: sources[0].kind: unknown kind \"xeroo\"; did you mean \"xero\"?; expected one of adyen, authorize-net, berlin-group, braintree, freshbooks, gocardless, mollie, obie, paypal, quickbooks, sage-intacct, square, statement, stripe, wise, worldpay, xero, zoho-books")
        #expect(error?.exitCode == .configuration)
    }

    @Test func unknownKeyIsAnErrorWithASuggestion() {
        let text = minimal.replacingOccurrences(of: "\"tenants\"", with: "\"tenant\"")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.issues.contains(ConfigIssue(path: "sources[0].tenant", message: "unknown key; did you mean \"tenants\"?")) == true)
    }

    @Test func inlineSecretIsRefusedWithoutEchoingIt() {
        let text = minimal.replacingOccurrences(of: "{\"env\": \"XERO_CLIENT_ID\"}", with: "\"super-secret-value\"")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.description.contains("sources[0].client_id: secrets are references, not values") == true)
        #expect(error?.description.contains("super-secret-value") == false)
    }

    @Test func alertsTakeASecretWebhookAndACommandAndNeedAtLeastOne() throws {
        func parse(_ alerts: String) throws -> Configuration {
            try ConfigParser.parse(minimal.replacingOccurrences(of: "\"sinks\":", with: "\"alerts\": \(alerts), \"sinks\":"), file: "c.json", kinds: Registry.configKinds)
        }
        let full = try parse(#"{"slack_webhook_url": {"file": "/etc/paysync/slack"}, "email_command": ["mail", "-s", "paysync", "ops@example.com"], "source_stale_hours": 26, "token_expiry_days": 14, "unmatched_bank_credits": 20}"#)
        #expect(full.alerts == AlertSettings(slackWebhook: .file("/etc/paysync/slack"), emailCommand: ["mail", "-s", "paysync", "ops@example.com"],
                                             sourceStaleHours: 26, tokenExpiryDays: 14, unmatchedBankCredits: 20))
        #expect(try parse(#"{"email_command": ["/usr/sbin/sendmail", "-t"]}"#).alerts?.slackWebhook == nil)
        let none = #expect(throws: ConfigError.self) { try parse(#"{"source_stale_hours": 26}"#) }
        #expect(none?.issues.first?.path == "alerts" && none?.issues.first?.message.contains("names no channel") == true)
        let inline = #expect(throws: ConfigError.self) { try parse(#"{"slack_webhook_url": "https://hooks.slack.com/services/T/B/secretpart"}"#) }
        #expect(inline?.description.contains("secretpart") == false, "the URL is a secret: never echoed")
        let empty = #expect(throws: ConfigError.self) { try parse(#"{"email_command": []}"#) }
        #expect(empty?.issues.first?.path == "alerts.email_command")
    }

    @Test func badValuesNameTheirPath() {
        let text = minimal.replacingOccurrences(of: "\"tenants\": [\"t-1\"]", with: "\"tenants\": [\"t-1\"], \"page_size\": 5000, \"timezone\": \"Europe/Londn\"")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.issues.map(\.path) == ["sources[0].page_size", "sources[0].timezone"])
        #expect(error?.issues.first?.message == "5000 is out of range; use 1 to 1000")
        #expect(error?.issues.last?.message.contains("did you mean \"Europe/London\"?") == true)
    }

    @Test func malformedJSONGivesLineAndColumn() {
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse("{\n \"sources\": [,]\n}", file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.description == "c.json: line 2, column 14: malformed JSON: unexpected ','")
    }

    @Test func duplicateNamesAreRefused() {
        let text = minimal.replacingOccurrences(of: "[{\"kind\": \"jsonl\", \"path\": \"-\"}]", with: "[{\"kind\": \"jsonl\"}, {\"kind\": \"jsonl\"}]")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.issues == [ConfigIssue(path: "sinks[1].name", message: "\"jsonl\" is used twice; names must be unique")])
    }

    @Test func objectMappingOverridesAndDisables() throws {
        let text = minimal.replacingOccurrences(
            of: "{\"kind\": \"jsonl\", \"path\": \"-\"}",
            with: "{\"kind\": \"jsonl\", \"objects\": {\"invoice\": {\"key\": [\"id\"], \"fields\": [\"status\"]}, \"payment\": false}}"
        )
        let config = try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds)
        let objects = try #require(config.sinks.first?.objects)
        #expect(objects[.invoice] == ObjectMapping(key: [.externalID], fields: FieldSet([.status])))
        #expect(objects[.payment] == nil)
        #expect(objects[.refund] != nil)
    }

    @Test func missingTopLevelSectionsAreNamed() {
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse("{}", file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.issues.map(\.path) == ["sources", "sinks"])
    }
}

@Suite struct SuggestionTests {
    @Test func closeTyposAreSuggestedFarOnesAreNot() {
        #expect(Suggestion.closest(to: "tenant", in: ["tenants", "entities"]) == "tenants")
        #expect(Suggestion.closest(to: "zzzzzz", in: ["tenants", "entities"]) == nil)
    }
}

@Suite struct CRMConfigTests {
    let hubspot = """
    {"sources": [{"kind": "xero", "tenants": ["t"]}],
     "sinks": [{"name": "hubspot", "kind": "hubspot", "token": {"env": "HUBSPOT_TOKEN"},
       "objects": {"invoice": {"object": "deals", "id_property": "invoice_number",
          "properties": {"payment_status": {"field": "status", "values": {"paid": "Paid", "failed": "Failed"}},
                         "amount_paid": "amount_paid", "last_payment_date": {"field": "last_payment_date", "type": "date"}},
          "actions": {"failed": [{"task": "Payment failed for {invoice_number}", "body": "{provider_status}"}], "refunded": {"note": "Refunded"}}}}}]}
    """

    @Test func aHubSpotSinkReadsItsMapping() throws {
        let config = try ConfigParser.parse(hubspot, file: "c.json", kinds: Registry.configKinds)
        let sink = try #require(config.sinks.first)
        let settings = try #require(sink.settings as? HubSpotSettings)
        #expect(settings.token == .environment("HUBSPOT_TOKEN"))
        #expect(settings.objectsPath == "/crm/v3/objects")
        let mapping = try #require(sink.objects[.invoice]?.crm)
        #expect(mapping.object == "deals" && mapping.idProperty == "invoice_number" && mapping.missingRecord == .skip)
        #expect(mapping.properties.map(\.name) == ["payment_status", "amount_paid", "last_payment_date"])
        #expect(mapping.actions[.failed]?.count == 1)
        #expect(mapping.actions[.refunded]?.first?.kind == "note")
        #expect(sink.objects[.invoice]?.key == [.field(.invoiceNumber)])
        #expect(sink.objects[.payment] == nil)  // CRM sinks write only the kinds they name
        #expect(sink.route.kinds[.invoice]?.fields == FieldSet([.status, .amountPaid, .lastPaymentDate]))
    }

    @Test("mapping mistakes name their key path", arguments: [
        ("\"paid\": \"Paid\"", "\"payed\": \"Paid\"", "sinks[0].objects.invoice.properties.payment_status.values.payed", "is not a status; did you mean \"paid\"?"),
        ("\"amount_paid\": \"amount_paid\"", "\"amount_paid\": \"amount_payed\"", "sinks[0].objects.invoice.properties.amount_paid", "unknown field \"amount_payed\"; did you mean \"amount_paid\"?"),
        ("Payment failed for {invoice_number}", "Payment failed for {invoice}", "sinks[0].objects.invoice.actions.failed[0].task", "placeholder {invoice} is not a field"),
        ("\"type\": \"date\"", "\"type\": \"datetime\"", "sinks[0].objects.invoice.properties.last_payment_date.type", "unknown type \"datetime\""),
        ("\"failed\": [{", "\"faild\": [{", "sinks[0].objects.invoice.actions.faild", "is not a status; did you mean \"failed\"?"),
    ])
    func mistakes(original: String, replacement: String, path: String, message: String) {
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(hubspot.replacingOccurrences(of: original, with: replacement), file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.issues.first?.path == path)
        #expect(error?.issues.first?.message.hasPrefix(message) == true, "\(error?.issues.first?.message ?? "")")
    }

    @Test func salesforceNeedsARefreshTokenForItsDefaultGrant() {
        let text = """
        {"sources": [{"kind": "xero", "tenants": ["t"]}],
         "sinks": [{"kind": "salesforce", "client_id": {"env": "A"}, "client_secret": {"env": "B"},
           "objects": {"invoice": {"object": "Opportunity", "id_property": "Invoice_Number__c", "properties": {"Payment_Status__c": "status"}}}}]}
        """
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.issues.map(\.path) == ["sinks[0].refresh_token"])
        let clientCredentials = text.replacingOccurrences(of: "\"kind\": \"salesforce\",", with: "\"kind\": \"salesforce\", \"grant\": \"client_credentials\",")
        #expect((try? ConfigParser.parse(clientCredentials, file: "c.json", kinds: Registry.configKinds)) != nil)
    }

    @Test func aZohoCRMSinkNamesWhatItLacksAndRefusesUnknownTriggers() throws {
        let text = """
        {"sources": [{"kind": "xero", "tenants": ["t"]}],
         "sinks": [{"kind": "zoho-crm", "client_id": {"env": "A"}, "client_secret": {"env": "B"}, "triggers": ["workflow", "workflows"],
           "accounts_url": "https://accounts.zoho.eu/",
           "objects": {"invoice": {"object": "Deals", "id_property": "Invoice_Number", "properties": {"Payment_Status": {"field": "status", "values": {"payed": "Paid"}}}}}}]}
        """
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.issues.map(\.path) == ["sinks[0].refresh_token", "sinks[0].triggers[1]", "sinks[0].objects.invoice.properties.Payment_Status.values.payed"])
        #expect(error?.issues.first { $0.path == "sinks[0].triggers[1]" }?.message.contains("did you mean \"workflow\"") == true)
        let fixed = text.replacingOccurrences(of: #", "workflows""#, with: "").replacingOccurrences(of: "payed", with: "paid")
            .replacingOccurrences(of: #""client_id""#, with: #""refresh_token": {"file": "/etc/paysync/zoho"}, "client_id""#)
        let configuration = try ConfigParser.parse(fixed, file: "c.json", kinds: Registry.configKinds)
        let settings = try #require(configuration.sinks.first?.settings as? ZohoCRMSettings)
        #expect(settings.tokenURL == "https://accounts.zoho.eu/oauth/v2/token")
        #expect(settings.triggers == ["workflow"])
    }

    @Test func aDynamicsMappingNamesChoiceValuesAsIntegersAndMayNotMixThemWithLabels() throws {
        let text = """
        {"sources": [{"kind": "xero", "tenants": ["t"]}],
         "sinks": [{"kind": "dynamics", "environment_url": "https://contoso.crm4.dynamics.com", "tenant_id": "8c2f", "client_id": {"env": "A"}, "client_secret": {"env": "B"},
           "objects": {"invoice": {"object": "contoso_invoices", "id_property": "contoso_invoicenumber", "logical_name": "contoso_invoice",
             "properties": {"contoso_paymentstatus": {"field": "status", "values": {"paid": 100000003, "sent": 100000000}}, "contoso_amountpaid": "amount_paid"}}}}]}
        """
        let configuration = try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds)
        let mapping = try #require(configuration.sinks.first?.objects[.invoice]?.crm)
        let status = try #require(mapping.properties.first { $0.name == "contoso_paymentstatus" })
        #expect(status.values == ["paid": "100000003", "sent": "100000000"])
        #expect(status.effectiveType == .number)
        let settings = try #require(configuration.sinks.first?.settings as? DynamicsSettings)
        #expect(settings.logicalName(of: "contoso_invoices") == "contoso_invoice")

        let mixed = text.replacingOccurrences(of: "\"sent\": 100000000", with: "\"sent\": \"Sent\"")
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(mixed, file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.issues.map(\.path) == ["sinks[0].objects.invoice.properties.contoso_paymentstatus.values"])
        let bare = #expect(throws: ConfigError.self) {
            try ConfigParser.parse(#"{"sources": [{"kind": "xero", "tenants": ["t"]}], "sinks": [{"kind": "dynamics", "objects": {"invoice": {"object": "x", "id_property": "y", "properties": {"z": "status"}}}}]}"#,
                                   file: "c.json", kinds: Registry.configKinds)
        }
        #expect(bare?.issues.map(\.path) == ["sinks[0].environment_url", "sinks[0].tenant_id", "sinks[0].client_id", "sinks[0].client_secret"])
    }

    @Test func aPipedriveSinkTakesOneWayToAuthenticateAndObjectsItWrites() throws {
        func parse(_ sink: String) throws -> Configuration {
            try ConfigParser.parse(#"{"sources": [{"kind": "xero", "tenants": ["t"]}], "sinks": [{"kind": "pipedrive", "#
                                   + sink + #", "objects": {"invoice": {"object": "deals", "id_property": "d4de1c1518b4531717c676029a45911c340390a6", "properties": {"title": "invoice_number"}}}}]}"#,
                                   file: "c.json", kinds: Registry.configKinds)
        }
        let token = try parse(#""api_token": {"env": "P"}"#)
        #expect((token.sinks.first?.settings as? PipedriveSettings)?.requestsPer2Seconds == 20)
        let oauth = try parse(#""client_id": {"env": "A"}, "client_secret": {"env": "B"}, "refresh_token": {"env": "C"}"#)
        #expect((oauth.sinks.first?.settings as? PipedriveSettings)?.requestsPer2Seconds == 80)
        let both = #expect(throws: ConfigError.self) { try parse(#""api_token": {"env": "P"}, "client_id": {"env": "A"}"#) }
        #expect(both?.issues.map(\.path) == ["sinks[0]"])
        let half = #expect(throws: ConfigError.self) { try parse(#""client_id": {"env": "A"}"#) }
        #expect(half?.issues.map(\.path) == ["sinks[0].client_secret", "sinks[0].refresh_token"])
        let object = #expect(throws: ConfigError.self) {
            try ConfigParser.parse(#"{"sources": [{"kind": "xero", "tenants": ["t"]}], "sinks": [{"kind": "pipedrive", "api_token": {"env": "P"}, "objects": {"invoice": {"object": "deal", "id_property": "title", "properties": {"title": "invoice_number"}}}}]}"#,
                                   file: "c.json", kinds: Registry.configKinds)
        }
        #expect(object?.issues.first?.message.contains("did you mean \"deals\"") == true)
    }

    @Test func aMondaySinkNamesBoardsByTheirIds() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigParser.parse(#"{"sources": [{"kind": "xero", "tenants": ["t"]}], "sinks": [{"kind": "monday", "api_version": "April", "objects": {"invoice": {"object": "Deals board", "id_property": "text_invoice", "properties": {"status": "status"}}}}]}"#,
                                   file: "c.json", kinds: Registry.configKinds)
        }
        #expect(error?.issues.map(\.path) == ["sinks[0].token", "sinks[0].api_version", "sinks[0].objects.invoice.object"])
        #expect(error?.issues.last?.message.contains("…/boards/1234567890") == true)
    }

    @Test func aWebhookNeedsAURLAndASecret() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigParser.parse(#"{"sources": [{"kind": "xero", "tenants": ["t"]}], "sinks": [{"kind": "webhook"}]}"#, file: "c.json", kinds: Registry.configKinds)
        }
        #expect(error?.issues.map(\.path) == ["sinks[0].url", "sinks[0].secret"])
    }

    @Test func aCRMSinkMustMapSomething() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigParser.parse(#"{"sources": [{"kind": "xero", "tenants": ["t"]}], "sinks": [{"kind": "hubspot", "token": {"env": "T"}}]}"#, file: "c.json", kinds: Registry.configKinds)
        }
        #expect(error?.issues.first?.path == "sinks[0].objects")
    }

    /// Issue 9, local faults: base URLs that would send finance credentials in clear text, or
    /// hold credentials themselves, are refused; loopback http is allowed (proxies, tests).
    @Test("unsafe URLs are refused", arguments: [
        ("http://api.xero.example/api.xro/2.0", "is plain http to another machine"),
        ("http://10.0.0.5/api", "is plain http to another machine"),
        ("https://user:hunter2-secret@api.xero.com/api.xro/2.0", "holds credentials"),
    ])
    func unsafeURLs(url: String, message: String) {
        let text = #"{"sources": [{"kind": "xero", "tenants": ["t"], "base_url": "URL"}], "sinks": [{"kind": "jsonl"}]}"#.replacingOccurrences(of: "URL", with: url)
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds) }
        #expect(error?.issues.first?.path == "sources[0].base_url")
        #expect(error?.issues.first?.message.contains(message) == true, "\(error?.issues.first?.message ?? "")")
        #expect(error.map { !$0.description.contains("hunter2") } == true)
    }

    @Test("loopback http is allowed", arguments: ["http://127.0.0.1:8080/api", "http://localhost:9000", "https://api.xero.com/api.xro/2.0"])
    func loopbackURLs(url: String) throws {
        let text = #"{"sources": [{"kind": "xero", "tenants": ["t"], "base_url": "URL"}], "sinks": [{"kind": "jsonl"}]}"#.replacingOccurrences(of: "URL", with: url)
        _ = try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds)
    }

    /// Every key given a value of the wrong type names its path and the type found.
    @Test("wrong types are named with their key path", arguments: [
        (#""page_size": "100""#, "sources[0].page_size", "expected a whole number"),
        (#""tenants": "t""#, "sources[0].tenants", "expected an array"),
        (#""overlap_seconds": 1.5"#, "sources[0].overlap_seconds", "expected a whole number"),
        (#""client_id": "plain-text-secret""#, "sources[0].client_id", "secrets are references"),
        (#""timezone": 3"#, "sources[0].timezone", "expected a non-empty string"),
        (#""rate_limit": []"#, "sources[0].rate_limit", "expected an object"),
        (#""sweep": {"every_hours": "x", "window_days": 2}"#, "sources[0].sweep.every_hours", "expected a number"),
        (#""entities": [1]"#, "sources[0].entities[0]", "expected a non-empty string"),
    ])
    func wrongTypes(member: String, path: String, message: String) {
        let text = #"{"sources": [{"kind": "xero", "tenants": ["t"], MEMBER}], "sinks": [{"kind": "jsonl"}]}"#.replacingOccurrences(of: "MEMBER", with: member)
            .replacingOccurrences(of: #""tenants": ["t"], "tenants": "t""#, with: #""tenants": "t""#)
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "c.json", kinds: Registry.configKinds) }
        let issue = error?.issues.first { $0.path == path }
        #expect(issue?.message.hasPrefix(message) == true, "\(error?.issues ?? [])")
        #expect(error.map { !$0.description.contains("plain-text-secret") } == true)
    }

    static let minimalParts = #""sources": [{"name": "s", "kind": "statement"}], "sinks": [{"name": "o", "kind": "jsonl", "path": "o.jsonl"}]"#

    @Test func aPostgreSQLLedgerURLWithAPasswordIsRefusedWithoutEchoingIt() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigParser.parse(#"{"ledger": "postgres://paysync:pw-never-shown@db/ledger", "# + Self.minimalParts + "}", file: "paysync.json", kinds: Registry.configKinds)
        }
        #expect(error?.description.contains("ledger: this PostgreSQL URL holds a password") == true, "\(String(describing: error))")
        #expect(error?.description.contains("pw-never-shown") == false)
    }

    @Test func aPostgreSQLLedgerIsNamedByAReferenceOrAPasswordlessURL() throws {
        let referenced = try ConfigParser.parse(#"{"ledger": {"url": {"env": "PAYSYNC_LEDGER_URL"}, "lease_seconds": 60}, "# + Self.minimalParts + "}",
                                                file: "paysync.json", kinds: Registry.configKinds)
        #expect(referenced.ledgerURL == .environment("PAYSYNC_LEDGER_URL") && referenced.leaseSeconds == 60 && referenced.ledgerPath == nil)
        let socket = try ConfigParser.parse(#"{"ledger": "postgresql:///paysync?host=/run/postgresql", "# + Self.minimalParts + "}",
                                            file: "paysync.json", kinds: Registry.configKinds)
        #expect(socket.ledgerPath == "postgresql:///paysync?host=/run/postgresql" && socket.leaseSeconds == 120)
        let error = #expect(throws: ConfigError.self) {
            try ConfigParser.parse(#"{"ledger": {"url": "postgres://u:p@h/d", "lease_seconds": 5}, "# + Self.minimalParts + "}", file: "paysync.json", kinds: Registry.configKinds)
        }
        #expect(error?.issues.map(\.path) == ["ledger.url", "ledger.lease_seconds"], "\(error?.issues ?? [])")
    }
}

/// The scaling guide's ledger example is a config paysync accepts.
@Suite struct ScalingGuideTests {
    @Test func theGuidesLedgerExamplesParse() throws {
        let guide = try String(contentsOfFile: Repository.path("docs/scaling.md"), encoding: .utf8)
        let examples = guide.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix(#""ledger": {"url""#) }
        #expect(examples.count == 1)
        for example in examples {
            let configuration = try ConfigParser.parse("{" + example + ", " + CRMConfigTests.minimalParts + "}", file: "paysync.json", kinds: Registry.configKinds)
            #expect(configuration.ledgerURL == SecretReference.environment("PAYSYNC_LEDGER_URL"))
        }
        let inline = try #require(guide.range(of: #"`"ledger": "postgresql:[^`]*`"#, options: .regularExpression).map { String(guide[$0].dropFirst().dropLast()) })
        let socket = try ConfigParser.parse("{" + inline + ", " + CRMConfigTests.minimalParts + "}", file: "paysync.json", kinds: Registry.configKinds)
        #expect(socket.ledgerPath?.hasPrefix("postgresql:///paysync") == true)
    }
}
