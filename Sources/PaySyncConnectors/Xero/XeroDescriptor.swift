import PaySyncCore
import PaySyncHTTP

extension XeroSource {
    /// Xero in the registry: `"kind": "xero"`.
    public static let descriptor = SourceDescriptor(
        kind: "xero", keys: XeroConfig.keys, documentation: "docs/connectors/xero.md",
        read: { object, path, reader in XeroConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            let tokens = try context.refreshTokenProvider(
                tokenURL: settings.tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret,
                refreshToken: settings.refreshToken, storeKey: "xero:\(context.name)",
                purpose: "to reach Xero (or run with --fixtures DIR)"
            )
            return XeroSource(name: context.name, settings: settings, client: context.client, tokens: tokens)
        }
    )
}

extension SourceConfiguration {
    /// A Xero source as the config would describe it (for tests and tools that build configs in code).
    public static func xero(name: String, _ settings: XeroSettings) -> SourceConfiguration {
        SourceConfiguration(name: name, kind: XeroSource.descriptor.kind, settings: settings)
    }
}
