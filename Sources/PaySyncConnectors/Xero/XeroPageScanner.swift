import Foundation
import PaySyncCore

/// Reads Xero list pages straight from the bytes: only the members paysync uses are built,
/// everything else is skipped, and amounts keep their exact text. It produces what `JSONDecoder`
/// produces for `XeroPage` (the tests prove it on every fixture and on generated pages) at a
/// fraction of the cost; `JSONDecoder` stays the reference.
///
/// Semantics follow the `Decodable` types: a missing or null required member, or a member of the
/// wrong type, fails that one element (a `Lossy` failure), never the page; a syntax error fails the page.
public enum XeroPageScanner {
    public static func invoices(_ data: Data) throws -> XeroPage<XeroInvoice> {
        try page(data, resource: "Invoices") { scanner in try invoice(&scanner) }
    }

    public static func payments(_ data: Data) throws -> XeroPage<XeroPayment> {
        try page(data, resource: "Payments") { scanner in try payment(&scanner) }
    }

    static func page<Element>(_ data: Data, resource: StaticString, element: (inout JSONPullScanner) throws -> Lossy<Element>) throws -> XeroPage<Element> {
        try JSONPullScanner.scan(data) { scanner in
            guard scanner.peek() == UInt8(ascii: "{") else { throw scanner.failure("expected an object") }
            var page = XeroPage<Element>()
            try scanner.readObject { scanner, key in
                if key.is("DateTimeUTC") {
                    page.dateTimeUTC = try scanner.readNull() ? nil : try scanner.readString()
                } else if key.is("pagination") {
                    page.pagination = try scanner.readNull() ? nil : try pagination(&scanner, of: Element.self)
                } else if key.is(resource) {
                    if try scanner.readNull() { return }
                    try scanner.readArray { scanner in page.elements.append(try element(&scanner)) }
                } else {
                    try scanner.skipValue()
                }
            }
            return page
        }
    }

    static func pagination<Element>(_ scanner: inout JSONPullScanner, of: Element.Type) throws -> XeroPage<Element>.Pagination {
        var result = XeroPage<Element>.Pagination()
        try scanner.readObject { scanner, key in
            func integer() throws -> Int? {
                if try scanner.readNull() { return nil }
                let text = try scanner.readNumberText()
                guard let value = Int(text) else { throw scanner.failure("pagination: \(text) is not a whole number") }
                return value
            }
            if key.is("page") { result.page = try integer() }
            else if key.is("pageSize") { result.pageSize = try integer() }
            else if key.is("pageCount") { result.pageCount = try integer() }
            else if key.is("itemCount") { result.itemCount = try integer() }
            else { try scanner.skipValue() }
        }
        return result
    }

    /// Reads typed members, remembering the first one of the wrong type (the element then fails).
    struct Members {
        var failure: String?

        mutating func string(_ scanner: inout JSONPullScanner, _ name: @autoclosure () -> String) throws -> String? {
            if try scanner.readNull() { return nil }
            guard scanner.peek() == UInt8(ascii: "\"") else { return try mismatch(&scanner, name(), "a string") }
            return try scanner.readString()
        }

        mutating func amount(_ scanner: inout JSONPullScanner, _ name: @autoclosure () -> String) throws -> WireAmount? {
            if try scanner.readNull() { return nil }
            guard scanner.nextIsNumber() else { return try mismatch(&scanner, name(), "a number") }
            return WireAmount(text: try scanner.readNumberText())
        }

        mutating func bool(_ scanner: inout JSONPullScanner, _ name: @autoclosure () -> String) throws -> Bool? {
            if try scanner.readNull() { return nil }
            guard let byte = scanner.peek(), byte == UInt8(ascii: "t") || byte == UInt8(ascii: "f") else { return try mismatch(&scanner, name(), "a boolean") }
            return try scanner.readBool()
        }

        mutating func object<T>(_ scanner: inout JSONPullScanner, _ name: @autoclosure () -> String, _ read: (inout JSONPullScanner, inout Members) throws -> T) throws -> T? {
            if try scanner.readNull() { return nil }
            guard scanner.peek() == UInt8(ascii: "{") else { return try mismatch(&scanner, name(), "an object") }
            return try read(&scanner, &self)
        }

        mutating func mismatch<T>(_ scanner: inout JSONPullScanner, _ name: String, _ expected: String) throws -> T? {
            if failure == nil { failure = "\(name): expected \(expected)" }
            try scanner.skipValue()
            return nil
        }
    }

