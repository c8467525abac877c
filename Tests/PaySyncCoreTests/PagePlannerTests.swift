import Testing
@testable import PaySyncCore

@Suite struct PagePlannerTests {
    let route = SinkRoute(sink: "crm", kinds: [
        .invoice: KindRoute(fields: FieldSet([.status, .amountPaid]), key: [.field(.invoiceNumber), .externalID]),
    ])

    @Test func newObjectsWriteTheirMappedFields() throws {
        let plan = PagePlanner.plan(observations: [invoice()], known: [nil], routes: [route])
        #expect(plan.counts.new == 1)
        let write = try #require(plan.writes.first)
        #expect(write.recordKey == "INV-0001")
        #expect(write.changes == [
            FieldChange(field: .status, old: nil, new: "sent"),
            FieldChange(field: .amountPaid, old: nil, new: "0.00"),
        ])
        #expect(plan.transitions == [Transition(key: invoice().key, fromStatus: nil, toStatus: .sent, changed: invoice().presentFields, providerUpdatedAt: invoice().updatedAt, isFirstSeen: true)])
    }

    @Test func unchangedAndStaleWriteNothingAndAreCounted() {
        let known = invoice(updated: 5_000)
        let plan = PagePlanner.plan(
            observations: [invoice(updated: 5_000), invoice("inv-2", updated: 1), invoice("inv-3")],
            known: [known, invoice("inv-2", status: .paid, updated: 2), nil],
            routes: [route]
        )
        #expect(plan.counts.unchanged == 1)
        #expect(plan.counts.stale == 1)
        #expect(plan.counts.new == 1)
        #expect(plan.writes.map(\.objectKey.externalID) == ["inv-3"])
        #expect(plan.states.map(\.key.externalID) == ["inv-3"])
    }

    @Test func changesToUnmappedFieldsAreStoredButNotWritten() {
        var changed = invoice(updated: 2_000)
        changed.customerEmail = "ap@acme.example"
        let plan = PagePlanner.plan(observations: [changed], known: [invoice()], routes: [route])
        #expect(plan.counts.changed == 1)
        #expect(plan.states.count == 1)
        #expect(plan.writes.isEmpty)
    }

    @Test func unknownStatusIsRecordedNeverWritten() {
        let plan = PagePlanner.plan(observations: [invoice(status: .unknown("ON_HOLD"))], known: [nil], routes: [route])
        #expect(plan.counts.unknownStatus == 1)
        #expect(plan.states.count == 1)
        #expect(plan.transitions.first?.toStatus == .unknown("ON_HOLD"))
        #expect(plan.writes.isEmpty)
    }

    @Test func objectWithoutAnyRecordKeyIsCountedNotWritten() {
        let strict = SinkRoute(sink: "crm", kinds: [.invoice: KindRoute(fields: FieldSet([.status]), key: [.field(.invoiceNumber)])])
        let plan = PagePlanner.plan(observations: [invoice(number: nil)], known: [nil], routes: [strict])
        #expect(plan.counts.unkeyed == 1)
        #expect(plan.writes.isEmpty)
    }

    @Test func kindsASinkDoesNotMapAreNotWritten() {
        var payment = invoice()
        payment.key.kind = .payment
        let plan = PagePlanner.plan(observations: [payment], known: [nil], routes: [route])
        #expect(plan.writes.isEmpty)
        #expect(plan.counts.new == 1)
    }

    @Test func duplicateInOnePageDiffsAgainstItsFirstAppearance() {
        let plan = PagePlanner.plan(
            observations: [invoice(updated: 1), invoice(status: .paid, paid: 120_000, updated: 2), invoice(status: .paid, paid: 120_000, updated: 2)],
            known: [nil, nil, nil], routes: [route]
        )
        #expect(plan.counts.new == 1)
        #expect(plan.counts.changed == 1)
        #expect(plan.counts.unchanged == 1)
        #expect(plan.writes.count == 2)
        #expect(plan.writes[1].changes.first == FieldChange(field: .status, old: "sent", new: "paid"))
    }

    @Test func eachSinkGetsItsOwnWrite() {
        let other = SinkRoute(sink: "hook", kinds: [.invoice: KindRoute(fields: FieldSet([.amountPaid]), key: [.externalID])])
        let plan = PagePlanner.plan(observations: [invoice(status: .paid, paid: 120_000, updated: 2_000)], known: [invoice()], routes: [route, other])
        #expect(plan.writes.map(\.sink) == ["crm", "hook"])
        #expect(plan.writes.map(\.recordKey) == ["INV-0001", "inv-1"])
    }
}
