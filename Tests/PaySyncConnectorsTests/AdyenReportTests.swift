import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

@Suite struct AdyenReportTests {
    @Test("Record Type → canonical", arguments: [
        ("Received", PaymentStatus?.some(.pending)), ("Authorised", .pending), ("SentForSettle", .pending), ("Settled", .paid),
        ("Refused", .failed), ("Error", .failed), ("Cancelled", .voided), ("Expired", .expired), ("Fee", nil), ("MerchantPayout", nil),
    ])
    func recordTypes(type: String, canonical: PaymentStatus?) {
        #expect(AdyenReport.paymentStatus(type) == canonical)
    }

    /// Columns are found by header, in any order, with extra columns, quoted fields and CRLF.
    @Test func aReportIsReadByItsHeaderNames() throws {
        let text = "Record Type,Extra,Psp Reference,Merchant Reference,Booking Date,Main Currency,Main Amount\r\n"
            + "Settled,x,8815100000000001,\"INV-1, part 2\",2025-05-02 04:00:00,EUR,125.50\r\n"
            + "Chargeback,,8815100000000001,\"INV-1, part 2\",2025-05-03 15:00:00,EUR,125.50\r\n"
            + "Refunded,,8815100000000002,INV-2,2025-05-03 16:00:00,JPY,1000\r\n"
            + "Settled,,8815100000000003,INV-3,not a date,EUR,1.00\r\n"
            + "Fee,,8815100000000003,INV-3,2025-05-03 16:00:00,EUR,0.10\r\n"
        let (observations, rejects) = try AdyenReport.observations(text, account: "AcmeShopEUR", file: "r.csv")
        #expect(observations.map(\.key.description) == ["adyen:AcmeShopEUR:payment:8815100000000001", "adyen:AcmeShopEUR:dispute:8815100000000001-chargeback",
                                                        "adyen:AcmeShopEUR:refund:8815100000000002-refund-1000"])
        #expect(observations[0].status == .paid)
        #expect(observations[0].invoiceNumber == "INV-1, part 2")
        #expect(observations[1].status == .disputed)
        #expect(observations[1][.parentKey] == .text("adyen:AcmeShopEUR:payment:8815100000000001"))
        #expect(observations[2].total?.minorUnits == 1000)  // yen: no decimals
        #expect(rejects.count == 1)
        #expect(rejects.first?.error.contains("Booking Date") == true)
        #expect(throws: AdyenReport.Failure.self) { try AdyenReport.observations("Psp Reference,Main Amount\r\n1,2\r\n", account: "a", file: "f.csv") }
    }
}
