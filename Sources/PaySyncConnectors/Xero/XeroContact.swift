/// The contact summary Xero embeds in invoices and payments.
public struct XeroContact: Decodable, Sendable, Equatable {
    public var contactID: String?
    public var name: String?
    public var emailAddress: String?

    public init(contactID: String?, name: String?, emailAddress: String?) {
        self.contactID = contactID
        self.name = name
        self.emailAddress = emailAddress
    }

    enum CodingKeys: String, CodingKey {
        case contactID = "ContactID"
        case name = "Name"
        case emailAddress = "EmailAddress"
    }
}