    static func contact(_ scanner: inout JSONPullScanner, _ members: inout Members, path: String) throws -> XeroContact {
        var contact = XeroContact(contactID: nil, name: nil, emailAddress: nil)
        try scanner.readObject { scanner, key in
            if key.is("ContactID") { contact.contactID = try members.string(&scanner, "\(path).ContactID") }
            else if key.is("Name") { contact.name = try members.string(&scanner, "\(path).Name") }
            else if key.is("EmailAddress") { contact.emailAddress = try members.string(&scanner, "\(path).EmailAddress") }
            else { try scanner.skipValue() }
        }
        return contact
    }

    static func invoice(_ scanner: inout JSONPullScanner) throws -> Lossy<XeroInvoice> {
        guard scanner.peek() == UInt8(ascii: "{") else {
            try scanner.skipValue()
            return Lossy(.failure(.init(id: nil, reason: ": expected an object")))
        }
        var members = Members()
        var type: String?, id: String?, status: String?, updated: String?
        var invoice = XeroInvoice(type: "", invoiceID: "", status: "", updatedDateUTC: "")
        try scanner.readObject { scanner, key in
            if key.is("Type") { type = try members.string(&scanner, "Type") }
            else if key.is("InvoiceID") { id = try members.string(&scanner, "InvoiceID") }
            else if key.is("InvoiceNumber") { invoice.invoiceNumber = try members.string(&scanner, "InvoiceNumber") }
            else if key.is("Reference") { invoice.reference = try members.string(&scanner, "Reference") }
            else if key.is("Status") { status = try members.string(&scanner, "Status") }
            else if key.is("Contact") { invoice.contact = try members.object(&scanner, "Contact") { try contact(&$0, &$1, path: "Contact") } }
            else if key.is("Date") { invoice.date = try members.string(&scanner, "Date") }
            else if key.is("DueDate") { invoice.dueDate = try members.string(&scanner, "DueDate") }
            else if key.is("CurrencyCode") { invoice.currencyCode = try members.string(&scanner, "CurrencyCode") }
            else if key.is("Total") { invoice.total = try members.amount(&scanner, "Total") }
            else if key.is("AmountDue") { invoice.amountDue = try members.amount(&scanner, "AmountDue") }
            else if key.is("AmountPaid") { invoice.amountPaid = try members.amount(&scanner, "AmountPaid") }
            else if key.is("AmountCredited") { invoice.amountCredited = try members.amount(&scanner, "AmountCredited") }
            else if key.is("FullyPaidOnDate") { invoice.fullyPaidOnDate = try members.string(&scanner, "FullyPaidOnDate") }
            else if key.is("UpdatedDateUTC") { updated = try members.string(&scanner, "UpdatedDateUTC") }
            else if key.is("Payments") {
                if try scanner.readNull() { invoice.payments = nil; return }
                guard scanner.peek() == UInt8(ascii: "[") else { let _: Int? = try members.mismatch(&scanner, "Payments", "an array"); return }
                var payments: [XeroInvoice.PaymentSummary] = []
                var index = 0
                try scanner.readArray { scanner in
                    let path = "Payments[\(index)]"
                    index += 1
                    guard let summary = try members.object(&scanner, path, { scanner, members in
                        var summary = XeroInvoice.PaymentSummary(paymentID: nil, date: nil, amount: nil)
                        try scanner.readObject { scanner, key in
                            if key.is("PaymentID") { summary.paymentID = try members.string(&scanner, "\(path).PaymentID") }
                            else if key.is("Date") { summary.date = try members.string(&scanner, "\(path).Date") }
                            else if key.is("Amount") { summary.amount = try members.amount(&scanner, "\(path).Amount") }
                            else { try scanner.skipValue() }
                        }
                        return summary
                    }) else {
                        if members.failure == nil { members.failure = "\(path): expected an object" }
                        return
                    }
                    payments.append(summary)
                }
                invoice.payments = payments
            }
            else if key.is("CreditNotes") { invoice.creditNotes = try appliedCredits(&scanner, &members, name: "CreditNotes", idKey: "CreditNoteID") }
            else if key.is("Prepayments") { invoice.prepayments = try appliedCredits(&scanner, &members, name: "Prepayments", idKey: "PrepaymentID") }
            else if key.is("Overpayments") { invoice.overpayments = try appliedCredits(&scanner, &members, name: "Overpayments", idKey: "OverpaymentID") }
            else {
                try scanner.skipValue()
            }
        }
        // Required members, in the order `Decodable` checks them.
        for (name, value) in [("Type", type), ("InvoiceID", id), ("Status", status), ("UpdatedDateUTC", updated)] where value == nil {
            return Lossy(.failure(.init(id: id, reason: "missing \(name)")))
        }
        if let failure = members.failure { return Lossy(.failure(.init(id: id, reason: failure))) }
        invoice.type = type!
        invoice.invoiceID = id!
        invoice.status = status!
        invoice.updatedDateUTC = updated!
        return Lossy(.success(invoice))
    }

