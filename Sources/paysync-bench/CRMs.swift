import Foundation
import PaySyncCore
import PaySyncTestSupport

/// The CRM sinks, each writing the same Xero organisation (`BENCH_CRM_N` open invoices, default
/// 5,000, each with its deal already in the CRM) through the release binary: a first sync (every
/// invoice a write), a rerun with nothing changed, and a rerun after ~5 % were paid. Each line
/// prints the CRM's API calls against the minimum its API allows (ceil(writes / its batch
/// maximum)) and the token requests apart.
enum CRMs {
    struct Target {
        var name: String
        var batch: Int
        var sink: String
        var variables: [String: String]
        var apiCalls: () -> Int
        var tokenRequests: () -> Int
        /// The fewest calls for `writes` in scenario `index` (default: ceil(writes / batch)).
        var minimum: (Int, Int) -> Int = { _, _ in 0 }
    }

    static func run(environment: [String: String]) throws {
        let count = Int(environment["BENCH_CRM_N"] ?? "") ?? 5_000
        let binary = environment["PAYSYNC_BIN"] ?? Repository.root + "/.build/release/paysync"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("\(binary) not found; run `make bench` (it builds the release binary first)")
        }
        print("")
        print("CRM sinks: \(count) open Xero invoices, each a deal in the CRM, from the fakes on loopback")
        print("sink        scenario                     writes    CPU s  CRM calls (min)  token calls")
        let only = environment["BENCH_CRMS"].map { Set($0.split(separator: ",").map(String.init)) }
        let makers: [(String, (Int) throws -> Target)] = [("hubspot", hubspot), ("salesforce", salesforce), ("zoho-crm", zoho), ("dynamics", dynamics),
                                                          ("pipedrive", pipedrive), ("monday", monday)]
        for (name, make) in makers where only?.contains(name) ?? true {
            try measure(try make(count), invoices: count, binary: binary, environment: environment)
        }
        print("            minimum: ceil(writes / batch maximum): HubSpot 100, Salesforce 200, Zoho CRM 100 records, Dataverse 1,000 requests a call;")
        print("            monday.com: ceil(writes / 100) mutation requests, the board's columns once a run, and on a first sync ceil(writes / 100) searches")
        print("            Pipedrive: no bulk update, so one call per write plus one search per key never seen (its minimum here)")
    }

    static func measure(_ target: Target, invoices count: Int, binary: String, environment: [String: String]) throws {
        let work = TemporaryDirectory(prefix: "paysync-bench-\(target.name)")
        let xero = try FakeXeroServer(tenants: [BenchmarkData.drainTenant], refreshToken: "bench-refresh")
        BenchmarkData.load(invoices: count, into: xero, tenant: BenchmarkData.drainTenant, seed: 31)
        let config = work.write("paysync.json", """
            {"sources": [{"name": "xero", "kind": "xero", "tenants": ["\(BenchmarkData.drainTenant)"], "entities": ["invoices"],
                          "client_id": {"env": "XERO_CLIENT_ID"}, "client_secret": {"env": "XERO_CLIENT_SECRET"}, "refresh_token": {"env": "XERO_REFRESH_TOKEN"},
                          "base_url": "\(xero.apiBaseURL)", "token_url": "\(xero.tokenURL)", "page_size": \(Bench.xeroPageMaximum)}],
             "sinks": [\(target.sink)]}
            """)
        var target = target
        if target.batch > 1 { let batch = target.batch; target.minimum = { writes, _ in (writes + batch - 1) / batch } }
        var variables = target.variables
        variables.merge(["XERO_CLIENT_ID": xero.clientID, "XERO_CLIENT_SECRET": xero.clientSecret, "XERO_REFRESH_TOKEN": "bench-refresh",
                         "PATH": "/usr/bin:/bin", "HOME": work.path]) { $1 }
        for (index, scenario) in ["first sync", "rerun, nothing changed", "rerun, ~5 % paid"].enumerated() {
            if index == 2 {
                for (position, invoice) in xero.invoices(tenant: BenchmarkData.drainTenant).enumerated() where position % 20 == 0 && invoice.amountDue > 0 {
                    xero.pay(invoice: invoice.invoiceID, amount: invoice.amountDue, tenant: BenchmarkData.drainTenant)
                }
            }
            let (callsBefore, tokensBefore) = (target.apiCalls(), target.tokenRequests())
            log("\(target.name): \(scenario)…")
            let (executable, arguments) = profiled(binary, ["reconcile", "--config", config, "--ledger", work.file("p.db"), "--format", "json", "--log-level", "error"],
                                                   name: "\(target.name) \(scenario)", into: environment["BENCH_PROFILE"])
            let measured = try PaySyncBench.measure(executable, arguments, environment: variables)
            guard measured.status == 0 else { throw BenchError("\(target.name) \(scenario) exited \(measured.status): \(measured.standardError.prefix(500))") }
            let writes = runReport(measured)["written"]?.intValue ?? 0
            print([
                target.name.padding(toLength: 10, withPad: " ", startingAt: 0), scenario.padding(toLength: 26, withPad: " ", startingAt: 0),
                pad(String(writes), 8), pad(fixed(measured.cpuSeconds, 2), 8),
                pad(ratio(target.apiCalls() - callsBefore, target.minimum(writes, index)), 16), pad(String(target.tokenRequests() - tokensBefore), 12),
            ].joined(separator: " "))
        }
    }

    static let mappingProperties = #"{"field": "status", "values": {"sent": "Awaiting payment", "overdue": "Overdue", "partially_paid": "Partially paid", "paid": "Paid", "voided": "Voided", "draft": "Draft"}}"#

    static func invoiceNumbers(_ count: Int) throws -> [String] {
        let xero = try FakeXeroServer(tenants: [BenchmarkData.drainTenant])
        BenchmarkData.load(invoices: count, into: xero, tenant: BenchmarkData.drainTenant, seed: 31)
        return xero.invoices(tenant: BenchmarkData.drainTenant).map(\.invoiceNumber)
    }

    static func hubspot(_ count: Int) throws -> Target {
        let hubspot = try FakeHubSpotServer(requestsPer10Seconds: 10_000)
        hubspot.defineDeals()
        hubspot.seed("deals", try invoiceNumbers(count).map { ["invoice_number": $0, "dealname": "Deal \($0)"] })
        return Target(name: "hubspot", batch: 100, sink: """
            {"name": "hubspot", "kind": "hubspot", "token": {"env": "HUBSPOT_TOKEN"}, "base_url": "\(hubspot.baseURL)", "requests_per_10_seconds": 10000,
             "objects": {"invoice": {"object": "deals", "id_property": "invoice_number",
               "properties": {"payment_status": \(mappingProperties), "amount_paid": "amount_paid", "amount_due": "amount_due"}}}}
            """, variables: ["HUBSPOT_TOKEN": hubspot.token], apiCalls: { hubspot.calls.count }, tokenRequests: { 0 })
    }

    static func salesforce(_ count: Int) throws -> Target {
        let salesforce = try FakeSalesforceServer()
        salesforce.seed("Opportunity", try invoiceNumbers(count).map { ["Name": .string("Deal \($0)"), "StageName": "Prospecting", "CloseDate": "2025-06-30", "Invoice_Number__c": .string($0)] })
        return Target(name: "salesforce", batch: 200, sink: """
            {"name": "salesforce", "kind": "salesforce", "token_url": "\(salesforce.tokenURL)",
             "client_id": {"env": "SF_ID"}, "client_secret": {"env": "SF_SECRET"}, "refresh_token": {"env": "SF_REFRESH"},
             "objects": {"invoice": {"object": "Opportunity", "id_property": "Invoice_Number__c",
               "properties": {"Payment_Status__c": \(mappingProperties), "Amount_Paid__c": "amount_paid", "Amount_Due__c": "amount_due"}}}}
            """, variables: ["SF_ID": salesforce.clientID, "SF_SECRET": salesforce.clientSecret, "SF_REFRESH": "5Aep861fake-refresh"],
            apiCalls: { salesforce.calls.count }, tokenRequests: { salesforce.tokenRequests })
    }

    static func zoho(_ count: Int) throws -> Target {
        let zoho = try FakeZohoCRMServer()
        zoho.seed("Deals", try invoiceNumbers(count).map { ["Deal_Name": .string("Deal \($0)"), "Stage": "Qualification", "Invoice_Number": .string($0)] })
        return Target(name: "zoho-crm", batch: 100, sink: """
            {"name": "zoho", "kind": "zoho-crm", "accounts_url": "\(zoho.baseURL)",
             "client_id": {"env": "ZOHO_ID"}, "client_secret": {"env": "ZOHO_SECRET"}, "refresh_token": {"env": "ZOHO_REFRESH"},
             "objects": {"invoice": {"object": "Deals", "id_property": "Invoice_Number",
               "properties": {"Payment_Status": \(mappingProperties), "Amount_Paid": "amount_paid", "Amount_Due": "amount_due"}}}}
            """, variables: ["ZOHO_ID": zoho.clientID, "ZOHO_SECRET": zoho.clientSecret, "ZOHO_REFRESH": zoho.refreshToken],
            apiCalls: { zoho.calls.count }, tokenRequests: { zoho.tokenRequests })
    }

    static func dynamics(_ count: Int) throws -> Target {
        let dataverse = try FakeDataverseServer()
        dataverse.seed("contoso_invoices", try invoiceNumbers(count).map { ["contoso_name": .string("Invoice \($0)"), "contoso_invoicenumber": .string($0)] })
        return Target(name: "dynamics", batch: 1000, sink: """
            {"name": "dynamics", "kind": "dynamics", "environment_url": "\(dataverse.environmentURL)", "authority_url": "\(dataverse.authorityURL)",
             "tenant_id": "\(dataverse.tenantID)", "client_id": {"env": "DYN_ID"}, "client_secret": {"env": "DYN_SECRET"},
             "objects": {"invoice": {"object": "contoso_invoices", "id_property": "contoso_invoicenumber",
               "properties": {"contoso_paymentstatus": {"field": "status", "values": {"draft": 100000007, "sent": 100000000, "overdue": 100000001, "partially_paid": 100000002, "paid": 100000003, "voided": 100000006}},
                              "contoso_amountpaid": "amount_paid", "contoso_amountdue": "amount_due"}}}}
            """, variables: ["DYN_ID": dataverse.clientID, "DYN_SECRET": dataverse.clientSecret],
            apiCalls: { dataverse.batches.count }, tokenRequests: { dataverse.tokenRequests })
    }

    static func pipedrive(_ count: Int) throws -> Target {
        let pipedrive = try FakePipedriveServer(burstLimit: 1_000, clock: { Timestamp(Date()) })
        pipedrive.seedDeals(invoiceNumbers: try invoiceNumbers(count))
        let status = FakePipedriveServer.paymentStatusKey
        var target = Target(name: "pipedrive", batch: 1, sink: """
            {"name": "pipedrive", "kind": "pipedrive", "api_token": {"env": "PIPEDRIVE_TOKEN"}, "base_url": "\(pipedrive.baseURL)", "requests_per_2_seconds": 1000,
             "objects": {"invoice": {"object": "deals", "id_property": "\(FakePipedriveServer.invoiceNumberKey)",
               "properties": {"\(status)": {"field": "status", "values": {"draft": 38, "sent": 31, "overdue": 32, "partially_paid": 33, "paid": 34, "voided": 37}},
                              "\(FakePipedriveServer.amountPaidKey)": "amount_paid"}}}}
            """, variables: ["PIPEDRIVE_TOKEN": pipedrive.token], apiCalls: { pipedrive.calls.count }, tokenRequests: { 0 })
        // A search per key on the first sync only; one update per write always.
        target.minimum = { writes, scenario in scenario == 0 ? 2 * writes : writes }
        return target
    }

    static func monday(_ count: Int) throws -> Target {
        // A budget that never binds here: this line counts calls, not waits for refills.
        let monday = try FakeMondayServer(budgetPerMinute: 1_000_000_000, clock: { Timestamp(Date()) })
        monday.seedItems(invoiceNumbers: try invoiceNumbers(count))
        var target = Target(name: "monday", batch: 1, sink: """
            {"name": "monday", "kind": "monday", "token": {"env": "MONDAY_TOKEN"}, "api_url": "\(monday.apiURL)",
             "objects": {"invoice": {"object": "\(monday.board)", "id_property": "text_invoice",
               "properties": {"status": \(mappingProperties), "numbers_paid": "amount_paid"}}}}
            """, variables: ["MONDAY_TOKEN": monday.token], apiCalls: { monday.requests.count }, tokenRequests: { 0 })
        // A request per 100 writes, the board's columns once a run, and on the first sync one
        // search per 100 keys never seen.
        target.minimum = { writes, scenario in
            let requests = (writes + 99) / 100
            return writes == 0 ? 0 : requests + 1 + (scenario == 0 ? requests : 0)
        }
        return target
    }
}
