import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncLedger

/// The field table (`Field.swift`) is the one declaration of canonical fields: these tests
/// fail when the ledger's schema, the storage indexes or a round trip disagree with it.
@Suite struct FieldTableTests {
    @Test func theObjectsTableHasExactlyTheDerivedColumns() throws {
        let directory = TemporaryDirectory()
        let database = try Database(path: directory.file("paysync.db"), create: true)
        _ = try Migrator(migrations: LedgerSchema.migrations).migrate(database)
        let statement = try database.statement("SELECT name FROM pragma_table_info('objects') ORDER BY cid", [])
        defer { statement.reset() }
        var columns: [String] = []
        while try statement.step() { columns.append(statement.string(0)) }
        let bookkeeping: Set = ["id", "first_run", "last_changed_run"]
        // Every derived column exists, and every column is derived or bookkeeping.
        #expect(Set(columns).subtracting(bookkeeping) == Set(ObjectColumns.names))
        #expect(columns.count == ObjectColumns.names.count + bookkeeping.count)
    }

    @Test func storageIndexesFollowTheDeclarationOrder() {
        for (position, field) in Field.allCases.enumerated() {
            #expect(field.index == position, "\(field)")
        }
        #expect(Field.allCases.count <= 32, "a FieldSet is a 32-bit mask")
    }

    @Test func everyStoredFieldRoundTripsThroughTheLedger() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("paysync.db"))
        let key = ObjectKey(provider: "bank", account: "acct-1", kind: .payment, externalID: "tx-1")
        var observation = Observation(key: key, updatedAt: Timestamp(millisecondsSinceEpoch: 5_000), version: "7",
                                      status: .paid, providerStatus: "BOOKED", currency: gbp)
        // A distinct value of the declared type in every stored field.
        for (position, field) in Field.stored.enumerated() where field != .status && field != .currency {
            switch field.spec.type {
            case .text: observation[field] = .text("\(field.rawValue)-\(position)")
            case .money: observation[field] = .money(Money(minorUnits: Int64(100 + position), currency: gbp))
            case .date: observation[field] = CalendarDate(year: 2025, month: 1, day: 1 + position).map(FieldValue.date)
            case .status, .currency: break
            }
        }
        let run = try await ledger.startRun(command: "test", dryRun: false, startedAt: at)
        let plan = PagePlanner.plan(observations: [observation], known: [nil], routes: [])
        try await ledger.apply(PageCommit(provider: "bank", account: "acct-1", plan: plan, cursor: nil, runID: run, observedAt: at))
        let read = try #require(try await ledger.knownStates(for: [key]).first ?? nil)
        #expect(read == observation)
        for field in Field.stored { #expect(read.value(of: field) == observation.value(of: field), "\(field)") }
        #expect(read.fieldsDiffering(from: observation).isEmpty)
    }

    @Test func internalFieldsCannotBeMappedOrTemplated() throws {
        #expect(!Field.crmVisible.contains(.parentKey))
        #expect(throws: TemplateError.self) { try Template("Belongs to {parent_key}") }
    }
}
