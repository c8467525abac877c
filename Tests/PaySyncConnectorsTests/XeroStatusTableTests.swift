import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// The Xero status table, row by row. `docs/connectors/xero.md` holds the same table: change both.
@Suite struct XeroStatusTableTests {
    static let today = CalendarDate(year: 2025, month: 5, day: 2)!
    static let dueTomorrow = CalendarDate(year: 2025, month: 5, day: 3)
    static let dueToday = CalendarDate(year: 2025, month: 5, day: 2)
    static let dueYesterday = CalendarDate(year: 2025, month: 5, day: 1)

    @Test("invoice status table", arguments: [
        // (Xero Status, received: AmountPaid + prepayments and overpayments applied, AmountDue, DueDate) -> canonical
        ("DRAFT", Int64(0), Int64(120_000), dueYesterday, PaymentStatus.draft),
        ("SUBMITTED", 0, 120_000, dueYesterday, .draft),
        ("AUTHORISED", 0, 120_000, dueTomorrow, .sent),
        ("AUTHORISED", 0, 120_000, dueToday, .sent),
        ("AUTHORISED", 0, 120_000, dueYesterday, .overdue),
        ("AUTHORISED", 0, 120_000, nil, .sent),
        ("AUTHORISED", 75_000, 45_000, dueTomorrow, .partiallyPaid),
        ("AUTHORISED", 75_000, 45_000, dueYesterday, .partiallyPaid),
        ("AUTHORISED", 120_000, 0, dueYesterday, .paid),
        ("PAID", 120_000, 0, dueYesterday, .paid),
        ("PAID", 0, 0, dueYesterday, .voided),
        ("PAID", 100, 0, dueYesterday, .paid),  // settled by a prepayment or overpayment: money received
        ("AUTHORISED", 40_000, 60_000, dueYesterday, .partiallyPaid),  // part settled by a prepayment
        ("VOIDED", 0, 0, dueYesterday, .voided),
        ("DELETED", 0, 120_000, dueYesterday, .voided),
        ("ON_HOLD", 0, 120_000, dueYesterday, .unknown("ON_HOLD")),
    ])
    func invoiceStatus(status: String, paid: Int64, due: Int64, dueDate: CalendarDate?, expected: PaymentStatus) {
        #expect(XeroMapping.invoiceStatus(status: status, received: paid, amountDue: due, dueDate: dueDate, today: Self.today) == expected)
    }

    @Test("payment status table", arguments: [
        ("ACCRECPAYMENT", "AUTHORISED", ObjectKind?.some(.payment), PaymentStatus?.some(.paid)),
        ("ACCRECPAYMENT", "DELETED", .payment, .voided),
        ("ARCREDITPAYMENT", "AUTHORISED", .refund, .refunded),
        ("AROVERPAYMENTPAYMENT", "AUTHORISED", .refund, .refunded),
        ("ARPREPAYMENTPAYMENT", "AUTHORISED", .refund, .refunded),
        ("ARCREDITPAYMENT", "DELETED", .refund, .voided),
        ("ACCRECPAYMENT", "PENDING", .payment, .unknown("PENDING")),
        ("ACCPAYPAYMENT", "AUTHORISED", nil, nil),
        ("APCREDITPAYMENT", "AUTHORISED", nil, nil),
        ("APOVERPAYMENTPAYMENT", "AUTHORISED", nil, nil),
    ])
    func paymentStatus(type: String, status: String, kind: ObjectKind?, expected: PaymentStatus?) {
        #expect(XeroMapping.paymentKind(paymentType: type) == kind)
        if let kind { #expect(XeroMapping.paymentStatus(status: status, kind: kind) == expected) }
    }
}
