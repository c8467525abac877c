import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

@Suite struct AuthorizeNetMappingTests {
    /// `reference/payments-apis.md` §8.3, every value.
    @Test("transactionStatus → canonical", arguments: [
        ("settledSuccessfully", PaymentStatus.paid, ObjectKind.payment),
        ("authorizedPendingCapture", .pending, .payment), ("capturedPendingSettlement", .pending, .payment), ("pendingSettlement", .pending, .payment),
        ("pendingFinalSettlement", .pending, .payment), ("authorizedPendingRelease", .pending, .payment), ("underReview", .pending, .payment),
        ("approvedReview", .pending, .payment), ("FDSPendingReview", .pending, .payment), ("FDSAuthorizedPendingReview", .pending, .payment),
        ("declined", .failed, .payment), ("generalError", .failed, .payment), ("settlementError", .failed, .payment), ("failedReview", .failed, .payment),
        ("communicationError", .failed, .payment), ("returnedItem", .failed, .payment),
        ("voided", .voided, .payment), ("expired", .expired, .payment), ("couldNotVoid", .pending, .payment),
        ("refundSettledSuccessfully", .refunded, .refund), ("refundPendingSettlement", .pending, .refund),
        ("chargeback", .disputed, .dispute), ("chargebackReversal", .paid, .dispute),
    ])
    func statusTable(status: String, canonical: PaymentStatus, kind: ObjectKind) {
        #expect(AuthorizeNetMapping.status(status) == canonical)
        #expect(AuthorizeNetMapping.kind(of: status) == kind)
    }

    @Test func anUnknownStatusIsKeptAsUnknown() {
        #expect(AuthorizeNetMapping.status("somethingNew") == .unknown("somethingNew"))
    }

    /// A `transactionSummaryType` as the JSON endpoint sends it (names from AnetApiSchema.xsd).
    @Test func aSummaryBecomesAnObservationWithExactMoney() throws {
        let wire = try JSONParser.parse(#"""
        {"transId":"2157585857","submitTimeUTC":"2025-05-01T16:12:39Z","submitTimeLocal":"2025-05-01T09:12:39","transactionStatus":"settledSuccessfully",
         "invoiceNumber":"INV-2024-0042","firstName":"Ada","lastName":"Lovelace","accountType":"Visa","accountNumber":"XXXX1111",
         "settleAmount":1250.1,"marketType":"eCommerce","product":"Card Not Present","hasReturnedItems":false}
        """#)
        let settled = Timestamp(iso: "2025-05-02T04:36:22Z")!
        let observation = try AuthorizeNetMapping.transaction(wire, account: "merchant", currency: Currency(code: "USD")!, settledAt: settled, parent: nil)
        #expect(observation.key.description == "authorize-net:merchant:payment:2157585857")
        #expect(observation.status == .paid)
        #expect(observation.total?.minorUnits == 125_010)
        #expect(observation.invoiceNumber == "INV-2024-0042")
        #expect(observation.customerName == "Ada Lovelace")
        #expect(observation.updatedAt == settled)
        #expect(observation.lastPaymentDate == CalendarDate(year: 2025, month: 5, day: 2))
        let refund = try AuthorizeNetMapping.transaction(try JSONParser.parse(#"{"transId":"2157585999","transactionStatus":"refundSettledSuccessfully","settleAmount":10,"submitTimeUTC":"2025-05-03T10:00:00Z"}"#),
                                                         account: "merchant", currency: Currency(code: "USD")!, settledAt: nil, parent: "2157585857")
        #expect(refund.key.kind == .refund)
        #expect(refund[.parentKey] == .text("authorize-net:merchant:payment:2157585857"))
        #expect(throws: ObjectRejection.self) {
            try AuthorizeNetMapping.transaction(try JSONParser.parse(#"{"transId":"1","transactionStatus":"declined"}"#), account: "m", currency: Currency(code: "USD")!, settledAt: nil, parent: nil)
        }
    }

    @Test func theByteOrderMarkAndTheErrorInsideA200AreRead() throws {
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(Data(#"{"messages":{"resultCode":"Error","message":[{"code":"E00007","text":"User authentication failed due to invalid authentication values."}]}}"#.utf8))
        let body = try AuthorizeNetResponse.parse(data)
        #expect(AuthorizeNetResponse.error(body)?.code == "E00007")
        let ok = try AuthorizeNetResponse.parse(Data(#"{"messages":{"resultCode":"Ok","message":{"code":"I00004","text":"No records found."}}}"#.utf8))
        #expect(AuthorizeNetResponse.error(ok) == nil)
        #expect(AuthorizeNetResponse.list(try JSONParser.parse(#"{"transId":"1"}"#)).count == 1)
        #expect(AuthorizeNetResponse.list(try JSONParser.parse(#"{"batch":[{"batchId":"1"},{"batchId":"2"}]}"#), item: "batch").count == 2)
        #expect(AuthorizeNetResponse.list(nil).isEmpty)
    }
}
