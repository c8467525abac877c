/// Reading a CRM sink's `objects`: per object kind, the CRM object, record key and properties.
extension ConfigParser {
    static let crmObjectKeys = ["object", "id_property", "key", "missing_record", "properties", "actions"]

    /// `objects` for a CRM sink: every kind to write must be named, with its CRM object,
    /// record key property and properties.
    static func readCRMObjectMappings(_ value: JSONValue?, at path: String, extraKeys: [String], reader: inout ConfigReader) -> [ObjectKind: ObjectMapping] {
        guard let value else {
            reader.fail(path, "is required: map at least one kind (\"invoice\", \"payment\", …) to a CRM object; see docs/sinks/")
            return [:]
        }
        let kindNames = ObjectKind.allCases.map(\.rawValue)
        guard let object = reader.object(value, at: path, allowed: kindNames) else { return [:] }
        var result: [ObjectKind: ObjectMapping] = [:]
        for (name, mappingValue) in object.members {
            guard let kind = ObjectKind(rawValue: name) else { continue }
            if let mapping = readCRMObjectMapping(mappingValue, kind: kind, at: "\(path).\(name)", extraKeys: extraKeys, reader: &reader) { result[kind] = mapping }
        }
        if object.members.isEmpty { reader.fail(path, "map at least one kind to a CRM object") }
        return result
    }

    static func readCRMObjectMapping(_ value: JSONValue, kind: ObjectKind, at path: String, extraKeys: [String], reader: inout ConfigReader) -> ObjectMapping? {
        guard let object = reader.object(value, at: path, allowed: crmObjectKeys + extraKeys) else { return nil }
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
        guard let crmObject, let idProperty else { return nil }
        let mapping = CRMObjectMapping(object: crmObject, idProperty: idProperty, missingRecord: missing, properties: properties, actions: actions)
        return ObjectMapping(key: key, fields: mapping.fields, crm: mapping)
    }

    /// `"amount_paid"` or `{"field": "status", "values": {"paid": "Paid"}, "type": "text"}`.
    static func readProperty(name: String, _ spec: JSONValue, at path: String, reader: inout ConfigReader) -> PropertyMapping? {
        let fields = Dictionary(uniqueKeysWithValues: Field.crmVisible.map { ($0.rawValue, $0) })
        if let fieldName = spec.stringValue {
            return reader.choice(fieldName, at: path, from: fields, noun: "field").map { PropertyMapping(name: name, field: $0) }
        }
        guard let object = reader.object(spec, at: path, allowed: ["field", "values", "type"]) else { return nil }
        guard let fieldName = reader.string(object, "field", at: path, required: true),
              let field = reader.choice(fieldName, at: "\(path).field", from: fields, noun: "field") else { return nil }
        var values: [String: String]?
        var numericValues = 0
        if let table = reader.object(object["values"], at: "\(path).values", allowed: object["values"]?.objectValue?.keys ?? []) {
            var mapped: [String: String] = [:]
            for (canonical, crmValue) in table.members {
                if field == .status, PaymentStatus(canonicalName: canonical) == nil {
                    reader.fail("\(path).values.\(canonical)", "is not a status\(Suggestion.didYouMean(canonical, in: PaymentStatus.known.map(\.rawValue))); statuses: \(PaymentStatus.known.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                // A label, or an integer: the option value of a choice column (such as
                // 100000001), written as a number unless the mapping says otherwise.
                if let number = crmValue.numberText, Int64(number) != nil {
                    mapped[canonical] = number
                    numericValues += 1
                    continue
                }
                guard let text = crmValue.stringValue else {
                    reader.fail("\(path).values.\(canonical)", "expected a label or an integer option value, found \(crmValue.typeDescription)")
                    continue
                }
                mapped[canonical] = text
            }
            values = mapped
            if numericValues > 0 && numericValues < mapped.count {
                reader.fail("\(path).values", "mixes labels and integer option values; use one or the other")
            }
        }
        var type: PropertyType? = numericValues > 0 ? .number : nil
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

    /// `objects` for a notification sink: per kind, `{"messages": {"paid": "TEMPLATE", …}, "key": […]}`.
    /// Each message is sent once, on the transition into its status (an action, as a CRM's notes
    /// are), never for the history a first sync imports.
    static func readMessageMappings(_ value: JSONValue?, at path: String, reader: inout ConfigReader) -> [ObjectKind: ObjectMapping] {
        guard let value else {
            reader.fail(path, "is required: name a kind (\"payment\", \"invoice\", …) and the message for each status, {\"messages\": {\"paid\": \"…\"}}")
            return [:]
        }
        guard let object = reader.object(value, at: path, allowed: ObjectKind.allCases.map(\.rawValue)) else { return [:] }
        var result: [ObjectKind: ObjectMapping] = [:]
        for (name, mappingValue) in object.members {
            guard let kind = ObjectKind(rawValue: name) else { continue }
            let kindPath = "\(path).\(name)"
            guard let mapping = reader.object(mappingValue, at: kindPath, allowed: ["messages", "key"]) else { continue }
            var key: [RecordKeySource] = kind == .invoice ? [.field(.invoiceNumber), .externalID] : [.externalID]
            if let keys = reader.strings(mapping, "key", at: kindPath) {
                key = keys.enumerated().compactMap { index, text in readKeySource(text, at: "\(kindPath).key[\(index)]", reader: &reader) }
            }
            var actions: [PaymentStatus: [ActionMapping]] = [:]
            if let messages = reader.object(mapping["messages"], at: "\(kindPath).messages", allowed: mapping["messages"]?.objectValue?.keys ?? []) {
                for (statusName, text) in messages.members {
                    let statusPath = "\(kindPath).messages.\(statusName)"
                    guard let status = PaymentStatus(canonicalName: statusName) else {
                        reader.fail(statusPath, "is not a status\(Suggestion.didYouMean(statusName, in: PaymentStatus.known.map(\.rawValue)))")
                        continue
                    }
                    guard let template = text.stringValue else {
                        reader.fail(statusPath, "expected a message template, found \(text.typeDescription)")
                        continue
                    }
                    do { actions[status] = [.note(body: try Template(template))] } catch {
                        reader.fail(statusPath, "placeholder {\(error.placeholder)} \(error.reason)")
                    }
                }
                if messages.members.isEmpty { reader.fail("\(kindPath).messages", "name at least one status and its message") }
            } else if mapping["messages"] == nil {
                reader.fail("\(kindPath).messages", "is required: the message for each status, {\"paid\": \"{customer_name} paid {amount_total} {currency}\"}")
            }
            // A status change makes the transition a message hangs on.
            let crm = CRMObjectMapping(object: "message", idProperty: "", properties: [PropertyMapping(name: "status", field: .status)], actions: actions)
            result[kind] = ObjectMapping(key: key, fields: FieldSet([.status]), crm: crm)
        }
        if object.members.isEmpty { reader.fail(path, "name at least one kind and its messages") }
        return result
    }
}
