import Testing
@testable import PaySyncCore

let gbp = Currency(code: "GBP")!

func invoice(
    _ id: String = "inv-1", status: PaymentStatus = .sent, paid: Int64 = 0, total: Int64 = 120_000,
    updated: Int64 = 1_000, number: String? = "INV-0001"
) -> Observation {
    Observation(
        key: ObjectKey(provider: "xero", account: "tenant-a", kind: .invoice, externalID: id),
        updatedAt: Timestamp(millisecondsSinceEpoch: updated), status: status, providerStatus: "AUTHORISED",
        currency: gbp, total: Money(minorUnits: total, currency: gbp), paid: Money(minorUnits: paid, currency: gbp),
        due: Money(minorUnits: total - paid, currency: gbp), invoiceNumber: number,
        dueDate: CalendarDate(year: 2025, month: 5, day: 1)
    )
}

@Suite struct DiffTests {
    @Test func unseenObjectIsNew() {
        #expect(diff(known: nil, observation: invoice()) == .new)
    }

    @Test func sameValuesAreUnchanged() {
        #expect(diff(known: invoice(), observation: invoice()) == .unchanged)
    }

    @Test func reReadAtTheCursorBoundaryIsUnchanged() {
        // The overlap re-reads the last object of the previous run: same updated-at, same values.
        #expect(diff(known: invoice(updated: 5_000), observation: invoice(updated: 5_000)) == .unchanged)
    }

    @Test func changedFieldsAreNamed() {
        let decision = diff(known: invoice(), observation: invoice(status: .partiallyPaid, paid: 50_000, updated: 2_000))
        #expect(decision == .changed(FieldSet([.status, .amountPaid, .amountDue])))
    }

    @Test func olderObservationIsStaleEvenWhenItDiffers() {
        let known = invoice(status: .paid, paid: 120_000, updated: 9_000)
        #expect(diff(known: known, observation: invoice(status: .sent, updated: 8_999)) == .stale)
    }

    @Test func sameTimeDifferentValuesIsAChange() {
        let decision = diff(known: invoice(updated: 5_000), observation: invoice(status: .voided, updated: 5_000))
        #expect(decision == .changed(FieldSet([.status])))
    }

    @Test func versionOrdersWhenThereIsNoTimestamp() {
        var known = invoice(status: .paid)
        known.updatedAt = nil
        known.version = "7"
        var older = invoice(status: .sent)
        older.updatedAt = nil
        older.version = "6"
        #expect(diff(known: known, observation: older) == .stale)
        older.version = "8"
        #expect(diff(known: known, observation: older) == .changed(FieldSet([.status])))
    }
}

@Suite struct StatusAgeingTests {
    let today = CalendarDate(year: 2025, month: 5, day: 2)!

    @Test func sentInvoicesBecomeOverdueTheDayAfterTheyAreDue() throws {
        var sent = invoice(status: .sent)
        sent.dueDate = CalendarDate(year: 2025, month: 5, day: 1)
        #expect(StatusAgeing.aged(sent, today: today)?.status == .overdue)
        sent.dueDate = today
        #expect(StatusAgeing.aged(sent, today: today) == nil)
    }

    @Test func otherStatusesDoNotAge() {
        for status in [PaymentStatus.partiallyPaid, .paid, .draft, .voided, .overdue] {
            var object = invoice(status: status)
            object.dueDate = CalendarDate(year: 2025, month: 1, day: 1)
            #expect(StatusAgeing.aged(object, today: today) == nil)
        }
    }

    @Test func agingIsAChangeOfStatusOnly() throws {
        var sent = invoice(status: .sent)
        sent.dueDate = CalendarDate(year: 2025, month: 4, day: 1)
        let aged = try #require(StatusAgeing.aged(sent, today: today))
        #expect(diff(known: sent, observation: aged) == .changed(FieldSet([.status])))
    }
}
