// The write path of the index: one `WriterSession` (the writer connection and the state only
// the writer changes) inside the index's writer mutex.
//
// Cost model (see docs/PERFORMANCE.md "Index"). Most of the CPU time of an insert is SQLite
// walking and changing B-trees, so a batch is written in an order that keeps each statement on
// the pages, and in the CPU caches, that the previous one used:
// 1. Every string of every entry is resolved to its dictionary id (`WriterDictionary`: a
//    lock-free map of the writer's own, no SQL once a string is known).
// 2. The rows are taken in row-id order, so the record inserts of a region are appends (or one run
//    of neighbouring inserts), and written `recordRowsPerStatement` per statement. Which rows
//    are new is known beforehand from each region's contiguous prefix and end (see
//    `RegionProgress`), so no statement has to report what it ignored.
// 3. The rows of the posting tables (`meta`, `by_user`, `by_id`, `by_trace`) of the new records
//    are sorted by primary key and inserted `postingRowsPerStatement` per statement. In record
//    order, each of these inserts lands on a random page of the current block's key range;
//    sorted, consecutive inserts share their leaf page (measured: about half the cost).
// Each entry is read once, in place (copying one retains its strings), into a `PreparedRow`
// of integers; its variable-length values are copied into a buffer the writer owns and bound
// from there without another copy (`SQLITE_STATIC`). The insert statements are prepared once.

/// How far a region is indexed: `next` is the end of the contiguous prefix (every position
/// below it is indexed), `end` is one past the highest position indexed.
/// Positions in `next..<end` may or may not be indexed (out-of-order inserts); positions from
/// `end` on are not.
struct RegionProgress: Equatable {
    var next: UInt64
    var end: UInt64
}

/// The writer connection and the state only the writer changes: next dictionary ids, region
/// progress, the writer's dictionary map, per-batch buffers and prepared statements.
final class WriterSession {
    let connection: Connection
    private let blockBits: Int
    /// The id filters this writer keeps up to date (shared with the readers of the same index).
    let idFilters: BlockIDFilters
    /// The blocks' time ranges this writer keeps up to date (shared with the readers).
    let blockRanges = BlockRangeCache()
    private var nextDictionaryID: [Int64: Int64] = [:]
    private var progress: [Int64: RegionProgress] = [:]
    /// Ids of the strings the writer resolved: committed ones, and those of the open transaction.
    private var strings: WriterDictionary
    /// The variable-length values of the batch's rows, bound without a copy (`SQLITE_STATIC`).
    private let scratch = BindBuffer()
    // Per-batch buffers, kept between batches so that they are not reallocated.
    private var rows: [PreparedRow] = []
    private var pairs: [(key: Int64, value: Int64)] = []
    /// Indexes into `rows`, in row-id order.
    private var order: [(rid: Int64, index: Int)] = []
    /// Indexes into `rows` of the new records, in row-id order.
    private var newRows: [Int] = []
    private var metaPostings: [Posting] = []
    private var userPostings: [Posting] = []
    private var idPostings: [Posting] = []
    private var tracePostings: [Posting] = []
    private var hotStatements = [Statement?](repeating: nil, count: HotStatement.allCases.count)

    /// Record rows per multi-row INSERT (27 parameters each).
    static let recordRowsPerStatement = 16
    /// Posting rows per multi-row INSERT (at most 5 parameters each).
    static let postingRowsPerStatement = 32

    init(connection: Connection, dictionaryCapacity: Int, idFilterMemoryBytes: Int) throws(IndexError) {
        self.connection = connection
        strings = WriterDictionary(capacity: dictionaryCapacity)
        let bits = try connection.scalarInt("SELECT value FROM setting WHERE name = 'block_bits'", operation: "open")
        guard let bits, (0...32).contains(bits) else {
            throw IndexError(kind: .corrupt, message: "the block size setting is missing or invalid", operation: "open")
        }
        blockBits = Int(bits)
        idFilters = BlockIDFilters(blockBits: blockBits, memoryBytes: idFilterMemoryBytes)
        try reloadState()
        let blocks = try connection.prepare("SELECT blk, ts_min, ts_max FROM block", operation: "open")
        var loaded: [Int64: (min: Int64, max: Int64)] = [:]
        while try blocks.step() { loaded[blocks.int64(at: 0)] = (blocks.int64(at: 1), blocks.int64(at: 2)) }
        blockRanges.widen(loaded)
    }

