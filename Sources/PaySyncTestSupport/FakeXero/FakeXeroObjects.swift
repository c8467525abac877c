import Foundation
import PaySyncCore

/// A sales invoice (or bill) held by the fake Xero, rendered in Xero's documented JSON shape
/// (the fields of `GET /Invoices` in Xero's OpenAPI examples, line items included).
public struct FakeXeroInvoice: Sendable, Equatable {
    public var invoiceID: String
    public var invoiceNumber: String
    public var type = "ACCREC"
    public var status: String
    public var reference: String
    public var contact: FakeXeroContact
    public var date: CalendarDate
    public var dueDate: CalendarDate
    public var currency: String
    /// Amounts in minor units (two decimals, as Xero renders every currency).
    public var subTotal: Int64
    public var totalTax: Int64
    public var amountPaid: Int64
    public var amountCredited: Int64 = 0
    public var sentToContact = true
    public var lineItems: [FakeXeroLineItem]
    public var payments: [(id: String, date: CalendarDate, amount: Int64)] = []
    /// Credit notes allocated to it (their sum is `amountCredited`).
    public var creditNotes: [(id: String, number: String, date: CalendarDate, amount: Int64)] = []
    public var updated: Timestamp
    /// Raw JSON members that replace the rendered ones (to inject bad data: `"AmountDue": "12.345"`).
    public var overrides: [(String, String)] = []

    public var total: Int64 { subTotal + totalTax }
    public var amountDue: Int64 { total - amountPaid - amountCredited }

    public init(invoiceID: String, invoiceNumber: String, status: String, reference: String = "", contact: FakeXeroContact,
                date: CalendarDate, dueDate: CalendarDate, currency: String, subTotal: Int64, totalTax: Int64, amountPaid: Int64 = 0,
                lineItems: [FakeXeroLineItem], updated: Timestamp) {
        self.invoiceID = invoiceID
        self.invoiceNumber = invoiceNumber
        self.status = status
        self.reference = reference
        self.contact = contact
        self.date = date
        self.dueDate = dueDate
        self.currency = currency
        self.subTotal = subTotal
        self.totalTax = totalTax
        self.amountPaid = amountPaid
        self.lineItems = lineItems
        self.updated = updated
    }

    public static func == (lhs: FakeXeroInvoice, rhs: FakeXeroInvoice) -> Bool {
        lhs.render() == rhs.render()
    }

    public func render() -> String {
        var json = JSONText()
        json.member("Type", string: type)
        json.member("InvoiceID", string: invoiceID)
        json.member("InvoiceNumber", string: invoiceNumber)
        json.member("Reference", string: reference)
        json.raw("Prepayments", "[]")
        json.raw("Overpayments", "[]")
        json.member("AmountDue", amount: amountDue)
        json.member("AmountPaid", amount: amountPaid)
        json.member("AmountCredited", amount: amountCredited)
        json.raw("SentToContact", sentToContact ? "true" : "false")
        json.raw("CurrencyRate", "1.000000")
        json.raw("IsDiscounted", "false")
        json.raw("HasAttachments", "false")
        json.raw("HasErrors", "false")
        json.raw("Contact", contact.render())
        json.member("DateString", string: "\(date)T00:00:00")
        json.member("Date", string: FakeXeroDate.dotNet(date.startOfDayUTC))
        json.member("DueDateString", string: "\(dueDate)T00:00:00")
        json.member("DueDate", string: FakeXeroDate.dotNet(dueDate.startOfDayUTC))
        json.member("Status", string: status)
        json.member("LineAmountTypes", string: "Exclusive")
        json.raw("LineItems", "[" + lineItems.map { $0.render() }.joined(separator: ",") + "]")
        json.member("SubTotal", amount: subTotal)
        json.member("TotalTax", amount: totalTax)
        json.member("Total", amount: total)
        json.member("UpdatedDateUTC", string: FakeXeroDate.dotNet(updated))
        json.member("CurrencyCode", string: currency)
        if status == "PAID", let last = payments.map(\.date).max() {
            json.member("FullyPaidOnDate", string: FakeXeroDate.dotNet(last.startOfDayUTC))
        }
        json.raw("Payments", "[" + payments.map { payment in
            var item = JSONText()
            item.member("PaymentID", string: payment.id)
            item.member("Date", string: FakeXeroDate.dotNet(payment.date.startOfDayUTC))
            item.member("Amount", amount: payment.amount)
            item.member("Reference", string: "")
            item.raw("CurrencyRate", "1.000000")
            item.raw("HasAccount", "false")
            item.raw("HasValidationErrors", "false")
            return item.close()
        }.joined(separator: ",") + "]")
        json.raw("CreditNotes", "[" + creditNotes.map { credit in
            var item = JSONText()
            item.member("CreditNoteID", string: credit.id)
            item.member("CreditNoteNumber", string: credit.number)
            item.member("ID", string: credit.id)
            item.member("AppliedAmount", amount: credit.amount)
            item.member("DateString", string: "\(credit.date)T00:00:00")
            item.member("Date", string: FakeXeroDate.dotNet(credit.date.startOfDayUTC))
            item.raw("LineItems", "[]")
            item.member("Total", amount: credit.amount)
            return item.close()
        }.joined(separator: ",") + "]")
        for (key, value) in overrides { json.replace(key, value) }
        return json.close()
    }
}

