import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncLedger

/// The stores both ledgers implement, one suite run against each backend (SQLite in a temporary
/// file, PostgreSQL in a new database on the throwaway server): the same calls, the same answers.
/// Each store joins this suite as it is ported to PostgreSQL (issue 18).
@Suite(.serialized) struct LedgerBackendTests {
    typealias Stores = CredentialRecordStore & CRMRecordIDStore & CursorStore

    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }

        /// A new, empty ledger; the directory keeps an SQLite file alive for the test.
        func make(in directory: TemporaryDirectory) async throws -> any Stores {
            switch self {
            case .sqlite: try Ledger(path: directory.file("ledger.db"))
            case .postgres: try PostgresLedger(url: try ThrowawayPostgres.server().newDatabase(), now: LedgerBackendTests.now)
            }
        }
    }

    static let now = Timestamp(iso: "2026-11-26T10:30:00Z")!

    @Test(arguments: Backend.allCases)
    func credentialsAreKeptReplacedAndDeleted(backend: Backend) async throws {
        let directory = TemporaryDirectory(prefix: "paysync-backend")
        let ledger = try await backend.make(in: directory)
        #expect(try await ledger.credential(named: "xero:xero-uk:refresh_token") == nil)
        try await ledger.saveCredential(named: "xero:xero-uk:refresh_token", value: Secret("rt-first"), expiresAt: Self.now.adding(milliseconds: 86_400_000),
                                        seedFingerprint: "fp-1", now: Self.now)
        try await ledger.saveCredential(named: "xero:xero-uk:refresh_token", value: Secret("rt-rotated"), expiresAt: nil, seedFingerprint: "fp-1", now: Self.now)
        let stored = try #require(try await ledger.credential(named: "xero:xero-uk:refresh_token"))
        #expect(stored.value.reveal() == "rt-rotated" && stored.expiresAt == nil && stored.seedFingerprint == "fp-1")
        try await ledger.saveCredential(named: "other", value: Secret("x"), expiresAt: Self.now, seedFingerprint: nil, now: Self.now)
        #expect(try await ledger.credential(named: "other")?.expiresAt == Self.now)
        try await ledger.deleteCredential(named: "xero:xero-uk:refresh_token")
        #expect(try await ledger.credential(named: "xero:xero-uk:refresh_token") == nil)
        #expect(try await ledger.credential(named: "other") != nil)
    }

    @Test(arguments: Backend.allCases)
    func crmRecordIDsAreFoundReplacedAndForgotten(backend: Backend) async throws {
        let directory = TemporaryDirectory(prefix: "paysync-backend")
        let ledger = try await backend.make(in: directory)
        try await ledger.saveCRMRecordIDs(sink: "pipedrive", object: "deals", ["INV-1": "101", "INV-2": "102", "it's \"quoted\"": "103"], now: Self.now)
        try await ledger.saveCRMRecordIDs(sink: "monday", object: "deals", ["INV-1": "9001"], now: Self.now)
        #expect(try await ledger.crmRecordIDs(sink: "pipedrive", object: "deals", keys: ["INV-1", "INV-3", "it's \"quoted\"", "INV-1"])
                == ["INV-1": "101", "it's \"quoted\"": "103"])
        try await ledger.saveCRMRecordIDs(sink: "pipedrive", object: "deals", ["INV-1": "201"], now: Self.now)
        try await ledger.forgetCRMRecordID(sink: "pipedrive", object: "deals", key: "INV-2")
        #expect(try await ledger.crmRecordIDs(sink: "pipedrive", object: "deals", keys: ["INV-1", "INV-2"]) == ["INV-1": "201"])
        #expect(try await ledger.crmRecordIDs(sink: "monday", object: "deals", keys: ["INV-1"]) == ["INV-1": "9001"], "per sink")
        #expect(try await ledger.crmRecordIDs(sink: "pipedrive", object: "deals", keys: []) == [:])
    }

    @Test(arguments: Backend.allCases)
    func aSweepIsRecordedWithoutMovingAPosition(backend: Backend) async throws {
        let directory = TemporaryDirectory(prefix: "paysync-backend")
        let ledger = try await backend.make(in: directory)
        #expect(try await ledger.cursor(provider: "xero", account: "t1", entity: "invoices") == nil)
        try await ledger.recordSweep(provider: "xero", account: "t1", entity: "invoices", at: Self.now)
        try await ledger.recordSweep(provider: "xero", account: "t2", entity: "payments", at: Self.now)
        let later = Self.now.adding(milliseconds: 3_600_000)
        try await ledger.recordSweep(provider: "xero", account: "t1", entity: "invoices", at: later)
        let cursor = try #require(try await ledger.cursor(provider: "xero", account: "t1", entity: "invoices"))
        #expect(cursor.position == nil && cursor.lastSweepAt == later && cursor.holdSince == nil)
        #expect(try await ledger.cursorAccounts(provider: "xero") == ["t1", "t2"])
        #expect(try await ledger.cursorAccounts(provider: "quickbooks") == [])
    }
}