    /// Reads the next dictionary ids and the regions' progress from the file.
    private func reloadState() throws(IndexError) {
        var ids: [Int64: Int64] = [:]
        let statement = try connection.prepare("SELECT kind, max(id) FROM dict GROUP BY kind", operation: "open")
        while try statement.step() { ids[statement.int64(at: 0)] = statement.int64(at: 1) + 1 }
        var regions: [Int64: RegionProgress] = [:]
        let state = try connection.prepare("SELECT region, next_position, end_position FROM region_state", operation: "open")
        while try state.step() {
            let next = UInt64(bitPattern: state.int64(at: 1))
            let end = UInt64(bitPattern: state.int64(at: 2))
            guard end >= next else {
                throw IndexError(kind: .corrupt, message: "a region's indexed end is before its contiguous prefix",
                                 operation: "open")
            }
            regions[state.int64(at: 0)] = RegionProgress(next: next, end: end)
        }
        nextDictionaryID = ids
        progress = regions
    }

    /// Inserts a batch in one transaction. On failure the transaction is rolled back, the
    /// writer's dictionary map is emptied (it may hold ids of the rolled-back batch) and the
    /// writer state is reloaded from the file.
    func insert(_ entries: [IndexEntry]) throws(IndexError) {
        do {
            let advanced = try connection.transaction(.immediate, operation: "insert") { () throws(IndexError) -> [Int64: RegionProgress] in
                try entries.withUnsafeBufferPointer { (entries: UnsafeBufferPointer<IndexEntry>) throws(IndexError) -> [Int64: RegionProgress] in
                    try insertRows(entries)
                }
            }
            for (region, state) in advanced { progress[region] = state }
        } catch {
            strings.removeAll()
            try? reloadState()
            throw error
        }
    }

    // MARK: Rows

    /// One entry as stored: strings resolved to dictionary ids (0 for an absent value: ids start
    /// at 1), numbers in their stored units, variable-length values in `scratch`.
    private struct PreparedRow {
        var entry: Int
        var rid: Int64
        var block: Int64
        var region: Int64
        var position: UInt64
        var ts: Int64
        var tenant: Int64 = 0
        var team: Int64 = 0
        var user: Int64 = 0
        var apiKey: Int64 = 0
        var kind: Int64 = 0
        var model: Int64 = 0
        var provider: Int64 = 0
        var errorClass: Int64 = 0
        var backend: Int64 = 0
        var status: Int64?
        var fallback: Int64?
        var cost: Int64?
        var inputTokens: Int64?
        var outputTokens: Int64?
        var latency: Int64?
        var ttft: Int64?
        var itl: Int64?
        var segment: Int64 = 0
        var frameOffset: Int64 = 0
        var recordInFrame: Int64 = 0
        var idHash: Int64 = 0
        var traceHash: Int64?
        /// The entry's metadata pairs in `pairs`.
        var pairStart = 0
        var pairEnd = 0
        /// Where the id, the trace id (bytes or text), the metadata blob and the chain hash are
        /// in `scratch`.
        var id = BindBuffer.Span(offset: 0, count: 0)
        var trace: BindBuffer.Span?
        var traceIsText = false
        var meta = BindBuffer.Span(offset: 0, count: 0)
        var chain = BindBuffer.Span(offset: 0, count: 0)
    }

    /// A row of a posting table, as its primary key (unused trailing columns are 0).
    private struct Posting: Comparable {
        var c0: Int64
        var c1: Int64
        var c2: Int64
        var c3: Int64 = 0
        var c4: Int64 = 0

        static func < (a: Posting, b: Posting) -> Bool {
            if a.c0 != b.c0 { return a.c0 < b.c0 }
            if a.c1 != b.c1 { return a.c1 < b.c1 }
            if a.c2 != b.c2 { return a.c2 < b.c2 }
            if a.c3 != b.c3 { return a.c3 < b.c3 }
            return a.c4 < b.c4
        }
    }

