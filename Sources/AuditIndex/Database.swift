import Synchronization
internal import CSQLite
#if canImport(Glibc)
import Glibc
#endif

// A small SQLite layer in the spirit of GRDB.swift: a `Connection` owns the `sqlite3*`,
// a `Statement` owns its `sqlite3_stmt` and finalizes it in `deinit`, transactions take
// a closure and roll back when it throws, schema changes are numbered migrations kept in
// `PRAGMA user_version`, and errors never carry bound values.
//
// Thread-safety: a `Connection` is not Sendable and is only ever touched by one thread at
// a time, because the only way to reach it is `Database.withConnection`, which holds the
// `Mutex` that owns it. Connections are opened with SQLITE_OPEN_NOMUTEX for that reason.

/// A dynamically typed SQL value, used to bind the parameters of generated SQL.
enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// How a connection is opened.
struct ConnectionOptions: Sendable {
    /// Open read-only (the file must exist).
    var readOnly = false
    /// Create the file when it does not exist (ignored when read-only).
    var create = true
    /// How long a statement waits for a lock held by another connection, in milliseconds.
    var busyTimeoutMilliseconds: Int32 = 10_000
    /// Page cache size in KiB.
    var cacheSizeKiB: Int = 65_536
    /// Bytes of the file SQLite may memory-map for reads (shared through the OS page cache).
    var mmapSizeBytes: Int = 1 << 30
    /// Maximum number of prepared statements kept per connection.
    var statementCacheCapacity: Int = 128
    /// Whether statements can be stopped at a deadline (`Connection.deadline`): installs a
    /// progress handler that SQLite calls every few thousand virtual-machine steps.
    var stopsAtDeadline = false
}

/// One SQLite connection. Not thread-safe: reach it through `Database.withConnection`.
final class Connection {
    let handle: OpaquePointer
    private var statementCache: [String: Statement] = [:]
    private let statementCacheCapacity: Int
    /// Cached statements handed out since the last `resetStatementsInUse()`.
    private var statementsInUse: [Statement] = []

