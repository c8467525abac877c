/// The contact summary Xero embeds in invoices and payments.
public struct XeroContact: Decodable, Sendable, Equatable {
    public var contactID: String?
    public var name: String?
    public var emailAddress: String?

    enum CodingKeys: String, CodingKey {
        case contactID = "ContactID"
        case name = "Name"
        case emailAddress = "EmailAddress"
    }
}
