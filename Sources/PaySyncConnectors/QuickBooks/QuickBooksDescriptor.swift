import PaySyncCore
import PaySyncHTTP

extension QuickBooksSource {
    /// QuickBooks Online in the registry: `"kind": "quickbooks"`.
    public static let descriptor = SourceDescriptor(
        kind: "quickbooks", keys: QuickBooksConfig.keys, documentation: "docs/connectors/quickbooks.md",
        read: { object, path, reader in QuickBooksConfig.read(object, at: path, reader: &reader) },
        // Intuit names the company the person chose in the redirect (`realmId`).
        authorization: SourceAuthorization(
            QuickBooksSettings.self, provider: "QuickBooks", scopes: ["com.intuit.quickbooks.accounting"], pkce: false, accountNoun: "company",
            credentials: { OAuthCredentials(authorizeURL: $0.authorizeURL, tokenURL: $0.tokenURL, clientID: $0.clientID, clientSecret: $0.clientSecret, refreshToken: $0.refreshToken) },
            configured: { [$0.realmID] },
            accounts: { _, _, redirect, _ in redirect["realmId"].map { [AuthorizedAccount(id: $0, name: nil)] } ?? [] }
        ),
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
