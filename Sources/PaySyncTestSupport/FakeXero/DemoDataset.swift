import PaySyncCore

/// The small, hand-picked Xero organisation behind `make demo`: ten sales invoices covering the
/// status table, their payments, a refund, and the three changes of the demo's third run.
public enum DemoDataset {
    public static let tenant = "a1e9c6f2-5d3b-4c8e-9f70-2b6d8e4c1a35"
    /// The demo's clock: the fixtures were recorded as if on this morning.
    public static let now = Timestamp(iso: "2025-05-02T09:00:00Z")!

    static func contact(_ index: Int, _ name: String, _ email: String) -> FakeXeroContact {
        FakeXeroContact(contactID: "c0ffee00-0000-4000-a000-\(String(repeating: "0", count: 12 - String(index).count))\(index)", name: name, email: email)
    }

    static func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    static func id(_ number: Int) -> String { "1d0e5a7c-0000-4000-a000-00000000\(number)" }

    /// Loads the starting state into a fake Xero.
    public static func load(into server: FakeXeroServer) {
        var updated = Timestamp(iso: "2025-04-30T16:00:00Z")!
        func next() -> Timestamp { updated = updated.adding(milliseconds: 60_000 + 317); return updated }
        func invoice(_ number: Int, _ customer: FakeXeroContact, status: String, currency: String, net: Int64, date: String, due: String,
                     reference: String = "", item: String = "Consulting") -> FakeXeroInvoice {
            let tax = currency == "JPY" ? net / 10 : net / 5
            var invoice = FakeXeroInvoice(
                invoiceID: id(number), invoiceNumber: "INV-\(number)", status: status, reference: reference, contact: customer,
                date: day(date), dueDate: day(due), currency: currency, subTotal: net, totalTax: tax,
                lineItems: [FakeXeroLineItem(lineItemID: "11111111-0000-4000-a000-00000000\(number)", description: item, quantity: 1, unitAmount: net, taxAmount: tax)],
                updated: next()
            )
            invoice.sentToContact = status == "AUTHORISED" || status == "PAID"
            return invoice
        }
        let acme = contact(1, "Acme Ltd", "ap@acme.example")
        let northwind = contact(2, "Northwind Trading", "finance@northwind.example")
        let globex = contact(3, "Globex Corporation", "payables@globex.example")
        let initech = contact(4, "Initech GmbH", "buchhaltung@initech.example")
        let umbrella = contact(5, "Umbrella Health", "ap@umbrella.example")
        let kobayashi = contact(6, "Kobayashi KK", "keiri@kobayashi.example")
        let stark = contact(7, "Stark Industries", "ap@stark.example")
        let wayne = contact(8, "Wayne Enterprises", "accounts@wayne.example")
        let hooli = contact(9, "Hooli", "ar@hooli.example")
        let vandelay = contact(10, "Vandelay Industries", "art@vandelay.example")

        var invoices = [
            invoice(1001, acme, status: "AUTHORISED", currency: "GBP", net: 100_000, date: "2025-04-15", due: "2025-05-15", reference: "PO 7781"),
            invoice(1002, northwind, status: "AUTHORISED", currency: "USD", net: 250_000, date: "2025-03-21", due: "2025-04-20", item: "Implementation"),
            invoice(1003, globex, status: "AUTHORISED", currency: "GBP", net: 100_000, date: "2025-04-01", due: "2025-05-01"),
            invoice(1004, initech, status: "PAID", currency: "EUR", net: 80_000, date: "2025-03-10", due: "2025-04-09", item: "Training day"),
            invoice(1005, umbrella, status: "DRAFT", currency: "GBP", net: 45_000, date: "2025-04-29", due: "2025-05-29"),
            invoice(1006, kobayashi, status: "AUTHORISED", currency: "JPY", net: 15_000_000, date: "2025-04-30", due: "2025-05-30", item: "Annual licence"),
            invoice(1007, stark, status: "VOIDED", currency: "USD", net: 60_000, date: "2025-04-02", due: "2025-05-02"),
            invoice(1008, wayne, status: "AUTHORISED", currency: "GBP", net: 40_000, date: "2025-04-10", due: "2025-05-10", item: "Support plan"),
            invoice(1009, hooli, status: "PAID", currency: "GBP", net: 300_000, date: "2025-03-01", due: "2025-03-31", item: "Hosting"),
            invoice(1010, vandelay, status: "SUBMITTED", currency: "USD", net: 12_500, date: "2025-04-30", due: "2025-05-30", item: "Design work"),
        ]
        server.put(invoices: invoices, tenant: tenant)
        // Payments already made, recorded through the fake so invoices and /Payments agree.
        server.setClock(updated)
        server.pay(invoice: id(1003), amount: 75_000, tenant: tenant, paymentID: "9a7e0001-0000-4000-a000-000000000001", on: day("2025-04-20"))
        server.pay(invoice: id(1004), amount: 96_000, tenant: tenant, paymentID: "9a7e0001-0000-4000-a000-000000000002", on: day("2025-04-08"))
        server.pay(invoice: id(1009), amount: 180_000, tenant: tenant, paymentID: "9a7e0001-0000-4000-a000-000000000003", on: day("2025-03-25"))
        server.pay(invoice: id(1009), amount: 180_000, tenant: tenant, paymentID: "9a7e0001-0000-4000-a000-000000000004", on: day("2025-03-31"))
        let refundStamp = server.tick(60)
        server.put(payments: [FakeXeroPayment(
            paymentID: "9a7e0001-0000-4000-a000-000000000005", date: day("2025-04-25"), amount: 5_000, reference: "Refund CN-0001",
            paymentType: "ARCREDITPAYMENT", documentType: "ACCRECCREDIT", documentID: "c4ed0001-0000-4000-a000-000000000001",
            documentNumber: "CN-0001", currency: "GBP", contact: hooli, updated: refundStamp
        )], tenant: tenant)
        invoices.removeAll()
        _ = server.tick(3600)
    }

    /// The third run's changes: INV-1001 paid in full, INV-1008 part-paid, INV-1006 voided.
    public static func applyLaterChanges(to server: FakeXeroServer) {
        server.setClock(Timestamp(iso: "2025-05-02T08:30:00Z")!)
        server.pay(invoice: id(1001), amount: 120_000, tenant: tenant, paymentID: "9a7e0001-0000-4000-a000-000000000006", on: day("2025-05-02"))
        server.tick(45)
        server.pay(invoice: id(1008), amount: 20_000, tenant: tenant, paymentID: "9a7e0001-0000-4000-a000-000000000007", on: day("2025-05-02"))
        server.updateInvoice(id(1006), tenant: tenant) { $0.status = "VOIDED" }
    }
}
