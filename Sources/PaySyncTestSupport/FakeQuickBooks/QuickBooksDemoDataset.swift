import PaySyncCore

/// The small QuickBooks Online company behind `make demo`, beside the Xero organisation: five
/// invoices (one part paid already, one overdue), and the two payments of the demo's third run.
public enum QuickBooksDemoDataset {
    public static let realm = "4620816365034950"

    static func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    /// Loads the starting state into a fake QuickBooks (its clock set to the demo's morning).
    public static func load(into server: FakeQuickBooksServer) {
        var created = Timestamp(iso: "2025-04-28T15:00:00Z")!
        func invoice(_ id: Int, _ customer: (String, String, String), total: Int64, date: String, due: String) -> FakeQuickBooksInvoice {
            created = created.adding(milliseconds: 3_600_000)
            var invoice = FakeQuickBooksInvoice(id: String(id), docNumber: "QB-\(id)", txnDate: day(date), dueDate: day(due), total: total, created: created)
            (invoice.customerID, invoice.customerName, invoice.email) = (customer.0, customer.1, customer.2)
            return invoice
        }
        server.put(invoices: [
            invoice(2001, ("61", "Bluth Company", "ap@bluth.example"), total: 120_000, date: "2025-04-01", due: "2025-05-01"),
            invoice(2002, ("62", "Dunder Mifflin", "accounts@dundermifflin.example"), total: 48_000, date: "2025-04-20", due: "2025-05-20"),
            invoice(2003, ("63", "Pied Piper", "finance@piedpiper.example"), total: 250_000, date: "2025-04-15", due: "2025-05-15"),
            invoice(2004, ("64", "Prestige Worldwide", "ap@prestige.example"), total: 99_500, date: "2025-04-25", due: "2025-05-25"),
            invoice(2005, ("65", "Soylent Corp", "payables@soylent.example"), total: 31_250, date: "2025-04-29", due: "2025-05-29"),
        ], realm: realm)
        while server.now < created { server.tick(3600) }
        server.pay(invoice: "2003", amount: 100_000, realm: realm)
    }

    /// The third run's changes: QB-2002 paid in full, QB-2004 part paid.
    public static func applyLaterChanges(_ server: FakeQuickBooksServer) {
        server.tick(3600)
        server.pay(invoice: "2002", amount: 48_000, realm: realm)
        server.pay(invoice: "2004", amount: 40_000, realm: realm)
    }
}
