import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncConnectors

/// Statement files: camt.053 in both versions banks send, a bank's CSV export in its declared
/// layout, and files refused whole with the line or element that is wrong.
@Suite struct StatementParserTests {
    static let gbp = Currency(code: "GBP")!

    func camt(_ name: String) throws -> [StatementEntry] {
        try Camt053Parser.parse(Repository.fixture("statements/\(name)"), file: name).entries
    }

    @Test func camt053Version02() throws {
        let parsed = try Camt053Parser.parse(Repository.fixture("statements/camt053-001-02.xml"), file: "a.xml")
        #expect(parsed.account == "GB33BUKB20201555555555")
        let entries = parsed.entries
        #expect(entries.count == 3)
        let first = entries[0]
        #expect(first.amount == Money(minorUnits: 10_000, currency: Self.gbp) && first.isCredit && first.isBooked)
        #expect(first.bankReference == "BUKB-20250501-000731" && first.bookingDate.description == "2025-05-01")
        #expect(first.remittance == ["INV-0042 THANK YOU"] && first.counterpartyName == "ACME LTD")
        #expect(first.counterpartyAccount == "GB94BARC10201530093459" && first.reference == nil, "NOTPROVIDED is no reference")
        #expect(!entries[2].isCredit && entries[2].remittance == ["OFFICE SUPPLIES"])
    }

    @Test func camt053Version08() throws {
        let entries = try camt("camt053-001-08.xml")
        #expect(entries.count == 2)
        #expect(entries[0].amount.decimalText == "80.00" && entries[0].amount.currency.code == "EUR")
        #expect(entries[0].bookingDate.description == "2025-05-01" && entries[0].counterpartyName == "Umbrella GmbH")
        #expect(entries[0].reference == "RF18INV0050", "the structured creditor reference")
        #expect(!entries[1].isBooked)
        // As observations: credits booked only, keyed by the bank's reference.
        let mapped = StatementMapping.observations(entries, account: "bank-de")
        #expect(mapped.observations.map(\.key.description) == ["statement:bank-de:bank_transaction:2025050112345678"])
        #expect(mapped.outOfScope == 1)
        #expect(mapped.observations[0][text: .counterpartyAccount] == "…2051", "the payer's account masked to its last four")
    }

    @Test func aTruncatedFileIsRefusedWholeNamingTheLine() {
        let error = #expect(throws: StatementError.self) { try camt("camt053-truncated.xml") }
        #expect(error?.location.hasPrefix("line ") == true && error?.message.contains("not well-formed XML") == true, "\(String(describing: error))")
        let notCamt = #expect(throws: StatementError.self) { try Camt053Parser.parse(Data("<html><body/></html>".utf8), file: "x.xml") }
        #expect(notCamt?.message.contains("not a camt.053 statement") == true)
        let badAmount = String(decoding: Repository.fixture("statements/camt053-001-02.xml"), as: UTF8.self).replacingOccurrences(of: ">100.00<", with: ">100.005<")
        let amount = #expect(throws: StatementError.self) { try Camt053Parser.parse(Data(badAmount.utf8), file: "b.xml") }
        #expect(amount?.location.hasPrefix("Ntry 1 (line ") == true && amount?.message.contains("Amt") == true, "\(String(describing: amount))")
    }

    static let layout: StatementSettings.CSVLayout = {
        var layout = StatementSettings.CSVLayout(date: "Buchungstag", amount: "Umsatz")
        (layout.delimiter, layout.decimalComma, layout.dateFormat) = (";", true, "dd.MM.yyyy")
        (layout.currency, layout.reference, layout.counterparty, layout.id) = ("Waehrung", "Verwendungszweck", "Auftraggeber", "Referenz")
        return layout
    }()

    @Test func aBanksCSVExportInItsDeclaredLayout() throws {
        let text = String(decoding: Repository.fixture("statements/bank-export.csv"), as: UTF8.self)
        let entries = try CSVStatementParser.parse(text, layout: Self.layout, currency: nil, file: "bank-export.csv")
        #expect(entries.map(\.amount.decimalText) == ["100.00", "1250.50", "1000.00"])
        #expect(entries.map(\.isCredit) == [true, false, true])
        #expect(entries[0].remittance == ["INV-0042; Restzahlung"], "a quoted field may hold the delimiter")
        #expect(entries[2].remittance == ["Sammel \"INV-0043\""], "doubled quotes")
        #expect(entries[0].bookingDate.description == "2025-05-02" && entries[0].bankReference == "R-0001" && entries[0].location == "line 2")
    }

    @Test func aCSVLineThatCannotBeReadRefusesTheFile() {
        let text = String(decoding: Repository.fixture("statements/bank-export-bad-date.csv"), as: UTF8.self)
        let error = #expect(throws: StatementError.self) { try CSVStatementParser.parse(text, layout: Self.layout, currency: nil, file: "f.csv") }
        #expect(error?.description == "f.csv: line 3, column \"Buchungstag\": \"31.02.2025\" is not a date in the format dd.MM.yyyy")
        let missing = #expect(throws: StatementError.self) {
            try CSVStatementParser.parse("Datum;Betrag\n01.05.2025;1,00\n", layout: Self.layout, currency: Self.gbp, file: "g.csv")
        }
        #expect(missing?.message.hasPrefix("no column \"Buchungstag\"") == true)
        let short = #expect(throws: StatementError.self) {
            try CSVStatementParser.parse("Buchungstag;Umsatz;Waehrung;Verwendungszweck;Auftraggeber;Referenz\n01.05.2025;1,00\n", layout: Self.layout, currency: Self.gbp, file: "h.csv")
        }
        #expect(short?.description == "h.csv: line 2: 2 fields where the header has 6")
    }

    @Test func identicalLinesWithoutABankReferenceStayTwoTransactions() {
        let entry = StatementEntry(bankReference: nil, amount: Money(minorUnits: 500, currency: Self.gbp), isCredit: true, isBooked: true,
                                   bookingDate: CalendarDate(iso: "2025-05-01")!, valueDate: nil, remittance: ["COFFEE CLUB"], reference: nil,
                                   counterpartyName: "J DOE", counterpartyAccount: nil, location: "line 2")
        let once = StatementMapping.observations([entry, entry], account: "acct").observations.map(\.key.externalID)
        let again = StatementMapping.observations([entry, entry], account: "acct").observations.map(\.key.externalID)
        #expect(once.count == 2 && Set(once).count == 2, "two same-day payments are two")
        #expect(once == again, "and the same two on a second import")
    }
}
