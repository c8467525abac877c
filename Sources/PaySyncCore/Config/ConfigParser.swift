import Foundation

/// Reads and validates the config file. Every key is documented in `docs/configuration.md`.
public enum ConfigParser {
    /// Parses config JSON text. `file` names the file in errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> Configuration {
        let document: JSONValue
        do {
            document = try JSONParser.parse(text, source: file)
        } catch {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "line \(error.line), column \(error.column): malformed JSON: \(error.message)")])
        }
        var reader = ConfigReader()
        let configuration = read(document, file: file, reader: &reader)
        if let configuration, reader.issues.isEmpty { return configuration }
        throw ConfigError(file: file, issues: reader.issues.isEmpty ? [ConfigIssue(path: "", message: "invalid configuration")] : reader.issues)
    }

    /// Reads the config file at `path`.
    public static func load(path: String) throws(ConfigError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: exists ? "cannot be read (check its permissions)" : "no such file; pass --config PATH, set PAYSYNC_CONFIG, or create ./paysync.json (see docs/configuration.md)")])
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    static let topLevelKeys = ["ledger", "http", "outbox", "sources", "sinks"]

    private static func read(_ document: JSONValue, file: String, reader: inout ConfigReader) -> Configuration? {
        guard let root = reader.object(document, at: "", allowed: topLevelKeys) else { return nil }
        let ledger = reader.string(root, "ledger", at: "")
        let http = readHTTP(root["http"], reader: &reader)
        let outbox = readOutbox(root["outbox"], reader: &reader)

        var sources: [SourceConfiguration] = []
        if let elements = reader.array(root, "sources", at: "") {
            for (index, element) in elements.enumerated() {
                if let source = readSource(element, at: "sources[\(index)]", reader: &reader) { sources.append(source) }
            }
        } else if root["sources"] == nil {
            reader.fail("sources", "is required: list at least one provider account to poll")
        }
        var sinks: [SinkConfiguration] = []
        if let elements = reader.array(root, "sinks", at: "") {
            for (index, element) in elements.enumerated() {
                if let sink = readSink(element, at: "sinks[\(index)]", reader: &reader) { sinks.append(sink) }
            }
        } else if root["sinks"] == nil {
            reader.fail("sinks", "is required: list at least one CRM, webhook or jsonl file to write")
        }
        checkUniqueNames(sources.map(\.name), label: "sources", reader: &reader)
        checkUniqueNames(sinks.map(\.name), label: "sinks", reader: &reader)
        return Configuration(file: file, ledgerPath: ledger, http: http, outbox: outbox, sources: sources, sinks: sinks)
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

    // MARK: Sources

    static let sourceKinds = ["xero"]

    private static func readSource(_ value: JSONValue, at path: String, reader: inout ConfigReader) -> SourceConfiguration? {
        guard let object = value.objectValue else {
            reader.fail(path, "expected an object, found \(value.typeDescription)")
            return nil
        }
        guard let kind = reader.string(object, "kind", at: path, required: true) else { return nil }
        guard reader.choice(kind, at: "\(path).kind", from: Dictionary(uniqueKeysWithValues: sourceKinds.map { ($0, $0) }), noun: "kind") != nil else { return nil }
        let name = reader.string(object, "name", at: path) ?? kind
        switch kind {
        case "xero":
            guard let settings = readXero(object, at: path, reader: &reader) else { return nil }
            return SourceConfiguration(name: name, provider: .xero(settings))
        default:
            return nil
        }
    }

    static let xeroKeys = [
        "name", "kind", "tenants", "client_id", "client_secret", "refresh_token", "base_url", "token_url",
        "entities", "page_size", "overlap_seconds", "timezone", "rate_limit", "sweep", "start_date",
    ]

    private static func readXero(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> XeroSettings? {
        _ = reader.object(.object(object), at: path, allowed: xeroKeys)
        let tenants = reader.strings(object, "tenants", at: path) ?? []
        if tenants.isEmpty {
            reader.fail("\(path).tenants", object["tenants"] == nil
                ? "is required: list the Xero tenant ids to poll (GET https://api.xero.com/connections lists them)"
                : "list at least one Xero tenant id")
        }
        var settings = XeroSettings(tenants: tenants)
        settings.clientID = reader.secret(object, "client_id", at: path)
        settings.clientSecret = reader.secret(object, "client_secret", at: path)
        settings.refreshToken = reader.secret(object, "refresh_token", at: path)
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let url = reader.url(object, "token_url", at: path) { settings.tokenURL = url }
        if let names = reader.strings(object, "entities", at: path) {
            let options = Dictionary(uniqueKeysWithValues: XeroEntity.allCases.map { ($0.rawValue, $0) })
            settings.entities = names.enumerated().compactMap { index, name in
                reader.choice(name, at: "\(path).entities[\(index)]", from: options, noun: "entity")
            }
        }
        if let size = reader.integer(object, "page_size", at: path, range: 1...1000) { settings.pageSize = size }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 1...86400) { settings.overlapSeconds = overlap }
        if let zone = reader.string(object, "timezone", at: path) {
            if TimeZone(identifier: zone) == nil {
                reader.fail("\(path).timezone", "unknown time zone \"\(zone)\"\(Suggestion.didYouMean(zone, in: TimeZone.knownTimeZoneIdentifiers)); use an IANA name such as \"Europe/London\"")
            } else {
                settings.timeZone = zone
            }
        }
        if let limit = reader.object(object["rate_limit"], at: "\(path).rate_limit", allowed: ["per_minute", "concurrent"]) {
            let perMinute = reader.integer(limit, "per_minute", at: "\(path).rate_limit", range: 1...1_000_000) ?? settings.rateLimit.perMinute
            let concurrent = reader.integer(limit, "concurrent", at: "\(path).rate_limit", range: 1...100) ?? settings.rateLimit.concurrent
            settings.rateLimit = RateLimitSettings(perMinute: perMinute, concurrent: concurrent)
        }
        if let sweep = reader.object(object["sweep"], at: "\(path).sweep", allowed: ["every_hours", "window_days"]) {
            let every = reader.number(sweep, "every_hours", at: "\(path).sweep", range: 0.01...8760)
            let window = reader.integer(sweep, "window_days", at: "\(path).sweep", range: 1...3650)
            if every == nil && sweep["every_hours"] == nil { reader.fail("\(path).sweep.every_hours", "is required") }
            if window == nil && sweep["window_days"] == nil { reader.fail("\(path).sweep.window_days", "is required") }
            if let every, let window { settings.sweep = SweepSettings(everyHours: every, windowDays: window) }
        }
        if let text = reader.string(object, "start_date", at: path) {
            if let date = CalendarDate(iso: text), text.count == 10 { settings.startDate = date }
            else { reader.fail("\(path).start_date", "\"\(text)\" is not a date; write YYYY-MM-DD") }
        }
        return settings
    }

    // MARK: Sinks

    static let sinkKinds = ["jsonl", "hubspot", "salesforce", "webhook"]

    private static func readSink(_ value: JSONValue, at path: String, reader: inout ConfigReader) -> SinkConfiguration? {
        guard let object = value.objectValue else {
            reader.fail(path, "expected an object, found \(value.typeDescription)")
            return nil
        }
        guard let kind = reader.string(object, "kind", at: path, required: true) else { return nil }
        guard reader.choice(kind, at: "\(path).kind", from: Dictionary(uniqueKeysWithValues: sinkKinds.map { ($0, $0) }), noun: "kind") != nil else { return nil }
        let name = reader.string(object, "name", at: path) ?? kind
        switch kind {
        case "jsonl":
            _ = reader.object(.object(object), at: path, allowed: ["name", "kind", "path", "objects"])
            let file = reader.string(object, "path", at: path) ?? "-"
            let objects = readObjectMappings(object["objects"], at: "\(path).objects", defaults: JSONLinesDefaults.objects, reader: &reader)
            return SinkConfiguration(name: name, kind: .jsonLines(path: file), objects: objects)
        case "webhook":
            let kind = readWebhook(object, at: path, reader: &reader)
            let objects = readObjectMappings(object["objects"], at: "\(path).objects", defaults: JSONLinesDefaults.objects, reader: &reader)
            return kind.map { SinkConfiguration(name: name, kind: $0, objects: objects) }
        case "hubspot", "salesforce":
            let sinkKind = kind == "hubspot" ? readHubSpot(object, at: path, reader: &reader) : readSalesforce(object, at: path, reader: &reader)
            let objects = readCRMObjectMappings(object["objects"], at: "\(path).objects", reader: &reader)
            return sinkKind.map { SinkConfiguration(name: name, kind: $0, objects: objects) }
        default:
            return nil
        }
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
            var result = defaults[kind] ?? ObjectMapping(key: [.externalID], fields: JSONLinesDefaults.fields)
            if let keys = reader.strings(mapping, "key", at: kindPath) {
                result.key = keys.enumerated().compactMap { index, key in
                    readKeySource(key, at: "\(kindPath).key[\(index)]", reader: &reader)
                }
            }
            if let fields = reader.strings(mapping, "fields", at: kindPath) {
                let options = Dictionary(uniqueKeysWithValues: Field.allCases.map { ($0.rawValue, $0) })
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
        var options = Dictionary(uniqueKeysWithValues: Field.allCases.map { ($0.rawValue, RecordKeySource.field($0)) })
        options["id"] = .externalID
        return reader.choice(text, at: path, from: options, noun: "record key")
    }
}

/// What the jsonl sink maps when the config does not say: status and money on invoices,
/// payments and refunds, keyed by invoice number (invoices) or provider id.
public enum JSONLinesDefaults {
    public static let fields = FieldSet([.status, .currency, .amountTotal, .amountPaid, .amountDue, .dueDate, .lastPaymentDate])

    public static let objects: [ObjectKind: ObjectMapping] = [
        .invoice: ObjectMapping(key: [.field(.invoiceNumber), .externalID], fields: fields),
        .payment: ObjectMapping(key: [.externalID], fields: FieldSet([.status, .currency, .amountTotal, .invoiceNumber, .documentDate])),
        .refund: ObjectMapping(key: [.externalID], fields: FieldSet([.status, .currency, .amountTotal, .invoiceNumber, .documentDate])),
    ]
}
