import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// The QuickBooks status table, row by row. `docs/connectors/quickbooks.md` holds the same table:
/// change both.
@Suite struct QuickBooksStatusTableTests {
    static let today = CalendarDate(year: 2025, month: 5, day: 2)!
    static let dueTomorrow = CalendarDate(year: 2025, month: 5, day: 3)
    static let dueToday = CalendarDate(year: 2025, month: 5, day: 2)
    static let dueYesterday = CalendarDate(year: 2025, month: 5, day: 1)

    @Test("invoice status table", arguments: [
        // (TotalAmt, Balance, PrivateNote, DueDate) -> canonical
        (Int64(0), Int64(0), String?.some("Voided"), dueYesterday, PaymentStatus.voided),
        (0, 0, "Void", dueYesterday, .voided),
        (0, 0, "Voided - duplicate", dueTomorrow, .voided),
        (120_000, 0, nil, dueYesterday, .paid),
        (120_000, 0, "Voided", dueYesterday, .paid),           // a note alone does not void an invoice with a total
        (120_000, 45_000, nil, dueTomorrow, .partiallyPaid),
        (120_000, 45_000, nil, dueYesterday, .partiallyPaid),
        (120_000, 120_000, nil, dueYesterday, .overdue),
        (120_000, 120_000, nil, dueToday, .sent),
        (120_000, 120_000, nil, dueTomorrow, .sent),
        (120_000, 120_000, nil, nil, .sent),
        (0, 0, nil, dueYesterday, .sent),                      // a zero invoice: nothing to pay, nothing received
        (120_000, 130_000, nil, dueYesterday, .unknown("Balance 130000 of TotalAmt 120000")),
        (120_000, -1, nil, dueYesterday, .unknown("Balance -1 of TotalAmt 120000")),
    ])
    func invoiceStatus(total: Int64, balance: Int64, note: String?, dueDate: CalendarDate?, expected: PaymentStatus) {
        #expect(QuickBooksMapping.invoiceStatus(total: total, balance: balance, privateNote: note, dueDate: dueDate, today: Self.today) == expected)
    }

    @Test("payment status table", arguments: [
        (Int64(75_000), String?.none, PaymentStatus.paid),
        (75_000, "Voided", .paid),
        (0, "Voided", .voided),
        (0, nil, .paid),
    ])
    func paymentStatus(total: Int64, note: String?, expected: PaymentStatus) {
        #expect(QuickBooksMapping.paymentStatus(total: total, privateNote: note) == expected)
    }
}