/// A sales credit note (`ACCRECCREDIT`) held by the fake Xero, in the shape of `GET /CreditNotes`
/// (Xero's OpenAPI example for that operation): its allocations to invoices and the cash refunds
/// paid out of it (`Payments[]`, each also a `/Payments` object of type `ARCREDITPAYMENT`).
public struct FakeXeroCreditNote: Sendable {
    public var creditNoteID: String
    public var creditNoteNumber: String
    public var type = "ACCRECCREDIT"
    public var status = "AUTHORISED"
    public var reference: String
    public var contact: FakeXeroContact
    public var date: CalendarDate
    public var currency: String
    public var total: Int64
    public var allocations: [(id: String, invoiceID: String, invoiceNumber: String, date: CalendarDate, amount: Int64)] = []
    public var refunds: [(paymentID: String, date: CalendarDate, amount: Int64, reference: String)] = []
    public var updated: Timestamp

    public init(creditNoteID: String, creditNoteNumber: String, reference: String, contact: FakeXeroContact, date: CalendarDate, currency: String,
                total: Int64, updated: Timestamp) {
        self.creditNoteID = creditNoteID
        self.creditNoteNumber = creditNoteNumber
        self.reference = reference
        self.contact = contact
        self.date = date
        self.currency = currency
        self.total = total
        self.updated = updated
    }

    public var remainingCredit: Int64 { total - allocations.reduce(0) { $0 + $1.amount } - refunds.reduce(0) { $0 + $1.amount } }

    public func render() -> String {
        var json = JSONText()
        json.member("CreditNoteID", string: creditNoteID)
        json.member("CreditNoteNumber", string: creditNoteNumber)
        json.raw("Payments", "[" + refunds.map { refund in
            var item = JSONText()
            item.member("PaymentID", string: refund.paymentID)
            item.member("Date", string: FakeXeroDate.dotNet(refund.date.startOfDayUTC))
            item.member("Amount", amount: refund.amount)
            item.member("Reference", string: refund.reference)
            item.raw("CurrencyRate", "1.000000")
            item.raw("HasAccount", "false")
            item.raw("HasValidationErrors", "false")
            return item.close()
        }.joined(separator: ",") + "]")
        json.member("ID", string: creditNoteID)
        json.raw("CurrencyRate", "1.000000")
        json.member("Type", string: type)
        json.member("Reference", string: reference)
        json.member("RemainingCredit", amount: remainingCredit)
        json.raw("Allocations", "[" + allocations.map { allocation in
            var invoice = JSONText()
            invoice.member("InvoiceID", string: allocation.invoiceID)
            invoice.member("InvoiceNumber", string: allocation.invoiceNumber)
            invoice.raw("Payments", "[]")
            invoice.raw("CreditNotes", "[]")
            invoice.raw("Prepayments", "[]")
            invoice.raw("Overpayments", "[]")
            invoice.raw("HasErrors", "false")
            invoice.raw("IsDiscounted", "false")
            invoice.raw("LineItems", "[]")
            invoice.raw("ValidationErrors", "[]")
            var item = JSONText()
            item.member("AllocationID", string: allocation.id)
            item.member("Amount", amount: allocation.amount)
            item.member("Date", string: FakeXeroDate.dotNet(allocation.date.startOfDayUTC))
            item.raw("Invoice", invoice.close())
            item.raw("IsDeleted", "false")
            return item.close()
        }.joined(separator: ",") + "]")
        json.raw("HasAttachments", "false")
        json.raw("Contact", contact.render())
        json.member("DateString", string: "\(date)T00:00:00")
        json.member("Date", string: FakeXeroDate.dotNet(date.startOfDayUTC))
        json.member("Status", string: status)
        json.member("LineAmountTypes", string: "Exclusive")
        json.raw("LineItems", "[]")
        json.member("SubTotal", amount: total)
        json.member("TotalTax", amount: 0)
        json.member("Total", amount: total)
        json.member("UpdatedDateUTC", string: FakeXeroDate.dotNet(updated))
        json.member("CurrencyCode", string: currency)
        if status == "PAID", let last = (allocations.map(\.date) + refunds.map(\.date)).max() {
            json.member("FullyPaidOnDate", string: FakeXeroDate.dotNet(last.startOfDayUTC))
        }
        return json.close()
    }
}

