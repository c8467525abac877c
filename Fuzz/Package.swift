// swift-tools-version:6.0
// `make fuzz`: libFuzzer over paysync's fuzz entry points (PaySyncFuzzTargets in the main
// package). A package of its own so that the main build never links this main-less executable:
// libFuzzer supplies `main` when built with `swift build --sanitize=fuzzer`.
import PackageDescription

let package = Package(
    name: "paysync-fuzz",
    dependencies: [.package(name: "paysync", path: "..")],
    targets: [
        .executableTarget(
            name: "paysync-fuzz",
            dependencies: [.product(name: "PaySyncFuzzTargets", package: "paysync")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
