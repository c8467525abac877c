import PaySyncCore

/// The generated QuickBooks Online company `make bench-peers` serves to paysync and to
/// tap-quickbooks alike: N objects, invoices with one to three sales lines (about three in five
/// objects) and the customer payments that paid them, updated a few seconds apart from `start`.
/// Deterministic for a seed.
public enum QuickBooksBenchmarkData {
    public static let realm = "9341452000000001"
    public static let start = Timestamp(iso: "2025-01-01T00:00:00Z")!

    public static func load(objects: Int, into server: FakeQuickBooksServer, realm: String = QuickBooksBenchmarkData.realm, seed: UInt64 = 2025) {
        var random = SplitMix64(seed: seed)
        let customers = (0..<max(1, min(500, objects / 20))).map { index in
            (id: String(100 + index), name: "Customer \(index + 1) Ltd", email: "ap\(index + 1)@customer.example")
        }
        let services = ["Consulting", "Annual licence", "Support plan", "Implementation", "Training day", "Hardware", "Hosting", "Design work"]
        let currencies = ["USD", "USD", "USD", "USD", "USD", "CAD", "GBP", "EUR"]
        var invoices: [FakeQuickBooksInvoice] = []
        var payments: [FakeQuickBooksPayment] = []
        invoices.reserveCapacity(objects * 2 / 3)
        payments.reserveCapacity(objects / 2)
        var clock = start
        var nextID = 1
        while invoices.count + payments.count < objects {
            clock = clock.adding(milliseconds: Int64(random.int(1_000...4_000)))
            let customer = customers[random.below(customers.count)]
            let lines = (0..<random.int(1...3)).map { _ -> FakeQuickBooksSalesLine in
                let item = random.below(services.count)
                return FakeQuickBooksSalesLine(description: services[item], itemID: String(item + 1), itemName: services[item],
                                               quantity: random.int(1...20), unitPrice: Int64(random.int(5...2_000)) * 100, taxable: random.chance(50))
            }
            let subtotal = lines.reduce(0) { $0 + $1.amount }
            let tax = lines.filter(\.taxable).reduce(0) { $0 + $1.amount } * 8 / 100
            let date = start.utcDate.adding(days: -random.int(1...180))
            var invoice = FakeQuickBooksInvoice(id: String(nextID), docNumber: String(1000 + nextID), txnDate: date, dueDate: date.adding(days: 30),
                                                total: subtotal + tax, created: clock)
            nextID += 1
            (invoice.lines, invoice.totalTax, invoice.currency) = (lines, tax, currencies[random.below(currencies.count)])
            (invoice.customerID, invoice.customerName, invoice.email) = (customer.id, customer.name, customer.email)
            let roll = random.int(0...99)
            let paid: [Int64]
            switch roll {
            case 0..<40: paid = []
            case 40..<48: paid = [invoice.total / 3]
            case 48..<55: paid = [invoice.total / 2, invoice.total - invoice.total / 2]
            case 55..<96: paid = [invoice.total]
            default: paid = []
            }
            if roll >= 96 {
                invoice.total = 0
                invoice.balance = 0
                invoice.totalTax = 0
                invoice.privateNote = "Voided"
                invoice.lines = []
            }
            for amount in paid where amount > 0 {
                clock = clock.adding(milliseconds: Int64(random.int(1_000...4_000)))
                let payment = FakeQuickBooksPayment(id: String(nextID), txnDate: date.adding(days: random.int(0...40)), total: amount, currency: invoice.currency,
                                                    customerID: customer.id, customerName: customer.name, refNum: "CHK-\(nextID)",
                                                    lines: [(invoice.id, amount)], updated: clock)
                nextID += 1
                invoice.balance -= amount
                invoice.payments.append(payment.id)
                invoice.syncToken += 1
                invoice.updated = clock
                payments.append(payment)
            }
            invoices.append(invoice)
        }
        server.put(invoices: invoices, realm: realm)
        server.put(payments: payments, realm: realm)
        server.setClock(max(server.now, clock.adding(milliseconds: 3_600_000)))
    }
}
