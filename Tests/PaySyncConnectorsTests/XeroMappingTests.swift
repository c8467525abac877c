import Foundation
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncConnectors

@Suite struct XeroDateTests {
    @Test("Xero dates parse exactly", arguments: [
        ("/Date(1573755038314+0000)/", Int64(1_573_755_038_314)),
        ("/Date(1746176000000)/", 1_746_176_000_000),
        ("/Date(1573755038314+1300)/", 1_573_755_038_314),
        ("/Date(-86400000+0000)/", -86_400_000),
        ("2019-11-14T18:10:38.314", 1_573_755_038_314),
    ])
    func timestamps(text: String, milliseconds: Int64) {
        #expect(XeroDate.timestamp(text)?.millisecondsSinceEpoch == milliseconds)
    }

    @Test func malformedDatesAreNil() {
        #expect(XeroDate.timestamp("/Date(abc)/") == nil)
        #expect(XeroDate.timestamp("/Date(1573755038314") == nil)
        #expect(XeroDate.timestamp("yesterday") == nil)
    }

    @Test func dateOnlyFieldsAreTheUTCDay() {
        #expect(XeroDate.calendarDate("/Date(1746057600000+0000)/")?.description == "2025-05-01")
        #expect(XeroDate.calendarDate("2025-05-01T00:00:00")?.description == "2025-05-01")
    }

    @Test func ifModifiedSinceIsWholeSecondsUTCWithoutZone() {
        #expect(XeroDate.ifModifiedSince(Timestamp(millisecondsSinceEpoch: 1_573_755_038_314)) == "2019-11-14T18:10:38")
    }
}

func decodeFixture(_ name: String, entity: XeroEntity, today: CalendarDate = CalendarDate(year: 2025, month: 5, day: 2)!) throws -> SourcePage {
    try fetchFixture(name, entity: entity, today: today).page
}

func fetchFixture(_ name: String, entity: XeroEntity, today: CalendarDate = CalendarDate(year: 2025, month: 5, day: 2)!) throws -> FetchedPage {
    let source = XeroSource(name: "xero-uk", settings: XeroSettings(tenants: ["tenant-a"]),
                            client: HTTPClient(transport: FixtureStub()), tokens: StaticTokenProvider(Secret("x")))
    return try source.decodePage(Repository.fixture("xero/\(name)"), entity: entity, tenant: "tenant-a", page: 1, today: today)
}

struct FixtureStub: HTTPTransport {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse { HTTPResponse(status: 500) }
}

@Suite struct XeroMappingTests {
    @Test func statusTableFixtureMapsEveryRow() throws {
        let page = try decodeFixture("invoices-status-table.json", entity: .invoices)
        #expect(page.observations.map(\.status) == [.draft, .draft, .sent, .overdue, .partiallyPaid, .paid, .voided, .voided, .voided])
        #expect(page.outOfScope == 1)  // the ACCPAY bill
        #expect(page.rejects.isEmpty)
        // The page states it is the only one, so the loop asks for no second page.
        #expect(PageLoop.nextPosition(.pageNumber(size: 1000), after: .number(1), fetched: try fetchFixture("invoices-status-table.json", entity: .invoices)) == nil)
        #expect(page.lastID == "0a0e2a5e-0000-4000-a000-000000000010")
        #expect(page.servedAt == Timestamp(millisecondsSinceEpoch: 1_746_176_000_000))
    }

    @Test func invoiceFieldsAreExact() throws {
        let page = try decodeFixture("invoices-status-table.json", entity: .invoices)
        let partly = try #require(page.observations.first { $0.invoiceNumber == "INV-0042" })
        #expect(partly.key.description == "xero:tenant-a:invoice:7ef31b20-de17-4312-8382-412f869b1510")
        #expect(partly.total?.decimalText == "1200.00")
        #expect(partly.paid?.decimalText == "750.00")
        #expect(partly.due?.decimalText == "450.00")
        #expect(partly.currency?.code == "GBP")
        #expect(partly.customerEmail == "ap@acme.example")
        #expect(partly.dueDate?.description == "2025-05-01")
        #expect(partly.documentDate?.description == "2025-04-01")
        #expect(partly.lastPaymentDate?.description == "2025-04-20")
        #expect(partly.lastPaymentID == "99ea7f6b-c513-4066-bc27-b7c65dcd76c2")
        #expect(partly.updatedAt == Timestamp(millisecondsSinceEpoch: 1_745_159_009_000))
        #expect(partly.providerStatus == "AUTHORISED")

        let yen = try #require(page.observations.first { $0.invoiceNumber == "INV-0006" })
        #expect(yen.total == Money(minorUnits: 165_000, currency: Currency(code: "JPY")!))
        #expect(yen.lastPaymentID == "5b1f0c2a-2222-4b3c-8d4e-000000000062")
    }

