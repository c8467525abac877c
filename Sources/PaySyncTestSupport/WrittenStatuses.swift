import PaySyncCore

/// What a `jsonl` sink wrote, as the end-to-end tests read it: each object key's statuses, in
/// the order they were written.
public enum WrittenStatuses {
    public static func byObject(_ contents: String?) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for line in (contents ?? "").split(separator: "\n").compactMap({ try? JSONParser.parse(String($0)) }) {
            result[line["object"]?.stringValue ?? "", default: []].append(line["to"]?.stringValue ?? "")
        }
        return result
    }
}
