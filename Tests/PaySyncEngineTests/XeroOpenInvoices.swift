import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncTestSupport

/// A fake Xero organisation holding `count` open invoices (`INV-00001` …, EUR, each 100 + its
/// number plus 20 tax) and the Xero source that reads their invoices: what each CRM sink's
/// end-to-end test writes from.
struct XeroOpenInvoices: Sendable {
    let tenant: String
    let xero: FakeXeroServer
    let invoices: [FakeXeroInvoice]

    /// - Parameter idPrefix: two hex digits that keep one harness's invoice ids apart from another's.
    init(tenant: String, count: Int, idPrefix: String) throws {
        self.tenant = tenant
        xero = try FakeXeroServer(tenants: [tenant])
        let contact = FakeXeroContact(contactID: "c1", name: "Acme Ltd", email: "ap@acme.example")
        let start = xero.now.adding(milliseconds: -86_400_000)
        invoices = (1...count).map { number in
            FakeXeroInvoice(
                invoiceID: String(format: "\(idPrefix)000000-0000-4000-a000-%012d", number), invoiceNumber: String(format: "INV-%05d", number), status: "AUTHORISED",
                contact: contact, date: CalendarDate(year: 2025, month: 4, day: 20)!, dueDate: CalendarDate(year: 2025, month: 5, day: 20)!,
                currency: "EUR", subTotal: Int64(10_000 + number), totalTax: 2_000, lineItems: [], updated: start.adding(milliseconds: Int64(number) * 1000)
            )
        }
        xero.put(invoices: invoices, tenant: tenant)
    }

    /// The source reading this organisation's invoices, credentials from `variables`.
    var source: SourceConfiguration {
        var settings = XeroSettings(tenants: [tenant])
        settings.baseURL = xero.apiBaseURL
        settings.tokenURL = xero.tokenURL
        settings.clientID = .environment("XERO_CLIENT_ID")
        settings.clientSecret = .environment("XERO_CLIENT_SECRET")
        settings.refreshToken = .environment("XERO_REFRESH_TOKEN")
        settings.entities = [.invoices]
        return .xero(name: "xero", settings)
    }

    var variables: [String: String] {
        ["XERO_CLIENT_ID": xero.clientID, "XERO_CLIENT_SECRET": xero.clientSecret, "XERO_REFRESH_TOKEN": "initial-refresh-token"]
    }
}
