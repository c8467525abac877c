import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small XML document as a tree, read with Foundation's `XMLParser` (no DTDs, no external
/// entities): for XML APIs whose answers are small nested records (Sage Intacct's gateway).
/// Writing is `XMLTree.escape` and string building by the caller, which knows its schema.
public final class XMLTree: Sendable {
    public let name: String
    public let attributes: [String: String]
    public let children: [XMLTree]
    /// The element's own text, whitespace around it trimmed.
    public let text: String

    init(name: String, attributes: [String: String], children: [XMLTree], text: String) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child of that name.
    public subscript(_ child: String) -> XMLTree? { children.first { $0.name == child } }

    /// The element at a path of child names (`operation/result/status`).
    public func at(_ path: String) -> XMLTree? {
        path.split(separator: "/").reduce(self as XMLTree?) { node, name in node?[String(name)] }
    }

    /// Every child of that name.
    public func all(_ child: String) -> [XMLTree] { children.filter { $0.name == child } }

    public enum ParseError: Error, CustomStringConvertible {
        case malformed(line: Int, reason: String)
        public var description: String {
            switch self {
            case .malformed(let line, let reason): "line \(line): \(reason)"
            }
        }
    }

    /// Parses a document; a malformed one names the line.
    public static func parse(_ data: Data) throws(ParseError) -> XMLTree {
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw .malformed(line: parser.lineNumber, reason: parser.parserError.map { "\($0.localizedDescription)" } ?? "not an XML document")
        }
        return root
    }

    /// Text escaped for an element's content or an attribute.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }

    final class Builder: NSObject, XMLParserDelegate {
        struct Open {
            var name: String
            var attributes: [String: String]
            var children: [XMLTree] = []
            var text = ""
        }

        var stack: [Open] = []
        var root: XMLTree?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            stack.append(Open(name: elementName, attributes: attributeDict))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let open = stack.popLast() else { return }
            let node = XMLTree(name: open.name, attributes: open.attributes, children: open.children,
                               text: open.text.trimmingCharacters(in: .whitespacesAndNewlines))
            if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
        }
    }
}
