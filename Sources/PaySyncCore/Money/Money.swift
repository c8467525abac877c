import Foundation

/// An exact amount of money: a signed count of the currency's minor units (cents, pence, fils).
///
/// Amounts from providers are parsed from their decimal text, never through `Double`, so
/// `0.1 + 0.2` is exactly `0.30`. An amount with more fraction digits than its currency has
/// (`10.005 USD`) is rejected rather than rounded.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public var minorUnits: Int64
    public var currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses decimal text such as `1250.10`, `-5.00`, `0.1` or `1e2` exactly.
    /// - Parameter field: where the text came from (`Invoices[3].AmountDue`); named in errors.
    public init(parsing text: String, currency: Currency, field: String) throws(MoneyError) {
        self.init(
            minorUnits: try DecimalText.minorUnits(of: text, exponent: currency.exponent, field: field, currency: currency.code),
            currency: currency
        )
    }

    /// Converts a `Decimal` (as `JSONDecoder` produces it, exact by value) without rounding.
    public init(exactly value: Decimal, currency: Currency, field: String) throws(MoneyError) {
        try self.init(parsing: value.description, currency: currency, field: field)
    }

    /// The amount as plain decimal text with exactly the currency's fraction digits:
    /// `1250.10`, `-5.00`, `1000` (JPY), `1.250` (KWD). This is the form CRMs are sent.
    public var decimalText: String {
        DecimalText.format(minorUnits: minorUnits, exponent: currency.exponent)
    }

    /// `1250.10 GBP`.
    public var description: String { "\(decimalText) \(currency.code)" }

    public var isZero: Bool { minorUnits == 0 }
}

/// Why a piece of decimal text is not an exact amount of money.
public struct MoneyError: PaySyncError, Equatable {
    public enum Reason: Equatable, Sendable {
        case notANumber
        case unknownCurrency
        case tooManyFractionDigits(currency: String, allowed: Int)
        case outOfRange
    }

    public var field: String
    public var text: String
    public var reason: Reason

    public init(field: String, text: String, reason: Reason) {
        self.field = field
        self.text = text
        self.reason = reason
    }

    public var exitCode: ExitCode { .dataError }

    public var description: String {
        switch reason {
        case .notANumber:
            "\(field): \"\(text)\" is not a decimal number"
        case .unknownCurrency:
            "\(field): \"\(text)\" is not an ISO 4217 currency code"
        case .tooManyFractionDigits(let currency, let allowed):
            "\(field): \(text) has more than \(allowed) fraction digit\(allowed == 1 ? "" : "s"), the most \(currency) allows"
        case .outOfRange:
            "\(field): \(text) is too large to hold exactly"
        }
    }
}
