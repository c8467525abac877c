import PaySyncCore

/// Stripe amounts: integers in the currency's smallest unit, the currency in lower case. For
/// nearly every currency Stripe's unit is ISO 4217's (cents; whole yen for JPY; thousandths for
/// KWD, BHD, JOD, OMR, TND), so the integer is the minor units as they are. Two currencies are
/// written with two decimals although ISO gives them none, for backwards compatibility (Stripe's
/// "special cases": ISK and UGX, `100` is 1 króna): those are divided by 100, exactly or not at all.
enum StripeAmount {
    /// Stripe's decimals where they differ from ISO 4217's.
    static let stripeExponent: [String: Int] = ["ISK": 2, "UGX": 2]

    static func currency(_ code: String, field: String) throws(ObjectRejection) -> Currency {
        guard let currency = Currency(code: code.uppercased()) else {
            throw ObjectRejection(MoneyError(field: field, text: code, reason: .unknownCurrency))
        }
        return currency
    }

    static func money(_ amount: Int64?, _ currency: Currency, field: @autoclosure () -> String) throws(ObjectRejection) -> Money? {
        guard let amount else { return nil }
        guard let wire = stripeExponent[currency.code], wire > currency.exponent else {
            return Money(minorUnits: amount, currency: currency)
        }
        var divisor: Int64 = 1
        for _ in 0..<(wire - currency.exponent) { divisor *= 10 }
        guard amount % divisor == 0 else {
            throw ObjectRejection(field: field(), text: String(amount), reason: "Stripe writes \(currency.code) with \(wire) decimals in whole units; \(amount) is not a whole amount")
        }
        return Money(minorUnits: amount / divisor, currency: currency)
    }
}
