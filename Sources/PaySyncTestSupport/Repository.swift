import Foundation

/// Paths inside this repository, for tests that read `fixtures/` or run the built binary.
public enum Repository {
    /// The repository root (the directory holding Package.swift).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Repository.swift, PaySyncTestSupport, Sources
        return url.path
    }()

    public static func path(_ relative: String) -> String { root + "/" + relative }

    /// The contents of a file under `fixtures/`.
    public static func fixture(_ relative: String) -> Data {
        guard let data = FileManager.default.contents(atPath: path("fixtures/" + relative)) else {
            preconditionFailure("missing fixture fixtures/\(relative)")
        }
        return data
    }

    /// The directory holding the built products (`paysync`), next to the running test bundle.
    public static var productsDirectory: String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // swift-testing on Linux runs `<products>/paysyncPackageTests.xctest`; XCTest may nest deeper.
        while directory.path != "/" && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("paysync").path) {
            directory.deleteLastPathComponent()
        }
        return directory.path
    }

    /// The built `paysync` executable.
    public static var paysyncExecutable: String { productsDirectory + "/paysync" }
}
