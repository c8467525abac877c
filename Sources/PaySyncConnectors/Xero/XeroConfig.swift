import Foundation
import PaySyncCore

/// Reads a Xero source's keys from the config (`docs/configuration.md`, `docs/connectors/xero.md`).
enum XeroConfig {
    static let keys = ["tenants", "entities"] + PollingSourceConfig.keys

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> XeroSettings? {
        let all = object["tenants"]?.stringValue == "all"
        let tenants = all ? [] : reader.strings(object, "tenants", at: path) ?? []
        if tenants.isEmpty && !all {
            reader.fail("\(path).tenants", object["tenants"] == nil
                ? "is required: list the Xero tenant ids to poll (`paysync auth` lists them), or \"all\" for every connected organisation"
                : "list at least one Xero tenant id, or \"all\"")
        }
        var settings = XeroSettings(tenants: tenants)
        settings.allTenants = all
        PollingSourceConfig.read(object, at: path, reader: &reader, into: &settings, maximumPageSize: 1000)
        if let entities: [XeroEntity] = PollingSourceConfig.entities(object, at: path, reader: &reader) { settings.entities = entities }
        return settings
    }
}
