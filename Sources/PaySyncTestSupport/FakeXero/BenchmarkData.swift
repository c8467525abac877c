import PaySyncCore

/// The generated organisation the benchmark serves: one tenant, N objects.
public enum BenchmarkData {
    public static let tenant = "be7c4a11-0000-4000-a000-0000000be7c4"
    /// A second organisation for the outbox-drain scenario.
    public static let drainTenant = "be7c4a11-0000-4000-a000-00000000d7a1"
    public static let start = Timestamp(iso: "2025-01-01T00:00:00Z")!

    /// The HubSpot `payment_status` labels the benchmark maps statuses to, as config JSON.
    public static let statusLabels = #"{"draft": "Draft", "sent": "Awaiting payment", "overdue": "Overdue", "partially_paid": "Partially paid", "paid": "Paid", "voided": "Voided"}"#

    /// - Parameter numberOffset: added to invoice numbers (organisations of one firm each number
    ///   their own invoices; the benchmark keeps them apart so each is its own CRM record).
    public static func load(objects: Int, into server: FakeXeroServer, tenant: String = BenchmarkData.tenant, seed: UInt64 = 2025, numberOffset: Int = 0) {
        var generator = XeroDataGenerator(seed: seed)
        let data = generator.dataset(objects: objects, start: start, numberOffset: numberOffset)
        server.put(invoices: data.invoices, tenant: tenant)
        server.put(payments: data.payments, tenant: tenant)
        server.put(creditNotes: data.creditNotes, tenant: tenant)
        let latest = max(data.invoices.last?.updated ?? start, data.payments.last?.updated ?? start)
        server.setClock(max(server.now, latest.adding(milliseconds: 3_600_000)))
    }

    /// Exactly `count` invoices and no payments: for the outbox drain, where each invoice is one
    /// pending CRM write.
    /// - Parameter shuffledNumbers: invoice numbers in no relation to the order the invoices were
    ///   last updated (as in a real ledger, where old invoices get paid), instead of ascending with it.
    public static func load(invoices count: Int, into server: FakeXeroServer, tenant: String, seed: UInt64, shuffledNumbers: Bool = false) {
        var generator = XeroDataGenerator(seed: seed)
        var invoices = Array(generator.dataset(objects: count * 2, start: start, numberOffset: 5_000_000).invoices.prefix(count))
        if shuffledNumbers {
            var random = SplitMix64(seed: seed)
            var numbers = invoices.map(\.invoiceNumber)
            for index in numbers.indices.reversed() { numbers.swapAt(index, random.below(index + 1)) }
            for index in invoices.indices { invoices[index].invoiceNumber = numbers[index] }
        }
        server.put(invoices: invoices, tenant: tenant)
        server.setClock(max(server.now, (invoices.last?.updated ?? start).adding(milliseconds: 3_600_000)))
    }

    /// Changes 1% of the objects, spread over the data: open invoices are paid in full (the
    /// invoice and a new payment change), other invoices edited.
    public static func changeOnePercent(of server: FakeXeroServer, tenant: String = BenchmarkData.tenant) {
        let invoices = server.invoices(tenant: tenant)
        let total = invoices.count + server.payments(tenant: tenant).count
        var changed = 0
        for (index, invoice) in invoices.enumerated() where index % 50 == 0 {
            guard changed < total / 100 else { break }
            if invoice.status == "AUTHORISED" && invoice.amountDue > 0 {
                server.pay(invoice: invoice.invoiceID, amount: invoice.amountDue, tenant: tenant)
                changed += 2
            } else {
                server.updateInvoice(invoice.invoiceID, tenant: tenant) { $0.reference += " (edited)" }
                changed += 1
            }
        }
    }
}
