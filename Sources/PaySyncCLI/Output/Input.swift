/// Where a command reads what a person types (`paysync auth` takes the pasted redirect address).
/// Commands never read standard input directly, so tests can answer in-process.
public struct Input: Sendable {
    public var readLine: @Sendable () async -> String?

    public init(readLine: @escaping @Sendable () async -> String?) {
        self.readLine = readLine
    }

    public static let standard = Input { Swift.readLine(strippingNewline: true) }
}
