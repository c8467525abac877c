import Foundation
import PaySyncConnectors
import PaySyncCore
import PaySyncEngine
import PaySyncHTTP

/// The entry points fuzzing drives with arbitrary bytes: each must return or throw a typed error,
/// never crash, hang or accept what it should refuse. `make fuzz` runs them under libFuzzer
/// (`Fuzz/`); `FuzzLoopTests` runs a seeded mutation loop over the same entry points and over
/// every input in `fixtures/fuzz/` (crashes found are kept there as regression inputs).
public enum FuzzTargets {
    public static let names = ["json", "money", "dates", "config", "xero-invoices", "xero-payments"]

    /// Feeds `bytes` to the named entry point.
    public static func run(_ name: String, _ bytes: [UInt8]) {
        switch name {
        case "json": json(bytes)
        case "money": money(bytes)
        case "dates": dates(bytes)
        case "config": config(bytes)
        case "xero-invoices": xero(bytes, entity: .invoices)
        case "xero-payments": xero(bytes, entity: .payments)
        default: preconditionFailure("unknown fuzz target \(name)")
        }
    }

    /// The JSON reader: the DOM parser and the pull scanner accept and refuse the same bytes, and
    /// what the parser accepts survives writing and reading back.
    static func json(_ bytes: [UInt8]) {
        let parsed = try? JSONParser.parse(bytes)
        let scanned = (try? JSONPullScanner.scan(bytes) { try $0.skipValue() }) != nil
        precondition((parsed != nil) == scanned, "parser (\(parsed != nil)) and scanner (\(scanned)) disagree on \(String(decoding: bytes.prefix(200), as: UTF8.self).debugDescription)")
        if let parsed { precondition((try? JSONParser.parse(JSONWriter.compact(parsed))) == parsed, "write/read round trip changed the value") }
    }

    /// Exact money: what parses formats back to the same value in the same currency.
    static func money(_ bytes: [UInt8]) {
        let text = String(decoding: bytes.prefix(64), as: UTF8.self)
        for code in ["GBP", "JPY", "KWD"] {
            let currency = Currency(code: code)!
            guard let money = try? Money(parsing: text, currency: currency, field: "fuzz") else { continue }
            precondition((try? Money(parsing: money.decimalText, currency: currency, field: "fuzz")) == money, "decimal text round trip changed \(text)")
        }
    }

    /// Dates and instants in every form a provider sends.
    static func dates(_ bytes: [UInt8]) {
        let text = String(decoding: bytes.prefix(64), as: UTF8.self)
        if let date = CalendarDate(iso: text) { precondition(CalendarDate(iso: date.description) == date, "date round trip") }
        if let instant = Timestamp(iso: text) { precondition(Timestamp(iso: instant.iso8601) == instant, "instant round trip") }
        _ = XeroDate.timestamp(text)
        _ = XeroDate.calendarDate(text)
        _ = RetryAfter.httpDate(text)
    }

    /// The config parser with every registered kind: problems are reported, never a crash.
    static func config(_ bytes: [UInt8]) {
        _ = try? ConfigParser.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.json", kinds: Registry.configKinds)
    }

    /// A Xero page through decoding and mapping, as a run reads it.
    static func xero(_ bytes: [UInt8], entity: XeroEntity) {
        _ = try? source.decodePage(Data(bytes), entity: entity, tenant: "fuzz", page: 1, today: CalendarDate(year: 2025, month: 5, day: 2)!)
    }

    private static let source = XeroSource(name: "fuzz", settings: XeroSettings(tenants: ["fuzz"]),
                                           client: HTTPClient(transport: NoTransport()), tokens: StaticTokenProvider(Secret("fuzz-token")))

    private struct NoTransport: HTTPTransport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse { HTTPResponse(status: 500) }
    }
}
