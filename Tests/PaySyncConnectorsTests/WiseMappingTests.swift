import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// Wise statement lines: the reference's documented example decodes and maps, money received is
/// in scope and the rest is not, and every window Wise is asked for fits its 469 days.
@Suite struct WiseMappingTests {
    /// The statement example of ../shared/reference/banking-apis.md §1.2 (Wise's documented shape).
    static let example = #"""
    {"accountHolder": {"type": "BUSINESS", "address": {"city": "London", "countryName": "United Kingdom"}},
     "issuer": {"name": "Wise Payments Ltd", "city": "London", "country": "United Kingdom"}, "bankDetails": null,
     "transactions": [{"type": "CREDIT", "date": "2025-03-14T09:21:07.412Z", "amount": {"value": 1250.00, "currency": "EUR"},
       "totalFees": {"value": 0.00, "currency": "EUR"},
       "details": {"type": "DEPOSIT", "description": "Received money from ACME GMBH with reference INV-2025-0042",
                   "senderName": "ACME GMBH", "senderAccount": "DE89 3704 0044 0532 0130 00", "paymentReference": "INV-2025-0042"},
       "runningBalance": {"value": 4310.55, "currency": "EUR"}, "referenceNumber": "TRANSFER-987654321"},
      {"type": "DEBIT", "date": "2025-03-14T11:00:00.000Z", "amount": {"value": -7.76, "currency": "EUR"},
       "totalFees": {"value": 0.00, "currency": "EUR"}, "details": {"type": "CARD", "description": "Card transaction of 7.76 EUR"},
       "runningBalance": {"value": 4302.79, "currency": "EUR"}, "referenceNumber": "CARD-249281"},
      {"type": "CREDIT", "date": "2025-03-14T12:00:00.000Z", "amount": {"value": 100.00, "currency": "EUR"},
       "totalFees": {"value": 0.00, "currency": "EUR"}, "details": {"type": "INCOMING_CROSS_BALANCE", "description": "Moved from GBP"},
       "runningBalance": {"value": 4402.79, "currency": "EUR"}, "referenceNumber": "BALANCE-1"}],
     "endOfStatementBalance": {"value": 4402.79, "currency": "EUR"},
     "query": {"intervalStart": "2025-03-14T00:00:00Z", "intervalEnd": "2025-03-14T23:59:59.999Z", "currency": "EUR", "accountId": 200001}}
    """#

    @Test func theDocumentedExampleMapsItsDepositAndLeavesTheRestOut() throws {
        let statement = try JSONDecoder().decode(WiseStatement.self, from: Data(Self.example.utf8))
        let lines = try statement.transactions.map { try $0.result.get() }
        let mapped = try lines.enumerated().map { index, line in try WiseMapping.observation(of: line, profile: "200", path: "transactions[\(index)]") }
        #expect(mapped.map { $0 != nil } == [true, false, false], "the deposit only; not the card, not a move between own balances")
        let deposit = try #require(mapped[0])
        #expect(deposit.key.description == "wise:200:bank_transaction:TRANSFER-987654321")
        #expect(deposit.total == Money(minorUnits: 125_000, currency: Currency(code: "EUR")!) && deposit.status == .paid)
        #expect(deposit.reference == "INV-2025-0042" && deposit[text: .counterpartyName] == "ACME GMBH")
        #expect(deposit[text: .counterpartyAccount] == "…3000", "the payer's account, last four only")
        #expect(deposit.documentDate?.description == "2025-03-14" && deposit[text: .bookingStatus] == "booked")
    }

    @Test func aCreditThatIsNotPositiveIsRejectedNotGuessed() throws {
        let line = WiseStatement.Transaction(type: "CREDIT", date: "2025-03-14T09:21:07.412Z",
                                             amount: .init(value: WireAmount(text: "-5.00"), currency: "EUR"),
                                             details: .init(type: "DEPOSIT", description: nil, senderName: nil, senderAccount: nil, paymentReference: nil),
                                             referenceNumber: "TRANSFER-1")
        #expect(throws: ObjectRejection.self) { try WiseMapping.observation(of: line, profile: "200", path: "transactions[0]") }
    }

    @Test func windowsNeverExceedWisesLimit() {
        let from = Timestamp(iso: "2023-01-01T00:00:00Z")!, until = Timestamp(iso: "2025-05-02T09:00:00Z")!
        let windows = WiseSource.windows(from: from, until: until)
        #expect(windows.first?.from == from && windows.last?.until == until)
        #expect(windows.allSatisfy { $0.until.millisecondsSinceEpoch - $0.from.millisecondsSinceEpoch <= 469 * 86_400_000 })
        #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.until == $1.from }, "no gap and no overlap between windows")
        #expect(windows.count == 2)
    }
}
