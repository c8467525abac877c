import Foundation
import PaySyncCore

/// A bank account whose statements are files. `paysync import-statement FILE --account NAME`
/// reads one (camt.053 by its XML, else CSV in the configured layout) as one page; a scheduled
/// `reconcile` has nothing to poll here.
public struct StatementSource: Source {
    public let name: String
    public let settings: StatementSettings

    public init(name: String, settings: StatementSettings) {
        self.name = name
        self.settings = settings
    }

    public var provider: String { "statement" }
    public var account: String { settings.accountID ?? name }
    public var accounts: [String] { [account] }
    public var entities: [String] { ["transactions"] }
    public var overlap: Duration { .seconds(0) }
    public var startDate: CalendarDate? { nil }
    public var sweep: SweepSettings? { nil }
    public func kinds(of entity: String) -> [ObjectKind] { [.bankTransaction] }
    /// Bank lines have no due dates to age; the UTC day will do.
    public func today(account: String) -> CalendarDate { Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)).utcDate }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard case .file(let path) = mode else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SourceError(source: name, message: "\(path): cannot be read", exitCode: .dataError)
        }
        let entries = try entries(data, file: path)
        let mapped = StatementMapping.observations(entries, account: self.account)
        try await consume(SourcePage(observations: mapped.observations, rejects: [], outOfScope: mapped.outOfScope, lastUpdatedAt: nil, lastID: nil,
                                     servedAt: nil, number: 1, isLast: true))
    }

    /// The file's entries: camt.053 when it is XML, else CSV in the configured layout.
    public func entries(_ data: Data, file: String) throws -> [StatementEntry] {
        let head = String(decoding: data.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}")))
        do {
            if head.hasPrefix("<") { return try Camt053Parser.parse(data, file: file).entries }
            guard let layout = settings.csv else {
                throw StatementError(file: file, location: "line 1", message: "not camt.053 XML, and source \(name) declares no CSV layout (\"csv\" in its config)")
            }
            guard let text = String(data: data, encoding: .utf8) else { throw StatementError(file: file, location: "line 1", message: "not UTF-8 text") }
            return try CSVStatementParser.parse(text, layout: layout, currency: settings.currency, file: file)
        } catch let error as StatementError {
            throw SourceError(source: name, message: "\(error); nothing was imported", exitCode: .dataError)
        }
    }
}

extension StatementSource {
    /// Statement files in the registry: `"kind": "statement"`.
    public static let descriptor = SourceDescriptor(
        kind: "statement", keys: StatementConfig.keys, documentation: "docs/connectors/statements.md",
        read: { object, path, reader in StatementConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in StatementSource(name: context.name, settings: settings) }
    )
}
