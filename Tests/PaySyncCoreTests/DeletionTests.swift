import Testing
@testable import PaySyncCore

@Suite struct DeletionTests {
    let key = ObjectKey(provider: "quickbooks", account: "1", kind: .invoice, externalID: "42")
    var known: Observation {
        Observation(key: key, updatedAt: Timestamp(iso: "2025-05-01T10:00:00Z"), status: .partiallyPaid, providerStatus: "Balance 10.00 of 20.00",
                    currency: Currency(code: "USD"), total: Money(minorUnits: 2_000, currency: Currency(code: "USD")!), invoiceNumber: "Q-42")
    }

    @Test func aDeletedObjectKeepsEveryFieldButItsStatus() throws {
        let deletedAt = Timestamp(iso: "2025-05-02T08:00:00Z")!
        let tombstone = try #require(Deletion(key: key, deletedAt: deletedAt).tombstone(of: known))
        #expect(tombstone.status == .voided && tombstone.providerStatus == "Deleted")
        #expect(tombstone.total == known.total && tombstone.invoiceNumber == "Q-42")
        #expect(tombstone.updatedAt == deletedAt)
        #expect(diff(known: known, observation: tombstone) == .changed(FieldSet([.status, .providerStatus])))
    }

    @Test func nothingToDoForTheUnknownTheVoidedOrAnotherKey() {
        #expect(Deletion(key: key, deletedAt: nil).tombstone(of: nil) == nil)
        var voided = known
        voided.status = .voided
        #expect(Deletion(key: key, deletedAt: nil).tombstone(of: voided) == nil)
        let other = ObjectKey(provider: "quickbooks", account: "1", kind: .invoice, externalID: "43")
        #expect(Deletion(key: other, deletedAt: nil).tombstone(of: known) == nil)
        // Without a time, the known one is kept (never moved backwards).
        #expect(Deletion(key: key, deletedAt: nil).tombstone(of: known)?.updatedAt == known.updatedAt)
        #expect(Deletion(key: key, deletedAt: Timestamp(iso: "2025-01-01T00:00:00Z")).tombstone(of: known)?.updatedAt == known.updatedAt)
    }
}
