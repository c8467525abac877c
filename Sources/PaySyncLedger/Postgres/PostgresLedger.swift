import Foundation
import PaySyncCore

/// The ledger in PostgreSQL (`ledger: "postgres://…"`), for several paysync workers on several
/// hosts sharing one ledger (`docs/scaling.md`). One connection per process, owned by this actor.
/// Issue 18 ports the SQLite ledger's stores here one by one; so far: the schema's migrations
/// (refusing a foreign database and a newer schema, as the SQLite ledger does) and the leases
/// that split sources between workers.
public actor PostgresLedger: LeaseStore {
    /// Where it lives, for messages: the URL without its password.
    public nonisolated let location: String
    let connection: PGConnection

    /// Connects, and migrates the database to the newest schema.
    public init(url: String, now: Timestamp) throws {
        location = PostgresLedger.redacted(url)
        do {
            connection = try PGConnection(url)
        } catch {
            throw LedgerError.cannotCreate(path: location, reason: error.message)
        }
        try PostgresSchema.migrate(connection, location: location, now: now)
    }

    public var backend: String {
        let version = connection.serverVersion
        return "PostgreSQL \(version / 10_000).\(version % 10_000)"
    }

    /// A URL with any password replaced by `***`: `postgres://paysync:***@db/ledger`.
    public nonisolated static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    // MARK: Leases

    public func acquireLease(among names: [String], holder: String, seconds: Double, now: Timestamp) throws -> String? {
        guard !names.isEmpty else { return nil }
        let until = now.adding(milliseconds: Int64(seconds * 1000))
        let list = PostgresLedger.textArray(names)
        return try connection.transaction {
            try connection.execute("INSERT INTO leases (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING", [list])
            // The first free one in the order given; a row another worker is taking right now is
            // skipped, not waited for, so two workers never get the same lease.
            return try connection.execute("""
                WITH candidate AS (
                    SELECT l.name FROM leases l JOIN unnest($1::text[]) WITH ORDINALITY AS wanted (name, position) ON wanted.name = l.name
                    WHERE l.holder IS NULL OR l.expires_at <= $2 OR l.holder = $3
                    ORDER BY wanted.position LIMIT 1 FOR UPDATE OF l SKIP LOCKED)
                UPDATE leases SET holder = $3, expires_at = $4, taken_at = $2 FROM candidate WHERE leases.name = candidate.name
                RETURNING leases.name
                """, [list, String(now.millisecondsSinceEpoch), holder, String(until.millisecondsSinceEpoch)]).scalar
        }
    }

    public func renewLease(_ name: String, holder: String, seconds: Double, now: Timestamp) throws -> Bool {
        let until = now.adding(milliseconds: Int64(seconds * 1000))
        return try connection.execute("UPDATE leases SET expires_at = $3 WHERE name = $1 AND holder = $2 AND expires_at > $4 RETURNING name",
                                      [name, holder, String(until.millisecondsSinceEpoch), String(now.millisecondsSinceEpoch)]).count == 1
    }

    public func releaseLease(_ name: String, holder: String) throws {
        try connection.execute("UPDATE leases SET holder = NULL, expires_at = NULL WHERE name = $1 AND holder = $2", [name, holder])
    }

    public func liveLeases(now: Timestamp) throws -> [String: (holder: String, until: Timestamp)] {
        var result: [String: (holder: String, until: Timestamp)] = [:]
        for row in try connection.execute("SELECT name, holder, expires_at FROM leases WHERE holder IS NOT NULL AND expires_at > $1",
                                          [String(now.millisecondsSinceEpoch)]).rows {
            guard let name = row[0], let holder = row[1], let until = row[2].flatMap(Int64.init) else { continue }
            result[name] = (holder, Timestamp(millisecondsSinceEpoch: until))
        }
        return result
    }

    /// A PostgreSQL array literal of texts: `{"a","b \"c\""}`.
    static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }
}
