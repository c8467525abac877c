import PaySyncCore
import PaySyncHTTP

/// Everything paysync knows about one sink kind, exported by the sink's folder and listed once
/// in the registry: its `kind` name, how it reads its settings and object mappings from the
/// config, where its documentation lives, and how it builds a `Sink` from a context.
public struct SinkDescriptor: Sendable {
    public let config: SinkConfigReader
    /// The user documentation page (`docs/sinks/hubspot.md`).
    public let documentation: String
    private let build: @Sendable (any SinkSettings, [ObjectKind: ObjectMapping], BuildContext) throws -> any Sink

    public var kind: String { config.kind }

    /// - Parameters:
    ///   - keys: the config keys the kind accepts besides `name`, `kind` and `objects`.
    ///   - objects: how `objects` maps kinds onto the sink's records.
    ///   - read: reads the settings, reporting problems with key paths to the reader.
    ///   - make: builds the sink (secrets resolved through the context; a dry run needs none).
    public init<Settings: SinkSettings>(
        kind: String, keys: [String], objects: ObjectMappingStyle, documentation: String,
        read: @escaping @Sendable (JSONObject, String, inout ConfigReader) -> Settings?,
        make: @escaping @Sendable (Settings, [ObjectKind: ObjectMapping], BuildContext) throws -> any Sink
    ) {
        self.config = SinkConfigReader(kind: kind, keys: keys, objects: objects, read: read)
        self.documentation = documentation
        self.build = { settings, objects, context in
            guard let typed = settings as? Settings else {
                throw GeneralError("\(context.configPath): settings of kind \(kind) expected, found \(type(of: settings))", exitCode: .internalError)
            }
            return try make(typed, objects, context)
        }
    }

    /// Builds the sink a config entry describes.
    public func make(_ configuration: SinkConfiguration, context: BuildContext) throws -> any Sink {
        try build(configuration.settings, configuration.objects, context)
    }
}
