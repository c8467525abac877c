import PaySyncCore
import Testing

/// The matching table (docs/matching.md): bank credits against open invoices, each case with the
/// outcome a bookkeeper would expect, written as `matched NUMBER=AMOUNT… @CONFIDENCE`,
/// `ambiguous NUMBER,…`, `unmatched` or `ignored`.
@Suite struct CreditMatcherTests {
    static let gbp = Currency(code: "GBP")!, eur = Currency(code: "EUR")!, usd = Currency(code: "USD")!, jpy = Currency(code: "JPY")!

    static func invoice(_ number: String, _ currency: Currency, _ minor: Int64, issued: String, customer: String, provider: String = "xero") -> OpenInvoice {
        OpenInvoice(key: ObjectKey(provider: provider, account: "a", kind: .invoice, externalID: number), number: number,
                    due: Money(minorUnits: minor, currency: currency), issued: CalendarDate(iso: issued), customerName: customer)
    }

    static let invoices = [
        invoice("INV-0042", gbp, 10_000, issued: "2025-04-01", customer: "Acme Ltd"),
        invoice("INV-0043", gbp, 25_000, issued: "2025-04-05", customer: "Globex"),
        invoice("INV-0044", gbp, 25_000, issued: "2025-04-06", customer: "Initech"),
        invoice("INV-0050", eur, 8_000, issued: "2025-04-10", customer: "Umbrella"),
        invoice("INV-1234567", gbp, 99_900, issued: "2025-04-02", customer: "Hooli"),
        invoice("1045", usd, 12_000, issued: "2025-04-03", customer: "Stark Industries", provider: "quickbooks"),
        invoice("INV-0060", gbp, 4_000, issued: "2025-06-01", customer: "Wayne"),
        invoice("INV-0070", gbp, 7_500, issued: "2024-10-01", customer: "Tyrell"),
        invoice("INV-0080", jpy, 15_000, issued: "2025-04-20", customer: "Nakatomi"),
    ]

    struct Credit: Sendable {
        var id: String
        var texts: [String]
        var amount: String
        var currency: Currency = CreditMatcherTests.gbp
        var date = "2025-05-01"
        var booked = true
        var payer: String? = nil

        func bank() -> BankCredit {
            BankCredit(key: ObjectKey(provider: "wise", account: "p1", kind: .bankTransaction, externalID: id),
                       amount: try! Money(parsing: amount, currency: currency, field: "amount"), bookingDate: CalendarDate(iso: date)!, isBooked: booked,
                       texts: texts, counterpartyName: payer)
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var credits: [Credit]
        var expected: [String]
        var invoices: [OpenInvoice] = CreditMatcherTests.invoices
    }

    static func one(_ name: String, _ texts: [String], _ amount: String, _ expected: String, currency: Currency = gbp, date: String = "2025-05-01",
                    booked: Bool = true, payer: String? = nil) -> Case {
        Case(description: name, credits: [Credit(id: "c1", texts: texts, amount: amount, currency: currency, date: date, booked: booked, payer: payer)], expected: [expected])
    }

