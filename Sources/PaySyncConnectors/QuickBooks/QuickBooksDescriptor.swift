import PaySyncCore
import PaySyncHTTP

extension QuickBooksSource {
    /// QuickBooks Online in the registry: `"kind": "quickbooks"`.
    public static let descriptor = SourceDescriptor(
        kind: "quickbooks", keys: QuickBooksConfig.keys, documentation: "docs/connectors/quickbooks.md",
        read: { object, path, reader in QuickBooksConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            // Intuit authenticates the client with HTTP Basic on the token endpoint, as the kit does.
            let tokens = try context.refreshTokenProvider(
                tokenURL: settings.tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret,
                refreshToken: settings.refreshToken, storeKey: "quickbooks:\(context.name):\(settings.realmID)",
                purpose: "to reach QuickBooks (or run with --fixtures DIR)"
            )
            return QuickBooksSource(name: context.name, settings: settings, client: context.client, tokens: tokens)
        }
    )
}
