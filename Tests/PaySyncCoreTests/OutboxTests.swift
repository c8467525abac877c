import Testing
@testable import PaySyncCore

@Suite struct OutboxStateMachineTests {
    @Test("the transition table", arguments: [
        (OutboxState.pending, OutboxEvent.picked, 1, OutboxState?.some(.sending)),
        (.sending, .acknowledged, 1, .delivered),
        (.sending, .retryableFailure, 1, .pending),
        (.sending, .retryableFailure, 3, .dead),
        (.sending, .permanentFailure, 1, .dead),
        (.sending, .noSuchRecord, 1, .skipped),
        (.sending, .deferred, 3, .pending),  // a spent CRM budget is never a dead letter
        (.pending, .deferred, 1, nil),
        (.sending, .recovered, 1, .pending),
        (.dead, .operatorRetry, 9, .pending),
        (.skipped, .operatorRetry, 1, .pending),
        (.pending, .acknowledged, 1, nil),
        (.delivered, .picked, 1, nil),
        (.dead, .picked, 1, nil),
        (.pending, .operatorRetry, 1, nil),
        (.pending, .undecodable, 1, .dead),
        (.sending, .undecodable, 1, .dead),
        (.dead, .undecodable, 1, nil),
        (.pending, .operatorDrop, 1, .dropped),
        (.dead, .operatorDrop, 1, .dropped),
        (.skipped, .operatorDrop, 1, .dropped),
        (.sending, .operatorDrop, 1, nil),
        (.sending, .picked, 1, nil),
        (.pending, .recovered, 1, nil),
    ])
    func transition(from: OutboxState, event: OutboxEvent, attempts: Int, to: OutboxState?) {
        #expect(OutboxStateMachine.next(from: from, on: event, attempts: attempts, maxAttempts: 3) == to)
    }
}

@Suite struct OutboxStatementSourcesTests {
    @Test("each statement moves only the rows the table allows", arguments: [
        (OutboxEvent.picked, [OutboxState.pending]),
        (.acknowledged, [.sending]),
        (.recovered, [.sending]),
        (.undecodable, [.pending, .sending]),
        (.operatorRetry, [.skipped, .dead]),
        (.operatorDrop, [.pending, .skipped, .dead]),
    ])
    func sources(event: OutboxEvent, states: [OutboxState]) {
        #expect(OutboxStateMachine.sources(of: event) == states)
    }

    @Test func bulkStatementsHaveOneTarget() {
        #expect(OutboxStateMachine.target(of: .picked) == .sending)
        #expect(OutboxStateMachine.target(of: .recovered) == .pending)
        #expect(OutboxStateMachine.target(of: .undecodable) == .dead)
        #expect(OutboxStateMachine.target(of: .operatorRetry) == .pending)
        #expect(OutboxStateMachine.target(of: .operatorDrop) == .dropped)
    }

    @Test func everyEventHasASource() {
        for event in OutboxEvent.allCases { #expect(!OutboxStateMachine.sources(of: event).isEmpty, "\(event)") }
    }
}

@Suite struct CoalescingTests {
    let key = ObjectKey(provider: "xero", account: "t", kind: .invoice, externalID: "i")

    func row(_ id: Int64, _ record: String, _ changes: [FieldChange], to: PaymentStatus = .paid) -> QueuedWrite {
        QueuedWrite(rowID: id, recordKey: record, objectKey: key, changes: changes, fromStatus: .sent, toStatus: to)
    }

    @Test func severalWritesForOneRecordBecomeTheLatest() {
        let merged = Coalescing.coalesce([
            row(1, "INV-1", [FieldChange(field: .status, old: "sent", new: "partially_paid"), FieldChange(field: .amountPaid, old: "0.00", new: "50.00")]),
            row(2, "INV-2", [FieldChange(field: .status, old: "sent", new: "paid")]),
            row(3, "INV-1", [FieldChange(field: .status, old: "partially_paid", new: "paid"), FieldChange(field: .amountPaid, old: "50.00", new: "120.00")]),
        ])
        #expect(merged.map(\.recordKey) == ["INV-1", "INV-2"])
        #expect(merged[0].rowIDs == [1, 3])
        #expect(merged[0].changes == [
            FieldChange(field: .status, old: "sent", new: "paid"),
            FieldChange(field: .amountPaid, old: "0.00", new: "120.00"),
        ])
    }

    /// Issue 9, case 2: a row sent before without an acknowledgement, then reverted by a newer
    /// row, may have left the CRM on its value: the revert must be sent.
    @Test func aRevertOfAWriteThatMayHaveLandedIsSent() {
        var sent = row(1, "INV-1", [FieldChange(field: .status, old: "sent", new: "paid")])
        sent.attempts = 1
        let merged = Coalescing.merge([sent, row(2, "INV-1", [FieldChange(field: .status, old: "paid", new: "sent")], to: .sent)])
        #expect(merged.changes == [FieldChange(field: .status, old: "sent", new: "sent")])
    }

    /// Rows always sent together (equal attempts) coalesce the same way every time: the retry of
    /// a write carries the same payload under the same idempotency key.
    @Test func rowsSentTogetherCoalesceTheSameWayOnEveryAttempt() {
        let first = [row(1, "INV-1", [FieldChange(field: .status, old: "sent", new: "paid")]),
                     row(2, "INV-1", [FieldChange(field: .status, old: "paid", new: "sent")], to: .sent)]
        let retried = first.map { row -> QueuedWrite in
            var row = row
            row.attempts = 1
            return row
        }
        #expect(Coalescing.merge(first) == Coalescing.merge(retried))
        #expect(Coalescing.merge(retried).isEmpty)
    }

    @Test func changesThatCancelOutSendNothing() {
        let merged = Coalescing.merge([
            row(1, "INV-1", [FieldChange(field: .status, old: "sent", new: "paid")]),
            row(2, "INV-1", [FieldChange(field: .status, old: "paid", new: "sent")], to: .sent),
        ])
        #expect(merged.isEmpty)
        #expect(merged.rowIDs == [1, 2])
    }

    @Test("batches are ceil(n / size)", arguments: [(0, 100, 0), (1, 100, 1), (100, 100, 1), (101, 100, 2), (250, 100, 3), (250, 200, 2)])
    func batchCount(count: Int, size: Int, batches: Int) {
        let result = Coalescing.batches(Array(0..<count), size: size)
        #expect(result.count == batches)
        #expect(result.flatMap { $0 } == Array(0..<count))
        #expect(result.allSatisfy { $0.count <= size })
    }
}
