import Foundation

/// `GET /v1/profiles/{profileId}/balance-statements/{balanceId}/statement.json` (the fields
/// paysync reads): the balance's transactions in an interval.
public struct WiseStatement: Decodable, Sendable {
    public var transactions: [Lossy<Transaction>]

    public struct Transaction: Decodable, Sendable, Equatable {
        public var type: String
        public var date: String
        public var amount: Amount
        public var details: Details?
        public var referenceNumber: String

        public struct Amount: Decodable, Sendable, Equatable {
            public var value: WireAmount
            public var currency: String
        }

        public struct Details: Decodable, Sendable, Equatable {
            public var type: String?
            public var description: String?
            public var senderName: String?
            public var senderAccount: String?
            public var paymentReference: String?
        }
    }
}

/// `GET /v4/profiles/{profileId}/balances?types=STANDARD` items; `GET /v2/profiles` items.
struct WiseBalance: Decodable, Sendable {
    var id: Int64
    var currency: String
}

struct WiseProfile: Decodable, Sendable {
    var id: Int64
    var type: String?
}
