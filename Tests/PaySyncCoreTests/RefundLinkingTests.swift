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

/// The same table for a payment (a card payment at a processor): its refunds and disputes
/// (chargebacks) move it, by amount.
@Suite struct PaymentRefundLinkingTests {
    static let usd = Currency(code: "USD")!
    static let paymentKey = ObjectKey(provider: "stripe", account: "self", kind: .payment, externalID: "pi_1")

    static func payment(_ status: PaymentStatus = .paid, received: Int64 = 10_000) -> Observation {
        Observation(key: paymentKey, status: status, providerStatus: "succeeded", currency: usd, total: Money(minorUnits: received, currency: usd),
                    paid: Money(minorUnits: received, currency: usd))
    }

    static func document(_ kind: ObjectKind, _ id: String, amount: Int64, status: PaymentStatus) -> Observation {
        Observation(key: ObjectKey(provider: "stripe", account: "self", kind: kind, externalID: id), status: status, providerStatus: "x",
                    currency: usd, total: Money(minorUnits: amount, currency: usd), fields: [.parentKey: .text(paymentKey.description)])
    }

    static func linked(_ documents: [Observation], to payment: Observation = payment()) -> PaymentStatus {
        RefundLinking.count(payment, documents: documents).status
    }

    @Test func refundsByAmount() {
        #expect(Self.linked([]) == .paid)
        #expect(Self.linked([Self.document(.refund, "re_1", amount: 2_500, status: .refunded)]) == .partiallyRefunded)
        #expect(Self.linked([Self.document(.refund, "re_1", amount: 2_500, status: .refunded), Self.document(.refund, "re_2", amount: 7_500, status: .refunded)]) == .refunded)
        #expect(Self.linked([Self.document(.refund, "re_1", amount: 2_500, status: .pending)]) == .paid, "a pending refund has not moved money yet")
        #expect(Self.linked([Self.document(.refund, "re_1", amount: 2_500, status: .failed)]) == .paid)
    }

    @Test func disputesOpenWonAndLost() {
        #expect(Self.linked([Self.document(.dispute, "dp_1", amount: 10_000, status: .disputed)]) == .disputed)
        #expect(Self.linked([Self.document(.dispute, "dp_1", amount: 10_000, status: .paid)]) == .paid, "won: back to paid")
        #expect(Self.linked([Self.document(.dispute, "dp_1", amount: 10_000, status: .refunded)]) == .refunded, "lost: the money went back")
        #expect(Self.linked([Self.document(.dispute, "dp_1", amount: 10_000, status: .paid)], to: Self.payment(.disputed)) == .paid,
                "a payment the ledger holds as disputed returns to paid when the dispute is won")
        #expect(Self.linked([Self.document(.refund, "re_1", amount: 2_000, status: .refunded), Self.document(.dispute, "dp_1", amount: 8_000, status: .disputed)]) == .disputed,
                "an open dispute says more than a part refund")
    }

    @Test func aPaymentItsProviderCallsRefundedWithNothingLinkedStaysRefunded() {
        #expect(Self.linked([], to: Self.payment(.refunded)) == .refunded)
        #expect(Self.linked([], to: Self.payment(.partiallyRefunded)) == .partiallyRefunded)
    }

    @Test func aFailedOrPendingPaymentIsNotMoved() {
        #expect(Self.linked([Self.document(.dispute, "dp_1", amount: 10_000, status: .disputed)], to: Self.payment(.failed)) == .failed)
        #expect(Self.linked([Self.document(.refund, "re_1", amount: 100, status: .refunded)], to: Self.payment(.pending)) == .pending)
    }
}
