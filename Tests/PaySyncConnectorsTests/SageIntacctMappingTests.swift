import Foundation
import PaySyncCore
import Testing
@testable import PaySyncConnectors

/// Sage Intacct: the status table in docs/connectors/sage-intacct.md, and the gateway's answers
/// as the official SDKs' fixtures show them (failures with HTTP 200 in three places).
@Suite struct SageIntacctMappingTests {
    static let zone = TimeZone(identifier: "America/Los_Angeles")!

    static func invoice(state: String = "Posted", entered: String = "500.00", paid: String = "0.00", due: String = "500.00") throws -> Observation {
        try SageIntacctMapping.invoice([
            "RECORDNO": "101", "RECORDID": "INV-1001", "STATE": state, "CUSTOMERID": "CUST-1", "CUSTOMERNAME": "Acme Co", "WHENCREATED": "06/01/2026",
            "WHENDUE": "07/01/2026", "WHENMODIFIED": "06/02/2026 09:15:00", "TOTALENTERED": entered, "TOTALPAID": paid, "TOTALDUE": due,
            "TRX_TOTALENTERED": entered, "TRX_TOTALPAID": paid, "TRX_TOTALDUE": due, "CURRENCY": "USD", "BASECURR": "USD",
        ], company: "acme-co", zone: zone)
    }

    @Test(arguments: [("Posted", "500.00", "0.00", "500.00", "sent"), ("Partially Paid", "500.00", "200.00", "300.00", "partially_paid"),
                      ("Paid", "500.00", "500.00", "0.00", "paid"), ("Draft", "500.00", "0.00", "500.00", "draft"),
                      ("Reversed", "500.00", "0.00", "500.00", "voided"), ("Posted", "500.00", "600.00", "-100.00", "unknown:Posted: TOTALPAID 60000 of TOTALENTERED 50000, TOTALDUE -10000")])
    func invoices(state: String, entered: String, paid: String, due: String, expected: String) throws {
        let invoice = try Self.invoice(state: state, entered: entered, paid: paid, due: due)
        #expect(invoice.status.rawValue == expected)
        #expect(invoice.key.description == "sage-intacct:acme-co:invoice:101" && invoice.invoiceNumber == "INV-1001")
        #expect(invoice.dueDate == CalendarDate(iso: "2026-07-01") && invoice.documentDate == CalendarDate(iso: "2026-06-01"))
        #expect(invoice.updatedAt == Timestamp(iso: "2026-06-02T16:15:00Z"), "company time, PDT")
    }

    @Test func theTransactionCurrencyIsUsedWhereItIsGiven() throws {
        let invoice = try SageIntacctMapping.invoice(["RECORDNO": "7", "STATE": "Posted", "TOTALENTERED": "1000.00", "TOTALPAID": "0", "TOTALDUE": "1000.00",
                                                      "TRX_TOTALENTERED": "850.00", "TRX_TOTALPAID": "0", "TRX_TOTALDUE": "850.00", "CURRENCY": "EUR", "BASECURR": "USD"],
                                                     company: "acme-co", zone: Self.zone)
        #expect(invoice.total?.description == "850.00 EUR")
    }

    static func answer(_ body: String) throws -> SageIntacctXML.Answer {
        try SageIntacctXML.answer(Data(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + body).utf8))
    }

    static let control = "<control><status>success</status><senderid>testsenderid</senderid><controlid>ControlIdHere</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>"
    static let authenticated = "<authentication><status>success</status><userid>fakeuser</userid><companyid>fakecompany</companyid></authentication>"

    @Test func aSingleRecordIsStillAList() throws {
        let answer = try Self.answer("<response>\(Self.control)<operation>\(Self.authenticated)<result><status>success</status><function>readByQuery</function><controlid>func1UnitTest</controlid><data listtype=\"customer\" count=\"1\" totalcount=\"1\" numremaining=\"0\" resultId=\"\"><customer><CUSTOMERID>C0001</CUSTOMERID><NAME>Intacct Corporation</NAME></customer></data></result></operation></response>")
        #expect(answer.records == [["CUSTOMERID": "C0001", "NAME": "Intacct Corporation"]] && answer.numRemaining == 0 && answer.resultID == nil)
    }

    @Test func failuresAreFoundInEachOfTheThreePlaces() throws {
        let errors = "<errormessage><error><errorno>XL03000006</errorno><description></description><description2>Sign-in information is incorrect</description2><correction></correction></error></errormessage>"
        #expect(throws: SageIntacctXML.Failure(place: .control, number: "XL03000006", message: "Sign-in information is incorrect")) {
            try Self.answer("<response><control><status>failure</status><senderid>s</senderid><controlid>c</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>\(errors)</response>")
        }
        #expect(throws: SageIntacctXML.Failure(place: .authentication, number: "XL03000006", message: "Sign-in information is incorrect")) {
            try Self.answer("<response>\(Self.control)<operation><authentication><status>failure</status><userid>fakeuser</userid><companyid>fakecompany</companyid></authentication>\(errors)</operation></response>")
        }
        let throttled = try #require(throws: SageIntacctXML.Failure.self) {
            try Self.answer("<response>\(Self.control)<operation>\(Self.authenticated)<result><status>failure</status><function>readByQuery</function><controlid>x</controlid><errormessage><error><errorno>XL03000010</errorno><description>Please Try Again Later</description><description2></description2><correction></correction></error></errormessage></result></operation></response>")
        }
        #expect(throttled.place == .result && throttled.isTemporary)
    }

    @Test func aRequestEscapesWhatItCarries() throws {
        let data = SageIntacctXML.request(sender: .init(id: "s&p", password: "p<w>"), authentication: .session("abc"), controlID: "c1",
                                          function: SageIntacctXML.readByQuery(object: "ARINVOICE", fields: ["RECORDNO"], query: "WHENMODIFIED >= '06/02/2026 09:15:00'", pageSize: 1000))
        let tree = try XMLTree.parse(data)
        #expect(tree.at("control/senderid")?.text == "s&p" && tree.at("control/password")?.text == "p<w>")
        #expect(tree.at("operation/content/function/readByQuery/query")?.text == "WHENMODIFIED >= '06/02/2026 09:15:00'")
    }
}
