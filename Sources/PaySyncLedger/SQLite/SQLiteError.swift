import CSQLite
import PaySyncCore

/// A SQLite failure: the extended result code, SQLite's message and the SQL text — never the
/// bound values, which may be customer data or tokens.
public struct SQLiteError: PaySyncError, Equatable {
    public var code: Int32
    public var message: String
    public var sql: String?
    public var path: String

    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }

    public var exitCode: ExitCode {
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: .temporaryFailure
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY, SQLITE_FULL: .cannotCreate
        case SQLITE_CORRUPT, SQLITE_NOTADB: .dataError
        default: .internalError
        }
    }

    public var description: String {
        var text = "ledger \(path): "
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED:
            text += "the database is locked by another process (\(message)); try again when it finishes"
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            text += "\(message); the file is damaged or not a paysync ledger (see docs/operations.md#recovery)"
        default:
            text += message
        }
        if let sql { text += " [SQL: \(sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))]" }
        return text + " (SQLite code \(code))"
    }
}

import Foundation
