/// An ISO 4217 currency and the number of digits after the decimal point in its minor unit
/// (JPY 0, USD 2, KWD 3, CLF 4).
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// The three-letter code, upper case.
    public let code: String
    /// Digits in the minor unit: an amount of 12.34 USD is 1234 minor units.
    public let exponent: Int

    /// The currency with this ISO 4217 code, or nil when the code is not an active ISO 4217 code.
    /// Lower-case input is accepted.
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
        return table
    }()
}
