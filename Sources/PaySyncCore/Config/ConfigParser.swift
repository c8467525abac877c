import Foundation

/// Reads and validates the config file. Every key is documented in `docs/configuration.md`.
public enum ConfigParser {
    /// Parses config JSON text. `file` names the file in errors; `kinds` are the registry's
    /// source and sink readers (the only place a provider or CRM kind is known).
    public static func parse(_ text: String, file: String, kinds: ConfigKinds) throws(ConfigError) -> Configuration {
        let document: JSONValue
        do {
            document = try JSONParser.parse(text, source: file)
        } catch {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "line \(error.line), column \(error.column): malformed JSON: \(error.message)")])
        }
        var reader = ConfigReader()
        let configuration = read(document, file: file, kinds: kinds, reader: &reader)
        if let configuration, reader.issues.isEmpty { return configuration }
        throw ConfigError(file: file, issues: reader.issues.isEmpty ? [ConfigIssue(path: "", message: "invalid configuration")] : reader.issues)
    }

    /// Reads the config file at `path`.
    public static func load(path: String, kinds: ConfigKinds) throws(ConfigError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: exists ? "cannot be read (check its permissions)" : "no such file; pass --config PATH, set PAYSYNC_CONFIG, or create ./paysync.json (see docs/configuration.md)")])
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, kinds: kinds)
    }

    static let topLevelKeys = ["ledger", "metrics_file", "alerts", "matching", "http", "outbox", "sources", "sinks"]

    private static func read(_ document: JSONValue, file: String, kinds: ConfigKinds, reader: inout ConfigReader) -> Configuration? {
        guard let root = reader.object(document, at: "", allowed: topLevelKeys) else { return nil }
        var ledger: String?
        var ledgerURL: SecretReference?
        var leaseSeconds: Double?
        if root["ledger"]?.stringValue != nil {
            ledger = reader.string(root, "ledger", at: "")
            if let url = ledger, url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
               URLComponents(string: url)?.password != nil || url.lowercased().contains("password=") {
                reader.fail("ledger", "this PostgreSQL URL holds a password, which does not belong in a config file; write \"ledger\": {\"url\": {\"env\": \"PAYSYNC_LEDGER_URL\"}} and set that variable (docs/scaling.md)")
                ledger = nil
            }
        } else if let object = reader.object(root["ledger"], at: "ledger", allowed: ["url", "lease_seconds"]) {
            ledgerURL = reader.secret(object, "url", at: "ledger")
            if ledgerURL == nil && object["url"] == nil { reader.fail("ledger.url", "is required: {\"env\": \"NAME\"} or {\"file\": \"PATH\"} holding a postgres:// URL") }
            leaseSeconds = reader.number(object, "lease_seconds", at: "ledger", range: 10...3600)
        }
        let http = readHTTP(root["http"], reader: &reader)
        let outbox = readOutbox(root["outbox"], reader: &reader)

        var sources: [SourceConfiguration] = []
        if let elements = reader.array(root, "sources", at: "") {
            for (index, element) in elements.enumerated() {
                if let source = readSource(element, at: "sources[\(index)]", kinds: kinds.sources, reader: &reader) { sources.append(source) }
            }
        } else if root["sources"] == nil {
            reader.fail("sources", "is required: list at least one provider account to poll")
        }
        var sinks: [SinkConfiguration] = []
        if let elements = reader.array(root, "sinks", at: "") {
            for (index, element) in elements.enumerated() {
                if let sink = readSink(element, at: "sinks[\(index)]", kinds: kinds.sinks, reader: &reader) { sinks.append(sink) }
            }
        } else if root["sinks"] == nil {
            reader.fail("sinks", "is required: list at least one CRM, webhook or jsonl file to write")
        }
        checkUniqueNames(sources.map(\.name), label: "sources", reader: &reader)
        checkUniqueNames(sinks.map(\.name), label: "sinks", reader: &reader)
        var configuration = Configuration(file: file, ledgerPath: ledger, http: http, outbox: outbox, sources: sources, sinks: sinks)
        configuration.ledgerURL = ledgerURL
        if let leaseSeconds { configuration.leaseSeconds = leaseSeconds }
        configuration.metricsFile = reader.string(root, "metrics_file", at: "")
        configuration.alerts = readAlerts(root["alerts"], reader: &reader)
        if let matching = reader.object(root["matching"], at: "matching", allowed: ["window_days", "minimum_confidence"]) {
            if let days = reader.integer(matching, "window_days", at: "matching", range: 1...3660) { configuration.matching.windowDays = days }
            if let confidence = reader.number(matching, "minimum_confidence", at: "matching", range: 0.5...1) { configuration.matching.minimumConfidence = confidence }
        }
        return configuration
    }

    private static func readAlerts(_ value: JSONValue?, reader: inout ConfigReader) -> AlertSettings? {
        guard value != nil else { return nil }
        let keys = ["slack_webhook_url", "email_command", "source_stale_hours", "token_expiry_days", "unmatched_bank_credits"]
        guard let object = reader.object(value, at: "alerts", allowed: keys) else { return nil }
        var settings = AlertSettings()
        settings.slackWebhook = reader.secret(object, "slack_webhook_url", at: "alerts")
        if let command = reader.strings(object, "email_command", at: "alerts") {
            if command.isEmpty || command[0].isEmpty {
                reader.fail("alerts.email_command", "must name a program, then its arguments (the message goes to its standard input)")
            } else {
                settings.emailCommand = command
            }
        }
        settings.sourceStaleHours = reader.integer(object, "source_stale_hours", at: "alerts", range: 1...8760)
        settings.tokenExpiryDays = reader.integer(object, "token_expiry_days", at: "alerts", range: 1...365)
        settings.unmatchedBankCredits = reader.integer(object, "unmatched_bank_credits", at: "alerts", range: 0...1_000_000)
        if settings.slackWebhook == nil && settings.emailCommand == nil {
            reader.fail("alerts", "names no channel: give slack_webhook_url (a secret reference) or email_command, or both")
        }
        return settings
    }

    private static func checkUniqueNames(_ names: [String], label: String, reader: inout ConfigReader) {
        var seen: Set<String> = []
        for (index, name) in names.enumerated() where !seen.insert(name).inserted {
            reader.fail("\(label)[\(index)].name", "\"\(name)\" is used twice; names must be unique")
        }
    }

    private static func readHTTP(_ value: JSONValue?, reader: inout ConfigReader) -> HTTPSettings {
        var settings = HTTPSettings()
        let keys = ["timeout_seconds", "deadline_seconds", "max_attempts", "max_retry_seconds", "backoff_base_seconds", "backoff_cap_seconds"]
        guard let object = reader.object(value, at: "http", allowed: keys) else { return settings }
        if let value = reader.number(object, "timeout_seconds", at: "http", range: 0.1...3600) { settings.timeoutSeconds = value }
        if let value = reader.number(object, "deadline_seconds", at: "http", range: 0.1...86400) { settings.deadlineSeconds = value }
        if let value = reader.integer(object, "max_attempts", at: "http", range: 1...100) { settings.maxAttempts = value }
        if let value = reader.number(object, "max_retry_seconds", at: "http", range: 0...86400) { settings.maxRetrySeconds = value }
        if let value = reader.number(object, "backoff_base_seconds", at: "http", range: 0...3600) { settings.backoffBaseSeconds = value }
        if let value = reader.number(object, "backoff_cap_seconds", at: "http", range: 0...86400) { settings.backoffCapSeconds = value }
        return settings
    }

    private static func readOutbox(_ value: JSONValue?, reader: inout ConfigReader) -> OutboxSettings {
        var settings = OutboxSettings()
        guard let object = reader.object(value, at: "outbox", allowed: ["max_attempts", "retry_base_seconds", "retry_cap_seconds"]) else { return settings }
        if let value = reader.integer(object, "max_attempts", at: "outbox", range: 1...1000) { settings.maxAttempts = value }
        if let value = reader.number(object, "retry_base_seconds", at: "outbox", range: 0...86400) { settings.retryBaseSeconds = value }
        if let value = reader.number(object, "retry_cap_seconds", at: "outbox", range: 0...604_800) { settings.retryCapSeconds = value }
        return settings
    }

    // MARK: Sources and sinks

    private static func readSource(_ value: JSONValue, at path: String, kinds: [SourceConfigReader], reader: inout ConfigReader) -> SourceConfiguration? {
        guard let object = value.objectValue else {
            reader.fail(path, "expected an object, found \(value.typeDescription)")
            return nil
        }
        guard let kind = reader.string(object, "kind", at: path, required: true) else { return nil }
        let options = Dictionary(kinds.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        guard let kindReader = reader.choice(kind, at: "\(path).kind", from: options, noun: "kind") else { return nil }
        let name = reader.string(object, "name", at: path) ?? kind
        _ = reader.object(value, at: path, allowed: ["name", "kind"] + kindReader.keys)
        guard let settings = kindReader.read(object, path, &reader) else { return nil }
        return SourceConfiguration(name: name, kind: kind, settings: settings)
    }

    private static func readSink(_ value: JSONValue, at path: String, kinds: [SinkConfigReader], reader: inout ConfigReader) -> SinkConfiguration? {
        guard let object = value.objectValue else {
            reader.fail(path, "expected an object, found \(value.typeDescription)")
            return nil
        }
        guard let kind = reader.string(object, "kind", at: path, required: true) else { return nil }
        let options = Dictionary(kinds.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        guard let kindReader = reader.choice(kind, at: "\(path).kind", from: options, noun: "kind") else { return nil }
        let name = reader.string(object, "name", at: path) ?? kind
        _ = reader.object(value, at: path, allowed: ["name", "kind", "objects"] + kindReader.keys)
        let settings = kindReader.read(object, path, &reader)
        let objects: [ObjectKind: ObjectMapping]
        switch kindReader.objects {
        case .fields(let defaults):
            objects = readObjectMappings(object["objects"], at: "\(path).objects", defaults: defaults, reader: &reader)
        case .crm(let extraKeys):
            objects = readCRMObjectMappings(object["objects"], at: "\(path).objects", extraKeys: extraKeys, reader: &reader)
        case .messages:
            objects = readMessageMappings(object["objects"], at: "\(path).objects", reader: &reader)
        }
        return settings.map { SinkConfiguration(name: name, kind: kind, settings: $0, objects: objects) }
    }

    /// `{"invoice": {"key": [...], "fields": [...]}, "payment": false, …}`: per kind, a mapping,
    /// or `false` to send that kind nowhere. Kinds not named keep their defaults.
    static func readObjectMappings(_ value: JSONValue?, at path: String, defaults: [ObjectKind: ObjectMapping], reader: inout ConfigReader) -> [ObjectKind: ObjectMapping] {
        var mappings = defaults
        let kindNames = ObjectKind.allCases.map(\.rawValue)
        guard let object = reader.object(value, at: path, allowed: kindNames) else { return mappings }
        for (name, mappingValue) in object.members {
            guard let kind = ObjectKind(rawValue: name) else { continue }
            let kindPath = "\(path).\(name)"
            if mappingValue == .bool(false) {
                mappings[kind] = nil
                continue
            }
            guard let mapping = reader.object(mappingValue, at: kindPath, allowed: ["key", "fields"]) else { continue }
            var result = defaults[kind] ?? ObjectMapping(key: [.externalID], fields: FieldMappingDefaults.fields)
            if let keys = reader.strings(mapping, "key", at: kindPath) {
                result.key = keys.enumerated().compactMap { index, key in
                    readKeySource(key, at: "\(kindPath).key[\(index)]", reader: &reader)
                }
            }
            if let fields = reader.strings(mapping, "fields", at: kindPath) {
                let options = Dictionary(uniqueKeysWithValues: Field.crmVisible.map { ($0.rawValue, $0) })
                result.fields = FieldSet(fields.enumerated().compactMap { index, field in
                    reader.choice(field, at: "\(kindPath).fields[\(index)]", from: options, noun: "field")
                })
            }
            mappings[kind] = result
        }
        return mappings
    }

    static func readKeySource(_ text: String, at path: String, reader: inout ConfigReader) -> RecordKeySource? {
        if text == "id" { return .externalID }
        if text.hasPrefix("metadata.") {
            let name = String(text.dropFirst("metadata.".count))
            guard !name.isEmpty, name.count <= 40 else {
                reader.fail(path, "\"metadata.NAME\" names one metadata key of up to 40 characters")
                return nil
            }
            return .metadata(name)
        }
        var options = Dictionary(uniqueKeysWithValues: Field.crmVisible.map { ($0.rawValue, RecordKeySource.field($0)) })
        options["id"] = .externalID
        return reader.choice(text, at: path, from: options, noun: "record key")
    }
}

/// What a field-mapping sink (a file, a webhook) maps when the config does not say: status and
/// money on invoices, payments and refunds, keyed by invoice number (invoices) or provider id.
public enum FieldMappingDefaults {
    public static let fields = FieldSet([.status, .currency, .amountTotal, .amountPaid, .amountDue, .dueDate, .lastPaymentDate])

    public static let objects: [ObjectKind: ObjectMapping] = [
        .invoice: ObjectMapping(key: [.field(.invoiceNumber), .externalID], fields: fields),
        .payment: ObjectMapping(key: [.externalID], fields: FieldSet([.status, .currency, .amountTotal, .invoiceNumber, .documentDate])),
        // A refund no provider links to an invoice must still say whose money it was.
        .refund: ObjectMapping(key: [.externalID], fields: FieldSet([.status, .currency, .amountTotal, .invoiceNumber, .documentDate,
                                                                      .customerID, .customerName, .reference])),
        .creditNote: ObjectMapping(key: [.externalID], fields: FieldSet([.status, .currency, .amountTotal, .amountDue, .invoiceNumber, .documentDate,
                                                                          .customerID, .customerName, .reference])),
        .subscription: ObjectMapping(key: [.externalID], fields: FieldSet([.status, .currency, .customerID, .documentDate])),
        .mandate: ObjectMapping(key: [.externalID], fields: FieldSet([.status, .customerID, .reference, .documentDate])),
        .dispute: ObjectMapping(key: [.externalID], fields: FieldSet([.status, .currency, .amountTotal, .documentDate, .reference])),
        .paymentLink: ObjectMapping(key: [.externalID], fields: FieldSet([.status, .currency, .amountTotal, .customerEmail, .reference, .dueDate])),
    ]
}