    /// Opens (and, when allowed, creates) the database file at `path`.
    init(path: String, options: ConnectionOptions) throws(IndexError) {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if options.readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if options.create { flags |= SQLITE_OPEN_CREATE }
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw IndexError.sqlite(code: rc, message: message, operation: "open")
        }
        handle = db
        statementCacheCapacity = options.statementCacheCapacity
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, options.busyTimeoutMilliseconds)
        try execute("PRAGMA cache_size = -\(options.cacheSizeKiB)", operation: "configure cache")
        try execute("PRAGMA mmap_size = \(options.mmapSizeBytes)", operation: "configure mmap")
        try execute("PRAGMA temp_store = MEMORY", operation: "configure temp store")
        if options.stopsAtDeadline {
            // The handler runs inside sqlite3_step on the thread that holds this connection (the
            // only thread that can reach it), and the connection outlives its handle: an unretained
            // reference is safe. A non-zero return makes the statement fail with SQLITE_INTERRUPT.
            sqlite3_progress_handler(db, 4096, { context in
                guard let context else { return 0 }
                let connection = Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue()
                return connection.isPastDeadline ? 1 : 0
            }, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    /// When statements of this connection stop (`Connection.now()` nanoseconds; 0: never).
    /// Only honoured when the connection was opened with `stopsAtDeadline`.
    var deadline: UInt64 = 0

    /// True once `deadline` has passed.
    var isPastDeadline: Bool { deadline != 0 && Connection.now() > deadline }

    /// Nanoseconds on the monotonic clock.
    static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    deinit {
        // Statements must be finalized before the connection closes; close_v2 defers the
        // close until they are, so dropping the cache first is enough.
        statementCache.removeAll()
        for statement in controlStatements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Prepared BEGIN/COMMIT statements: `sqlite3_exec` parsed them anew for every transaction
    /// (4% of a GET's CPU, whose index lookup is a read transaction).
    private var controlStatements: [String: OpaquePointer] = [:]

    /// Runs a statement without results (BEGIN, COMMIT), prepared once per connection.
    private func executeControl(_ sql: String, operation: String) throws(IndexError) {
        var statement = controlStatements[sql]
        if statement == nil {
            let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
            guard rc == SQLITE_OK, let statement else { throw lastError(code: rc == SQLITE_OK ? SQLITE_MISUSE : rc, operation: operation) }
            controlStatements[sql] = statement
        }
        let rc = sqlite3_step(statement)
        let failure = rc == SQLITE_DONE ? nil : lastError(code: rc, operation: operation)
        sqlite3_reset(statement)
        if let failure { throw failure }
    }

    /// The last error on this connection, as an `IndexError` for `operation`.
    func lastError(code: Int32, operation: String) -> IndexError {
        IndexError.sqlite(code: code, message: String(cString: sqlite3_errmsg(handle)), operation: operation)
    }

    /// Runs SQL without parameters (one or more statements). Never pass record values here.
    func execute(_ sql: String, operation: String) throws(IndexError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        if rc != SQLITE_OK { throw lastError(code: rc, operation: operation) }
    }

    /// Prepares a statement that is not cached (finalized when released).
    func prepare(_ sql: String, operation: String) throws(IndexError) -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, 0, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw lastError(code: rc == SQLITE_OK ? SQLITE_MISUSE : rc, operation: operation)
        }
        return Statement(handle: stmt, operation: operation)
    }

    /// A prepared statement for `sql` from the connection's cache, reset and with its
    /// bindings cleared. O(1) on a hit; the cache is emptied when it exceeds its capacity.
    func cachedStatement(_ sql: String, operation: String) throws(IndexError) -> Statement {
        if let cached = statementCache[sql] {
            cached.reset()
            cached.operation = operation
            statementsInUse.append(cached)
            return cached
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw lastError(code: rc == SQLITE_OK ? SQLITE_MISUSE : rc, operation: operation)
        }
        let statement = Statement(handle: stmt, operation: operation)
        if statementCache.count >= statementCacheCapacity { statementCache.removeAll(keepingCapacity: true) }
        statementCache[sql] = statement
        statementsInUse.append(statement)
        return statement
    }

    /// Resets every cached statement used since the last call. A statement left mid-way keeps
    /// its read transaction open, which would pin this connection to an old snapshot; every
    /// use of a connection ends with this call (see `Database.withConnection`).
    func resetStatementsInUse() {
        for statement in statementsInUse { statement.reset() }
        statementsInUse.removeAll(keepingCapacity: true)
    }

    /// Number of rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Whether a transaction is open on this connection.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// How a transaction takes its locks.
    enum TransactionKind: String {
        /// Takes locks when first needed; a read snapshot starts at the first read.
        case deferred = "DEFERRED"
        /// Takes the write lock at once, so a later write cannot fail with SQLITE_BUSY mid-way.
        case immediate = "IMMEDIATE"

        var beginStatement: String { "BEGIN \(rawValue)" }
    }

    /// Runs `body` inside a transaction: commits when it returns, rolls back when it throws
    /// (or when the commit itself fails) and rethrows.
    func transaction<T>(_ kind: TransactionKind = .immediate, operation: String,
                        _ body: () throws(IndexError) -> T) throws(IndexError) -> T {
        try executeControl(kind.beginStatement, operation: operation)
        let result: T
        do {
            result = try body()
        } catch {
            rollbackIgnoringErrors()
            throw error
        }
        do {
            try executeControl("COMMIT", operation: operation)
        } catch {
            rollbackIgnoringErrors()
            throw error
        }
        return result
    }

    private func rollbackIgnoringErrors() {
        // A failed statement may already have rolled the transaction back (e.g. SQLITE_FULL);
        // ROLLBACK then reports "no transaction is active", which is not an error here.
        if isInTransaction { _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
    }

    /// Reads a single integer (e.g. a PRAGMA), or nil when the query returns no row.
    func scalarInt(_ sql: String, operation: String) throws(IndexError) -> Int64? {
        let statement = try prepare(sql, operation: operation)
        guard try statement.step() else { return nil }
        return statement.optionalInt64(at: 0)
    }

    /// `PRAGMA user_version`: the number of the last migration applied.
    func userVersion() throws(IndexError) -> Int {
        Int(try scalarInt("PRAGMA user_version", operation: "read schema version") ?? 0)
    }
}

/// A numbered schema change. Migration `n` moves the schema from version `n - 1` to `n`.
struct Migration: Sendable {
    /// The schema version after this migration (1-based, consecutive).
    let version: Int
    /// A short name, used in error messages.
    let name: String
    /// The SQL that performs the change (no record values).
    let sql: [String]
}

extension Connection {
    /// Applies, in order and each in its own transaction, every migration whose version is
    /// above `PRAGMA user_version`, then records the new version. Running it again is a no-op.
    /// Throws `.schemaTooNew` when the file is newer than the newest known migration.
    func migrate(_ migrations: [Migration]) throws(IndexError) {
        let newest = migrations.last?.version ?? 0
        let current = try userVersion()
        if current > newest {
            throw IndexError(kind: .schemaTooNew,
                             message: "schema version \(current) is newer than this program's \(newest)",
                             operation: "migrate")
        }
        for migration in migrations where migration.version > current {
            let operation = "migrate to version \(migration.version) (\(migration.name))"
            try transaction(.immediate, operation: operation) { () throws(IndexError) in
                // Re-check inside the write lock: another process may have migrated meanwhile.
                guard try userVersion() < migration.version else { return }
                for sql in migration.sql { try execute(sql, operation: operation) }
                try execute("PRAGMA user_version = \(migration.version)", operation: operation)
            }
        }
    }
}

/// A prepared statement. Finalized when released.
final class Statement {
    let handle: OpaquePointer
    var operation: String

    init(handle: OpaquePointer, operation: String) {
        self.handle = handle
        self.operation = operation
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement for another run and clears its bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private func check(_ rc: Int32) throws(IndexError) {
        if rc != SQLITE_OK {
            throw IndexError.sqlite(code: rc, message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))),
                                    operation: operation)
        }
    }

    // MARK: Binding (1-based parameter indexes)

    /// Binds an integer.
    func bind(_ value: Int64, at index: Int32) throws(IndexError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds an integer or NULL.
    func bind(_ value: Int64?, at index: Int32) throws(IndexError) {
        if let value { try check(sqlite3_bind_int64(handle, index, value)) } else { try bindNull(at: index) }
    }

    /// Binds a floating-point number or NULL.
    func bind(_ value: Double?, at index: Int32) throws(IndexError) {
        if let value { try check(sqlite3_bind_double(handle, index, value)) } else { try bindNull(at: index) }
    }

    /// Binds UTF-8 text (copied by SQLite) or NULL.
    func bind(_ value: String?, at index: Int32) throws(IndexError) {
        guard var value else { return try bindNull(at: index) }
        let rc = value.withUTF8 { (utf8: UnsafeBufferPointer<UInt8>) -> Int32 in
            // An empty buffer may have a nil base address, which SQLite would bind as NULL.
            guard let base = utf8.baseAddress, utf8.count > 0 else {
                return sqlite3_bind_text(handle, index, "", 0, gatelog_sqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { chars in
                sqlite3_bind_text(handle, index, chars, Int32(utf8.count), gatelog_sqlite_transient())
            }
        }
        try check(rc)
    }

    /// Binds a blob (copied by SQLite) or NULL.
    func bind(blob value: [UInt8]?, at index: Int32) throws(IndexError) {
        guard let value else { return try bindNull(at: index) }
        let rc = value.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Int32 in
            if bytes.isEmpty { return sqlite3_bind_zeroblob(handle, index, 0) }
            return sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), gatelog_sqlite_transient())
        }
        try check(rc)
    }

    /// Binds UTF-8 text without copying it (`SQLITE_STATIC`): the `count` bytes at `text` must
    /// stay valid and unchanged until the statement has run (used by the writer with memory it
    /// owns, rebound before every run).
    func bind(staticText text: UnsafeRawPointer, count: Int, at index: Int32) throws(IndexError) {
        try check(sqlite3_bind_text(handle, index, text.assumingMemoryBound(to: CChar.self), Int32(count),
                                    gatelog_sqlite_static()))
    }

    /// Binds a blob without copying it (`SQLITE_STATIC`), under the same rule as `bind(staticText:)`.
    /// An empty blob is bound as an empty blob, not NULL.
    func bind(staticBlob bytes: UnsafeRawPointer, count: Int, at index: Int32) throws(IndexError) {
        try check(sqlite3_bind_blob(handle, index, bytes, Int32(count), gatelog_sqlite_static()))
    }

    /// Binds NULL.
    func bindNull(at index: Int32) throws(IndexError) {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds a dynamically typed value.
    func bind(_ value: SQLValue, at index: Int32) throws(IndexError) {
        switch value {
        case .integer(let v): try bind(v, at: index)
        case .real(let v): try bind(Optional(v), at: index)
        case .text(let v): try bind(Optional(v), at: index)
        case .blob(let v): try bind(blob: v, at: index)
        case .null: try bindNull(at: index)
        }
    }

    /// Binds `values` to parameters 1...n.
    func bind(_ values: [SQLValue]) throws(IndexError) {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    // MARK: Stepping

    /// Advances the statement: true when a row is available, false when done.
    func step() throws(IndexError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        // sqlite3_errmsg describes the failure without parameter values.
        let error = IndexError.sqlite(code: rc, message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))),
                                      operation: operation)
        sqlite3_reset(handle)
        throw error
    }

    /// Runs a statement that returns no rows (or ignores them) and resets it.
    func run() throws(IndexError) {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    // MARK: Reading (0-based column indexes)

    /// Number of columns in the result.
    var columnCount: Int32 { sqlite3_column_count(handle) }

    /// Whether the column is NULL.
    func isNull(at column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// Whether the column holds a blob.
    func isBlob(at column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_BLOB }

    /// The column as an integer (0 for NULL).
    func int64(at column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The column as an integer, nil for NULL.
    func optionalInt64(at column: Int32) -> Int64? {
        isNull(at: column) ? nil : sqlite3_column_int64(handle, column)
    }

    /// The column as a Double, nil for NULL.
    func optionalDouble(at column: Int32) -> Double? {
        isNull(at: column) ? nil : sqlite3_column_double(handle, column)
    }

    /// The column as text ("" for NULL).
    func string(at column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The column as text, nil for NULL.
    func optionalString(at column: Int32) -> String? { isNull(at: column) ? nil : string(at: column) }

    /// The column as bytes (empty for NULL).
    func blob(at column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let base = sqlite3_column_blob(handle, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Calls `body` with the column's bytes without copying them (valid only inside `body`).
    func withBlob<T>(at column: Int32, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let base = sqlite3_column_blob(handle, column) else {
            return body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return body(UnsafeRawBufferPointer(start: base, count: count))
    }
}

/// A connection guarded by a mutex: Sendable without `@unchecked`, because the
/// non-Sendable `Connection` is only reachable while the lock is held.
final class Database: Sendable {
    private let connection: Mutex<Connection>
    /// The file path.
    let path: String

    /// Opens a connection to `path`.
    init(path: String, options: ConnectionOptions) throws(IndexError) {
        self.path = path
        let opened = try Connection(path: path, options: options)
        connection = Mutex(opened)
    }

    /// Runs `body` with exclusive use of the connection. Not reentrant.
    func withConnection<T: Sendable>(_ body: (Connection) throws(IndexError) -> T) throws(IndexError) -> T {
        try connection.withLock { (conn: inout sending Connection) throws(IndexError) -> T in
            defer { conn.resetStatementsInUse() }
            return try body(conn)
        }
    }

    /// Runs `body` when the connection is free right now; returns nil without waiting otherwise.
    func withConnectionIfAvailable<T: Sendable>(_ body: (Connection) throws(IndexError) -> T) throws(IndexError) -> T? {
        let outcome: Result<T, IndexError>? = connection.withLockIfAvailable { (conn: inout sending Connection) -> Result<T, IndexError> in
            defer { conn.resetStatementsInUse() }
            do throws(IndexError) { return .success(try body(conn)) } catch { return .failure(error) }
        }
        switch outcome {
        case nil: return nil
        case .success(let value)?: return value
        case .failure(let error)?: throw error
        }
    }
}
