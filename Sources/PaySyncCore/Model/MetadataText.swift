/// A provider's key-value metadata as the `metadata` field keeps it: a compact JSON object of
/// strings with sorted keys, so the same metadata is always the same text (and a rerun no change).
public enum MetadataText {
    /// The stored text for `pairs`, nil when there are none.
    public static func encode(_ pairs: [String: String]) -> String? {
        guard !pairs.isEmpty else { return nil }
        let members = pairs.keys.sorted().map { ($0, JSONValue.string(pairs[$0]!)) }
        return JSONWriter.compact(.object(JSONObject(members)))
    }

    /// One value from stored text; nil when absent, not text, or the text is not an object.
    public static func value(_ name: String, in text: String?) -> String? {
        guard let text, let object = try? JSONParser.parse(text) else { return nil }
        return object[name]?.stringValue
    }
}
