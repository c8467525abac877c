import Foundation
import PaySyncCore

/// How Authorize.Net's JSON answers read (pure): the body starts with a UTF-8 byte-order mark,
/// a refusal comes with HTTP 200 and `messages.resultCode` "Error", and a list of one may come
/// as the one object (the JSON is converted from the XML schema).
public enum AuthorizeNetResponse {
    /// The parsed body, its BOM removed.
    public static func parse(_ data: Data) throws -> JSONValue {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        return try JSONParser.parse(Data(bytes), source: "Authorize.Net response")
    }

    /// The first message's code and text when `resultCode` is "Error"; nil when "Ok".
    public static func error(_ body: JSONValue) -> (code: String, text: String)? {
        guard let messages = body["messages"], messages["resultCode"]?.stringValue == "Error" else { return nil }
        let first = list(messages["message"]).first
        return (first?["code"]?.stringValue ?? "E?????", first?["text"]?.stringValue ?? "no message")
    }

    /// A list that may come as an array, as its one element, or as `{"<item>": …}` (the XML's
    /// wrapper element); nil and `null` are empty.
    public static func list(_ value: JSONValue?, item: String? = nil) -> [JSONValue] {
        guard let value else { return [] }
        switch value {
        case .array(let elements): return elements
        case .null: return []
        case .object(let object):
            if let item, let inner = object[item] { return list(inner) }
            return [value]
        default: return []
        }
    }
}
