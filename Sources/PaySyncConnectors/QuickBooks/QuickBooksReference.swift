/// A reference to another QuickBooks object (`CustomerRef`, `CurrencyRef`): its id or code in
/// `value`, its display name in `name`.
public struct QuickBooksReference: Decodable, Sendable, Equatable {
    public var value: String?
    public var name: String?

    public init(value: String?, name: String? = nil) {
        self.value = value
        self.name = name
    }
}

/// A link from one transaction to another (`LinkedTxn`): a payment line to the invoice it pays.
public struct QuickBooksLinkedTransaction: Decodable, Sendable, Equatable {
    public var txnID: String?
    public var txnType: String?

    public init(txnID: String?, txnType: String?) {
        self.txnID = txnID
        self.txnType = txnType
    }

    enum CodingKeys: String, CodingKey {
        case txnID = "TxnId"
        case txnType = "TxnType"
    }
}

/// `MetaData`: when the object was created and last changed, ISO 8601 with the company's offset.
public struct QuickBooksMetaData: Decodable, Sendable, Equatable {
    public var createTime: String?
    public var lastUpdatedTime: String?

    public init(createTime: String? = nil, lastUpdatedTime: String?) {
        self.createTime = createTime
        self.lastUpdatedTime = lastUpdatedTime
    }

    enum CodingKeys: String, CodingKey {
        case createTime = "CreateTime"
        case lastUpdatedTime = "LastUpdatedTime"
    }
}