    private func insertRows(_ entries: UnsafeBufferPointer<IndexEntry>) throws(IndexError) -> [Int64: RegionProgress] {
        try prepareRows(entries)
        order.removeAll(keepingCapacity: true)
        for (index, row) in rows.enumerated() { order.append((row.rid, index)) }
        order.sort { $0.rid != $1.rid ? $0.rid < $1.rid : $0.index < $1.index }

        // Which rows are new. `order` is sorted by row id, so a (region, position) given twice is
        // adjacent; the first one wins.
        newRows.removeAll(keepingCapacity: true)
        var batchEnd: [Int64: UInt64] = [:]
        var previousRowID: Int64?
        for (_, index) in order {
            let row = rows[index]
            defer { previousRowID = row.rid }
            if row.rid == previousRowID { continue }
            let state = progress[row.region] ?? RegionProgress(next: 0, end: 0)
            if row.position < state.next { continue }
            if row.position < state.end, try isIndexed(row.rid) { continue }
            newRows.append(index)
            batchEnd[row.region] = max(batchEnd[row.region] ?? 0, row.position + 1)
        }

        // Records, and the postings of the new ones.
        metaPostings.removeAll(keepingCapacity: true)
        userPostings.removeAll(keepingCapacity: true)
        idPostings.removeAll(keepingCapacity: true)
        tracePostings.removeAll(keepingCapacity: true)
        var blockRanges: [Int64: (min: Int64, max: Int64)] = [:]
        var start = 0
        while start < newRows.count {
            let count = newRows.count - start >= Self.recordRowsPerStatement ? Self.recordRowsPerStatement : 1
            try insertRecords(newRows[start..<(start + count)])
            start += count
        }
        for index in newRows {
            let row = rows[index]
            let ts = row.ts
            if let range = blockRanges[row.block] {
                blockRanges[row.block] = (Swift.min(range.min, ts), Swift.max(range.max, ts))
            } else {
                blockRanges[row.block] = (ts, ts)
            }
            if row.user != 0 { userPostings.append(Posting(c0: row.block, c1: row.user, c2: ts, c3: row.rid)) }
            idPostings.append(Posting(c0: row.block, c1: row.idHash, c2: row.rid))
            if let traceHash = row.traceHash { tracePostings.append(Posting(c0: row.block, c1: traceHash, c2: row.rid)) }
            // Only the first value of a repeated key is searchable (the same rule as group-by).
            for i in row.pairStart..<row.pairEnd where !pairs[row.pairStart..<i].contains(where: { $0.key == pairs[i].key }) {
                metaPostings.append(Posting(c0: row.block, c1: pairs[i].key, c2: pairs[i].value, c3: ts, c4: row.rid))
            }
            if let text = entries[row.entry].text {
                let insertText = try connection.cachedStatement("INSERT INTO fts (rowid, text) VALUES (?, ?)",
                                                                operation: "insert text")
                try insertText.bind(row.rid, at: 1)
                try insertText.bind(text, at: 2)
                try insertText.run()
            }
        }
        // Before the commit (the invariant of `BlockIDFilters`).
        idFilters.add(idPostings.lazy.map { (block: $0.c0, hash: $0.c1) })
        try insertPostings(&metaPostings, Self.metaTable)
        try insertPostings(&userPostings, Self.userTable)
        try insertPostings(&idPostings, Self.idTable)
        try insertPostings(&tracePostings, Self.traceTable)

        // Before the commit (the invariant of `BlockRangeCache`).
        self.blockRanges.widen(blockRanges)
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
        return try advanceProgress(batchEnd)
    }

