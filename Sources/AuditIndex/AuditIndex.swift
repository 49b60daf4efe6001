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
        /// existing file. Smaller pages write fewer bytes per randomly placed index entry.
        public var pageSize: Int
        /// log2 of the number of positions per block for a new index file (ignored for an
        /// existing file). Tests use small blocks; 16 suits production.
        public var blockBits: Int

        /// Default options: 2 readers, 128 MiB writer cache, 16 MiB per reader, 500,000 strings,
        /// checkpoint every 16,384 WAL pages (64 MiB).
        public init(readerCount: Int = 2, writerCacheMiB: Int = 128, readerCacheMiB: Int = 16,
                    dictionaryCacheCapacity: Int = 500_000, walCheckpointPages: Int = 16_384, pageSize: Int = 4096,
                    blockBits: Int = 16) {
            self.readerCount = readerCount
            self.writerCacheMiB = writerCacheMiB
            self.readerCacheMiB = readerCacheMiB
            self.dictionaryCacheCapacity = dictionaryCacheCapacity
            self.walCheckpointPages = walCheckpointPages
            self.pageSize = pageSize
            self.blockBits = blockBits
        }
    }

    /// The index file path.
    public let path: String
    private let writer: Mutex<WriterSession>
    private let readers: [Database]
    private let nextReader = Atomic<Int>(0)
    let dictionary: DictionaryCache

    private init(path: String, writer: sending WriterSession, readers: [Database], dictionary: DictionaryCache) {
        self.path = path
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
        let connection = try Connection(path: path, options: writerOptions)
        guard options.pageSize >= 512, options.pageSize <= 65_536, options.pageSize & (options.pageSize - 1) == 0 else {
            throw IndexError.invalidArgument("the page size must be a power of two in 512...65536", operation: "open")
        }
        guard (0...32).contains(options.blockBits) else {
            throw IndexError.invalidArgument("block bits must be in 0...32", operation: "open")
        }
        try prepareSchema(connection, pageSize: options.pageSize, blockBits: options.blockBits)
        try connection.execute("PRAGMA wal_autocheckpoint = \(max(options.walCheckpointPages, 1))", operation: "open")
        let dictionary = DictionaryCache(capacity: options.dictionaryCacheCapacity)
        let session = try WriterSession(connection: connection)

        var readerOptions = ConnectionOptions()
        readerOptions.create = false
        readerOptions.cacheSizeKiB = max(options.readerCacheMiB, 1) * 1024
        var readers: [Database] = []
        for _ in 0..<max(options.readerCount, 1) {
            let reader = try Database(path: path, options: readerOptions)
            try reader.withConnection { (conn: Connection) throws(IndexError) in
                try conn.execute("PRAGMA query_only = 1", operation: "configure reader")
            }
            readers.append(reader)
        }
        return AuditIndex(path: path, writer: session, readers: readers, dictionary: dictionary)
    }

    /// Checks the identity of the file, enables WAL and applies migrations.
    static func prepareSchema(_ connection: Connection, migrations: [Migration] = Schema.migrations,
                              pageSize: Int = 4096, blockBits: Int = FieldEncoding.defaultBlockBits) throws(IndexError) {
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
        // from the segments on catch-up), so WAL with synchronous=NORMAL is enough.
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
    public func insert(_ entries: [IndexEntry]) throws(IndexError) {
        guard !entries.isEmpty else { return }
        for entry in entries { try Self.validate(entry) }
        let dictionary = self.dictionary
        try writer.withLock { (session: inout sending WriterSession) throws(IndexError) in
            defer { session.connection.resetStatementsInUse() }
            try session.insert(entries, dictionary: dictionary)
        }
    }

    private static func validate(_ entry: IndexEntry) throws(IndexError) {
        let operation = "insert"
        if entry.region.isEmpty { throw IndexError.invalidArgument("an entry has an empty region", operation: operation) }
        if entry.position > FieldEncoding.maxPosition {
            throw IndexError.invalidArgument("position \(entry.position) exceeds 2^55 - 1", operation: operation)
        }
        if entry.chainHash.count != 32 {
            throw IndexError.invalidArgument("chain hash must be 32 bytes, got \(entry.chainHash.count)", operation: operation)
        }
        if let cost = entry.costUSD, FieldEncoding.nanoUSD(cost) == nil {
            throw IndexError.invalidArgument("cost is not a finite number in range", operation: operation)
        }
        for latency in [entry.latencyTotalMs, entry.ttftMs, entry.itlMs] {
            if let latency, FieldEncoding.micros(latency) == nil {
                throw IndexError.invalidArgument("a latency is not a finite number in range", operation: operation)
            }
        }
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

    /// The entry with `id` in `region`, or nil. O(blocks of the region · log n).
    public func lookup(region: String, id: String) throws(IndexError) -> IndexEntry? {
        try withReadTransaction("lookup") { (conn: Connection) throws(IndexError) -> IndexEntry? in
            guard let regionID = try self.existingID(.region, region, conn) else { return nil }
            var filter = ResolvedFilter()
            filter.regions = [regionID]
            filter.ids = [id]
            return try self.entries(withID: id, in: self.blocks(filter, conn), conn, firstOnly: true).first
        }
    }

    /// Every entry with `id`, across regions, newest first. O(blocks · log n + matches).
    public func lookup(id: String) throws(IndexError) -> [IndexEntry] {
        try withReadTransaction("lookup") { (conn: Connection) throws(IndexError) -> [IndexEntry] in
            var found = try self.entries(withID: id, in: self.blocks(ResolvedFilter(), conn), conn, firstOnly: false)
            found.sort { $0.ts != $1.ts ? $0.ts > $1.ts : ($0.position != $1.position ? $0.position > $1.position : $0.region > $1.region) }
            return found
        }
    }

    private func entries(withID id: String, in blocks: [BlockRange], _ conn: Connection,
                         firstOnly: Bool) throws(IndexError) -> [IndexEntry] {
        let statement = try conn.cachedStatement(
            "SELECT \(Schema.entryColumns) FROM record r INDEXED BY record_idh WHERE r.blk = ? AND r.idh = ? AND r.id = ?",
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
    func withReader<T: Sendable>(_ body: (Connection) throws(IndexError) -> T) throws(IndexError) -> T {
        let start = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        let count = readers.count
        for i in 0..<count {
            if let result = try readers[(start &+ i) % count].withConnectionIfAvailable(body) { return result }
        }
        return try readers[start % count].withConnection(body)
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

/// The writer connection and the state only the writer changes (next dictionary ids, contiguous
/// positions). Lives inside the index's writer mutex.
final class WriterSession {
    let connection: Connection
    private let blockBits: Int
    private var nextDictionaryID: [Int64: Int64] = [:]
    private var nextPosition: [Int64: UInt64] = [:]

    init(connection: Connection) throws(IndexError) {
        self.connection = connection
        let bits = try connection.scalarInt("SELECT value FROM setting WHERE name = 'block_bits'", operation: "open")
        guard let bits, (0...32).contains(bits) else {
            throw IndexError(kind: .corrupt, message: "the block size setting is missing or invalid", operation: "open")
        }
        blockBits = Int(bits)
        try reloadState()
    }

    /// Reads the next dictionary ids and contiguous positions from the file.
    private func reloadState() throws(IndexError) {
        var ids: [Int64: Int64] = [:]
        let statement = try connection.prepare("SELECT kind, max(id) FROM dict GROUP BY kind", operation: "open")
        while try statement.step() { ids[statement.int64(at: 0)] = statement.int64(at: 1) + 1 }
        var positions: [Int64: UInt64] = [:]
        let regions = try connection.prepare("SELECT region, next_position FROM region_state", operation: "open")
        while try regions.step() { positions[regions.int64(at: 0)] = UInt64(bitPattern: regions.int64(at: 1)) }
        nextDictionaryID = ids
        nextPosition = positions
    }

    private static let insertRecordSQL = """
        INSERT OR IGNORE INTO record (rid, ts, tenant, team, usr, apikey, kind, model, provider, status, err, \
        backend, fallback, cost, tin, tout, lat, ttft, itl, trace, idh, meta, seg, foff, rif, id, chain, trh, blk) \
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
        """

    /// Inserts a batch in one transaction. On failure the transaction is rolled back, the shared
    /// dictionary cache is emptied (it may hold ids of the rolled-back batch) and the writer state
    /// is reloaded from the file.
    func insert(_ entries: [IndexEntry], dictionary: DictionaryCache) throws(IndexError) {
        do {
            let advanced = try connection.transaction(.immediate, operation: "insert") { () throws(IndexError) -> [Int64: UInt64] in
                try insertRows(entries, dictionary: dictionary)
            }
            for (region, next) in advanced { nextPosition[region] = next }
        } catch {
            dictionary.removeAll()
            try? reloadState()
            throw error
        }
    }

    private func insertRows(_ entries: [IndexEntry], dictionary: DictionaryCache) throws(IndexError) -> [Int64: UInt64] {
        let insertRecord = try connection.cachedStatement(Self.insertRecordSQL, operation: "insert record")
        let insertMeta = try connection.cachedStatement(
            "INSERT OR IGNORE INTO meta (blk, k, v, ts, rid) VALUES (?, ?, ?, ?, ?)", operation: "insert metadata")
        var blockRanges: [Int64: (min: Int64, max: Int64)] = [:]
        var touched: [Int64: [UInt64]] = [:]
        var pairs: [(key: Int64, value: Int64)] = []
        var indexedKeys: [Int64] = []

        func id(_ kind: DictKind, _ value: String?) throws(IndexError) -> Int64? {
            guard let value else { return nil }
            return try resolve(kind: kind.rawValue, value, dictionary)
        }

        for entry in entries {
            guard let region = try id(.region, entry.region) else { continue }
            guard region <= FieldEncoding.maxRegionNumber else {
                throw IndexError.invalidArgument("more than \(FieldEncoding.maxRegionNumber) regions", operation: "insert")
            }
            let rid = FieldEncoding.rowID(region: region, position: entry.position)
            touched[region, default: []].append(entry.position)

            pairs.removeAll(keepingCapacity: true)
            for pair in entry.metadata {
                let key = try resolve(kind: DictKind.metadataKey.rawValue, pair.key, dictionary)
                let value = try resolve(kind: DictKind.metadataValue(key: key), pair.value, dictionary)
                pairs.append((key, value))
            }

            let s = insertRecord
            s.reset()
            try s.bind(rid, at: 1)
            try s.bind(entry.ts, at: 2)
            try s.bind(try id(.tenant, entry.tenant), at: 3)
            try s.bind(try id(.team, entry.team), at: 4)
            try s.bind(try id(.user, entry.user), at: 5)
            try s.bind(try id(.apiKey, entry.apiKeyID), at: 6)
            try s.bind(try id(.kind, entry.kind), at: 7)
            try s.bind(try id(.model, entry.model), at: 8)
            try s.bind(try id(.provider, entry.provider), at: 9)
            try s.bind(entry.status.map { Int64($0) }, at: 10)
            try s.bind(try id(.errorClass, entry.errorClass), at: 11)
            try s.bind(try id(.backend, entry.routeBackend), at: 12)
            try s.bind(entry.routeFallback.map { $0 ? Int64(1) : Int64(0) }, at: 13)
            try s.bind(entry.costUSD.flatMap(FieldEncoding.nanoUSD), at: 14)
            try s.bind(entry.inputTokens, at: 15)
            try s.bind(entry.outputTokens, at: 16)
            try s.bind(entry.latencyTotalMs.flatMap(FieldEncoding.micros), at: 17)
            try s.bind(entry.ttftMs.flatMap(FieldEncoding.micros), at: 18)
            try s.bind(entry.itlMs.flatMap(FieldEncoding.micros), at: 19)
            try s.bind(entry.traceID.map(FieldEncoding.traceValue) ?? .null, at: 20)
            try s.bind(FieldEncoding.hash32(entry.id), at: 21)
            try s.bind(blob: FieldEncoding.metadataBlob(pairs), at: 22)
            try s.bind(Int64(bitPattern: entry.location.segment), at: 23)
            try s.bind(Int64(bitPattern: entry.location.frameOffset), at: 24)
            try s.bind(Int64(entry.location.recordInFrame), at: 25)
            try s.bind(entry.id, at: 26)
            try s.bind(blob: entry.chainHash, at: 27)
            try s.bind(entry.traceID.map(FieldEncoding.hash32), at: 28)
            let block = FieldEncoding.block(region: region, position: entry.position, blockBits: blockBits)
            try s.bind(block, at: 29)
            try s.run()
            guard connection.changes > 0 else { continue }  // already indexed
            if let range = blockRanges[block] {
                blockRanges[block] = (Swift.min(range.min, entry.ts), Swift.max(range.max, entry.ts))
            } else {
                blockRanges[block] = (entry.ts, entry.ts)
            }

            // Only the first value of a repeated key is searchable (the same rule as group-by).
            indexedKeys.removeAll(keepingCapacity: true)
            for pair in pairs where !indexedKeys.contains(pair.key) {
                indexedKeys.append(pair.key)
                try insertMeta.bind(block, at: 1)
                try insertMeta.bind(pair.key, at: 2)
                try insertMeta.bind(pair.value, at: 3)
                try insertMeta.bind(entry.ts, at: 4)
                try insertMeta.bind(rid, at: 5)
                try insertMeta.run()
            }
            if let text = entry.text {
                let insertText = try connection.cachedStatement("INSERT INTO fts (rowid, text) VALUES (?, ?)",
                                                                operation: "insert text")
                try insertText.bind(rid, at: 1)
                try insertText.bind(text, at: 2)
                try insertText.run()
            }
        }
        let widen = try connection.cachedStatement(
            "INSERT INTO block (blk, ts_min, ts_max) VALUES (?, ?, ?) ON CONFLICT (blk) DO UPDATE SET "
                + "ts_min = min(ts_min, excluded.ts_min), ts_max = max(ts_max, excluded.ts_max)",
            operation: "update block range")
        for (block, range) in blockRanges {
            try widen.bind(block, at: 1)
            try widen.bind(range.min, at: 2)
            try widen.bind(range.max, at: 3)
            try widen.run()
        }
        return try advancePositions(touched)
    }

    /// Moves each touched region's contiguous position past the batch and past any positions
    /// indexed earlier out of order; persists the new values. O(batch log batch + (regions + k) log n)
    /// for k positions absorbed from earlier out-of-order batches.
    private func advancePositions(_ touched: [Int64: [UInt64]]) throws(IndexError) -> [Int64: UInt64] {
        var advanced: [Int64: UInt64] = [:]
        let probe = try connection.cachedStatement("SELECT 1 FROM record WHERE rid = ?", operation: "advance position")
        let save = try connection.cachedStatement(
            "INSERT OR REPLACE INTO region_state (region, next_position) VALUES (?, ?)", operation: "advance position")
        for (region, positions) in touched {
            let start = nextPosition[region] ?? 0
            var next = start
            for position in positions.sorted() {
                if position == next { next += 1 } else if position > next { break }
            }
            // Positions indexed earlier out of order may continue the run.
            while next <= FieldEncoding.maxPosition {
                probe.reset()
                try probe.bind(FieldEncoding.rowID(region: region, position: next), at: 1)
                guard try probe.step() else { break }
                next += 1
            }
            probe.reset()
            if next != start {
                save.reset()
                try save.bind(region, at: 1)
                try save.bind(Int64(bitPattern: next), at: 2)
                try save.run()
                advanced[region] = next
            }
        }
        return advanced
    }

    /// The id of `value` of `kind`, creating it in the current transaction when new.
    private func resolve(kind: Int64, _ value: String, _ dictionary: DictionaryCache) throws(IndexError) -> Int64 {
        if let id = dictionary.id(kind: kind, value: value) { return id }
        let select = try connection.cachedStatement("SELECT id FROM dict WHERE kind = ? AND value = ?",
                                                    operation: "read dictionary")
        try select.bind(kind, at: 1)
        try select.bind(value, at: 2)
        if try select.step() {
            let id = select.int64(at: 0)
            select.reset()
            dictionary.remember(kind: kind, value: value, id: id)
            return id
        }
        select.reset()
        let id = nextDictionaryID[kind] ?? 1
        let insert = try connection.cachedStatement("INSERT INTO dict (kind, id, value) VALUES (?, ?, ?)",
                                                    operation: "insert dictionary")
        try insert.bind(kind, at: 1)
        try insert.bind(id, at: 2)
        try insert.bind(value, at: 3)
        try insert.run()
        nextDictionaryID[kind] = id + 1
        dictionary.remember(kind: kind, value: value, id: id)
        return id
    }
}
