// swift-tools-version:6.0
// paysync: keeps a CRM in step with what customers have actually paid.
// No third-party packages: Foundation, FoundationNetworking, the system libsqlite3 and libpq.
import PackageDescription

let package = Package(
    name: "paysync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "paysync", targets: ["paysync"]),
        // For the fuzzing package in Fuzz/ (make fuzz), which builds with --sanitize=fuzzer.
        .library(name: "PaySyncFuzzTargets", targets: ["PaySyncFuzzTargets"]),
    ],
    targets: [
        // libsqlite3 from the system (Debian: libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // libpq from the system (Debian: libpq-dev), for the PostgreSQL ledger.
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // Vocabulary and pure logic: money, statuses, observations, diff, planning, config.
        .target(name: "PaySyncCore"),
        // The SQLite ledger: connection, migrations, object state, transitions, cursors, outbox, runs, credentials.
        .target(name: "PaySyncLedger", dependencies: ["PaySyncCore", "CSQLite", "CLibPQ"]),
        // HTTP: transport protocol, URLSession, fixture replay/record, retry, rate limits, OAuth2.
        .target(name: "PaySyncHTTP", dependencies: ["PaySyncCore"]),
        // Provider connectors, one folder per provider.
        .target(name: "PaySyncConnectors", dependencies: ["PaySyncCore", "PaySyncHTTP"]),
        // CRM sinks, one folder per CRM.
        .target(name: "PaySyncSinks", dependencies: ["PaySyncCore", "PaySyncHTTP"]),
        // The run: sources -> ledger -> outbox -> sinks.
        .target(
            name: "PaySyncEngine",
            dependencies: ["PaySyncCore", "PaySyncLedger", "PaySyncHTTP", "PaySyncConnectors", "PaySyncSinks"]
        ),
        // Command-line parsing, commands and output formatting (thin; calls the engine).
        .target(name: "PaySyncCLI", dependencies: ["PaySyncEngine"]),
        .executableTarget(name: "paysync", dependencies: ["PaySyncCLI"]),

        // Test-only: loopback HTTP server, fake providers and CRMs, data generators.
        .target(name: "PaySyncTestSupport", dependencies: ["PaySyncCore", "PaySyncHTTP", "PaySyncConnectors", "PaySyncSinks"]),
        // Developer tool: regenerates the demo fixtures and the man page, serves the fake Xero for peers.
        .executableTarget(
            name: "paysync-dev",
            dependencies: ["PaySyncTestSupport", "PaySyncEngine", "PaySyncCLI"]
        ),

        // The entry points fuzzing drives: JSON, money, dates, config, each connector's pages.
        .target(name: "PaySyncFuzzTargets", dependencies: ["PaySyncCore", "PaySyncHTTP", "PaySyncConnectors", "PaySyncEngine"]),

        // `make bench`: runs the release binary against the fakes and reports what a run costs.
        .executableTarget(name: "paysync-bench", dependencies: ["PaySyncTestSupport", "PaySyncConnectors", "PaySyncLedger"]),

        .testTarget(name: "PaySyncCoreTests", dependencies: ["PaySyncCore"]),
        .testTarget(name: "PaySyncLedgerTests", dependencies: ["PaySyncLedger", "PaySyncTestSupport"]),
        .testTarget(name: "PaySyncHTTPTests", dependencies: ["PaySyncHTTP", "PaySyncTestSupport"]),
        .testTarget(name: "PaySyncConnectorsTests", dependencies: ["PaySyncConnectors", "PaySyncTestSupport", "PaySyncFuzzTargets"]),
        .testTarget(name: "PaySyncSinksTests", dependencies: ["PaySyncSinks", "PaySyncTestSupport"]),
        .testTarget(name: "PaySyncEngineTests", dependencies: ["PaySyncEngine", "PaySyncTestSupport"]),
        .testTarget(
            name: "PaySyncCLITests",
            dependencies: ["PaySyncCLI", "PaySyncLedger", "PaySyncTestSupport", "paysync"],
            exclude: ["Golden"]
        ),
    ]
)
