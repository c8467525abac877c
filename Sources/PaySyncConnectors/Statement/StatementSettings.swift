import PaySyncCore

/// A bank account whose statements arrive as files (`"kind": "statement"`): ISO 20022 camt.053,
/// or CSV in the layout declared here. `paysync import-statement FILE --account NAME` reads one.
/// `docs/connectors/statements.md`.
public struct StatementSettings: SourceSettings, Equatable {
    /// How the account is named in object keys (`statement:ACCOUNT:bank_transaction:…`): its IBAN
    /// or another stable label. Default: the source's name.
    public var accountID: String?
    /// The currency of a CSV file's amounts when it has no currency column.
    public var currency: Currency?
    public var csv: CSVLayout?

    public init(accountID: String? = nil, currency: Currency? = nil, csv: CSVLayout? = nil) {
        self.accountID = accountID
        self.currency = currency
        self.csv = csv
    }

    public var secrets: [SecretRequirement] { [] }

    /// Which column is what in a bank's CSV export, and how its numbers and dates are written.
    public struct CSVLayout: Sendable, Equatable {
        public var delimiter: Character = ","
        /// `1.234,56` rather than `1,234.56`.
        public var decimalComma = false
        /// `yyyy-MM-dd`, `dd.MM.yyyy`, `dd/MM/yyyy` or `MM/dd/yyyy`.
        public var dateFormat = "yyyy-MM-dd"
        public var date: String
        /// One signed amount column (negative: money out), or separate credit and debit columns.
        public var amount: String?
        public var credit: String?
        public var debit: String?
        public var currency: String?
        public var reference: String?
        public var counterparty: String?
        /// The bank's id for the line, when the export has one.
        public var id: String?

        public init(date: String, amount: String? = nil, credit: String? = nil, debit: String? = nil) {
            self.date = date
            self.amount = amount
            self.credit = credit
            self.debit = debit
        }

        public static let dateFormats = ["yyyy-MM-dd", "dd.MM.yyyy", "dd/MM/yyyy", "MM/dd/yyyy"]
    }
}

/// Reads a statement source's keys from the config.
enum StatementConfig {
    static let keys = ["account_id", "currency", "csv"]
    static let csvKeys = ["delimiter", "decimal_comma", "date_format", "columns"]
    static let columnKeys = ["date", "amount", "credit", "debit", "currency", "reference", "counterparty", "id"]

    static func read(_ object: JSONObject, at path: String, reader: inout ConfigReader) -> StatementSettings? {
        var settings = StatementSettings(accountID: reader.string(object, "account_id", at: path))
        if let code = reader.string(object, "currency", at: path) {
            if let currency = Currency(code: code) { settings.currency = currency } else { reader.fail("\(path).currency", "\"\(code)\" is not an ISO 4217 currency code") }
        }
        guard object["csv"] != nil, let csv = reader.object(object["csv"], at: "\(path).csv", allowed: csvKeys) else { return settings }
        guard let columns = reader.object(csv["columns"], at: "\(path).csv.columns", allowed: columnKeys) else {
            reader.fail("\(path).csv.columns", "is required: which column holds the date, the amount (or credit and debit) and the reference")
            return settings
        }
        guard let date = reader.string(columns, "date", at: "\(path).csv.columns", required: true) else { return settings }
        var layout = StatementSettings.CSVLayout(date: date)
        layout.amount = reader.string(columns, "amount", at: "\(path).csv.columns")
        layout.credit = reader.string(columns, "credit", at: "\(path).csv.columns")
        layout.debit = reader.string(columns, "debit", at: "\(path).csv.columns")
        layout.currency = reader.string(columns, "currency", at: "\(path).csv.columns")
        layout.reference = reader.string(columns, "reference", at: "\(path).csv.columns")
        layout.counterparty = reader.string(columns, "counterparty", at: "\(path).csv.columns")
        layout.id = reader.string(columns, "id", at: "\(path).csv.columns")
        if layout.amount == nil && layout.credit == nil {
            reader.fail("\(path).csv.columns", "names no amount: give \"amount\" (signed) or \"credit\" (and \"debit\")")
        }
        if layout.currency == nil && settings.currency == nil {
            reader.fail("\(path).currency", "is required when the CSV has no currency column")
        }
        if let delimiter = reader.string(csv, "delimiter", at: "\(path).csv") {
            if delimiter.count == 1 { layout.delimiter = delimiter.first! } else { reader.fail("\(path).csv.delimiter", "must be one character (\",\", \";\", \"\\t\")") }
        }
        if let comma = csv["decimal_comma"] {
            if case .bool(let value) = comma { layout.decimalComma = value } else { reader.fail("\(path).csv.decimal_comma", "expected true or false") }
        }
        if let format = reader.string(csv, "date_format", at: "\(path).csv") {
            if StatementSettings.CSVLayout.dateFormats.contains(format) { layout.dateFormat = format } else {
                reader.fail("\(path).csv.date_format", "\"\(format)\" is not one of \(StatementSettings.CSVLayout.dateFormats.joined(separator: ", "))")
            }
        }
        settings.csv = layout
        return settings
    }
}
