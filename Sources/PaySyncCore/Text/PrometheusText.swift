import Foundation

/// Prometheus' text exposition format (version 0.0.4), as node_exporter's textfile collector
/// reads it: `# HELP` and `# TYPE` once per metric, then one sample per label set, label values
/// escaped (`\`, `"`, newline).
public struct PrometheusText {
    private var lines: [String] = []
    private var described: Set<String> = []

    public init() {}

    public mutating func gauge(_ name: String, help: String, labels: [(String, String)] = [], _ value: Double) {
        if described.insert(name).inserted {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) gauge")
        }
        let labelText = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(PrometheusText.escape($0.1))\"" }.joined(separator: ",") + "}"
        lines.append("\(name)\(labelText) \(PrometheusText.number(value))")
    }

    public var text: String { lines.joined(separator: "\n") + "\n" }

    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Integers without a fraction, others with up to three decimals.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.3f", value)
    }

    /// The samples of a metric in a file written before (`name{label="value"} number`), by the
    /// value of one label: how a run carries forward what it did not measure itself.
    public static func samples(of name: String, label: String, in text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard let open = line.range(of: "\(label)=\""), let close = line[open.upperBound...].firstIndex(of: "\""),
                  let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            result[String(line[open.upperBound..<close])] = value
        }
        return result
    }
}