    /// Pass 1: reads every entry once: resolves its strings (new strings are inserted into
    /// `dict` in this transaction), converts its numbers, copies its variable-length values into
    /// `scratch`; fills `rows` and `pairs`.
    private func prepareRows(_ entries: UnsafeBufferPointer<IndexEntry>) throws(IndexError) {
        rows.removeAll(keepingCapacity: true)
        pairs.removeAll(keepingCapacity: true)
        scratch.removeAll()
        rows.reserveCapacity(entries.count)
        for index in entries.indices {
            let entry = entries.baseAddress! + index
            let region = try resolve(kind: DictKind.region.rawValue, entry.pointee.region)
            guard region <= FieldEncoding.maxRegionNumber else {
                throw IndexError.invalidArgument("more than \(FieldEncoding.maxRegionNumber) regions", operation: "insert")
            }
            let position = entry.pointee.position
            var row = PreparedRow(entry: index, rid: FieldEncoding.rowID(region: region, position: position),
                                  block: FieldEncoding.block(region: region, position: position, blockBits: blockBits),
                                  region: region, position: position, ts: entry.pointee.ts)
            row.tenant = try resolve(.tenant, entry.pointee.tenant)
            row.team = try resolve(.team, entry.pointee.team)
            row.user = try resolve(.user, entry.pointee.user)
            row.apiKey = try resolve(.apiKey, entry.pointee.apiKeyID)
            row.kind = try resolve(.kind, entry.pointee.kind)
            row.model = try resolve(.model, entry.pointee.model)
            row.provider = try resolve(.provider, entry.pointee.provider)
            row.errorClass = try resolve(.errorClass, entry.pointee.errorClass)
            row.backend = try resolve(.backend, entry.pointee.routeBackend)
            row.pairStart = pairs.count
            for pair in entry.pointee.metadata {
                let key = try resolve(kind: DictKind.metadataKey.rawValue, pair.key)
                pairs.append((key, try resolve(kind: DictKind.metadataValue(key: key), pair.value)))
            }
            row.pairEnd = pairs.count
            row.status = entry.pointee.status.map { Int64($0) }
            row.fallback = entry.pointee.routeFallback.map { $0 ? 1 : 0 }
            row.cost = entry.pointee.costUSD.flatMap(FieldEncoding.nanoUSD)
            row.inputTokens = entry.pointee.inputTokens
            row.outputTokens = entry.pointee.outputTokens
            row.latency = entry.pointee.latencyTotalMs.flatMap(FieldEncoding.micros)
            row.ttft = entry.pointee.ttftMs.flatMap(FieldEncoding.micros)
            row.itl = entry.pointee.itlMs.flatMap(FieldEncoding.micros)
            let location = entry.pointee.location
            row.segment = Int64(bitPattern: location.segment)
            row.frameOffset = Int64(bitPattern: location.frameOffset)
            row.recordInFrame = Int64(location.recordInFrame)
            row.id = scratch.append(entry.pointee.id)
            row.idHash = try scratch.withBytes { FieldEncoding.hash32(UnsafeRawBufferPointer(start: $0 + row.id.offset, count: row.id.count)) }
            if let traceID = entry.pointee.traceID {
                row.traceHash = FieldEncoding.hash32(traceID)
                row.trace = scratch.appendHexDecoded(traceID)
                if row.trace == nil {
                    row.trace = scratch.append(traceID)
                    row.traceIsText = true
                }
            }
            row.meta = scratch.appendMetadataBlob(pairs[row.pairStart..<row.pairEnd])
            row.chain = scratch.append(entry.pointee.chainHash)
            rows.append(row)
        }
    }

    /// Whether the record with row id `rid` is in the index. O(log n).
    private func isIndexed(_ rid: Int64) throws(IndexError) -> Bool {
        let probe = try connection.cachedStatement("SELECT 1 FROM record WHERE rid = ?", operation: "insert")
        defer { probe.reset() }
        try probe.bind(rid, at: 1)
        return try probe.step()
    }

    // MARK: Records

    private static let recordColumnCount = 27

