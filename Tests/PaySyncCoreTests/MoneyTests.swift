import Foundation
import Testing
@testable import PaySyncCore

@Suite struct MoneyTests {
    static let usd = Currency(code: "USD")!
    static let jpy = Currency(code: "JPY")!
    static let kwd = Currency(code: "KWD")!

    @Test("currency exponents follow ISO 4217", arguments: [("JPY", 0), ("USD", 2), ("GBP", 2), ("KWD", 3), ("BHD", 3), ("CLF", 4), ("eur", 2)])
    func currencyExponent(code: String, exponent: Int) throws {
        #expect(try #require(Currency(code: code)).exponent == exponent)
    }

    /// Old invoices carry codes ISO 4217 has withdrawn; Xero's API still lists eleven of them.
    /// Each is accepted with the exponent ISO gave it, and amounts in it parse exactly.
    @Test("withdrawn ISO 4217 codes keep their exponents", arguments: [
        ("BYR", 0, "1500", Int64(1_500)), ("EEK", 2, "12.50", 1_250), ("HRK", 2, "99.99", 9_999), ("LTL", 2, "10.01", 1_001),
        ("LVL", 2, "0.07", 7), ("MRO", 2, "300.00", 30_000), ("SKK", 2, "1.10", 110), ("STD", 2, "5.00", 500),
        ("VEF", 2, "2.50", 250), ("ZMK", 2, "7.77", 777), ("ZWD", 2, "1000000.00", 100_000_000), ("hrk", 2, "1.00", 100),
    ])
    func withdrawnCurrencies(code: String, exponent: Int, text: String, minorUnits: Int64) throws {
        let currency = try #require(Currency(code: code))
        #expect(currency.exponent == exponent)
        #expect(currency.isWithdrawn)
        #expect(currency.code == code.uppercased())
        #expect(try Money(parsing: text, currency: currency, field: "Total").minorUnits == minorUnits)
    }

    @Test func activeCodesAreNotWithdrawn() throws {
        #expect(try #require(Currency(code: "EUR")).isWithdrawn == false)
        #expect(try #require(Currency(code: "BYN")).isWithdrawn == false)
    }

    @Test func unknownCurrencyCodeIsRejected() {
        #expect(Currency(code: "XYZ") == nil)
        #expect(Currency(code: "") == nil)
    }

    @Test("decimal text parses to exact minor units", arguments: [
        ("1250.10", "USD", Int64(125_010)),
        ("0.1", "USD", 10),
        ("99999999999.99", "USD", 9_999_999_999_999),
        ("-5.00", "USD", -500),
        ("1250.100", "USD", 125_010),
        ("0.05", "USD", 5),
        ("1e2", "USD", 10_000),
        ("1.5E1", "USD", 1500),
        ("0", "USD", 0),
        ("-0.0", "USD", 0),
        ("1000", "JPY", 1000),
        ("1000.0", "JPY", 1000),
        ("1.250", "KWD", 1250),
        ("0.001", "KWD", 1),
        ("92233720368547758.07", "USD", Int64.max),
    ])
    func parsesExactly(text: String, code: String, minorUnits: Int64) throws {
        let money = try Money(parsing: text, currency: #require(Currency(code: code)), field: "Total")
        #expect(money.minorUnits == minorUnits)
    }

    @Test("too many fraction digits is an error naming the field", arguments: [
        ("10.005", "USD"), ("0.0000001", "USD"), ("1.5", "JPY"), ("0.0001", "KWD"),
    ])
    func rejectsExtraFractionDigits(text: String, code: String) throws {
        let currency = try #require(Currency(code: code))
        let error = #expect(throws: MoneyError.self) { try Money(parsing: text, currency: currency, field: "Invoices[3].AmountDue") }
        #expect(error?.description.hasPrefix("Invoices[3].AmountDue: \(text) has more than") == true)
        #expect(error?.exitCode == .dataError)
    }

    @Test("text that is not a number is rejected", arguments: ["", "abc", "1,000.00", "--1", "1.2.3", "e5", "1e", "NaN", " 1"])
    func rejectsNonNumbers(text: String) {
        #expect(throws: MoneyError.self) { try Money(parsing: text, currency: MoneyTests.usd, field: "Total") }
    }

    @Test func overflowIsAnErrorNotAWrap() {
        #expect(throws: MoneyError.self) { try Money(parsing: "92233720368547758.08", currency: MoneyTests.usd, field: "Total") }
        #expect(throws: MoneyError.self) { try Money(parsing: "1e300", currency: MoneyTests.usd, field: "Total") }
    }

    @Test("formats with exactly the currency's digits", arguments: [
        (Int64(125_010), "USD", "1250.10"), (-500, "USD", "-5.00"), (5, "USD", "0.05"), (0, "USD", "0.00"),
        (1000, "JPY", "1000"), (1250, "KWD", "1.250"), (-1, "KWD", "-0.001"), (Int64.min, "USD", "-92233720368547758.08"),
    ])
    func formats(minorUnits: Int64, code: String, text: String) throws {
        #expect(Money(minorUnits: minorUnits, currency: try #require(Currency(code: code))).decimalText == text)
    }

    /// JSON numbers that a `Double` rounds must come through `Decimal` (JSONDecoder) exactly.
    @Test("JSON numbers a Double would round stay exact", arguments: [
        ("0.30000000000000004", "KWD", nil as Int64?),  // more digits than KWD has: refused, not rounded to 0.300
        ("12345678901234567.89", "USD", 1_234_567_890_123_456_789),
        ("9007199254740993.01", "USD", 900_719_925_474_099_301),
        ("0.10", "USD", 10),
    ])
    func jsonNumbersViaDecimal(json: String, code: String, expected: Int64?) throws {
        struct Wire: Decodable { var amount: Decimal }
        let wire = try JSONDecoder().decode(Wire.self, from: Data("{\"amount\": \(json)}".utf8))
        let currency = try #require(Currency(code: code))
        if let expected {
            #expect(try Money(exactly: wire.amount, currency: currency, field: "amount").minorUnits == expected)
            // The same number through Double is not exact: this is why Double is never used.
            if expected > 1 << 53 { #expect(Int64(Double(json)! * 100) != expected) }
        } else {
            #expect(throws: MoneyError.self) { try Money(exactly: wire.amount, currency: currency, field: "amount") }
        }
    }

    @Test func roundTripOfManyAmountsIsExact() throws {
        for cents in stride(from: Int64(-100_000), through: 100_000, by: 7) {
            let money = Money(minorUnits: cents, currency: MoneyTests.usd)
            #expect(try Money(parsing: money.decimalText, currency: MoneyTests.usd, field: "x") == money)
        }
    }
}
