import PaySyncCore
import PaySyncHTTP

/// Everything paysync knows about one provider kind, exported by the provider's folder and
/// listed once in the registry: its `kind` name, how it reads its settings from the config,
/// where its documentation lives, and how it builds a `Source` from a context.
public struct SourceDescriptor: Sendable {
    public let config: SourceConfigReader
    /// The user documentation page (`docs/connectors/xero.md`).
    public let documentation: String
    /// How `paysync auth` connects an account of this kind; nil when it takes no OAuth consent.
    public let authorization: SourceAuthorization?
    private let build: @Sendable (any SourceSettings, BuildContext) throws -> any Source

    public var kind: String { config.kind }

    /// - Parameters:
    ///   - keys: the config keys the kind accepts besides `name` and `kind`.
    ///   - read: reads the settings, reporting problems with key paths to the reader.
    ///   - make: builds the source from its settings (secrets are resolved here, through the context).
    public init<Settings: SourceSettings>(
        kind: String, keys: [String], documentation: String,
        read: @escaping @Sendable (JSONObject, String, inout ConfigReader) -> Settings?,
        authorization: SourceAuthorization? = nil,
        make: @escaping @Sendable (Settings, BuildContext) throws -> any Source
    ) {
        self.config = SourceConfigReader(kind: kind, keys: keys, read: read)
        self.documentation = documentation
        self.authorization = authorization
        self.build = { settings, context in
            guard let typed = settings as? Settings else {
                throw GeneralError("\(context.configPath): settings of kind \(kind) expected, found \(type(of: settings))", exitCode: .internalError)
            }
            return try make(typed, context)
        }
    }

    /// Builds the source a config entry describes.
    public func make(_ configuration: SourceConfiguration, context: BuildContext) throws -> any Source {
        try build(configuration.settings, context)
    }
}