    private static func insertRecordSQL(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: recordColumnCount).joined(separator: ",") + ")"
        // OR IGNORE: a statement that cannot fail half-way needs no statement journal (SQLite
        // would otherwise copy every page the statement dirties); the writer checks the count.
        return "INSERT OR IGNORE INTO record (rid, ts, blk, tenant, team, usr, apikey, kind, model, provider, status, err, "
            + "backend, fallback, cost, tin, tout, lat, ttft, itl, trace, meta, seg, foff, rif, id, chain) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ",")
    }


    /// Inserts the new rows `chunk` (indexes into `rows`) with one statement.
    private func insertRecords(_ chunk: ArraySlice<Int>) throws(IndexError) {
        let many = chunk.count == Self.recordRowsPerStatement
        precondition(many || chunk.count == 1)
        let s = try statement(many ? .records : .record)
        func id(_ value: Int64) -> Int64? { value == 0 ? nil : value }
        try scratch.withBytes { (base: UnsafeRawPointer) throws(IndexError) in
            for (offset, index) in chunk.enumerated() {
                let row = rows[index]
                let b = Int32(offset * Self.recordColumnCount)
                try s.bind(row.rid, at: b + 1)
                try s.bind(row.ts, at: b + 2)
                try s.bind(row.block, at: b + 3)
                try s.bind(id(row.tenant), at: b + 4)
                try s.bind(id(row.team), at: b + 5)
                try s.bind(id(row.user), at: b + 6)
                try s.bind(id(row.apiKey), at: b + 7)
                try s.bind(id(row.kind), at: b + 8)
                try s.bind(id(row.model), at: b + 9)
                try s.bind(id(row.provider), at: b + 10)
                try s.bind(row.status, at: b + 11)
                try s.bind(id(row.errorClass), at: b + 12)
                try s.bind(id(row.backend), at: b + 13)
                try s.bind(row.fallback, at: b + 14)
                try s.bind(row.cost, at: b + 15)
                try s.bind(row.inputTokens, at: b + 16)
                try s.bind(row.outputTokens, at: b + 17)
                try s.bind(row.latency, at: b + 18)
                try s.bind(row.ttft, at: b + 19)
                try s.bind(row.itl, at: b + 20)
                if let trace = row.trace {
                    if row.traceIsText {
                        try s.bind(staticText: base + trace.offset, count: trace.count, at: b + 21)
                    } else {
                        try s.bind(staticBlob: base + trace.offset, count: trace.count, at: b + 21)
                    }
                } else {
                    try s.bindNull(at: b + 21)
                }
                try s.bind(staticBlob: base + row.meta.offset, count: row.meta.count, at: b + 22)
                try s.bind(row.segment, at: b + 23)
                try s.bind(row.frameOffset, at: b + 24)
                try s.bind(row.recordInFrame, at: b + 25)
                try s.bind(staticText: base + row.id.offset, count: row.id.count, at: b + 26)
                try s.bind(staticBlob: base + row.chain.offset, count: row.chain.count, at: b + 27)
            }
            try s.run()
        }
        // Every row was checked to be beyond what the index holds (`RegionProgress`).
        guard connection.changes == chunk.count else {
            throw IndexError(kind: .corrupt, message: "a record is indexed beyond its region's recorded end",
                             operation: "insert record")
        }
    }

    // MARK: Postings

    /// A posting table: name, columns (its primary key, in order) and its insert statements.
    private struct PostingTable {
        var columns: Int
        var many: HotStatement
        var one: HotStatement

        static func insertSQL(_ name: String, _ columnNames: [String], rows: Int) -> String {
            let row = "(" + Array(repeating: "?", count: columnNames.count).joined(separator: ",") + ")"
            return "INSERT OR IGNORE INTO \(name) (\(columnNames.joined(separator: ", "))) VALUES "
                + Array(repeating: row, count: rows).joined(separator: ",")
        }
    }

    private static let metaColumns = ["blk", "k", "v", "ts", "rid"]
    private static let userColumns = ["blk", "usr", "ts", "rid"]
    private static let idColumns = ["blk", "idh", "rid"]
    private static let traceColumns = ["blk", "trh", "rid"]
    private static let metaTable = PostingTable(columns: metaColumns.count, many: .metaRows, one: .metaRow)
    private static let userTable = PostingTable(columns: userColumns.count, many: .userRows, one: .userRow)
    private static let idTable = PostingTable(columns: idColumns.count, many: .idRows, one: .idRow)
    private static let traceTable = PostingTable(columns: traceColumns.count, many: .traceRows, one: .traceRow)

    /// The statements of the insert path, prepared once per session (looking one up in the
    /// connection's statement cache would hash its SQL, up to 2 KB, on every use).
    private enum HotStatement: Int, CaseIterable {
        case records, record, metaRows, metaRow, userRows, userRow, idRows, idRow, traceRows, traceRow

        var sql: String {
            let postings = WriterSession.postingRowsPerStatement
            switch self {
            case .records: return WriterSession.insertRecordSQL(rows: WriterSession.recordRowsPerStatement)
            case .record: return WriterSession.insertRecordSQL(rows: 1)
            case .metaRows: return PostingTable.insertSQL("meta", WriterSession.metaColumns, rows: postings)
            case .metaRow: return PostingTable.insertSQL("meta", WriterSession.metaColumns, rows: 1)
            case .userRows: return PostingTable.insertSQL("by_user", WriterSession.userColumns, rows: postings)
            case .userRow: return PostingTable.insertSQL("by_user", WriterSession.userColumns, rows: 1)
            case .idRows: return PostingTable.insertSQL("by_id", WriterSession.idColumns, rows: postings)
            case .idRow: return PostingTable.insertSQL("by_id", WriterSession.idColumns, rows: 1)
            case .traceRows: return PostingTable.insertSQL("by_trace", WriterSession.traceColumns, rows: postings)
            case .traceRow: return PostingTable.insertSQL("by_trace", WriterSession.traceColumns, rows: 1)
            }
        }
    }

    /// The prepared statement `kind`, preparing it on first use. Each run resets it (`run()`).
    private func statement(_ kind: HotStatement) throws(IndexError) -> Statement {
        if let prepared = hotStatements[kind.rawValue] { return prepared }
        let prepared = try connection.prepare(kind.sql, operation: "insert")
        hotStatements[kind.rawValue] = prepared
        return prepared
    }

    /// Inserts `postings` into `table`, sorted by primary key. O(p log p) plus the inserts.
    private func insertPostings(_ postings: inout [Posting], _ table: PostingTable) throws(IndexError) {
        guard !postings.isEmpty else { return }
        postings.sort()
        let chunk = Self.postingRowsPerStatement
        let many = try statement(table.many)
        let one = try statement(table.one)
        var start = 0
        while start < postings.count {
            let count = postings.count - start >= chunk ? chunk : 1
            let s = count == chunk ? many : one
            for j in 0..<count {
                let posting = postings[start + j]
                let b = Int32(j * table.columns)
                try s.bind(posting.c0, at: b + 1)
                try s.bind(posting.c1, at: b + 2)
                try s.bind(posting.c2, at: b + 3)
                if table.columns > 3 { try s.bind(posting.c3, at: b + 4) }
                if table.columns > 4 { try s.bind(posting.c4, at: b + 5) }
            }
            try s.run()
            start += count
        }
    }

    // MARK: Progress

    /// The new progress of each region that got new records: `end` moves past the batch's
    /// highest position, `next` past the batch and past any positions indexed earlier out of
    /// order; both are saved. O(new rows + (regions + k) log n) for k positions absorbed from
    /// earlier out-of-order batches.
    private func advanceProgress(_ batchEnd: [Int64: UInt64]) throws(IndexError) -> [Int64: RegionProgress] {
        var advanced: [Int64: RegionProgress] = [:]
        let save = try connection.cachedStatement(
            "INSERT OR REPLACE INTO region_state (region, next_position, end_position) VALUES (?, ?, ?)",
            operation: "advance position")
        var newPositions: [Int64: [UInt64]] = [:]
        for index in newRows { newPositions[rows[index].region, default: []].append(rows[index].position) }
        for (region, end) in batchEnd {
            let before = progress[region] ?? RegionProgress(next: 0, end: 0)
            var state = RegionProgress(next: before.next, end: Swift.max(before.end, end))
            // New positions are sorted (rows are in row-id order); they may extend the prefix...
            for position in newPositions[region] ?? [] where position == state.next { state.next += 1 }
            // ...and so may positions indexed earlier out of order.
            while state.next < state.end, try isIndexed(FieldEncoding.rowID(region: region, position: state.next)) {
                state.next += 1
            }
            if state != before {
                try save.bind(region, at: 1)
                try save.bind(Int64(bitPattern: state.next), at: 2)
                try save.bind(Int64(bitPattern: state.end), at: 3)
                try save.run()
                advanced[region] = state
            }
        }
        return advanced
    }

    // MARK: Dictionary

    /// The id of `value` of `kind` (0 when `value` is nil), creating it when new.
    private func resolve(_ kind: DictKind, _ value: String?) throws(IndexError) -> Int64 {
        guard let value else { return 0 }
        return try resolve(kind: kind.rawValue, value)
    }

    /// The id of `value` of `kind`, creating it in the current transaction when new.
    private func resolve(kind: Int64, _ value: String) throws(IndexError) -> Int64 {
        if let id = strings.id(kind: kind, value: value) { return id }
        let select = try connection.cachedStatement("SELECT id FROM dict WHERE kind = ? AND value = ?",
                                                    operation: "read dictionary")
        try select.bind(kind, at: 1)
        try select.bind(value, at: 2)
        if try select.step() {
            let id = select.int64(at: 0)
            select.reset()
            strings.remember(kind: kind, value: value, id: id)
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
        strings.remember(kind: kind, value: value, id: id)
        return id
    }
}