    /// Old invoices in currencies ISO 4217 has withdrawn (Xero still lists eleven) map like any
    /// other, with the exponent the currency had: they are not quarantined.
    @Test func invoicesInWithdrawnCurrenciesMap() throws {
        let page = try decodeFixture("invoices-withdrawn-currencies.json", entity: .invoices)
        #expect(page.rejects.isEmpty)
        #expect(page.observations.map(\.status) == [.paid, .overdue])
        let kuna = try #require(Currency(code: "HRK"))
        #expect(page.observations[0].total == Money(minorUnits: 100_000, currency: kuna))
        #expect(page.observations[0].paid == Money(minorUnits: 100_000, currency: kuna))
        let rubles = try #require(Currency(code: "BYR"))
        #expect(page.observations[1].due == Money(minorUnits: 1_500_000, currency: rubles))
        #expect(page.observations[1].due?.decimalText == "1500000")
    }

    /// Xero's AmountCredited adds up credit notes, overpayments and prepayments, and marks an
    /// invoice PAID when they cover it. Money paid in advance is money received (paid, or part
    /// paid); only credit notes with no money make an invoice voided.
    @Test func invoicesSettledInAdvanceArePaidAndOnlyCreditNotesVoid() throws {
        let page = try decodeFixture("invoices-settled-in-advance.json", entity: .invoices)
        #expect(page.rejects.isEmpty)
        let byNumber = Dictionary(uniqueKeysWithValues: page.observations.map { ($0.invoiceNumber ?? "", $0) })
        let nzd = try #require(Currency(code: "NZD"))
        let expected: [(String, PaymentStatus, Int64, Int64)] = [
            ("INV-0004", .paid, 100, 0),            // Xero's own prepayment example, applied in full
            ("INV-0021", .voided, 0, 0),            // a credit note covers it: nothing was paid
            ("INV-0022", .paid, 50_000, 0),         // an overpayment applied
            ("INV-0023", .paid, 6_000, 0),          // a credit note of 40 and a prepayment of 60
            ("INV-0024", .partiallyPaid, 40_000, 60_000),  // a prepayment covers part
            ("INV-0025", .overdue, 0, 70_000),      // a credit note covers part; nothing received
        ]
        for (number, status, paid, due) in expected {
            let observation = try #require(byNumber[number], "\(number)")
            #expect(observation.status == status, "\(number)")
            #expect(observation.paid == Money(minorUnits: paid, currency: nzd), "\(number)")
            #expect(observation.due == Money(minorUnits: due, currency: nzd), "\(number)")
        }
        #expect(byNumber["INV-0004"]?.lastPaymentDate?.description == "2019-03-13", "paid in advance: the day it was fully paid")
    }

    @Test func badObjectsAreRejectedOneByOneWithWhereAndWhy() throws {
        let page = try decodeFixture("invoices-bad-objects.json", entity: .invoices)
        #expect(page.observations.map(\.invoiceNumber) == ["INV-0101", "INV-0104"])
        #expect(page.observations.last?.status == .unknown("ON_HOLD"))
        #expect(page.rejects.count == 2)
        #expect(page.rejects[0].externalID == "b0b0b0b0-0000-4000-a000-000000000002")
        #expect(page.rejects[0].error == "Invoices[1] (InvoiceID b0b0b0b0-0000-4000-a000-000000000002).Total: 12.345 has more than 2 fraction digits, the most GBP allows")
        #expect(page.rejects[1].externalID == nil)
        #expect(page.rejects[1].error == "Invoices[2]: missing InvoiceID")
    }

    @Test func malformedJSONIsADataErrorWithLineAndColumn() throws {
        let error = #expect(throws: SourceError.self) { try decodeFixture("invoices-malformed.json", entity: .invoices) }
        #expect(error?.exitCode == .dataError)
        #expect(error?.description.hasPrefix("xero-uk: tenant tenant-a /Invoices page 1, line 1 column ") == true)
        #expect(error?.description.hasSuffix("line 1 column 347: malformed JSON: expected a string key, found end of input") == true)
    }

    @Test func paymentsAndRefunds() throws {
        let page = try decodeFixture("payments-mixed.json", entity: .payments)
        #expect(page.observations.map(\.key.kind) == [.payment, .payment, .refund])
        #expect(page.observations.map(\.status) == [.paid, .voided, .refunded])
        #expect(page.outOfScope == 1)
        let payment = page.observations[0]
        #expect(payment.total?.description == "750.00 GBP")
        #expect(payment.invoiceNumber == "INV-0042")
        #expect(payment.documentDate?.description == "2025-04-20")
        let refund = page.observations[2]
        #expect(refund.total?.description == "2.00 NZD")
        #expect(refund.invoiceNumber == "CN-0014")
    }

    /// What JSONDecoder reads is what the fixtures say: compare with our exact parser.
    @Test func amountsMatchTheFixtureTextExactly() throws {
        let data = Repository.fixture("xero/invoices-status-table.json")
        let raw = try JSONParser.parse(data)
        let page = try decodeFixture("invoices-status-table.json", entity: .invoices)
        for observation in page.observations {
            let object = try #require(raw["Invoices"]?.arrayValue?.first { $0["InvoiceID"]?.stringValue == observation.key.externalID })
            let currency = try #require(observation.currency)
            #expect(observation.total == (try Money(parsing: #require(object["Total"]?.numberText), currency: currency, field: "Total")))
            #expect(observation.due == (try Money(parsing: #require(object["AmountDue"]?.numberText), currency: currency, field: "AmountDue")))
        }
    }
}
