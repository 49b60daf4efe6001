import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite index over the stored records of every region: derived from the segments,
/// rebuildable from them, and queried by the search and aggregate layer.
///
/// One writer (batched inserts, one transaction per batch) and a small pool of reader
/// connections (WAL mode: reads never wait for the writer). All methods are thread-safe and
/// blocking: call them from threads or queues you own, not from the cooperative pool.
public final class AuditIndex: Sendable {
    /// Tuning options.
    public struct Options: Sendable {
        /// Number of reader connections (concurrent queries). At least 1.
        public var readerCount: Int
        /// Page cache of the writer connection, in MiB.
        public var writerCacheMiB: Int
        /// Page cache of each reader connection, in MiB (reads also go through a memory map).
        public var readerCacheMiB: Int
        /// Maximum number of dictionary strings kept in memory.
        public var dictionaryCacheCapacity: Int
        /// WAL size, in pages, after which a commit copies the WAL into the main file. Larger
        /// values write each hot index page to the main file less often (one copy per
        /// checkpoint instead of one per commit) at the cost of a larger WAL file.
        public var walCheckpointPages: Int
        /// Page size in bytes for a new index file (a power of two, 512...65536); ignored for an
        /// existing file. Larger pages mean fewer WAL frames (and system calls) per batch but more
        /// bytes per scattered insert and more cells to shift per insert; 8 KiB measured best
        /// (docs/PERFORMANCE.md "Index").
        public var pageSize: Int
        /// log2 of the number of positions per block for a new index file (ignored for an
        /// existing file). Tests use small blocks; 16 suits production.
        public var blockBits: Int
        /// Memory for the id filters of the newest blocks (`prepareIDFilters`), in bytes: 128 KiB
        /// per block of 65,536 positions, so 256 MiB covers the newest ~134 million records;
        /// lookups by id in older blocks seek every block. 0: no filters.
        public var idFilterBytes: Int
        /// How long the writer waits for a lock another connection holds before a write fails
        /// (SQLITE_BUSY), in milliseconds.
        public var writerBusyTimeoutMilliseconds: Int32 = 10_000
        /// How long one read (a search page, stats, a lookup) may run before it is stopped with
        /// `IndexError.Kind.timedOut`, in seconds; 0: no limit (`setQueryTimeout` changes it later).
        /// With few reader connections, a handful of unbounded aggregates over a large store would
        /// otherwise hold every reader and make all other reads wait.
        public var queryTimeoutSeconds: Double = 60

        /// Default options: 2 readers, 128 MiB writer cache, 16 MiB per reader, 500,000 strings,
        /// checkpoint every 8,192 WAL pages (64 MiB with 8 KiB pages), 8 KiB pages.
        public init(readerCount: Int = 2, writerCacheMiB: Int = 128, readerCacheMiB: Int = 16,
                    dictionaryCacheCapacity: Int = 500_000, walCheckpointPages: Int = 8_192, pageSize: Int = 8192,
                    blockBits: Int = 16, idFilterBytes: Int = 256 << 20) {
            self.readerCount = readerCount
            self.writerCacheMiB = writerCacheMiB
            self.readerCacheMiB = readerCacheMiB
            self.dictionaryCacheCapacity = dictionaryCacheCapacity
            self.walCheckpointPages = walCheckpointPages
            self.pageSize = pageSize
            self.blockBits = blockBits
            self.idFilterBytes = idFilterBytes
        }
    }

    /// The index file path.
    public let path: String
    private let writer: Mutex<WriterSession>
    private let readers: [Database]
    private let nextReader = Atomic<Int>(0)
    let dictionary: DictionaryCache
    /// Per-block Bloom filters of id hashes: lookups by id skip blocks that cannot hold the id.
    let idFilters: BlockIDFilters
    /// The blocks' time ranges, so that queries need not read the `block` table.
    let blockRanges: BlockRangeCache
    /// The time limit of one read, in nanoseconds (0: none).
    private let queryTimeoutNanoseconds: Atomic<UInt64>

    private init(path: String, writer: sending WriterSession, readers: [Database], dictionary: DictionaryCache,
                 idFilters: BlockIDFilters, blockRanges: BlockRangeCache, queryTimeoutSeconds: Double) {
        self.path = path
        self.queryTimeoutNanoseconds = Atomic(AuditIndex.nanoseconds(queryTimeoutSeconds))
        self.idFilters = idFilters
        self.blockRanges = blockRanges
        self.writer = Mutex(writer)
        self.readers = readers
        self.dictionary = dictionary
    }

