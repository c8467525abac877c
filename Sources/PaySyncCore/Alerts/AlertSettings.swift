/// The optional `alerts` section: where notifications go and which conditions beyond the
/// always-on ones (a failed run, dead-lettered writes) are watched. `docs/operations.md`.
public struct AlertSettings: Sendable, Equatable {
    /// A chat incoming-webhook URL (`POST {"text": …}`, the chat services' common format), itself a secret (anyone holding it can post).
    public var slackWebhook: SecretReference?
    /// A command run once per message with the message on standard input (`["mail", "-s",
    /// "paysync", "ops@example.com"]`); no shell is involved.
    public var emailCommand: [String]?
    /// Notify when a source has not been read without a failure for this long.
    public var sourceStaleHours: Int?
    /// Notify when a stored refresh token or consent expires within this many days.
    public var tokenExpiryDays: Int?
    /// Notify when more bank credits than this wait unmatched to an invoice.
    public var unmatchedBankCredits: Int?

    public init(slackWebhook: SecretReference? = nil, emailCommand: [String]? = nil, sourceStaleHours: Int? = nil,
                tokenExpiryDays: Int? = nil, unmatchedBankCredits: Int? = nil) {
        self.slackWebhook = slackWebhook
        self.emailCommand = emailCommand
        self.sourceStaleHours = sourceStaleHours
        self.tokenExpiryDays = tokenExpiryDays
        self.unmatchedBankCredits = unmatchedBankCredits
    }
}
