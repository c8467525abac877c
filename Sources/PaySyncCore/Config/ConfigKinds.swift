/// How one `kind` of source reads its settings from the config. Each provider's folder exports
/// one (through its descriptor); the registry hands the list to `ConfigParser`, so Core never
/// names a provider.
public struct SourceConfigReader: Sendable {
    /// The `kind` value, as users write it in the config.
    public let kind: String
    /// Keys this kind accepts besides `name` and `kind`; any other key is an error with a suggestion.
    public let keys: [String]
    let read: @Sendable (JSONObject, String, inout ConfigReader) -> (any SourceSettings)?

    /// - Parameter read: reads the settings from the source's object at the key path given,
    ///   reporting every problem to the reader; nil when the settings cannot be built.
    public init<Settings: SourceSettings>(kind: String, keys: [String],
                                         read: @escaping @Sendable (JSONObject, String, inout ConfigReader) -> Settings?) {
        self.kind = kind
        self.keys = keys
        self.read = { object, path, reader in read(object, path, &reader) }
    }
}

/// How a sink maps object kinds onto its records.
public enum ObjectMappingStyle: Sendable {
    /// Canonical fields by name (`fields`, `key`), with these defaults for kinds not named.
    case fields(defaults: [ObjectKind: ObjectMapping])
    /// CRM objects and properties (`object`, `id_property`, `properties`, `actions`), every kind
    /// named; `extraKeys` are per-object keys the sink reads itself.
    case crm(extraKeys: [String])
    /// A message per status a transition enters (`messages`), and the record key (`key`), every
    /// kind named: a notification channel, not a record store.
    case messages
}

/// How one `kind` of sink reads its settings from the config.
public struct SinkConfigReader: Sendable {
    public let kind: String
    /// Keys this kind accepts besides `name`, `kind` and `objects`.
    public let keys: [String]
    public let objects: ObjectMappingStyle
    let read: @Sendable (JSONObject, String, inout ConfigReader) -> (any SinkSettings)?

    public init<Settings: SinkSettings>(kind: String, keys: [String], objects: ObjectMappingStyle,
                                       read: @escaping @Sendable (JSONObject, String, inout ConfigReader) -> Settings?) {
        self.kind = kind
        self.keys = keys
        self.objects = objects
        self.read = { object, path, reader in read(object, path, &reader) }
    }
}

/// Every kind the config may name: the registry's readers.
public struct ConfigKinds: Sendable {
    public var sources: [SourceConfigReader]
    public var sinks: [SinkConfigReader]

    public init(sources: [SourceConfigReader], sinks: [SinkConfigReader]) {
        self.sources = sources
        self.sinks = sinks
    }
}