    static let table: [Case] = [
        one("exact reference and amount", ["INV-0042"], "100.00", "matched INV-0042=100.00 @1.0"),
        one("lower case with a space", ["inv 0042"], "100.00", "matched INV-0042=100.00 @1.0"),
        one("# prefix run together", ["#INV0042"], "100.00", "matched INV-0042=100.00 @1.0"),
        one("slash separator", ["INV/0042"], "100.00", "matched INV-0042=100.00 @1.0"),
        one("dot separator", ["inv.0042 thanks"], "100.00", "matched INV-0042=100.00 @1.0"),
        one("the digits alone as a word", ["Ref 0042"], "100.00", "matched INV-0042=100.00 @1.0"),
        one("SEPA field prefixes around it", ["SVWZ+INV-0042 EREF+NOTPROVIDED"], "100.00", "matched INV-0042=100.00 @1.0"),
        one("the reference in a second field", ["Acme Ltd", "INV-0042"], "100.00", "matched INV-0042=100.00 @1.0"),
        one("part paid", ["INV-0042"], "40.00", "matched INV-0042=40.00 @0.95"),
        one("overpaid: the due is allocated, the excess not", ["INV-0042"], "120.00", "matched INV-0042=100.00 @0.9"),
        one("two invoices in one transfer", ["INV-0043 and INV-0044"], "500.00", "matched INV-0043=250.00 INV-0044=250.00 @0.95"),
        one("two invoices named, an amount that fits neither nor both", ["INV-0043 INV-0044"], "300.00", "ambiguous INV-0043,INV-0044"),
        one("a named invoice in another currency", ["INV-0050"], "80.00", "unmatched"),
        one("the same in its own currency", ["INV-0050"], "80.00", "matched INV-0050=80.00 @1.0", currency: eur),
        one("an invoice in another currency named beside one in this", ["INV-0042 INV-0050"], "100.00", "matched INV-0042=100.00 @1.0"),
        one("a debit never matches", ["INV-0042"], "-100.00", "ignored"),
        one("nothing moved", ["INV-0042"], "0.00", "ignored"),
        one("pending waits for booking", ["INV-0042"], "100.00", "ignored", booked: false),
        one("a credit before the invoice date", ["INV-0060"], "40.00", "unmatched"),
        one("an invoice older than the window", ["INV-0070"], "75.00", "unmatched"),
        one("on the invoice's own date", ["INV-0080"], "15000", "matched INV-0080=15000 @1.0", currency: jpy, date: "2025-04-20"),
        one("the last day of the window", ["INV-0042"], "100.00", "matched INV-0042=100.00 @1.0", date: "2025-07-30"),
        one("a day past the window", ["INV-0042"], "100.00", "unmatched", date: "2025-07-31"),
        one("zero-decimal currency", ["INV-0080"], "15000", "matched INV-0080=15000 @1.0", currency: jpy),
        one("a numeric invoice number", ["Payment 1045"], "120.00", "matched 1045=120.00 @1.0", currency: usd),
        one("a numeric number inside a longer one is not named", ["Ref 10450"], "120.00", "matched 1045=120.00 @0.6", currency: usd),
        one("digits run on: not INV-0042, so the amount alone", ["INV00421"], "100.00", "matched INV-0042=100.00 @0.6"),
        one("a transposed reference: the amount alone, for review", ["INV-0024"], "100.00", "matched INV-0042=100.00 @0.6"),
        one("no reference, one invoice due that amount", ["thank you"], "100.00", "matched INV-0042=100.00 @0.6"),
        one("no reference, nothing due that amount", ["thank you"], "12.34", "unmatched"),
        one("two equal open amounts and no reference", [""], "250.00", "ambiguous INV-0043,INV-0044"),
        one("equal amounts told apart by the payer's name", [""], "250.00", "matched INV-0043=250.00 @0.8", payer: "GLOBEX CORP"),
        one("the payer's name fits both", ["for Globex and Initech"], "250.00", "ambiguous INV-0043,INV-0044"),
        one("an amount due in another currency only", [""], "80.00", "unmatched"),
        one("a reference cut off by the bank", ["PAYMENT INV-12345"], "999.00", "matched INV-1234567=999.00 @0.9"),
        one("cut off too short to tell", ["PAYMENT INV-12"], "999.00", "matched INV-1234567=999.00 @0.6"),
        Case(description: "a cut-off reference two invoices share is never guessed",
             credits: [Credit(id: "c1", texts: ["PAYMENT INV-12345"], amount: "999.00")], expected: ["ambiguous INV-1234567,INV-1234599"],
             invoices: invoices + [invoice("INV-1234599", gbp, 55_500, issued: "2025-04-02", customer: "Pied Piper")]),
        Case(description: "two transfers for one invoice", credits: [Credit(id: "c1", texts: ["INV-0042"], amount: "60.00"), Credit(id: "c2", texts: ["INV-0042 rest"], amount: "40.00")],
             expected: ["matched INV-0042=60.00 @0.95", "matched INV-0042=40.00 @1.0"]),
        Case(description: "a second transfer overpays what the first left", credits: [Credit(id: "c1", texts: ["INV-0042"], amount: "60.00"), Credit(id: "c2", texts: ["INV-0042"], amount: "60.00")],
             expected: ["matched INV-0042=60.00 @0.95", "matched INV-0042=40.00 @0.9"]),
        Case(description: "a transfer after the invoice is paid finds it closed", credits: [Credit(id: "c1", texts: ["INV-0042"], amount: "100.00"), Credit(id: "c2", texts: ["INV-0042"], amount: "10.00")],
             expected: ["matched INV-0042=100.00 @1.0", "unmatched"]),
        Case(description: "a duplicate feed row (same id) counts once", credits: [Credit(id: "c1", texts: ["INV-0042"], amount: "100.00"), Credit(id: "c1", texts: ["INV-0042"], amount: "100.00")],
             expected: ["matched INV-0042=100.00 @1.0"]),
        Case(description: "pending then booked: only the booked row settles", credits: [Credit(id: "c1", texts: ["INV-0042"], amount: "100.00", booked: false),
                                                                                     Credit(id: "c2", texts: ["INV-0042"], amount: "100.00")],
             expected: ["ignored", "matched INV-0042=100.00 @1.0"]),
        Case(description: "two equal amounts, two credits: each still ambiguous, nothing guessed", credits: [Credit(id: "c1", texts: [""], amount: "250.00"), Credit(id: "c2", texts: [""], amount: "250.00")],
             expected: ["ambiguous INV-0043,INV-0044", "ambiguous INV-0043,INV-0044"]),
    ]

    static func describe(_ decision: MatchDecision, invoices: [OpenInvoice]) -> String {
        let numbers = Dictionary(invoices.map { ($0.key, $0.number) }) { first, _ in first }
        switch decision.outcome {
        case .matched(let allocations):
            return "matched " + allocations.map { "\(numbers[$0.invoice] ?? "?")=\($0.amount.decimalText)" }.joined(separator: " ") + " @\(decision.confidence)"
        case .ambiguous(let candidates): return "ambiguous " + candidates.map { numbers[$0] ?? "?" }.sorted().joined(separator: ",")
        case .unmatched: return "unmatched"
        case .ignored: return "ignored"
        }
    }

    @Test(arguments: table) func outcome(_ row: Case) {
        let decisions = CreditMatcher.decide(row.credits.map { $0.bank() }, invoices: row.invoices)
        #expect(decisions.map { Self.describe($0, invoices: row.invoices) } == row.expected)
        #expect(decisions.allSatisfy { !$0.reason.isEmpty }, "every decision says why")
    }

    @Test func theTableHasAtLeastFortyCases() {
        #expect(Self.table.count >= 40)
    }

    @Test func reasonsReadAsABookkeeperWouldSayIt() {
        let decisions = CreditMatcher.decide([Credit(id: "c1", texts: ["INV-0042"], amount: "40.00").bank(), Credit(id: "c2", texts: [""], amount: "250.00").bank()],
                                             invoices: Self.invoices)
        #expect(decisions[0].reason == "names INV-0042; GBP 40.00 of 100.00 due: part paid")
        #expect(decisions[1].reason == "names no invoice; INV-0043, INV-0044 are each due GBP 250.00")
    }
}
