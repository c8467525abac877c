import Foundation

// PayPal's wire objects, as much of each as paysync reads (../shared/reference/payments-apis.md §3;
// shapes from paypal/paypal-rest-api-specifications: reporting_transactions_v1.json,
// customer_disputes_v1.json, invoicing_v2.json).

/// `{"currency_code": "USD", "value": "12.34"}`: a decimal string, read exactly.
public struct PayPalMoney: Decodable, Sendable {
    public let currencyCode: String
    public let value: String

    enum CodingKeys: String, CodingKey {
        case currencyCode = "currency_code"
        case value
    }
}

/// `GET /v1/reporting/transactions`.
public struct PayPalTransactionSearch: Decodable, Sendable {
    public struct Detail: Decodable, Sendable {
        public let transactionInfo: Info
        public let payerInfo: Payer?

        enum CodingKeys: String, CodingKey {
            case transactionInfo = "transaction_info"
            case payerInfo = "payer_info"
        }
    }

    public struct Info: Decodable, Sendable {
        public let transactionID: String
        public let paypalReferenceID: String?
        public let transactionEventCode: String?
        public let transactionInitiationDate: String?
        public let transactionUpdatedDate: String?
        public let transactionAmount: PayPalMoney?
        public let transactionStatus: String?
        public let invoiceID: String?
        public let customField: String?
        public let transactionSubject: String?

        enum CodingKeys: String, CodingKey {
            case transactionID = "transaction_id"
            case paypalReferenceID = "paypal_reference_id"
            case transactionEventCode = "transaction_event_code"
            case transactionInitiationDate = "transaction_initiation_date"
            case transactionUpdatedDate = "transaction_updated_date"
            case transactionAmount = "transaction_amount"
            case transactionStatus = "transaction_status"
            case invoiceID = "invoice_id"
            case customField = "custom_field"
            case transactionSubject = "transaction_subject"
        }
    }

    public struct Payer: Decodable, Sendable {
        public struct Name: Decodable, Sendable {
            public let alternateFullName: String?
            public let givenName: String?
            public let surname: String?

            enum CodingKeys: String, CodingKey {
                case alternateFullName = "alternate_full_name"
                case givenName = "given_name"
                case surname
            }
        }

        public let accountID: String?
        public let emailAddress: String?
        public let payerName: Name?

        enum CodingKeys: String, CodingKey {
            case accountID = "account_id"
            case emailAddress = "email_address"
            case payerName = "payer_name"
        }
    }

    public let transactionDetails: [Lossy<Detail>]?
    public let lastRefreshedDatetime: String?
    public let page: Int?
    public let totalPages: Int?
    public let totalItems: Int?

    enum CodingKeys: String, CodingKey {
        case transactionDetails = "transaction_details"
        case lastRefreshedDatetime = "last_refreshed_datetime"
        case page
        case totalPages = "total_pages"
        case totalItems = "total_items"
    }
}

/// A link in a HAL-style `links` array.
public struct PayPalLink: Decodable, Sendable {
    public let href: String
    public let rel: String
}

/// `GET /v1/customer/disputes`: summaries.
public struct PayPalDisputeList: Decodable, Sendable {
    public struct Summary: Decodable, Sendable {
        public let disputeID: String
        public let updateTime: String?

        enum CodingKeys: String, CodingKey {
            case disputeID = "dispute_id"
            case updateTime = "update_time"
        }
    }

    public let items: [Summary]?
    public let links: [PayPalLink]?
}

/// `GET /v1/customer/disputes/{id}`: the whole dispute, with the transaction it disputes.
public struct PayPalDispute: Decodable, Sendable {
    public struct Transaction: Decodable, Sendable {
        public let sellerTransactionID: String?
        public let invoiceNumber: String?

        enum CodingKeys: String, CodingKey {
            case sellerTransactionID = "seller_transaction_id"
            case invoiceNumber = "invoice_number"
        }
    }

    public struct Outcome: Decodable, Sendable {
        public let outcomeCode: String?

        enum CodingKeys: String, CodingKey {
            case outcomeCode = "outcome_code"
        }
    }

    public let disputeID: String
    public let createTime: String?
    public let updateTime: String?
    public let disputedTransactions: [Transaction]?
    public let reason: String?
    public let status: String
    public let disputeAmount: PayPalMoney?
    public let disputeOutcome: Outcome?

    enum CodingKeys: String, CodingKey {
        case disputeID = "dispute_id"
        case createTime = "create_time"
        case updateTime = "update_time"
        case disputedTransactions = "disputed_transactions"
        case reason, status
        case disputeAmount = "dispute_amount"
        case disputeOutcome = "dispute_outcome"
    }
}

/// `GET /v2/invoicing/invoices`.
public struct PayPalInvoiceList: Decodable, Sendable {
    public let items: [Lossy<PayPalInvoice>]?
    public let totalPages: Int?
    public let totalItems: Int?

    enum CodingKeys: String, CodingKey {
        case items
        case totalPages = "total_pages"
        case totalItems = "total_items"
    }
}

public struct PayPalInvoice: Decodable, Sendable {
    public struct Detail: Decodable, Sendable {
        public struct Term: Decodable, Sendable {
            public let dueDate: String?

            enum CodingKeys: String, CodingKey {
                case dueDate = "due_date"
            }
        }

        public struct Metadata: Decodable, Sendable {
            public let createTime: String?
            public let lastUpdateTime: String?

            enum CodingKeys: String, CodingKey {
                case createTime = "create_time"
                case lastUpdateTime = "last_update_time"
            }
        }

        public let invoiceNumber: String?
        public let invoiceDate: String?
        public let currencyCode: String?
        public let paymentTerm: Term?
        public let metadata: Metadata?

        enum CodingKeys: String, CodingKey {
            case invoiceNumber = "invoice_number"
            case invoiceDate = "invoice_date"
            case currencyCode = "currency_code"
            case paymentTerm = "payment_term"
            case metadata
        }
    }

    public struct Recipient: Decodable, Sendable {
        public struct Billing: Decodable, Sendable {
            public struct Name: Decodable, Sendable {
                public let givenName: String?
                public let surname: String?

                enum CodingKeys: String, CodingKey {
                    case givenName = "given_name"
                    case surname
                }
            }

            public let emailAddress: String?
            public let businessName: String?
            public let name: Name?

            enum CodingKeys: String, CodingKey {
                case emailAddress = "email_address"
                case businessName = "business_name"
                case name
            }
        }

        public let billingInfo: Billing?

        enum CodingKeys: String, CodingKey {
            case billingInfo = "billing_info"
        }
    }

    public struct Payments: Decodable, Sendable {
        public let paidAmount: PayPalMoney?

        enum CodingKeys: String, CodingKey {
            case paidAmount = "paid_amount"
        }
    }

    public let id: String
    public let status: String
    public let detail: Detail?
    public let primaryRecipients: [Recipient]?
    public let amount: PayPalMoney?
    public let dueAmount: PayPalMoney?
    public let payments: Payments?

    enum CodingKeys: String, CodingKey {
        case id, status, detail, amount, payments
        case primaryRecipients = "primary_recipients"
        case dueAmount = "due_amount"
    }
}
