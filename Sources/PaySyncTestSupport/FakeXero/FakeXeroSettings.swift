import PaySyncConnectors

extension FakeXeroServer {
    /// A Xero source's settings pointed at this fake, its secrets read from `XERO_CLIENT_ID`,
    /// `XERO_CLIENT_SECRET` and `XERO_REFRESH_TOKEN` (see `variables`).
    public func settings(tenants: [String]) -> XeroSettings {
        var settings = XeroSettings(tenants: tenants)
        settings.baseURL = apiBaseURL
        settings.tokenURL = tokenURL
        settings.authorizeURL = authorizeURL
        settings.clientID = .environment("XERO_CLIENT_ID")
        settings.clientSecret = .environment("XERO_CLIENT_SECRET")
        settings.refreshToken = .environment("XERO_REFRESH_TOKEN")
        return settings
    }

    /// The environment `settings(tenants:)` reads its secrets from, with a refresh token the fake accepts.
    public func variables(refreshToken: String = "initial-refresh-token") -> [String: String] {
        ["XERO_CLIENT_ID": clientID, "XERO_CLIENT_SECRET": clientSecret, "XERO_REFRESH_TOKEN": refreshToken]
    }
}
