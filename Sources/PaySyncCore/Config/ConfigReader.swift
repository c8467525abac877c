import Foundation

/// Walks a parsed JSON config, collecting every problem with its key path. Unknown keys are
/// errors (a typo must not silently drop a setting) with a suggestion of the nearest known key.
public struct ConfigReader {
    public init() {}

    public private(set) var issues: [ConfigIssue] = []

    public mutating func fail(_ path: String, _ message: String) {
        issues.append(ConfigIssue(path: path, message: message))
    }

    /// The value as an object whose keys are all in `allowed`.
    public mutating func object(_ value: JSONValue?, at path: String, allowed: [String]) -> JSONObject? {
        guard let value else { return nil }
        guard let object = value.objectValue else {
            fail(path, "expected an object, found \(value.typeDescription)")
            return nil
        }
        for key in object.keys where !allowed.contains(key) {
            fail(join(path, key), "unknown key\(Suggestion.didYouMean(key, in: allowed))")
        }
        return object
    }

    public mutating func string(_ object: JSONObject, _ key: String, at path: String, required: Bool = false) -> String? {
        guard let value = object[key] else {
            if required { fail(join(path, key), "is required") }
            return nil
        }
        guard let text = value.stringValue, !text.isEmpty else {
            fail(join(path, key), "expected a non-empty string, found \(value.typeDescription)")
            return nil
        }
        return text
    }

    public mutating func number(_ object: JSONObject, _ key: String, at path: String, range: ClosedRange<Double>) -> Double? {
        guard let value = object[key] else { return nil }
        guard let text = value.numberText, let number = Double(text) else {
            fail(join(path, key), "expected a number, found \(value.typeDescription)")
            return nil
        }
        guard range.contains(number) else {
            fail(join(path, key), "\(text) is out of range; use \(format(range.lowerBound)) to \(format(range.upperBound))")
            return nil
        }
        return number
    }

    public mutating func integer(_ object: JSONObject, _ key: String, at path: String, range: ClosedRange<Int>) -> Int? {
        guard let value = object[key] else { return nil }
        guard let text = value.numberText, let number = Int(text) else {
            fail(join(path, key), "expected a whole number, found \(value.numberText ?? value.typeDescription)")
            return nil
        }
        guard range.contains(number) else {
            fail(join(path, key), "\(number) is out of range; use \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    public mutating func array(_ object: JSONObject, _ key: String, at path: String) -> [JSONValue]? {
        guard let value = object[key] else { return nil }
        guard let elements = value.arrayValue else {
            fail(join(path, key), "expected an array, found \(value.typeDescription)")
            return nil
        }
        return elements
    }

    public mutating func strings(_ object: JSONObject, _ key: String, at path: String) -> [String]? {
        guard let elements = array(object, key, at: path) else { return nil }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = element.stringValue, !text.isEmpty else {
                fail("\(join(path, key))[\(index)]", "expected a non-empty string, found \(element.typeDescription)")
                continue
            }
            result.append(text)
        }
        return result
    }

    /// A name from a fixed set, with a suggestion when it is close to one.
    public mutating func choice<T>(_ text: String, at path: String, from options: [String: T], noun: String) -> T? {
        if let value = options[text] { return value }
        fail(path, "unknown \(noun) \"\(text)\"\(Suggestion.didYouMean(text, in: options.keys.sorted())); expected one of \(options.keys.sorted().joined(separator: ", "))")
        return nil
    }

    /// `{"env": "NAME"}` or `{"file": "PATH"}`. An inline string is refused without echoing it.
    public mutating func secret(_ object: JSONObject, _ key: String, at path: String) -> SecretReference? {
        guard let value = object[key] else { return nil }
        let keyPath = join(path, key)
        if value.stringValue != nil {
            fail(keyPath, "secrets are references, not values: write {\"env\": \"NAME\"} or {\"file\": \"PATH\"}")
            return nil
        }
        guard let reference = self.object(value, at: keyPath, allowed: ["env", "file"]) else { return nil }
        if reference.members.count != 1 {
            fail(keyPath, "give exactly one of \"env\" or \"file\"")
            return nil
        }
        if let name = string(reference, "env", at: keyPath) { return .environment(name) }
        if let file = string(reference, "file", at: keyPath) { return .file(file) }
        return nil
    }

    /// An https URL, or plain http to this machine only (a local proxy, a test server): finance
    /// credentials never cross a network in clear text. Credentials inside a URL are refused
    /// (they belong in secret references), without echoing them.
    public mutating func url(_ object: JSONObject, _ key: String, at path: String) -> String? {
        guard let text = string(object, key, at: path) else { return nil }
        guard text.hasPrefix("https://") || text.hasPrefix("http://"), text.count > 8, !text.contains(" "),
              let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            fail(join(path, key), "\"\(text)\" is not an http(s) URL")
            return nil
        }
        if components.user != nil || components.password != nil {
            fail(join(path, key), "holds credentials (user:password@); put them in a secret reference, never in a URL")
            return nil
        }
        if components.scheme == "http", !["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()), !host.hasPrefix("127.") {
            fail(join(path, key), "\"\(text)\" is plain http to another machine; use https (plain http is allowed to 127.0.0.1 and localhost only)")
            return nil
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    public func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func format(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(number)
    }
}