    /// Opens the index at `path`, creating it or migrating its schema as needed.
    ///
    /// Throws an error whose `requiresRebuild` is true when the file is not a gatelog index,
    /// is damaged in a way visible at open, or has a newer schema: delete it with
    /// `AuditIndex.removeFiles(path:)` and rebuild from the segments. Damage deeper in the
    /// file surfaces as `.corrupt` from later calls, or from `checkIntegrity()`.
    public static func open(path: String, options: Options = Options()) throws(IndexError) -> AuditIndex {
        var writerOptions = ConnectionOptions()
        writerOptions.cacheSizeKiB = max(options.writerCacheMiB, 1) * 1024
        writerOptions.busyTimeoutMilliseconds = options.writerBusyTimeoutMilliseconds
        let connection = try Connection(path: path, options: writerOptions)
        guard options.pageSize >= 512, options.pageSize <= 65_536, options.pageSize & (options.pageSize - 1) == 0 else {
            throw IndexError.invalidArgument("the page size must be a power of two in 512...65536", operation: "open")
        }
        guard (0...32).contains(options.blockBits) else {
            throw IndexError.invalidArgument("block bits must be in 0...32", operation: "open")
        }
        try prepareSchema(connection, pageSize: options.pageSize, blockBits: options.blockBits)
        try connection.execute("PRAGMA wal_autocheckpoint = \(max(options.walCheckpointPages, 1))", operation: "open")
        // The WAL file keeps its largest size until closed (a soak test saw 862 MB, with readers
        // holding snapshots past many checkpoints); cut it back to twice the checkpoint size
        // whenever a checkpoint resets it.
        try connection.execute("PRAGMA journal_size_limit = \(2 * max(options.walCheckpointPages, 1) * options.pageSize)", operation: "open")
        let dictionary = DictionaryCache(capacity: options.dictionaryCacheCapacity)
        let session = try WriterSession(connection: connection, dictionaryCapacity: options.dictionaryCacheCapacity,
                                        idFilterMemoryBytes: max(options.idFilterBytes, 0))

        var readerOptions = ConnectionOptions()
        readerOptions.create = false
        readerOptions.cacheSizeKiB = max(options.readerCacheMiB, 1) * 1024
        readerOptions.stopsAtDeadline = true
        var readers: [Database] = []
        for _ in 0..<max(options.readerCount, 1) {
            let reader = try Database(path: path, options: readerOptions)
            try reader.withConnection { (conn: Connection) throws(IndexError) in
                try conn.execute("PRAGMA query_only = 1", operation: "configure reader")
            }
            readers.append(reader)
        }
        let idFilters = session.idFilters
        let blockRanges = session.blockRanges
        return AuditIndex(path: path, writer: session, readers: readers, dictionary: dictionary, idFilters: idFilters,
                          blockRanges: blockRanges, queryTimeoutSeconds: options.queryTimeoutSeconds)
    }

