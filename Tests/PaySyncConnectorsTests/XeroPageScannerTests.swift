import Foundation
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncConnectors

/// `XeroPageScanner` must read exactly what `JSONDecoder` reads.
@Suite struct XeroPageScannerTests {
    func expectSame<Element: Equatable>(_ scanned: XeroPage<Element>, _ decoded: XeroPage<Element>, _ label: String) {
        #expect(scanned.dateTimeUTC == decoded.dateTimeUTC, "\(label)")
        #expect(scanned.pagination == decoded.pagination, "\(label)")
        #expect(scanned.elements.count == decoded.elements.count, "\(label)")
        for (index, (a, b)) in zip(scanned.elements, decoded.elements).enumerated() {
            switch (a.result, b.result) {
            case (.success(let x), .success(let y)):
                #expect(x == y, "\(label) element \(index)")
            case (.failure(let x), .failure(let y)):
                #expect(x.id == y.id, "\(label) element \(index) failed on both, with different ids")
                if y.reason.hasPrefix("missing ") { #expect(x.reason == y.reason, "\(label) element \(index)") }
            default:
                Issue.record("\(label) element \(index): scanner \(a.result), JSONDecoder \(b.result)")
            }
        }
    }

    func compare(_ body: Data, resource: String, _ label: String) throws {
        if resource == "Invoices" {
            expectSame(try XeroPageScanner.invoices(body), try XeroSource.decodeWithJSONDecoder(body, resource: resource, as: XeroInvoice.self), label)
        } else {
            expectSame(try XeroPageScanner.payments(body), try XeroSource.decodeWithJSONDecoder(body, resource: resource, as: XeroPayment.self), label)
        }
    }

    @Test func everyXeroFixtureReadsTheSame() throws {
        let directory = Repository.path("fixtures/xero")
        // Ours and those copied from Xero's OpenAPI specification (openapi/).
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") && !$0.contains("malformed") }
        #expect(files.count >= 11)
        for file in files {
            let name = (file as NSString).lastPathComponent
            try compare(Repository.fixture("xero/\(file)"), resource: name.hasPrefix("payment") ? "Payments" : "Invoices", file)
        }
    }

    @Test func everyRecordedDemoResponseReadsTheSame() throws {
        let root = Repository.path("fixtures/demo")
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix("Invoices.http") || $0.hasSuffix("Payments.http") }
        #expect(files.count == 6)
        for file in files {
            let exchange = try RecordedExchange.parse(String(contentsOfFile: root + "/" + file, encoding: .utf8), file: file)
            try compare(exchange.response.body, resource: file.hasSuffix("Invoices.http") ? "Invoices" : "Payments", file)
        }
    }

    @Test func thousandsOfGeneratedObjectsReadTheSame() throws {
        let server = try FakeXeroServer(tenants: ["t"])
        var generator = XeroDataGenerator(seed: 99)
        let data = generator.dataset(objects: 3000, start: server.now)
        server.put(invoices: data.invoices, tenant: "t")
        server.put(payments: data.payments, tenant: "t")
        for (index, page) in server.pageBodies(tenant: "t", resource: "Invoices", pageSize: 500).enumerated() { try compare(page, resource: "Invoices", "invoices page \(index)") }
        for (index, page) in server.pageBodies(tenant: "t", resource: "Payments", pageSize: 500).enumerated() { try compare(page, resource: "Payments", "payments page \(index)") }
    }

    @Test("edge cases read the same", arguments: [
        #"{"Invoices":[{"Type":"ACCREC","InvoiceID":"a\"b\\c","InvoiceNumber":"INV-\u00e9\ud83d\ude00","Status":"PAID","UpdatedDateUTC":"/Date(1)/","Contact":{"Name":"Ünïcødé","EmailAddress":null}}]}"#,
        #"{"Invoices":[{"Type":"ACCREC","InvoiceID":"x","Status":"AUTHORISED","UpdatedDateUTC":"u","Total":1e2,"AmountDue":-0.0,"AmountPaid":0.30000000000000004,"Payments":[]}]}"#,
        #"{"Invoices":[{"InvoiceID":"no-type","Status":"PAID","UpdatedDateUTC":"u"},{"Type":"ACCREC","InvoiceID":"ok","Status":"PAID","UpdatedDateUTC":"u"}]}"#,
        #"{"Invoices":[{"Type":"ACCREC","InvoiceID":"wrong-total","Status":"PAID","UpdatedDateUTC":"u","Total":"12.50"}]}"#,
        #"{"Invoices":[{"Type":"ACCREC","InvoiceID":"wrong-payment","Status":"PAID","UpdatedDateUTC":"u","Payments":[{"Amount":"x"}]}]}"#,
        #"{"Invoices":[{"Type":"ACCREC","InvoiceID":"null-status","Status":null,"UpdatedDateUTC":"u"}]}"#,
        #"{"Invoices":[{"Type":"ACCREC","InvoiceID":"contact-string","Status":"PAID","UpdatedDateUTC":"u","Contact":"Acme"}]}"#,
        #"{"Invoices":null,"pagination":{"page":1,"pageSize":100,"pageCount":0,"itemCount":0}}"#,
        #"{"Id":"x","Status":"OK","Invoices":[],"Warnings":[{"Message":"w"}],"DateTimeUTC":"/Date(1746176000000)/"}"#,
        #"  {"Invoices" : [ { "Type" : "ACCREC" , "InvoiceID" : "ws" , "Status" : "PAID" , "UpdatedDateUTC" : "u" , "LineItems" : [ { "Tracking" : [ [ ] , { } ] } ] } ] }  "#,
    ])
    func edgeCase(json: String) throws {
        try compare(Data(json.utf8), resource: "Invoices", json)
    }

    @Test("payment edge cases read the same", arguments: [
        #"{"Payments":[{"PaymentID":"p","Status":"AUTHORISED","PaymentType":"ACCRECPAYMENT","UpdatedDateUTC":"u","IsReconciled":"yes"}]}"#,
        #"{"Payments":[{"PaymentID":"p","Status":"AUTHORISED","PaymentType":"ACCRECPAYMENT","UpdatedDateUTC":"u","Invoice":{"CurrencyCode":"GBP","Contact":null},"Amount":46.0}]}"#,
        #"{"Payments":[{"Status":"AUTHORISED","PaymentType":"ACCRECPAYMENT","UpdatedDateUTC":"u"}]}"#,
    ])
    func paymentEdgeCase(json: String) throws {
        try compare(Data(json.utf8), resource: "Payments", json)
    }

    @Test("malformed documents fail the page", arguments: [
        #"{"Invoices":[{"Type":"ACCREC",}]}"#, #"{"Invoices":[{"Type":"ACCREC""#, #"{"Invoices":[1 2]}"#, #"{"Invoices":[]} x"#, #"{"a":"\x"}"#, #"[]"#,
    ])
    func malformed(json: String) {
        #expect(throws: (any Error).self) { try XeroPageScanner.invoices(Data(json.utf8)) }
    }

    @Test("amounts compare by value", arguments: [("1250.10", "1250.1"), ("-5.00", "-5"), ("1e2", "100"), ("0.0", "0"), ("0.0500", "0.05"), ("120", "1.2e2")])
    func amounts(a: String, b: String) {
        #expect(WireAmount(text: a) == WireAmount(text: b))
        #expect(DecimalText.normalized(a) == DecimalText.normalized(b))
    }
}
