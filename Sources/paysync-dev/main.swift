import Foundation
import PaySyncCLI
import PaySyncConnectors
import PaySyncCore
import PaySyncEngine
import PaySyncHTTP
import PaySyncSinks
import PaySyncTestSupport

// Developer tool, not shipped: regenerates the demo fixtures and serves the fake Xero for
// benchmarks against other tools.
//
//   paysync-dev demo-fixtures [DIR]            rewrite DIR (default fixtures/demo) from the demo dataset
//   paysync-dev man-page [PATH]                rewrite PATH (default docs/paysync.1) from the command table
//   paysync-dev serve-xero --objects N [--port-file PATH]
//                                              serve a fake Xero with N generated objects until killed

let arguments = Array(CommandLine.arguments.dropFirst())

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("paysync-dev: \(message)\n".utf8))
    exit(64)
}

switch arguments.first {
case "man-page":
    let path = arguments.count > 1 ? arguments[1] : Repository.path("docs/paysync.1")
    do {
        try ManPage.render().write(toFile: path, atomically: true, encoding: .utf8)
        print("wrote \(path)")
    } catch {
        fail("\(error)")
    }
case "demo-fixtures":
    let directory = arguments.count > 1 ? arguments[1] : Repository.path("fixtures/demo")
    do {
        try await DemoFixtures.generate(into: directory)
    } catch {
        fail("\(error)")
    }
case "serve-xero":
    var objects = 1000
    var portFile: String?
    var index = 1
    while index < arguments.count {
        switch arguments[index] {
        case "--objects": objects = Int(arguments[index + 1]) ?? objects; index += 2
        case "--port-file": portFile = arguments[index + 1]; index += 2
        default: fail("unknown option \(arguments[index])")
        }
    }
    let server = try FakeXeroServer(tenants: [BenchmarkData.tenant], refreshToken: "bench-refresh")
    BenchmarkData.load(objects: objects, into: server)
    if let portFile {
        try server.baseURL.write(toFile: portFile, atomically: true, encoding: .utf8)
    }
    print("fake Xero at \(server.baseURL) (tenant \(BenchmarkData.tenant), \(objects) objects)")
    while true { try await Task.sleep(for: .seconds(3600)) }
default:
    fail("usage: paysync-dev demo-fixtures [DIR] | man-page [PATH] | serve-xero --objects N [--port-file PATH]")
}

enum DemoFixtures {
    static func generate(into directory: String) async throws {
        let server = try FakeXeroServer(tenants: [DemoDataset.tenant], clientID: "demo-client", clientSecret: "demo-secret", refreshToken: "demo-refresh")
        DemoDataset.load(into: server)
        let quickBooks = try FakeQuickBooksServer(realms: [QuickBooksDemoDataset.realm], clientID: "demo-qbo-client", clientSecret: "demo-qbo-secret",
                                                  refreshToken: "demo-qbo-refresh", clock: Timestamp(iso: "2025-04-28T09:00:00Z")!)
        QuickBooksDemoDataset.load(into: quickBooks)
        let stripe = try FakeStripeServer(key: "sk_test_demo", now: DemoDataset.now.adding(milliseconds: -3 * 86_400_000))
        StripeDemoDataset.load(into: stripe)
        var stripeSettings = StripeSettings()
        stripeSettings.baseURL = stripe.baseURL
        stripeSettings.secretKey = .environment("STRIPE_SECRET_KEY")
        let scratch = TemporaryDirectory(prefix: "paysync-demo-fixtures")
        var settings = XeroSettings(tenants: [DemoDataset.tenant])
        settings.baseURL = server.apiBaseURL
        settings.tokenURL = server.tokenURL
        settings.clientID = .environment("XERO_CLIENT_ID")
        settings.clientSecret = .environment("XERO_CLIENT_SECRET")
        settings.refreshToken = .environment("XERO_REFRESH_TOKEN")
        settings.timeZone = "Europe/London"
        var company = QuickBooksSettings(realmID: QuickBooksDemoDataset.realm)
        company.baseURL = quickBooks.baseURL
        company.tokenURL = quickBooks.tokenURL
        company.clientID = .environment("QBO_CLIENT_ID")
        company.clientSecret = .environment("QBO_CLIENT_SECRET")
        company.refreshToken = .environment("QBO_REFRESH_TOKEN")
        company.timeZone = "America/Los_Angeles"
        let configuration = Configuration(
            file: "demo generator",
            sources: [.xero(name: "demo-xero", settings), SourceConfiguration(name: "demo-quickbooks", kind: QuickBooksSource.descriptor.kind, settings: company),
                      SourceConfiguration(name: "demo-stripe", kind: StripeSource.descriptor.kind, settings: stripeSettings)],
            sinks: [.jsonLines(name: "crm-preview", path: scratch.file("writes.jsonl"))]
        )
        // Recorded as the real services' addresses, so a replay reads like production.
        let quickBooksPort = URL(string: quickBooks.baseURL)?.port
        let stripePort = URL(string: stripe.baseURL)?.port
        let rewrite: @Sendable (URL) -> URL = { url in
            if url.port == stripePort { return RecordingTransport.origin("https://api.stripe.com")(url) }
            if url.port == quickBooksPort {
                return url.path.hasSuffix("/tokens/bearer")
                    ? RecordingTransport.origin("https://oauth.platform.intuit.com")(url)
                    : RecordingTransport.origin("https://quickbooks.api.intuit.com")(url)
            }
            return url.path.hasSuffix("/connect/token")
                ? RecordingTransport.origin("https://identity.xero.com")(url)
                : RecordingTransport.origin("https://api.xero.com")(url)
        }
        let steps: [(String, () -> Void)] = [
            ("1-first-sync", {}),
            ("2-nothing-changed", {}),
            ("3-some-paid", {
                DemoDataset.applyLaterChanges(to: server)
                QuickBooksDemoDataset.applyLaterChanges(quickBooks)
                StripeDemoDataset.applyLaterChanges(to: stripe, at: DemoDataset.now)
            }),
        ]
        for (step, change) in steps {
            change()
            let target = directory + "/" + step
            try? FileManager.default.removeItem(atPath: target)
            let recorder = try RecordingTransport(wrapping: URLSessionTransport(), directory: target, rewrite: rewrite)
            let report = try await Reconciler.run(
                configuration: configuration,
                options: RunOptions(ledgerPath: scratch.file("demo.db")),
                dependencies: EngineDependencies(
                    environment: .pinned(at: DemoDataset.now), logger: Logger(minimumLevel: .warning), transport: recorder,
                    variables: ["XERO_CLIENT_ID": "demo-client", "XERO_CLIENT_SECRET": "demo-secret", "XERO_REFRESH_TOKEN": "demo-refresh",
                                "QBO_CLIENT_ID": "demo-qbo-client", "QBO_CLIENT_SECRET": "demo-qbo-secret", "QBO_REFRESH_TOKEN": "demo-qbo-refresh",
                                "STRIPE_SECRET_KEY": stripe.key]
                )
            )
            print("\(step): \(report.summaryLine)")
        }
    }
}