    /// Checks the identity of the file, enables WAL and applies migrations.
    static func prepareSchema(_ connection: Connection, migrations: [Migration] = Schema.migrations,
                              pageSize: Int = 8192, blockBits: Int = FieldEncoding.defaultBlockBits) throws(IndexError) {
        // The first read of the header fails with SQLITE_NOTADB for a file that is not SQLite.
        let applicationID = try connection.scalarInt("PRAGMA application_id", operation: "open") ?? 0
        let objectCount = try connection.scalarInt("SELECT count(*) FROM sqlite_schema", operation: "open") ?? 0
        if applicationID != Schema.applicationID {
            guard applicationID == 0, objectCount == 0 else {
                throw IndexError(kind: .notAnIndex, message: "the file is an SQLite database of another application",
                                 operation: "open")
            }
            // A new file: the page size only takes effect before the first table exists.
            try connection.execute("PRAGMA page_size = \(pageSize)", operation: "open")
            try connection.execute("PRAGMA application_id = \(Schema.applicationID)", operation: "open")
        }
        // A derived index can lose its last transactions in a power loss (they are re-indexed
        // from the segments on catch-up), so WAL with synchronous=NORMAL is enough: commits are
        // not synced, checkpoints are (the WAL before it is copied, the file before the WAL is
        // reused), so a power loss leaves the file as of some committed transaction.
        // Not synchronous=OFF: then a checkpoint's page writes may reach the disk only in part
        // while the WAL that held them is already overwritten, leaving pages of different
        // transactions side by side. Opening runs quick_check (structure only) and catch-up
        // resumes after `region_state`'s prefix, so a table or `region_state` page older than
        // the others would go unnoticed: records silently missing from the index. (Measured:
        // OFF gives ~6% more records per CPU-second, mostly because the kernel then writes the
        // checkpointed pages back in its own threads instead of in this process's fsync.)
        try connection.execute("PRAGMA journal_mode = WAL", operation: "open")
        try connection.execute("PRAGMA synchronous = NORMAL", operation: "open")
        try connection.migrate(migrations)
        if migrations.count == Schema.migrations.count {
            let statement = try connection.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'", operation: "open")
            var tables = Set<String>()
            while try statement.step() { tables.insert(statement.string(at: 0)) }
            for table in Schema.requiredTables where !tables.contains(table) {
                throw IndexError(kind: .corrupt, message: "table \(table) is missing", operation: "open")
            }
            // Fixed when the file is created; later opens keep the stored value.
            try connection.execute("INSERT OR IGNORE INTO setting (name, value) VALUES ('block_bits', \(blockBits))",
                                   operation: "open")
        }
    }

