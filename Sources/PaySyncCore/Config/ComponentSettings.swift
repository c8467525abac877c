/// The settings a provider's folder reads from its `sources[i]` object. Core keeps them opaque:
/// only the provider's own code (its descriptor) looks inside.
public protocol SourceSettings: Sendable {
    /// The secret references the source needs to reach its provider, for `config check` and for
    /// the run's start-up checks. A fixture replay (`--fixtures`) needs none of them.
    var secrets: [SecretRequirement] { get }
}

/// The settings a sink's folder reads from its `sinks[i]` object (besides `objects`).
public protocol SinkSettings: Sendable {
    /// The secret references the sink needs to write; a dry run needs none of them.
    var secrets: [SecretRequirement] { get }
    /// Whether the sink writes to standard output (where `--format json` puts the summary).
    var writesToStandardOutput: Bool { get }
}

extension SinkSettings {
    public var writesToStandardOutput: Bool { false }
}

/// One secret a source or sink needs: the config key that holds it, the reference read from the
/// config (nil when the key was left out), and why it is needed, for the "is required" message.
public struct SecretRequirement: Sendable, Equatable {
    /// The key under the source or sink (`client_id`).
    public var key: String
    public var reference: SecretReference?
    /// Completes "is required …" (`to reach the provider`).
    public var purpose: String

    public init(key: String, reference: SecretReference?, purpose: String) {
        self.key = key
        self.reference = reference
        self.purpose = purpose
    }
}
