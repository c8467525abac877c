/// An ISO 4217 currency and the number of digits after the decimal point in its minor unit
/// (JPY 0, USD 2, KWD 3, CLF 4).
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// The three-letter code, upper case.
    public let code: String
    /// Digits in the minor unit: an amount of 12.34 USD is 1234 minor units.
    public let exponent: Int

    /// The currency with this ISO 4217 code, or nil when the code is neither an active ISO 4217
    /// code nor a withdrawn one that providers still send (`withdrawn`). Lower-case input is
    /// accepted.
    public init?(code: String) {
        if let exponent = Currency.exponents[code] {
            self.code = code
            self.exponent = exponent
            return
        }
        let upper = code.uppercased()
        guard let exponent = Currency.exponents[upper] else { return nil }
        self.code = upper
        self.exponent = exponent
    }

    public var description: String { code }

    /// Whether ISO 4217 has withdrawn this code (it is on list three, historic denominations):
    /// old invoices still carry it, and providers still send it.
    public var isWithdrawn: Bool { Currency.withdrawnCodes.contains(code) }

    /// 10 raised to the exponent: the number of minor units in one major unit.
    public var minorUnitsPerMajorUnit: Int64 {
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Active ISO 4217 codes (list of 2024) with their minor-unit exponents.
    static let exponents: [String: Int] = {
        var table: [String: Int] = [:]
        let zero = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
        let three = "BHD IQD JOD KWD LYD OMR TND"
        let four = "CLF UYW"
        let two = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN \
            BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP \
            GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK \
            LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK \
            NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD \
            SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG \
            YER ZAR ZMW ZWG ZWL
            """
        for (codes, exponent) in [(zero, 0), (two, 2), (three, 3), (four, 4)] {
            for code in codes.split(separator: " ") { table[String(code)] = exponent }
        }
        table.merge(withdrawn) { active, _ in active }
        return table
    }()

    /// Withdrawn ISO 4217 codes (list three) with the exponents ISO gave them while they were in
    /// use, for the records that still carry them: the eleven an accounting API's published
    /// currency enum still lists beside the active codes (the source is named in
    /// docs/architecture.md, under Money).
    static let withdrawn: [String: Int] = [
        "BYR": 0,  // Belarusian ruble, 2000–2016 (now BYN)
        "EEK": 2,  // Estonian kroon, to 2011 (now EUR)
        "HRK": 2,  // Croatian kuna, to 2023 (now EUR)
        "LTL": 2,  // Lithuanian litas, to 2015 (now EUR)
        "LVL": 2,  // Latvian lats, to 2014 (now EUR)
        "MRO": 2,  // Mauritanian ouguiya, to 2018 (now MRU)
        "SKK": 2,  // Slovak koruna, to 2009 (now EUR)
        "STD": 2,  // São Tomé and Príncipe dobra, to 2018 (now STN)
        "VEF": 2,  // Venezuelan bolívar fuerte, to 2018 (now VES)
        "ZMK": 2,  // Zambian kwacha, to 2013 (now ZMW)
        "ZWD": 2,  // Zimbabwean dollar, to 2009
    ]

    private static let withdrawnCodes = Set(withdrawn.keys)
}
