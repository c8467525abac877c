import Foundation
import PaySyncCore

/// Reads a Xero source's keys from the config (`docs/configuration.md`, `docs/connectors/xero.md`).
enum XeroConfig {
    static let keys = [
        "tenants", "client_id", "client_secret", "refresh_token", "base_url", "token_url", "authorize_url",
        "entities", "page_size", "overlap_seconds", "timezone", "rate_limit", "sweep", "start_date",
    ]

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
        settings.clientID = reader.secret(object, "client_id", at: path)
        settings.clientSecret = reader.secret(object, "client_secret", at: path)
        settings.refreshToken = reader.secret(object, "refresh_token", at: path)
        if let url = reader.url(object, "base_url", at: path) { settings.baseURL = url }
        if let url = reader.url(object, "token_url", at: path) { settings.tokenURL = url }
        if let url = reader.url(object, "authorize_url", at: path) { settings.authorizeURL = url }
        if let names = reader.strings(object, "entities", at: path) {
            let options = Dictionary(uniqueKeysWithValues: XeroEntity.allCases.map { ($0.rawValue, $0) })
            settings.entities = names.enumerated().compactMap { index, name in
                reader.choice(name, at: "\(path).entities[\(index)]", from: options, noun: "entity")
            }
        }
        if let size = reader.integer(object, "page_size", at: path, range: 1...1000) { settings.pageSize = size }
        if let overlap = reader.integer(object, "overlap_seconds", at: path, range: 1...86400) { settings.overlapSeconds = overlap }
        if let zone = reader.timeZone(object, "timezone", at: path) { settings.timeZone = zone }
        if let limit = reader.rateLimit(object, "rate_limit", at: path, defaults: settings.rateLimit) { settings.rateLimit = limit }
        if let sweep = reader.sweep(object, "sweep", at: path) { settings.sweep = sweep }
        if let date = reader.date(object, "start_date", at: path) { settings.startDate = date }
        return settings
    }
}
