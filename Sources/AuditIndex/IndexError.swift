internal import CSQLite

/// An error from the audit index or its SQLite layer.
///
/// Messages carry SQLite's result code and message and the name of the operation that
/// failed (for example `insert record`), never a bound value: bound values may be
/// record fields that hold personal data.
public struct IndexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, and therefore what the caller can do about it.
    public enum Kind: Sendable, Equatable {
        /// The file is damaged (SQLite reported corruption). Delete it and rebuild from the segments.
        case corrupt
        /// The file is not a gatelog index (not SQLite, or another application's database).
        /// Delete it (after checking the path) and rebuild from the segments.
        case notAnIndex
        /// The index was written by a newer gatelog with a schema this version does not know.
        case schemaTooNew
        /// The database stayed locked by another connection past the busy timeout.
        case busy
        /// The disk or file system is full.
        case diskFull
        /// The file could not be opened (missing directory, permissions).
        case cannotOpen
        /// The file is read-only or the connection was opened read-only.
        case readOnly
        /// An I/O error below SQLite.
        case ioFailure
        /// An argument was rejected before reaching SQLite (a malformed cursor, a field out of range).
        case invalidArgument
        /// A read ran past the query time limit (`AuditIndex.Options.queryTimeoutSeconds`) and was
        /// stopped. Narrow the query (a time range, more filters) or raise the limit.
        case timedOut
        /// Any other SQLite failure.
        case sqlite
    }

    /// The category of the failure.
    public var kind: Kind
    /// SQLite's extended result code, when SQLite reported the failure.
    public var sqliteCode: Int32?
    /// A human-readable explanation (SQLite's message or ours), without record content.
    public var message: String
    /// The operation that failed, e.g. `open`, `migrate to version 1`, `insert record`, `search`.
    public var operation: String

    /// Creates an error.
    public init(kind: Kind, sqliteCode: Int32? = nil, message: String, operation: String) {
        self.kind = kind
        self.sqliteCode = sqliteCode
        self.message = message
        self.operation = operation
    }

    /// True when deleting the index file and rebuilding it from the segments is the remedy.
    public var requiresRebuild: Bool { kind == .corrupt || kind == .notAnIndex || kind == .schemaTooNew }

    /// A one-line description: operation, message and SQLite code.
    public var description: String {
        if let code = sqliteCode {
            return "index \(operation) failed: \(message) (SQLite code \(code))"
        }
        return "index \(operation) failed: \(message)"
    }

    /// Maps an SQLite result code to an error. `message` must come from `sqlite3_errmsg`
    /// or `sqlite3_errstr`, which never include bound parameter values.
    static func sqlite(code: Int32, message: String, operation: String) -> IndexError {
        let kind: Kind
        switch code & 0xFF {
        case SQLITE_CORRUPT: kind = .corrupt
        case SQLITE_NOTADB: kind = .notAnIndex
        case SQLITE_BUSY, SQLITE_LOCKED: kind = .busy
        case SQLITE_FULL: kind = .diskFull
        case SQLITE_CANTOPEN: kind = .cannotOpen
        case SQLITE_READONLY: kind = .readOnly
        case SQLITE_IOERR: kind = .ioFailure
        // Only the query time limit's progress handler interrupts a connection.
        case SQLITE_INTERRUPT: kind = .timedOut
        default: kind = .sqlite
        }
        return IndexError(kind: kind, sqliteCode: code, message: message, operation: operation)
    }

    /// An argument error raised before SQLite is involved.
    static func invalidArgument(_ message: String, operation: String) -> IndexError {
        IndexError(kind: .invalidArgument, message: message, operation: operation)
    }
}
