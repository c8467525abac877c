/// A coding key named at run time: an envelope whose array is named after its resource
/// (`Invoices`, `Invoice`), or an id read from a failed element under whichever name it has.
public struct NamedKey: CodingKey {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ name: String) { stringValue = name }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
