import PaySyncCore
import Testing

/// The refund-linking table (`RefundLinking`, docs/statuses.md): which refunds count against an
/// invoice, and what they make of its status.
@Suite struct RefundLinkingTests {
    static let gbp = Currency(code: "GBP")!
    static let invoiceKey = ObjectKey(provider: "xero", account: "t1", kind: .invoice, externalID: "INV")

    static func invoice(_ status: PaymentStatus, paid: Int64, due: Int64 = 0) -> Observation {
        Observation(key: invoiceKey, status: status, providerStatus: "PAID", currency: gbp, total: Money(minorUnits: paid + due, currency: gbp),
                    paid: Money(minorUnits: paid, currency: gbp), due: Money(minorUnits: due, currency: gbp))
    }

    static func document(_ kind: ObjectKind, _ id: String, parent: String?, amount: Int64, status: PaymentStatus = .refunded,
                         currency: Currency = gbp) -> Observation {
        Observation(key: ObjectKey(provider: "xero", account: "t1", kind: kind, externalID: id), status: status, providerStatus: "AUTHORISED",
                    currency: currency, total: Money(minorUnits: amount, currency: currency), fields: parent.map { [.parentKey: .text($0)] } ?? [:])
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var invoice: Observation
        var refunded: Int64
        var expected: PaymentStatus
    }

    static let table: [Case] = [
        Case(description: "paid, nothing refunded", invoice: invoice(.paid, paid: 10_000), refunded: 0, expected: .paid),
        Case(description: "paid, part refunded", invoice: invoice(.paid, paid: 10_000), refunded: 2_500, expected: .partiallyRefunded),
        Case(description: "paid, all refunded", invoice: invoice(.paid, paid: 10_000), refunded: 10_000, expected: .refunded),
        Case(description: "paid, more refunded than received", invoice: invoice(.paid, paid: 10_000), refunded: 12_000, expected: .refunded),
        Case(description: "part paid, part of that refunded", invoice: invoice(.partiallyPaid, paid: 4_000, due: 6_000), refunded: 1_000, expected: .partiallyRefunded),
        Case(description: "refunded earlier, refund since deleted", invoice: invoice(.refunded, paid: 10_000), refunded: 0, expected: .paid),
        Case(description: "part refunded earlier, part paid, refund deleted", invoice: invoice(.partiallyRefunded, paid: 4_000, due: 6_000), refunded: 0, expected: .partiallyPaid),
        Case(description: "part refunded earlier, now all", invoice: invoice(.partiallyRefunded, paid: 10_000), refunded: 10_000, expected: .refunded),
        Case(description: "sent: nothing received to refund", invoice: invoice(.sent, paid: 0, due: 10_000), refunded: 5_000, expected: .sent),
        Case(description: "voided stays voided", invoice: invoice(.voided, paid: 0), refunded: 5_000, expected: .voided),
    ]

    @Test(arguments: table) func statusByAmounts(_ row: Case) {
        let linked = RefundLinking.apply(refunded: row.refunded, to: row.invoice)
        #expect(linked.status == row.expected)
        // Only the status moves: amounts and everything else are the invoice's own.
        var rest = linked
        rest.status = row.invoice.status
        #expect(rest == row.invoice)
    }

    @Test func refundsCountDirectlyOrThroughACreditNoteAllocatedToTheInvoice() {
        let invoice = Self.invoiceKey.description
        let creditNote = ObjectKey(provider: "xero", account: "t1", kind: .creditNote, externalID: "CN").description
        let documents = [
            Self.document(.refund, "R1", parent: invoice, amount: 1_000),
            Self.document(.creditNote, "CN", parent: invoice, amount: 5_000, status: .paid),
            Self.document(.refund, "R2", parent: creditNote, amount: 2_000),
            // Not counted: another invoice's, unlinked, deleted, another currency, a payment.
            Self.document(.refund, "R3", parent: "xero:t1:invoice:OTHER", amount: 400),
            Self.document(.refund, "R4", parent: nil, amount: 800),
            Self.document(.refund, "R5", parent: invoice, amount: 300, status: .voided),
            Self.document(.refund, "R6", parent: invoice, amount: 700, currency: Currency(code: "EUR")!),
            Self.document(.payment, "P1", parent: invoice, amount: 9_000, status: .paid),
        ]
        #expect(RefundLinking.refunded(against: Self.invoiceKey, currency: Self.gbp, documents: documents) == 3_000)
        // A later version of a document replaces the earlier: R1 deleted, the credit note voided.
        let later = documents + [Self.document(.refund, "R1", parent: invoice, amount: 1_000, status: .voided)]
        #expect(RefundLinking.refunded(against: Self.invoiceKey, currency: Self.gbp, documents: later) == 2_000)
        let voidedNote = later + [Self.document(.creditNote, "CN", parent: invoice, amount: 5_000, status: .voided)]
        #expect(RefundLinking.refunded(against: Self.invoiceKey, currency: Self.gbp, documents: voidedNote) == 0)
    }
}
