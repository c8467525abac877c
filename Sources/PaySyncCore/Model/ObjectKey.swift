/// The stable identity of a provider object across runs: provider, account (tenant, realm,
/// profile), kind and the provider's own id. Printed as `PROVIDER:ACCOUNT:KIND:ID`.
///
/// The key does not contain the source's configured name, so renaming a source in the config
/// does not orphan its ledger history.
public struct ObjectKey: Hashable, Sendable, CustomStringConvertible {
    public var provider: String
    public var account: String
    public var kind: ObjectKind
    public var externalID: String

    public init(provider: String, account: String, kind: ObjectKind, externalID: String) {
        self.provider = provider
        self.account = account
        self.kind = kind
        self.externalID = externalID
    }

    /// Parses `provider:account:kind:id` (the id may itself contain colons).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, let kind = ObjectKind(rawValue: String(parts[2])),
              !parts[0].isEmpty, !parts[3].isEmpty else { return nil }
        self.init(provider: String(parts[0]), account: String(parts[1]), kind: kind, externalID: String(parts[3]))
    }

    public var description: String { "\(provider):\(account):\(kind.rawValue):\(externalID)" }
}
