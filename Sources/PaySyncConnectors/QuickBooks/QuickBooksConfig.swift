import PaySyncCore

/// Reads a QuickBooks source's keys from the config (`docs/connectors/quickbooks.md`).
enum QuickBooksConfig {
    static let keys = ["realm_id", "entities"] + PollingSourceConfig.keys

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> QuickBooksSettings? {
        let realm = reader.string(object, "realm_id", at: path) ?? ""
        if object["realm_id"] == nil {
            reader.fail("\(path).realm_id", "is required: the company's realmId (`paysync auth quickbooks` prints it)")
        } else if !realm.isEmpty && !realm.allSatisfy(\.isNumber) {
            reader.fail("\(path).realm_id", "a QuickBooks realmId is digits only")
        }
        var settings = QuickBooksSettings(realmID: realm)
        PollingSourceConfig.read(object, at: path, reader: &reader, into: &settings, maximumPageSize: 1000)
        if let entities: [QuickBooksEntity] = PollingSourceConfig.entities(object, at: path, reader: &reader) { settings.entities = entities }
        return settings
    }
}
