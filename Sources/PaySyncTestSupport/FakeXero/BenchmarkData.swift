import PaySyncCore

/// The generated organisation the benchmark serves: one tenant, N objects.
public enum BenchmarkData {
    public static let tenant = "be7c4a11-0000-4000-a000-0000000be7c4"
    public static let start = Timestamp(iso: "2025-01-01T00:00:00Z")!

    public static func load(objects: Int, into server: FakeXeroServer, seed: UInt64 = 2025) {
        var generator = XeroDataGenerator(seed: seed)
        let data = generator.dataset(objects: objects, start: start)
        server.put(invoices: data.invoices, tenant: tenant)
        server.put(payments: data.payments, tenant: tenant)
        let latest = max(data.invoices.last?.updated ?? start, data.payments.last?.updated ?? start)
        server.setClock(latest.adding(milliseconds: 3_600_000))
    }
}