/// The writer's map from dictionary strings to ids. Only the writer uses it (no lock), and it
/// holds ids of the writer's open transaction, which readers must not see: readers have their
/// own `DictionaryCache`, filled from committed data only. Bounded: emptied when it holds
/// `capacity` strings, then refilled on demand from table `dict`. The writer empties it when a
/// transaction rolls back, so it never returns the id of a string whose `dict` row was rolled back.
struct WriterDictionary {
    /// One map per kind below `DictKind.metadataValueBase`, by raw value.
    private var fixedKinds: [[String: Int64]]
    /// Metadata values, one map per value kind (`DictKind.metadataValue(key:)`).
    private var metadataValues: [Int64: [String: Int64]] = [:]
    /// Number of strings held.
    private(set) var count = 0
    /// Maximum number of strings held.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1024)
        fixedKinds = Array(repeating: [:], count: DictKind.allCases.count + 1)
    }

    /// The id of `value` of `kind`, if known. O(length of value).
    func id(kind: Int64, value: String) -> Int64? {
        if kind >= 0 && kind < Int64(fixedKinds.count) { return fixedKinds[Int(kind)][value] }
        return metadataValues[kind]?[value]
    }

    /// Records the id of `value` of `kind`; empties the map first when it is full.
    mutating func remember(kind: Int64, value: String, id: Int64) {
        if count >= capacity { removeAll() }
        if kind >= 0 && kind < Int64(fixedKinds.count) {
            fixedKinds[Int(kind)][value] = id
        } else {
            metadataValues[kind, default: [:]][value] = id
        }
        count += 1
    }

    /// Forgets every string.
    mutating func removeAll() {
        for i in fixedKinds.indices { fixedKinds[i] = [:] }
        metadataValues = [:]
        count = 0
    }
}