public struct FakeXeroContact: Sendable, Equatable {
    public var contactID: String
    public var name: String
    public var email: String

    public init(contactID: String, name: String, email: String) {
        self.contactID = contactID
        self.name = name
        self.email = email
    }

    func render() -> String {
        var json = JSONText()
        json.member("ContactID", string: contactID)
        json.member("Name", string: name)
        json.member("EmailAddress", string: email)
        json.raw("Addresses", "[]")
        json.raw("Phones", "[]")
        json.raw("ContactGroups", "[]")
        json.raw("ContactPersons", "[]")
        json.raw("HasValidationErrors", "false")
        return json.close()
    }
}

public struct FakeXeroLineItem: Sendable, Equatable {
    public var lineItemID: String
    public var description: String
    public var quantity: Int
    public var unitAmount: Int64
    public var taxAmount: Int64
    public var accountCode: String

    public init(lineItemID: String, description: String, quantity: Int, unitAmount: Int64, taxAmount: Int64, accountCode: String = "200") {
        self.lineItemID = lineItemID
        self.description = description
        self.quantity = quantity
        self.unitAmount = unitAmount
        self.taxAmount = taxAmount
        self.accountCode = accountCode
    }

    public var lineAmount: Int64 { Int64(quantity) * unitAmount }

    func render() -> String {
        var json = JSONText()
        json.member("Description", string: description)
        json.member("UnitAmount", amount: unitAmount)
        json.member("TaxType", string: "OUTPUT2")
        json.member("TaxAmount", amount: taxAmount)
        json.member("LineAmount", amount: lineAmount)
        json.member("AccountCode", string: accountCode)
        json.raw("Tracking", "[]")
        json.raw("Quantity", "\(quantity).0000")
        json.member("LineItemID", string: lineItemID)
        json.raw("ValidationErrors", "[]")
        return json.close()
    }
}

/// A payment held by the fake Xero, in the shape of `GET /Payments`.
public struct FakeXeroPayment: Sendable, Equatable {
    public var paymentID: String
    public var date: CalendarDate
    public var amount: Int64
    public var reference: String
    public var status: String
    public var paymentType: String
    public var isReconciled: Bool
    /// The document paid: a sales invoice, or the credit note a refund pays out.
    public var documentType: String
    public var documentID: String
    public var documentNumber: String
    public var currency: String
    public var contact: FakeXeroContact
    public var updated: Timestamp
    public var overrides: [(String, String)] = []

    public init(paymentID: String, date: CalendarDate, amount: Int64, reference: String, status: String = "AUTHORISED",
                paymentType: String = "ACCRECPAYMENT", isReconciled: Bool = false, documentType: String = "ACCREC",
                documentID: String, documentNumber: String, currency: String, contact: FakeXeroContact, updated: Timestamp) {
        self.paymentID = paymentID
        self.date = date
        self.amount = amount
        self.reference = reference
        self.status = status
        self.paymentType = paymentType
        self.isReconciled = isReconciled
        self.documentType = documentType
        self.documentID = documentID
        self.documentNumber = documentNumber
        self.currency = currency
        self.contact = contact
        self.updated = updated
    }

    public static func == (lhs: FakeXeroPayment, rhs: FakeXeroPayment) -> Bool { lhs.render() == rhs.render() }