    /// An invoice's `CreditNotes`, `Prepayments` or `Overpayments`: each element's id and
    /// `AppliedAmount` (null reads as none, as `Decodable` reads it).
    private static func appliedCredits(_ scanner: inout JSONPullScanner, _ members: inout Members, name: String,
                                       idKey: StaticString) throws -> [XeroInvoice.AppliedCredit]? {
        if try scanner.readNull() { return nil }
        guard scanner.peek() == UInt8(ascii: "[") else { let _: Int? = try members.mismatch(&scanner, name, "an array"); return nil }
        var credits: [XeroInvoice.AppliedCredit] = []
        var index = 0
        try scanner.readArray { scanner in
            let path = "\(name)[\(index)]"
            index += 1
            guard let credit = try members.object(&scanner, path, { scanner, members in
                var credit = XeroInvoice.AppliedCredit(id: nil, appliedAmount: nil)
                try scanner.readObject { scanner, key in
                    if key.is(idKey) { credit.id = try members.string(&scanner, "\(path).\(idKey)") }
                    else if key.is("AppliedAmount") { credit.appliedAmount = try members.amount(&scanner, "\(path).AppliedAmount") }
                    else { try scanner.skipValue() }
                }
                return credit
            }) else {
                if members.failure == nil { members.failure = "\(path): expected an object" }
                return
            }
            credits.append(credit)
        }
        return credits
    }

    static func payment(_ scanner: inout JSONPullScanner) throws -> Lossy<XeroPayment> {
        guard scanner.peek() == UInt8(ascii: "{") else {
            try scanner.skipValue()
            return Lossy(.failure(.init(id: nil, reason: ": expected an object")))
        }
        var members = Members()
        var id: String?, status: String?, type: String?, updated: String?
        var payment = XeroPayment(paymentID: "", status: "", paymentType: "", updatedDateUTC: "")
        try scanner.readObject { scanner, key in
            if key.is("PaymentID") { id = try members.string(&scanner, "PaymentID") }
            else if key.is("Date") { payment.date = try members.string(&scanner, "Date") }
            else if key.is("Amount") { payment.amount = try members.amount(&scanner, "Amount") }
            else if key.is("Reference") { payment.reference = try members.string(&scanner, "Reference") }
            else if key.is("Status") { status = try members.string(&scanner, "Status") }
            else if key.is("PaymentType") { type = try members.string(&scanner, "PaymentType") }
            else if key.is("IsReconciled") { payment.isReconciled = try members.bool(&scanner, "IsReconciled") }
            else if key.is("UpdatedDateUTC") { updated = try members.string(&scanner, "UpdatedDateUTC") }
            else if key.is("Invoice") {
                payment.invoice = try members.object(&scanner, "Invoice") { scanner, members in
                    var document = XeroPayment.Document(type: nil, invoiceID: nil, invoiceNumber: nil, currencyCode: nil, contact: nil)
                    try scanner.readObject { scanner, key in
                        if key.is("Type") { document.type = try members.string(&scanner, "Invoice.Type") }
                        else if key.is("InvoiceID") { document.invoiceID = try members.string(&scanner, "Invoice.InvoiceID") }
                        else if key.is("InvoiceNumber") { document.invoiceNumber = try members.string(&scanner, "Invoice.InvoiceNumber") }
                        else if key.is("CurrencyCode") { document.currencyCode = try members.string(&scanner, "Invoice.CurrencyCode") }
                        else if key.is("Contact") { document.contact = try members.object(&scanner, "Invoice.Contact") { try contact(&$0, &$1, path: "Invoice.Contact") } }
                        else { try scanner.skipValue() }
                    }
                    return document
                }
            } else {
                try scanner.skipValue()
            }
        }
        for (name, value) in [("PaymentID", id), ("Status", status), ("PaymentType", type), ("UpdatedDateUTC", updated)] where value == nil {
            return Lossy(.failure(.init(id: id, reason: "missing \(name)")))
        }
        if let failure = members.failure { return Lossy(.failure(.init(id: id, reason: failure))) }
        payment.paymentID = id!
        payment.status = status!
        payment.paymentType = type!
        payment.updatedDateUTC = updated!
        return Lossy(.success(payment))
    }
}