/// A growable byte buffer whose contents are bound to statements with `SQLITE_STATIC` (no copy
/// by SQLite). The writer appends the values of a batch's rows, then binds them through
/// `withBytes` once every append is done (an append may move the buffer), and runs the
/// statements before the next `removeAll()`; every parameter is bound again before each run.
final class BindBuffer {
    /// A range of the buffer.
    struct Span {
        var offset: Int
        var count: Int
    }

    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        storage = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// Empties the buffer (keeps its memory).
    func removeAll() { used = 0 }

    /// Makes room for `extra` more bytes (moving the buffer: spans stay valid, pointers do not).
    private func reserve(_ extra: Int) {
        guard used + extra > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < used + extra { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        grown.copyMemory(from: storage, byteCount: used)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    private func append(_ bytes: UnsafeRawBufferPointer) -> Span {
        reserve(bytes.count)
        if let base = bytes.baseAddress, bytes.count > 0 { (storage + used).copyMemory(from: base, byteCount: bytes.count) }
        defer { used += bytes.count }
        return Span(offset: used, count: bytes.count)
    }

    /// Appends the UTF-8 bytes of `text`.
    func append(_ text: String) -> Span {
        var text = text
        return text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `bytes`.
    func append(_ bytes: [UInt8]) -> Span {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Appends the bytes that `FieldEncoding.traceValue` stores for `text` when it stores a blob
    /// (lowercase hex, even length 2...128); nil, with nothing appended, otherwise.
    func appendHexDecoded(_ text: String) -> Span? {
        let utf8 = text.utf8
        guard utf8.count >= 2, utf8.count <= 128, utf8.count % 2 == 0 else { return nil }
        reserve(utf8.count / 2)
        var high: UInt8 = 0
        var isHigh = true
        var written = 0
        for c in utf8 {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            if isHigh {
                high = nibble
            } else {
                storage.storeBytes(of: high << 4 | nibble, toByteOffset: used + written, as: UInt8.self)
                written += 1
            }
            isHigh.toggle()
        }
        defer { used += written }
        return Span(offset: used, count: written)
    }

    /// Appends metadata pairs encoded as `FieldEncoding.metadataBlob` encodes them.
    func appendMetadataBlob(_ pairs: ArraySlice<(key: Int64, value: Int64)>) -> Span {
        let start = used
        for pair in pairs {
            appendVarint(UInt64(bitPattern: pair.key))
            appendVarint(UInt64(bitPattern: pair.value))
        }
        return Span(offset: start, count: used - start)
    }

    private func appendVarint(_ value: UInt64) {
        reserve(10)
        var v = value
        while v >= 0x80 {
            storage.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: used, as: UInt8.self)
            used += 1
            v >>= 7
        }
        storage.storeBytes(of: UInt8(v), toByteOffset: used, as: UInt8.self)
        used += 1
    }

    /// Calls `body` with the start of the buffer (valid until the next append or `removeAll`).
    func withBytes<T>(_ body: (UnsafeRawPointer) throws(IndexError) -> T) throws(IndexError) -> T {
        try body(UnsafeRawPointer(storage))
    }
}
