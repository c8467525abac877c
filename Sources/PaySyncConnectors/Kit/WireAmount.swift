import Foundation
import PaySyncCore

/// An amount as a provider sent it: the exact decimal text of the JSON number. Two amounts are
/// equal when their values are (`1250.10` == `1250.1`), whichever decoder read them. Convert it
/// with `Money(parsing:currency:field:)`, which refuses more fraction digits than the currency has.
public struct WireAmount: Decodable, Sendable, Hashable, CustomStringConvertible {
    public let text: String

    public init(text: String) {
        self.text = text
    }

    /// Through `JSONDecoder`: `Decimal` holds a JSON number exactly by value; its description is
    /// the number's shortest exact text.
    public init(from decoder: any Decoder) throws {
        text = try decoder.singleValueContainer().decode(Decimal.self).description
    }

    private var value: String { DecimalText.normalized(text) ?? text }

    public static func == (lhs: WireAmount, rhs: WireAmount) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
    public var description: String { text }
}
