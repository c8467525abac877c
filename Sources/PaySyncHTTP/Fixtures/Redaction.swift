import Foundation
import PaySyncCore

/// Removes credentials from recorded exchanges and error excerpts.
public enum Redaction {
    public static let placeholder = "[redacted]"

    /// Header fields whose values are credentials.
    public static let sensitiveHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"]

    /// Form fields and JSON keys whose values are credentials.
    public static let sensitiveKeys: Set<String> = [
        "access_token", "refresh_token", "id_token", "client_secret", "client_assertion", "assertion",
        "code", "code_verifier", "password", "api_token", "token", "signature",
    ]

    public static func headers(_ headers: HTTPHeaders) -> HTTPHeaders {
        HTTPHeaders(headers.fields.map { field in
            sensitiveHeaders.contains(field.name.lowercased()) ? (field.name, placeholder) : field
        })
    }

    /// A form body or a JSON body with every sensitive value replaced; other bodies unchanged.
    public static func body(_ data: Data, contentType: String?) -> Data {
        let type = contentType?.lowercased() ?? ""
        if type.contains("x-www-form-urlencoded") {
            let fields = String(decoding: data, as: UTF8.self).split(separator: "&").map { pair -> String in
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard let name = parts.first, sensitiveKeys.contains(String(name).lowercased()) else { return String(pair) }
                return "\(name)=\(URLBuilder.encode(placeholder))"
            }
            return Data(fields.joined(separator: "&").utf8)
        }
        if let value = try? JSONParser.parse(data) {
            return Data(JSONWriter.compact(redact(value)).utf8)
        }
        return data
    }

    /// A JSON value with every sensitive key's value replaced.
    public static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(JSONObject(object.members.map { member in
                sensitiveKeys.contains(member.key.lowercased()) ? (member.key, .string(placeholder)) : (member.key, redact(member.value))
            }))
        case .array(let elements):
            return .array(elements.map(redact))
        default:
            return value
        }
    }

    /// A short, redacted excerpt of a JSON (or text) body for an error message.
    public static func redactedJSONText(_ data: Data, limit: Int = 300) -> String {
        let text: String
        if let value = try? JSONParser.parse(data) {
            text = JSONWriter.compact(redact(value))
        } else {
            text = String(decoding: data.prefix(limit * 4), as: UTF8.self)
        }
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
