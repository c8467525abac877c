import PaySyncCore

/// A bank's CSV export in the layout the config declares: a header row naming the columns,
/// RFC 4180 quoting, the delimiter and decimal mark it uses. Read whole or refused whole, naming
/// the line and column that are wrong.
public enum CSVStatementParser {
    public static func parse(_ text: String, layout: StatementSettings.CSVLayout, currency: Currency?, file: String) throws(StatementError) -> [StatementEntry] {
        let rows = try records(text, delimiter: layout.delimiter, file: file)
        guard let header = rows.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces) }) else {
            throw StatementError(file: file, location: "line 1", message: "empty file: a header row naming the columns is expected")
        }
        func column(_ name: String?) throws(StatementError) -> Int? {
            guard let name else { return nil }
            guard let index = header.firstIndex(of: name) else {
                throw StatementError(file: file, location: "line 1", message: "no column \"\(name)\" (the header has \(header.map { "\"\($0)\"" }.joined(separator: ", ")))")
            }
            return index
        }
        let date = try column(layout.date)!, amount = try column(layout.amount), credit = try column(layout.credit), debit = try column(layout.debit)
        let currencyColumn = try column(layout.currency), reference = try column(layout.reference)
        let counterparty = try column(layout.counterparty), id = try column(layout.id)
        var entries: [StatementEntry] = []
        for row in rows.dropFirst() where !(row.fields.count == 1 && row.fields[0].isEmpty) {
            let location = "line \(row.line)"
            func field(_ index: Int?) -> String? {
                guard let index, index < row.fields.count else { return nil }
                let value = row.fields[index].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            func fail(_ name: String, _ message: String) -> StatementError { StatementError(file: file, location: "\(location), column \"\(name)\"", message: message) }
            guard row.fields.count == header.count else {
                throw StatementError(file: file, location: location, message: "\(row.fields.count) fields where the header has \(header.count)")
            }
            let code = field(currencyColumn)
            guard let entryCurrency = code.map({ Currency(code: $0) }) ?? currency else { throw fail(layout.currency ?? "currency", "\"\(code ?? "")\" is not a currency code") }
            let signed: Money
            if let amount {
                guard let text = field(amount) else { throw fail(layout.amount!, "is empty") }
                signed = try money(text, entryCurrency, layout.decimalComma) { fail(layout.amount!, $0) }
            } else {
                let inText = field(credit), outText = field(debit)
                let inMoney = try inText.map { text throws(StatementError) in try money(text, entryCurrency, layout.decimalComma) { fail(layout.credit!, $0) } }
                let outMoney = try outText.map { text throws(StatementError) in try money(text, entryCurrency, layout.decimalComma) { fail(layout.debit ?? "debit", $0) } }
                guard (inMoney == nil) != (outMoney == nil) else { throw fail(layout.credit!, "exactly one of the credit and debit columns must hold an amount") }
                signed = inMoney ?? Money(minorUnits: -abs(outMoney!.minorUnits), currency: entryCurrency)
            }
            guard let dateText = field(date), let day = parseDate(dateText, format: layout.dateFormat) else {
                throw fail(layout.date, "\"\(field(date) ?? "")\" is not a date in the format \(layout.dateFormat)")
            }
            entries.append(StatementEntry(
                bankReference: field(id), amount: Money(minorUnits: Int64(signed.minorUnits.magnitude), currency: entryCurrency), isCredit: signed.minorUnits > 0,
                isBooked: true, bookingDate: day, valueDate: nil, remittance: field(reference).map { [$0] } ?? [], reference: nil,
                counterpartyName: field(counterparty), counterpartyAccount: nil, location: location
            ))
        }
        return entries
    }

    /// `1.234,56` (decimal comma) or `1,234.56`, with a sign or in parentheses, as exact money.
    static func money(_ text: String, _ currency: Currency, _ decimalComma: Bool, _ fail: (String) -> StatementError) throws(StatementError) -> Money {
        var cleaned = text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{00A0}", with: "")
        var negative = false
        if cleaned.hasPrefix("(") && cleaned.hasSuffix(")") { negative = true; cleaned = String(cleaned.dropFirst().dropLast()) }
        cleaned = decimalComma ? cleaned.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
                               : cleaned.replacingOccurrences(of: ",", with: "")
        if cleaned.hasPrefix("+") { cleaned.removeFirst() }
        do {
            let money = try Money(parsing: cleaned, currency: currency, field: "amount")
            return negative ? Money(minorUnits: -money.minorUnits, currency: currency) : money
        } catch {
            throw fail("\"\(text)\" is not an amount in \(currency.code)\(decimalComma ? " with a decimal comma" : "")")
        }
    }

    static func parseDate(_ text: String, format: String) -> CalendarDate? {
        let parts = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        switch format {
        case "dd.MM.yyyy", "dd/MM/yyyy": return CalendarDate(year: parts[2], month: parts[1], day: parts[0])
        case "MM/dd/yyyy": return CalendarDate(year: parts[2], month: parts[0], day: parts[1])
        default: return CalendarDate(year: parts[0], month: parts[1], day: parts[2])
        }
    }

    /// RFC 4180 records (the kit's `CSVRecords`), a bad file refused naming its line.
    static func records(_ text: String, delimiter: Character, file: String) throws(StatementError) -> [(line: Int, fields: [String])] {
        do { return try CSVRecords.parse(text, delimiter: delimiter) } catch { throw StatementError(file: file, location: "line \(error.line)", message: error.message) }
    }
}
