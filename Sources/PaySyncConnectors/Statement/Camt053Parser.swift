import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PaySyncCore

/// ISO 20022 bank-to-customer statements, `camt.053.001.02` and `camt.053.001.08`, read with
/// Foundation's `XMLParser`: each `Ntry` with its amount (`Amt@Ccy`), `CdtDbtInd`, status
/// (`Sts`, or `Sts/Cd` in .08), booking and value dates (`Dt` or `DtTm`), the bank's references,
/// and from its first `TxDtls` the remittance information (`RmtInf/Ustrd`, `RmtInf/Strd/CdtrRefInf/Ref`),
/// the end-to-end id and the debtor (`RltdPties/Dbtr/Nm`, or `Dbtr/Pty/Nm` in .08) and its account.
/// The file is read whole or refused whole with the element and line that are wrong.
public enum Camt053Parser {
    public static func parse(_ data: Data, file: String) throws(StatementError) -> (account: String?, entries: [StatementEntry]) {
        let delegate = Delegate(file: file)
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        parser.shouldProcessNamespaces = true
        let ok = parser.parse()
        if let error = delegate.error { throw error }
        guard ok else {
            throw StatementError(file: file, location: "line \(parser.lineNumber), column \(parser.columnNumber)",
                                 message: "not well-formed XML (\(parser.parserError.map { "\($0.localizedDescription)" } ?? "parse error"))")
        }
        guard delegate.sawDocument else {
            throw StatementError(file: file, location: "line 1", message: "not a camt.053 statement (no BkToCstmrStmt element)")
        }
        guard delegate.closedDocument else {
            throw StatementError(file: file, location: "line \(max(parser.lineNumber, delegate.lastLine))",
                                 message: "not well-formed XML: the file ends before </BkToCstmrStmt> (cut off?)")
        }
        return (delegate.account, delegate.entries)
    }

    final class Delegate: NSObject, XMLParserDelegate {
        let file: String
        var path: [String] = []
        var text = ""
        var attributes: [String: String] = [:]
        var entries: [StatementEntry] = []
        var account: String?
        var error: StatementError?
        var sawDocument = false
        var closedDocument = false
        var lastLine = 1
        var entry: Partial?
        var entryCount = 0

        struct Partial {
            var line: Int
            var amount: String?
            var currency: String?
            var creditDebit: String?
            var status: String?
            var bookingDate: String?
            var valueDate: String?
            var bankReference: String?
            var entryReference: String?
            var remittance: [String] = []
            var reference: String?
            var endToEnd: String?
            var debtor: String?
            var debtorAccount: String?
            var transactionDetails = 0
        }

        init(file: String) { self.file = file }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            path.append(name)
            text = ""
            self.attributes = attributes
            if name == "BkToCstmrStmt" { sawDocument = true }
            if name == "Ntry", path.dropLast().last == "Stmt" {
                entryCount += 1
                entry = Partial(line: parser.lineNumber)
            }
            if name == "TxDtls" { entry?.transactionDetails += 1 }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            lastLine = parser.lineNumber
            if name == "BkToCstmrStmt" { closedDocument = true }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let inEntry = path.contains("Ntry")
            // Only the first transaction's details describe the entry (a batch booking lists many).
            let inFirstDetails = !path.contains("TxDtls") || entry?.transactionDetails == 1
            let tail = path.suffix(4).joined(separator: "/")
            if path.suffix(4) == ["Stmt", "Acct", "Id", "IBAN"] || path.suffix(5) == ["Stmt", "Acct", "Id", "Othr", "Id"] {
                account = value
            } else if inEntry, inFirstDetails, var current = entry {
                switch true {
                case path.suffix(2) == ["Ntry", "Amt"]:
                    current.amount = value
                    current.currency = attributes["Ccy"]
                case path.suffix(2) == ["Ntry", "CdtDbtInd"]: current.creditDebit = value
                case path.suffix(2) == ["Ntry", "Sts"], tail.hasSuffix("Ntry/Sts/Cd"):
                    if !value.isEmpty { current.status = value }  // .02 writes the code here, .08 in Sts/Cd
                case tail.hasSuffix("BookgDt/Dt"), tail.hasSuffix("BookgDt/DtTm"): current.bookingDate = String(value.prefix(10))
                case tail.hasSuffix("ValDt/Dt"), tail.hasSuffix("ValDt/DtTm"): current.valueDate = String(value.prefix(10))
                case path.suffix(2) == ["Ntry", "AcctSvcrRef"], tail.hasSuffix("TxDtls/Refs/AcctSvcrRef"):
                    if current.bankReference == nil { current.bankReference = value }
                case path.suffix(2) == ["Ntry", "NtryRef"]: current.entryReference = value
                case tail.hasSuffix("RmtInf/Ustrd"), path.suffix(2) == ["Ntry", "AddtlNtryInf"], tail.hasSuffix("TxDtls/AddtlTxInf"):
                    if !value.isEmpty { current.remittance.append(value) }
                case tail.hasSuffix("CdtrRefInf/Ref"): current.reference = value
                case tail.hasSuffix("Refs/EndToEndId"): current.endToEnd = value
                case tail.hasSuffix("RltdPties/Dbtr/Nm"), tail.hasSuffix("Dbtr/Pty/Nm"): current.debtor = value
                case tail.hasSuffix("DbtrAcct/Id/IBAN"): current.debtorAccount = value
                default: break
                }
                entry = current
            }
            if name == "Ntry", path.dropLast().last == "Stmt", let partial = entry {
                do throws(StatementError) { entries.append(try finish(partial)) } catch { self.error = error; parser.abortParsing() }
                entry = nil
            }
            path.removeLast()
            text = ""
        }

        func finish(_ partial: Partial) throws(StatementError) -> StatementEntry {
            let location = "Ntry \(entryCount) (line \(partial.line))"
            func fail(_ message: String) -> StatementError { StatementError(file: file, location: location, message: message) }
            guard let code = partial.currency, let currency = Currency(code: code) else {
                throw fail("Amt has no known currency (Ccy=\"\(partial.currency ?? "")\")")
            }
            guard let text = partial.amount else { throw fail("has no Amt") }
            let amount: Money
            do { amount = try Money(parsing: text, currency: currency, field: "Amt") } catch { throw fail("Amt \(error.description)") }
            guard amount.minorUnits >= 0 else { throw fail("Amt \"\(text)\" is negative; camt gives the direction in CdtDbtInd") }
            guard let direction = partial.creditDebit, ["CRDT", "DBIT"].contains(direction) else {
                throw fail("CdtDbtInd \"\(partial.creditDebit ?? "")\" is neither CRDT nor DBIT")
            }
            guard let day = partial.bookingDate.flatMap({ CalendarDate(iso: $0) }) else {
                throw fail("BookgDt \"\(partial.bookingDate ?? "")\" is not a date")
            }
            let endToEnd = partial.endToEnd.flatMap { $0 == "NOTPROVIDED" || $0.isEmpty ? nil : $0 }
            return StatementEntry(
                bankReference: partial.bankReference ?? partial.entryReference, amount: amount, isCredit: direction == "CRDT",
                isBooked: (partial.status ?? "BOOK") == "BOOK", bookingDate: day, valueDate: partial.valueDate.flatMap { CalendarDate(iso: $0) },
                remittance: partial.remittance, reference: partial.reference ?? endToEnd, counterpartyName: partial.debtor,
                counterpartyAccount: partial.debtorAccount, location: location
            )
        }
    }
}