    public func render() -> String {
        var json = JSONText()
        json.member("PaymentID", string: paymentID)
        json.member("Date", string: FakeXeroDate.dotNet(date.startOfDayUTC))
        json.member("BankAmount", amount: amount)
        json.member("Amount", amount: amount)
        json.member("Reference", string: reference)
        json.raw("CurrencyRate", "1.000000")
        json.member("PaymentType", string: paymentType)
        json.member("Status", string: status)
        json.member("UpdatedDateUTC", string: FakeXeroDate.dotNet(updated))
        json.raw("HasAccount", "true")
        json.raw("IsReconciled", isReconciled ? "true" : "false")
        json.raw("Account", #"{"AccountID":"13918178-849a-4823-9a31-57b7eac713d7","Code":"090"}"#)
        var invoice = JSONText()
        invoice.member("Type", string: documentType)
        invoice.member("InvoiceID", string: documentID)
        invoice.member("InvoiceNumber", string: documentNumber)
        invoice.raw("Payments", "[]")
        invoice.raw("CreditNotes", "[]")
        invoice.raw("Prepayments", "[]")
        invoice.raw("Overpayments", "[]")
        invoice.raw("HasErrors", "false")
        invoice.raw("IsDiscounted", "false")
        invoice.raw("Contact", contact.render())
        invoice.raw("LineItems", "[]")
        invoice.member("CurrencyCode", string: currency)
        json.raw("Invoice", invoice.close())
        json.raw("HasValidationErrors", "false")
        for (key, value) in overrides { json.replace(key, value) }
        return json.close()
    }
}

/// A bank transaction held by the fake Xero, in the shape of `GET /BankTransactions`.
public struct FakeXeroBankTransaction: Sendable {
    public var bankTransactionID: String
    public var type: String
    public var status: String
    public var date: CalendarDate
    public var total: Int64
    public var reference: String
    public var currency: String
    public var isReconciled: Bool
    public var contact: FakeXeroContact
    public var updated: Timestamp

    public init(bankTransactionID: String, type: String = "RECEIVE", status: String = "AUTHORISED", date: CalendarDate, total: Int64,
                reference: String, currency: String, isReconciled: Bool = false, contact: FakeXeroContact, updated: Timestamp) {
        self.bankTransactionID = bankTransactionID
        self.type = type
        self.status = status
        self.date = date
        self.total = total
        self.reference = reference
        self.currency = currency
        self.isReconciled = isReconciled
        self.contact = contact
        self.updated = updated
    }

    public func render() -> String {
        var json = JSONText()
        json.member("BankTransactionID", string: bankTransactionID)
        json.raw("BankAccount", #"{"AccountID":"6f7594f2-f059-4d56-9e67-47ac9733bfe9","Code":"090","Name":"Business Bank Account"}"#)
        json.member("Type", string: type)
        json.member("Reference", string: reference)
        json.raw("IsReconciled", isReconciled ? "true" : "false")
        json.raw("HasAttachments", "false")
        json.raw("Contact", contact.render())
        json.member("DateString", string: "\(date)T00:00:00")
        json.member("Date", string: FakeXeroDate.dotNet(date.startOfDayUTC))
        json.member("Status", string: status)
        json.member("LineAmountTypes", string: "Inclusive")
        json.raw("LineItems", "[]")
        json.member("SubTotal", amount: total)
        json.member("TotalTax", amount: 0)
        json.member("Total", amount: total)
        json.member("UpdatedDateUTC", string: FakeXeroDate.dotNet(updated))
        json.member("CurrencyCode", string: currency)
        return json.close()
    }
}

enum FakeXeroDate {
    /// `/Date(1743465600000+0000)/`.
    static func dotNet(_ instant: Timestamp) -> String { "/Date(\(instant.millisecondsSinceEpoch)+0000)/" }
}

/// Builds a JSON object's text member by member, fast (the fake serves millions of objects).
struct JSONText {
    private var members: [(String, String)] = []

    mutating func member(_ key: String, string: String) {
        members.append((key, JSONWriter.quoted(string)))
    }

    mutating func member(_ key: String, amount: Int64) {
        members.append((key, DecimalText.format(minorUnits: amount, exponent: 2)))
    }

    mutating func raw(_ key: String, _ json: String) {
        members.append((key, json))
    }

    /// Replaces a member's raw JSON (or adds it).
    mutating func replace(_ key: String, _ json: String) {
        if let index = members.firstIndex(where: { $0.0 == key }) { members[index].1 = json } else { members.append((key, json)) }
    }

    func close() -> String {
        var text = "{"
        for (index, member) in members.enumerated() {
            if index > 0 { text += "," }
            text += "\"\(member.0)\":\(member.1)"
        }
        return text + "}"
    }
}
