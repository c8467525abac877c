/// Text with `{field}` placeholders filled from an observation: `Payment failed for
/// {invoice_number} ({provider_status})`. Placeholders name canonical fields (`docs/configuration.md`)
/// plus `from_status` and `to_status`; a field with no value renders as an empty string.
public struct Template: Hashable, Sendable, CustomStringConvertible {
    enum Part: Hashable, Sendable {
        case text(String)
        case field(Field)
        case fromStatus
        case toStatus
    }

    let parts: [Part]
    public let source: String

    /// Parses a template; throws the unknown placeholder's name.
    public init(_ source: String) throws(TemplateError) {
        var parts: [Part] = []
        var text = ""
        var index = source.startIndex
        while index < source.endIndex {
            let character = source[index]
            if character == "{" {
                guard let close = source[index...].firstIndex(of: "}") else { throw TemplateError(placeholder: String(source[index...]), reason: "is not closed with }") }
                let name = String(source[source.index(after: index)..<close])
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                switch name {
                case "from_status": parts.append(.fromStatus)
                case "to_status": parts.append(.toStatus)
                default:
                    guard let field = Field(rawValue: name), field.spec.visibility == .crm else {
                        throw TemplateError(placeholder: name, reason: "is not a field\(Suggestion.didYouMean(name, in: Field.crmVisible.map(\.rawValue) + ["from_status", "to_status"]))")
                    }
                    parts.append(.field(field))
                }
                index = source.index(after: close)
            } else {
                text.append(character)
                index = source.index(after: index)
            }
        }
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
        self.source = source
    }

    public func render(_ observation: Observation, from: PaymentStatus?) -> String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .field(let field): observation.value(of: field) ?? ""
            case .fromStatus: from?.rawValue ?? ""
            case .toStatus: observation.status.rawValue
            }
        }.joined()
    }

    public var description: String { source }
}

public struct TemplateError: Error, Equatable, Sendable {
    public var placeholder: String
    public var reason: String
}
