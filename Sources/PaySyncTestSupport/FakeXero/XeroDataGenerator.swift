import Foundation
import PaySyncCore

/// Deterministic pseudo-random numbers (SplitMix64): the same seed gives the same data on every
/// machine, so tests and benchmarks are repeatable.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// A number in `0..<bound` (0 when `bound` is not positive).
    public mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    /// True with probability `percent`/100.
    public mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    /// A UUID-shaped identifier.
    public mutating func uuid() -> String {
        let a = next(), b = next()
        let hex = String(format: "%016llx%016llx", a, b)
        let characters = Array(hex)
        return "\(String(characters[0..<8]))-\(String(characters[8..<12]))-4\(String(characters[13..<16]))-a\(String(characters[17..<20]))-\(String(characters[20..<32]))"
    }
}

/// Builds Xero-shaped invoices and payments with a realistic mix: statuses (drafts, approved,
/// part-paid, paid, voided, deleted), currencies (GBP, USD, EUR, AUD, NZD, JPY), 1–3 line items
/// with 20% tax, customers from a pool, payments for paid and part-paid invoices, a few refunds.
public struct XeroDataGenerator {
    private var random: SplitMix64
    private let customers: [FakeXeroContact]

    public init(seed: UInt64 = 42, customerCount: Int = 500) {
        var random = SplitMix64(seed: seed)
        let firstParts = ["Acme", "Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell", "Cyberdyne", "Wonka", "Gringotts", "Oscorp", "Aperture"]
        let secondParts = ["Ltd", "Trading", "Holdings", "Partners", "Foods", "Logistics", "Studio", "Labs", "Supplies", "Group"]
        customers = (0..<customerCount).map { index in
            let name = "\(firstParts[index % firstParts.count]) \(secondParts[(index / firstParts.count) % secondParts.count]) \(index / 160 + 1)"
            let domain = name.lowercased().replacingOccurrences(of: " ", with: "-")
            return FakeXeroContact(contactID: random.uuid(), name: name, email: "accounts@\(domain).example")
        }
        self.random = random
    }

    /// About `objects` objects (invoices plus their payments), stamped from `start` onward a few
    /// seconds apart, with invoice dates in the 180 days before `start`.
    public mutating func dataset(objects: Int, start: Timestamp, numberOffset: Int = 0)
        -> (invoices: [FakeXeroInvoice], payments: [FakeXeroPayment], creditNotes: [FakeXeroCreditNote]) {
        var invoices: [FakeXeroInvoice] = []
        var payments: [FakeXeroPayment] = []
        var creditNotes: [FakeXeroCreditNote] = []
        invoices.reserveCapacity(objects * 2 / 3)
        payments.reserveCapacity(objects / 2)
        var clock = start
        let currencies = ["GBP", "GBP", "GBP", "GBP", "USD", "USD", "USD", "EUR", "EUR", "AUD", "NZD", "JPY"]
        let services = ["Consulting", "Annual licence", "Support plan", "Implementation", "Training day", "Hardware", "Hosting", "Design work"]
        var number = numberOffset
        while invoices.count + payments.count < objects {
            number += 1
            clock = clock.adding(milliseconds: Int64(random.int(1_000...4_000)))
            let currency = currencies[random.int(0...(currencies.count - 1))]
            let scale: Int64 = currency == "JPY" ? 100 : 1  // whole yen: amounts are multiples of 100 minor units
            let lineCount = random.int(1...3)
            let lines = (0..<lineCount).map { _ -> FakeXeroLineItem in
                let unit = Int64(random.int(5...2_000)) * 100 * (currency == "JPY" ? 150 : 1)
                let quantity = random.int(1...20)
                return FakeXeroLineItem(lineItemID: random.uuid(), description: services[random.int(0...(services.count - 1))],
                                        quantity: quantity, unitAmount: unit, taxAmount: Int64(quantity) * unit / 5 / scale * scale)
            }
            let subTotal = lines.reduce(0) { $0 + $1.lineAmount }
            let tax = lines.reduce(0) { $0 + $1.taxAmount }
            let date = start.utcDate.adding(days: -random.int(1...180))
            let roll = random.int(0...99)
            let status: String
            switch roll {
            case 0..<4: status = "DRAFT"
            case 4..<6: status = "SUBMITTED"
            case 6..<44: status = "AUTHORISED"
            case 44..<94: status = "PAID"
            case 94..<98: status = "VOIDED"
            default: status = "DELETED"
            }
            var invoice = FakeXeroInvoice(
                invoiceID: random.uuid(), invoiceNumber: "INV-\(String(format: "%06d", number))", status: status,
                reference: random.chance(60) ? "PO \(random.int(1000...99999))" : "",
                contact: customers[random.int(0...(customers.count - 1))], date: date, dueDate: date.adding(days: 30),
                currency: currency, subTotal: subTotal, totalTax: tax, lineItems: lines, updated: clock
            )
            invoice.sentToContact = status != "DRAFT" && status != "SUBMITTED"
            let total = invoice.total
            var paid: [Int64] = []
            if status == "PAID" {
                paid = random.chance(10) ? [total / 2 / scale * scale, total - total / 2 / scale * scale] : [total]
            } else if status == "AUTHORISED" && random.chance(20) {
                paid = [total / 3 / scale * scale]
            }
            for amount in paid where amount > 0 {
                let paymentID = random.uuid()
                let day = date.adding(days: random.int(0...40))
                invoice.payments.append((paymentID, day, amount))
                invoice.amountPaid += amount
                payments.append(FakeXeroPayment(
                    paymentID: paymentID, date: day, amount: amount, reference: "BACS \(invoice.invoiceNumber)",
                    isReconciled: random.chance(70), documentID: invoice.invoiceID, documentNumber: invoice.invoiceNumber,
                    currency: currency, contact: invoice.contact, updated: clock
                ))
            }
            if status == "PAID" && random.chance(2) {
                // A cash refund of a credit note raised against this sale (a paid invoice takes no
                // allocation, so the credit note is paid out whole).
                let refund = FakeXeroPayment(
                    paymentID: random.uuid(), date: date.adding(days: 45), amount: total / 10 / scale * scale, reference: "Refund \(invoice.invoiceNumber)",
                    paymentType: "ARCREDITPAYMENT", documentType: "ACCRECCREDIT", documentID: random.uuid(),
                    documentNumber: "CN-\(String(format: "%06d", number))", currency: currency, contact: invoice.contact, updated: clock
                )
                var note = FakeXeroCreditNote(creditNoteID: refund.documentID, creditNoteNumber: refund.documentNumber, reference: invoice.invoiceNumber,
                                              contact: invoice.contact, date: refund.date, currency: currency, total: refund.amount, updated: clock)
                note.refunds = [(refund.paymentID, refund.date, refund.amount, refund.reference)]
                note.status = "PAID"
                payments.append(refund)
                creditNotes.append(note)
            }
            invoices.append(invoice)
        }
        return (invoices, payments, creditNotes)
    }
}