    /// Deletes an index file and its WAL and shared-memory files (for a rebuild). Missing files
    /// are not an error. Close every `AuditIndex` on the path first.
    public static func removeFiles(path: String) throws(IndexError) {
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] {
            if unlink(file) != 0 && errno != ENOENT {
                throw IndexError(kind: .ioFailure, message: "cannot delete the index file (errno \(errno))",
                                 operation: "remove files")
            }
        }
    }

    // MARK: Writing

    /// Indexes `entries` in one transaction. Re-indexing a (region, position) already present
    /// is a no-op, so catch-up may overlap what is indexed. O(n log N).
    ///
    /// Positions may arrive in any order; `indexedPosition(region:)` reports the contiguous prefix.
    /// A cost or latency too large for the index is indexed as absent (see `validate`).
    public func insert(_ entries: [IndexEntry]) throws(IndexError) {
        guard !entries.isEmpty else { return }
        try entries.withUnsafeBufferPointer { (entries: UnsafeBufferPointer<IndexEntry>) throws(IndexError) in
            // In place: copying an entry would retain each of its strings.
            for i in entries.indices { try Self.validate(entries.baseAddress! + i) }
        }
        try writer.withLock { (session: inout sending WriterSession) throws(IndexError) in
            defer { session.connection.resetStatementsInUse() }
            try session.insert(entries)
        }
    }

    private static func validate(_ entry: UnsafePointer<IndexEntry>) throws(IndexError) {
        let operation = "insert"
        if entry.pointee.region.isEmpty { throw IndexError.invalidArgument("an entry has an empty region", operation: operation) }
        if entry.pointee.position > FieldEncoding.maxPosition {
            throw IndexError.invalidArgument("position \(entry.pointee.position) exceeds 2^55 - 1", operation: operation)
        }
        if entry.pointee.chainHash.count != 32 {
            throw IndexError.invalidArgument("chain hash must be 32 bytes, got \(entry.pointee.chainHash.count)",
                                             operation: operation)
        }
        // A cost or latency the fixed-point columns cannot hold (|cost| ≥ 9.2e9 USD, |latency| ≥
        // 9.2e15 ms, or not finite) is indexed as absent, not refused: the record is stored, and one
        // refused entry would stop the index for every record after it. Ingest refuses such values
        // (RecordLimits.costUSDBound, latencyMsBound); stores written before that may hold them.
    }

    // MARK: Reading

    /// The highest position `p` of `region` such that every position 0...p is indexed; nil when
    /// position 0 is not indexed. Catch-up on open re-indexes from the next position. O(log n).
    public func indexedPosition(region: String) throws(IndexError) -> UInt64? {
        try withReader { (conn: Connection) throws(IndexError) -> UInt64? in
            guard let regionID = try self.existingID(.region, region, conn) else { return nil }
            let statement = try conn.cachedStatement("SELECT next_position FROM region_state WHERE region = ?",
                                                     operation: "read indexed position")
            try statement.bind(regionID, at: 1)
            guard try statement.step() else { return nil }
            let next = UInt64(bitPattern: statement.int64(at: 0))
            return next == 0 ? nil : next - 1
        }
    }

    /// The regions the index has seen, sorted by name. O(regions).
    public func regions() throws(IndexError) -> [String] {
        try withReader { (conn: Connection) throws(IndexError) -> [String] in
            let statement = try conn.cachedStatement("SELECT value FROM dict WHERE kind = ?", operation: "list regions")
            try statement.bind(DictKind.region.rawValue, at: 1)
            var names: [String] = []
            while try statement.step() { names.append(statement.string(at: 0)) }
            return names.sorted()
        }
    }

    /// Builds the id filters of the newest blocks that have none yet (as many as
    /// `Options.idFilterBytes` holds, highest block numbers first), so that lookups by id skip the
    /// blocks that cannot hold the id (`BlockIDFilters`). Blocks of `excludedRegions` get none.
    /// O(records of those blocks) the first time (a scan of `by_id`, ~65,536 rows per block),
    /// O(blocks) once all are built: call it after opening and now and then while records arrive
    /// (new blocks), off request paths. Returns the number of filters built.
    @discardableResult
    public func prepareIDFilters(excludedRegions: Set<String> = []) throws(IndexError) -> Int {
        let tracked = idFilters.trackedBlocks
        let excluded = try withReader { (conn: Connection) throws(IndexError) -> Set<Int64> in
            var ids = Set<Int64>()
            for region in excludedRegions { if let id = try self.existingID(.region, region, conn) { ids.insert(id) } }
            return ids
        }
        let newest = blockRanges.all.map(\.blk).filter { !excluded.contains(FieldEncoding.region(ofBlock: $0)) }
            .sorted(by: >).prefix(idFilters.maxBlocks)
        var built = 0
        for block in newest where !tracked.contains(block) {
            // With the writer lock held no insert is in flight (the invariant of `BlockIDFilters`).
            let started = writer.withLock { (_: inout sending WriterSession) -> Bool in self.idFilters.startTracking(block: block) }
            guard started else { continue }
            let filter: BlockIDFilters.BlockFilter
            do {
                filter = try withReadTransaction("prepare id filters") { (conn: Connection) throws(IndexError) -> BlockIDFilters.BlockFilter in
                    let statement = try conn.cachedStatement("SELECT idh FROM by_id WHERE blk = ?", operation: "prepare id filters")
                    try statement.bind(block, at: 1)
                    var filter = self.idFilters.emptyFilter()
                    while try statement.step() { self.idFilters.insert(statement.int64(at: 0), into: &filter) }
                    return filter
                }
            } catch {
                idFilters.stopTracking(block: block) // a later call starts over
                throw error
            }
            idFilters.complete(block: block, with: filter)
            built += 1
        }
        return built
    }

    /// Number of blocks whose id filter is built (`prepareIDFilters`).
    public var idFiltersBuilt: Int { idFilters.completeBlocks.count }

    /// The entry with `id` in `region`, or nil. O(blocks of the region · log n).
    public func lookup(region: String, id: String) throws(IndexError) -> IndexEntry? {
        try withReadTransaction("lookup", isQuery: true) { (conn: Connection) throws(IndexError) -> IndexEntry? in
            guard let regionID = try self.existingID(.region, region, conn) else { return nil }
            var filter = ResolvedFilter()
            filter.regions = [regionID]
            filter.ids = [id]
            return try self.entries(withID: id, in: self.blocks(filter, conn), conn, firstOnly: true).first
        }
    }

    /// Every entry with `id`, across regions, newest first. O(blocks · log n + matches).
    public func lookup(id: String) throws(IndexError) -> [IndexEntry] {
        try withReadTransaction("lookup", isQuery: true) { (conn: Connection) throws(IndexError) -> [IndexEntry] in
            var found = try self.entries(withID: id, in: self.blocks(ResolvedFilter(), conn), conn, firstOnly: false)
            found.sort { $0.ts != $1.ts ? $0.ts > $1.ts : ($0.position != $1.position ? $0.position > $1.position : $0.region > $1.region) }
            return found
        }
    }

    private func entries(withID id: String, in blocks: [BlockRange], _ conn: Connection,
                         firstOnly: Bool) throws(IndexError) -> [IndexEntry] {
        let statement = try conn.cachedStatement(
            "SELECT \(Schema.entryColumns) FROM by_id x CROSS JOIN record r ON r.rid = x.rid "
                + "WHERE x.blk = ? AND x.idh = ? AND r.id = ?",
            operation: "lookup")
        let hash = FieldEncoding.hash32(id)
        var found: [IndexEntry] = []
        for block in blocks.sorted(by: { $0.tsMax > $1.tsMax }) {
            statement.reset()
            try statement.bind(block.blk, at: 1)
            try statement.bind(hash, at: 2)
            try statement.bind(id, at: 3)
            while try statement.step() {
                found.append(try decodeEntry(statement, conn))
                if firstOnly { return found }
            }
        }
        return found
    }

    /// Number of indexed records in all regions. O(n) (a count over the smallest index).
    public func recordCount() throws(IndexError) -> Int64 {
        try withReader { (conn: Connection) throws(IndexError) -> Int64 in
            try conn.scalarInt("SELECT count(*) FROM record", operation: "count") ?? 0
        }
    }

    /// Runs SQLite's `quick_check` over the whole file. Throws `.corrupt` when it finds damage.
    /// O(file size): meant for `reindex --check` and after a crash, not for every open.
    public func checkIntegrity() throws(IndexError) {
        try withReader { (conn: Connection) throws(IndexError) in
            let statement = try conn.prepare("PRAGMA quick_check(1)", operation: "check integrity")
            guard try statement.step() else { return }
            let result = statement.string(at: 0)
            if result != "ok" {
                // quick_check reports page and table names, never cell content.
                throw IndexError(kind: .corrupt, message: result, operation: "check integrity")
            }
        }
    }

    /// Copies the WAL into the main file and truncates the WAL (e.g. before measuring the file
    /// or after a rebuild). O(WAL size).
    public func checkpoint() throws(IndexError) {
        try writer.withLock { (session: inout sending WriterSession) throws(IndexError) in
            try session.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)", operation: "checkpoint")
        }
    }

    /// Runs `body` on a free reader connection (or waits for one).
    /// Changes the time limit of reads that start from now on (seconds; 0: none).
    public func setQueryTimeout(seconds: Double) {
        queryTimeoutNanoseconds.store(AuditIndex.nanoseconds(seconds), ordering: .relaxed)
    }

    private static func nanoseconds(_ seconds: Double) -> UInt64 {
        seconds > 0 && seconds.isFinite ? UInt64(min(seconds, 1e9) * 1e9) : 0
    }

    /// Runs `body` on a free reader connection (or waits for one). With `isQuery` (a client's
    /// search, count, aggregate or lookup), the query time limit applies; gatelog's own reads
    /// (integrity checks, catch-up progress, id filters) run to the end.
    func withReader<T: Sendable>(isQuery: Bool = false, _ body: (Connection) throws(IndexError) -> T) throws(IndexError) -> T {
        let start = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        let count = readers.count
        let limit = isQuery ? queryTimeoutNanoseconds.load(ordering: .relaxed) : 0
        // The time limit counts from when a connection is free (waiting for one is not the query's
        // cost), and covers everything `body` runs on it.
        func timed(_ conn: Connection) throws(IndexError) -> T {
            if limit > 0 { conn.deadline = Connection.now() + limit }
            defer { conn.deadline = 0 }
            do throws(IndexError) {
                return try body(conn)
            } catch {
                guard error.kind == .timedOut else { throw error }
                let seconds = Double(limit) / 1e9
                let shown = seconds == seconds.rounded() ? String(Int64(seconds)) : String(seconds)
                throw IndexError(kind: .timedOut, sqliteCode: error.sqliteCode,
                                 message: "the query ran longer than the limit of \(shown) s and was stopped; narrow it (a time range, more filters) or raise query_timeout_seconds",
                                 operation: error.operation)
            }
        }
        for i in 0..<count {
            if let result = try readers[(start &+ i) % count].withConnectionIfAvailable(timed) { return result }
        }
        return try readers[start % count].withConnection(timed)
    }

    // MARK: Dictionary access for readers

    /// The id of an existing dictionary string, or nil when the index never saw it.
    func existingID(_ kind: DictKind, _ value: String, _ conn: Connection) throws(IndexError) -> Int64? {
        try existingID(kind: kind.rawValue, value, conn)
    }

    func existingID(kind: Int64, _ value: String, _ conn: Connection) throws(IndexError) -> Int64? {
        if let id = dictionary.id(kind: kind, value: value) { return id }
        let statement = try conn.cachedStatement("SELECT id FROM dict WHERE kind = ? AND value = ?",
                                                 operation: "read dictionary")
        try statement.bind(kind, at: 1)
        try statement.bind(value, at: 2)
        guard try statement.step() else { return nil }
        let id = statement.int64(at: 0)
        dictionary.remember(kind: kind, value: value, id: id)
        return id
    }

    /// The string of a dictionary id found in a row; `.corrupt` when it is missing.
    func string(kind: Int64, id: Int64, _ conn: Connection) throws(IndexError) -> String {
        if let value = dictionary.value(kind: kind, id: id) { return value }
        let statement = try conn.cachedStatement("SELECT value FROM dict WHERE kind = ? AND id = ?",
                                                 operation: "read dictionary")
        try statement.bind(kind, at: 1)
        try statement.bind(id, at: 2)
        guard try statement.step() else {
            throw IndexError(kind: .corrupt, message: "a record refers to a missing dictionary entry",
                             operation: "read dictionary")
        }
        let value = statement.string(at: 0)
        dictionary.remember(kind: kind, value: value, id: id)
        return value
    }

    private func optionalString(_ kind: DictKind, _ statement: Statement, _ column: Int32,
                                _ conn: Connection) throws(IndexError) -> String? {
        guard let id = statement.optionalInt64(at: column) else { return nil }
        return try string(kind: kind.rawValue, id: id, conn)
    }

    /// Rebuilds an entry from a row selected with `Schema.entryColumns`.
    func decodeEntry(_ s: Statement, _ conn: Connection) throws(IndexError) -> IndexEntry {
        let rid = s.int64(at: 0)
        let region = try string(kind: DictKind.region.rawValue, id: FieldEncoding.region(ofRowID: rid), conn)
        var trace: String?
        if !s.isNull(at: 19) {
            trace = s.isBlob(at: 19) ? s.withBlob(at: 19) { FieldEncoding.hex($0) } : s.string(at: 19)
        }
        var metadata: [(key: String, value: String)] = []
        if let pairs = s.withBlob(at: 20, { FieldEncoding.metadataPairs($0) }) {
            metadata.reserveCapacity(pairs.count)
            for pair in pairs {
                let key = try string(kind: DictKind.metadataKey.rawValue, id: pair.key, conn)
                let value = try string(kind: DictKind.metadataValue(key: pair.key), id: pair.value, conn)
                metadata.append((key, value))
            }
        } else {
            throw IndexError(kind: .corrupt, message: "a metadata blob is malformed", operation: "read record")
        }
        return IndexEntry(
            region: region,
            position: FieldEncoding.position(ofRowID: rid),
            id: s.string(at: 24),
            ts: s.int64(at: 1),
            tenant: try optionalString(.tenant, s, 2, conn),
            team: try optionalString(.team, s, 3, conn),
            user: try optionalString(.user, s, 4, conn),
            apiKeyID: try optionalString(.apiKey, s, 5, conn),
            kind: try optionalString(.kind, s, 6, conn),
            model: try optionalString(.model, s, 7, conn),
            provider: try optionalString(.provider, s, 8, conn),
            status: s.optionalInt64(at: 9).map { Int($0) },
            errorClass: try optionalString(.errorClass, s, 10, conn),
            costUSD: s.optionalInt64(at: 13).map(FieldEncoding.usd(nano:)),
            inputTokens: s.optionalInt64(at: 14),
            outputTokens: s.optionalInt64(at: 15),
            latencyTotalMs: s.optionalInt64(at: 16).map(FieldEncoding.milliseconds(micros:)),
            ttftMs: s.optionalInt64(at: 17).map(FieldEncoding.milliseconds(micros:)),
            itlMs: s.optionalInt64(at: 18).map(FieldEncoding.milliseconds(micros:)),
            traceID: trace,
            routeBackend: try optionalString(.backend, s, 11, conn),
            routeFallback: s.optionalInt64(at: 12).map { $0 != 0 },
            metadata: metadata,
            location: RecordLocation(segment: UInt64(bitPattern: s.int64(at: 21)),
                                     frameOffset: UInt64(bitPattern: s.int64(at: 22)),
                                     recordInFrame: UInt16(truncatingIfNeeded: s.int64(at: 23))),
            chainHash: s.blob(at: 25),
            text: nil)
    }
}
