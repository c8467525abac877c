/// Reading CRM sinks (`hubspot`, `salesforce`) and the `webhook` sink from the config.
extension ConfigParser {
    static let crmObjectKeys = ["object", "id_property", "key", "missing_record", "properties", "actions",
                                "task_association_type_id", "note_association_type_id"]

    static func readHubSpot(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> SinkKind? {
        _ = reader.object(.object(object), at: path, allowed: ["name", "kind", "token", "base_url", "objects_path", "requests_per_10_seconds", "objects"])
        guard let token = reader.secret(object, "token", at: path) else {
            if object["token"] == nil { reader.fail("\(path).token", "is required: a private-app token, as {\"env\": \"HUBSPOT_TOKEN\"} or {\"file\": \"PATH\"}") }
            return nil
        }
        var settings = HubSpotSettings(token: token)
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let prefix = reader.string(object, "objects_path", at: path) {
            settings.objectsPath = prefix.hasPrefix("/") ? String(prefix.reversed().drop { $0 == "/" }.reversed()) : "/" + prefix
        }
        if let limit = reader.integer(object, "requests_per_10_seconds", at: path, range: 1...10_000) { settings.requestsPer10Seconds = limit }
        return .hubspot(settings)
    }

    static func readSalesforce(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> SinkKind? {
        _ = reader.object(.object(object), at: path, allowed: ["name", "kind", "token_url", "grant", "client_id", "client_secret", "refresh_token", "api_version", "objects"])
        let grantName = reader.string(object, "grant", at: path) ?? "refresh_token"
        let grants = Dictionary(uniqueKeysWithValues: SalesforceSettings.Grant.allCases.map { ($0.rawValue, $0) })
        let grant = reader.choice(grantName, at: "\(path).grant", from: grants, noun: "grant")
        let clientID = reader.secret(object, "client_id", at: path)
        let clientSecret = reader.secret(object, "client_secret", at: path)
        let refreshToken = reader.secret(object, "refresh_token", at: path)
        if object["client_id"] == nil { reader.fail("\(path).client_id", "is required (the connected app's consumer key)") }
        if object["client_secret"] == nil { reader.fail("\(path).client_secret", "is required (the connected app's consumer secret)") }
        if grant == .refreshToken && object["refresh_token"] == nil {
            reader.fail("\(path).refresh_token", "is required for grant \"refresh_token\" (or use \"grant\": \"client_credentials\")")
        }
        guard let grant, let clientID, let clientSecret else { return nil }
        var settings = SalesforceSettings(grant: grant, clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken)
        if let url = reader.url(object, "token_url", at: path) { settings.tokenURL = url }
        if let version = reader.string(object, "api_version", at: path) {
            if version.hasPrefix("v"), Double(version.dropFirst()) != nil { settings.apiVersion = version }
            else { reader.fail("\(path).api_version", "\"\(version)\" is not an API version such as \"v62.0\"") }
        }
        return .salesforce(settings)
    }

    static func readWebhook(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> SinkKind? {
        _ = reader.object(.object(object), at: path, allowed: ["name", "kind", "url", "secret", "batch_size", "objects"])
        let url = reader.url(object, "url", at: path)
        if object["url"] == nil { reader.fail("\(path).url", "is required") }
        let secret = reader.secret(object, "secret", at: path)
        if object["secret"] == nil { reader.fail("\(path).secret", "is required: the key that signs each request, as {\"env\": …} or {\"file\": …}") }
        guard let url, let secret else { return nil }
        var settings = WebhookSettings(url: url, secret: secret)
        if let size = reader.integer(object, "batch_size", at: path, range: 1...1000) { settings.batchSize = size }
        return .webhook(settings)
    }

    /// `objects` for a CRM sink: every kind to write must be named, with its CRM object,
    /// record key property and properties.
    static func readCRMObjectMappings(_ value: JSONValue?, at path: String, reader: inout ConfigReader) -> [ObjectKind: ObjectMapping] {
        guard let value else {
            reader.fail(path, "is required: map at least one kind (\"invoice\", \"payment\", …) to a CRM object; see docs/sinks/")
            return [:]
        }
        let kindNames = ObjectKind.allCases.map(\.rawValue)
        guard let object = reader.object(value, at: path, allowed: kindNames) else { return [:] }
        var result: [ObjectKind: ObjectMapping] = [:]
        for (name, mappingValue) in object.members {
            guard let kind = ObjectKind(rawValue: name) else { continue }
            if let mapping = readCRMObjectMapping(mappingValue, kind: kind, at: "\(path).\(name)", reader: &reader) { result[kind] = mapping }
        }
        if object.members.isEmpty { reader.fail(path, "map at least one kind to a CRM object") }
        return result
    }

    static func readCRMObjectMapping(_ value: JSONValue, kind: ObjectKind, at path: String, reader: inout ConfigReader) -> ObjectMapping? {
        guard let object = reader.object(value, at: path, allowed: crmObjectKeys) else { return nil }
        let crmObject = reader.string(object, "object", at: path, required: true)
        let idProperty = reader.string(object, "id_property", at: path, required: true)
        var key: [RecordKeySource] = kind == .invoice ? [.field(.invoiceNumber)] : [.externalID]
        if let keys = reader.strings(object, "key", at: path) {
            key = keys.enumerated().compactMap { index, text in readKeySource(text, at: "\(path).key[\(index)]", reader: &reader) }
        }
        var missing = MissingRecordPolicy.skip
        if let text = reader.string(object, "missing_record", at: path) {
            missing = reader.choice(text, at: "\(path).missing_record", from: Dictionary(uniqueKeysWithValues: MissingRecordPolicy.allCases.map { ($0.rawValue, $0) }), noun: "policy") ?? .skip
        }
        var properties: [PropertyMapping] = []
        if let table = reader.object(object["properties"], at: "\(path).properties", allowed: (object["properties"]?.objectValue?.keys) ?? []) {
            for (name, spec) in table.members {
                if let property = readProperty(name: name, spec, at: "\(path).properties.\(name)", reader: &reader) { properties.append(property) }
            }
            if table.members.isEmpty { reader.fail("\(path).properties", "name at least one CRM property to write") }
        } else if object["properties"] == nil {
            reader.fail("\(path).properties", "is required: which CRM properties get which fields")
        }
        let actions = readActions(object["actions"], at: "\(path).actions", reader: &reader)
        let task = reader.integer(object, "task_association_type_id", at: path, range: 1...1_000_000)
        let note = reader.integer(object, "note_association_type_id", at: path, range: 1...1_000_000)
        guard let crmObject, let idProperty else { return nil }
        var mapping = CRMObjectMapping(object: crmObject, idProperty: idProperty, missingRecord: missing, properties: properties, actions: actions)
        mapping.taskAssociationTypeID = task
        mapping.noteAssociationTypeID = note
        return ObjectMapping(key: key, fields: mapping.fields, crm: mapping)
    }

    /// `"amount_paid"` or `{"field": "status", "values": {"paid": "Paid"}, "type": "text"}`.
    static func readProperty(name: String, _ spec: JSONValue, at path: String, reader: inout ConfigReader) -> PropertyMapping? {
        let fields = Dictionary(uniqueKeysWithValues: Field.allCases.map { ($0.rawValue, $0) })
        if let fieldName = spec.stringValue {
            return reader.choice(fieldName, at: path, from: fields, noun: "field").map { PropertyMapping(name: name, field: $0) }
        }
        guard let object = reader.object(spec, at: path, allowed: ["field", "values", "type"]) else { return nil }
        guard let fieldName = reader.string(object, "field", at: path, required: true),
              let field = reader.choice(fieldName, at: "\(path).field", from: fields, noun: "field") else { return nil }
        var values: [String: String]?
        if let table = reader.object(object["values"], at: "\(path).values", allowed: object["values"]?.objectValue?.keys ?? []) {
            var mapped: [String: String] = [:]
            for (canonical, crmValue) in table.members {
                if field == .status, PaymentStatus(canonicalName: canonical) == nil {
                    reader.fail("\(path).values.\(canonical)", "is not a status\(Suggestion.didYouMean(canonical, in: PaymentStatus.known.map(\.rawValue))); statuses: \(PaymentStatus.known.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                guard let text = crmValue.stringValue else {
                    reader.fail("\(path).values.\(canonical)", "expected a string, found \(crmValue.typeDescription)")
                    continue
                }
                mapped[canonical] = text
            }
            values = mapped
        }
        var type: PropertyType?
        if let typeName = reader.string(object, "type", at: path) {
            type = reader.choice(typeName, at: "\(path).type", from: Dictionary(uniqueKeysWithValues: PropertyType.allCases.map { ($0.rawValue, $0) }), noun: "type")
        }
        return PropertyMapping(name: name, field: field, values: values, type: type)
    }

    /// `{"failed": [{"task": "…", "body": "…"}], "refunded": [{"note": "…"}]}`.
    static func readActions(_ value: JSONValue?, at path: String, reader: inout ConfigReader) -> [PaymentStatus: [ActionMapping]] {
        guard let value else { return [:] }
        guard let object = reader.object(value, at: path, allowed: value.objectValue?.keys ?? []) else { return [:] }
        var result: [PaymentStatus: [ActionMapping]] = [:]
        for (statusName, list) in object.members {
            let statusPath = "\(path).\(statusName)"
            guard let status = PaymentStatus(canonicalName: statusName) else {
                reader.fail(statusPath, "is not a status\(Suggestion.didYouMean(statusName, in: PaymentStatus.known.map(\.rawValue)))")
                continue
            }
            let entries = list.arrayValue ?? [list]
            for (index, entry) in entries.enumerated() {
                let entryPath = list.arrayValue == nil ? statusPath : "\(statusPath)[\(index)]"
                guard let action = reader.object(entry, at: entryPath, allowed: ["task", "note", "body"]) else { continue }
                func template(_ key: String) -> Template? {
                    guard let text = reader.string(action, key, at: entryPath) else { return nil }
                    do { return try Template(text) } catch {
                        reader.fail("\(entryPath).\(key)", "placeholder {\(error.placeholder)} \(error.reason)")
                        return nil
                    }
                }
                if action["task"] != nil {
                    if let subject = template("task") { result[status, default: []].append(.task(subject: subject, body: template("body"))) }
                } else if action["note"] != nil {
                    if action["body"] != nil { reader.fail("\(entryPath).body", "a note has one text: put it in \"note\"") }
                    if let body = template("note") { result[status, default: []].append(.note(body: body)) }
                } else {
                    reader.fail(entryPath, "give \"task\" (with an optional \"body\") or \"note\"")
                }
            }
        }
        return result
    }
}
