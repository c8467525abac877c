import Testing
@testable import PaySyncCore

@Suite struct CRMMappingTests {
    let mapping = CRMObjectMapping(object: "deals", idProperty: "invoice_number", properties: [
        PropertyMapping(name: "payment_status", field: .status, values: ["paid": "Paid", "failed": "Failed", "partially_paid": "Partially paid"]),
        PropertyMapping(name: "dealstage", field: .status, values: ["paid": "closedwon"]),
        PropertyMapping(name: "amount_paid", field: .amountPaid),
        PropertyMapping(name: "last_payment_date", field: .lastPaymentDate),
    ])

    @Test func statusLabelsAndStagesFollowTheirTables() {
        let values = mapping.propertyValues(for: [FieldChange(field: .status, old: "sent", new: "paid"), FieldChange(field: .amountPaid, old: "0.00", new: "12.50")])
        #expect(values.map(\.property.name) == ["payment_status", "dealstage", "amount_paid"])
        #expect(values.map(\.value) == ["Paid", "closedwon", "12.50"])
    }

    @Test func aStatusWithNoLabelLeavesThePropertyAlone() {
        let values = mapping.propertyValues(for: [FieldChange(field: .status, old: "sent", new: "overdue")])
        #expect(values.isEmpty)
        let partial = mapping.propertyValues(for: [FieldChange(field: .status, old: "sent", new: "partially_paid")])
        #expect(partial.map(\.property.name) == ["payment_status"])  // no stage for a part payment
    }

    @Test func typesAreInferredFromFields() {
        #expect(PropertyMapping(name: "x", field: .amountDue).effectiveType == .number)
        #expect(PropertyMapping(name: "x", field: .dueDate).effectiveType == .date)
        #expect(PropertyMapping(name: "x", field: .status, values: [:]).effectiveType == .text)
        #expect(PropertyMapping(name: "x", field: .customerEmail).effectiveType == .text)
        #expect(mapping.fields == FieldSet([.status, .amountPaid, .lastPaymentDate]))
    }

    @Test func templatesRenderFieldsAndRejectUnknownPlaceholders() throws {
        var payment = invoice(status: .failed)
        payment.providerStatus = "card_declined"
        let template = try Template("Payment failed for {invoice_number} ({provider_status}); was {from_status}")
        #expect(template.render(payment, from: .pending) == "Payment failed for INV-0001 (card_declined); was pending")
        let error = #expect(throws: TemplateError.self) { try Template("for {invoice_numbr}") }
        #expect(error?.placeholder == "invoice_numbr")
        #expect(error?.reason.contains("did you mean \"invoice_number\"?") == true)
        #expect(throws: TemplateError.self) { try Template("unclosed {status") }
    }

    @Test func actionPayloadsRoundTripThroughJSON() {
        let payload = ActionPayload(kind: "task", subject: "Payment \"failed\"", body: nil)
        #expect(ActionPayload(json: payload.json) == payload)
    }
}

@Suite struct PlannerActionTests {
    func route() throws -> SinkRoute {
        SinkRoute(sink: "crm", kinds: [.invoice: KindRoute(
            fields: FieldSet([.status]), key: [.field(.invoiceNumber)],
            actions: [.failed: [.task(subject: try Template("Payment failed for {invoice_number}"), body: nil)],
                      .refunded: [.note(body: try Template("Refunded {amount_total} {currency}"))]]
        )])
    }

    @Test func aTransitionIntoAnActionStatusQueuesItOnce() throws {
        let plan = PagePlanner.plan(observations: [invoice(status: .failed, updated: 2_000)], known: [invoice(status: .pending)], routes: [try route()])
        let actions = plan.writes.filter { $0.action != nil }
        #expect(actions.count == 1)
        #expect(actions.first?.action == ActionPayload(kind: "task", subject: "Payment failed for INV-0001", body: nil))
        #expect(plan.counts.actions == 1)
        // A rerun sees the same state: no transition, no action.
        let rerun = PagePlanner.plan(observations: [invoice(status: .failed, updated: 2_000)], known: [invoice(status: .failed, updated: 2_000)], routes: [try route()])
        #expect(rerun.writes.isEmpty)
        // A change of other fields while failed is no new transition either.
        let again = PagePlanner.plan(observations: [invoice(status: .failed, paid: 10, updated: 3_000)], known: [invoice(status: .failed, updated: 2_000)], routes: [try route()])
        #expect(again.writes.allSatisfy { $0.action == nil })
    }

    @Test func theFirstImportOfASourceRunsNoActions() throws {
        let plan = PagePlanner.plan(observations: [invoice(status: .failed)], known: [nil], routes: [try route()], actionsEnabled: false)
        #expect(plan.writes.count == 1)
        #expect(plan.writes.allSatisfy { $0.action == nil })
        let later = PagePlanner.plan(observations: [invoice(status: .refunded)], known: [nil], routes: [try route()])
        #expect(later.writes.compactMap(\.action?.kind) == ["note"])
    }

    @Test func actionsAreNeverCoalesced() {
        let key = invoice().key
        let rows = [
            QueuedWrite(rowID: 1, recordKey: "INV-1", objectKey: key, changes: [FieldChange(field: .status, old: "pending", new: "failed")], fromStatus: .pending, toStatus: .failed),
            QueuedWrite(rowID: 2, recordKey: "INV-1", objectKey: key, changes: [], fromStatus: .pending, toStatus: .failed, action: ActionPayload(kind: "task", subject: "a", body: nil)),
            QueuedWrite(rowID: 3, recordKey: "INV-1", objectKey: key, changes: [], fromStatus: .failed, toStatus: .failed, action: ActionPayload(kind: "task", subject: "b", body: nil)),
        ]
        let merged = Coalescing.coalesce(rows)
        #expect(merged.map(\.rowIDs) == [[1], [2], [3]])
        #expect(merged.allSatisfy { !$0.isEmpty })
    }
}
