// Search, count and aggregates: filter resolution (strings to dictionary ids), a small
// planner that picks the index to drive the query from, and SQL generation.
//
// Planning. Every query is driven by one access path: the id-hash index, the trace index, a
// metadata range, (user, ts), (model, ts), (tenant, ts), the full-text index, or (ts). The
// other conditions are checked on the rows the path yields. When several paths are possible
// the planner counts, for each, the matching index entries inside the time range, up to a
// cap (bounded index range scans), and takes the smallest. SQLite is told which index to use
// (INDEXED BY / CROSS JOIN), so plans do not depend on statistics.
//
// Blocks. The id, trace, user and metadata indexes start with the record's block (see
// `Schema`). A query driven by one of them runs once per block whose time range overlaps
// the query's (and whose region is allowed); a search visits blocks newest first and stops
// when no remaining block can hold a record that belongs on the page.
//
// Order. Searches return rows ordered by (ts, rid) where rid = position << 8 | region; every
// index ends with (ts, rid) after its equality columns, so a single-valued path yields rows
// already in order and the query stops after `limit` rows. A path with a few values (a scope
// with 3 tenants, `key=v1,v2`) becomes one ordered branch per value, merged by SQLite
// (UNION ALL with ORDER BY), which also stops after `limit` rows. Pagination is keyset
// pagination on (ts, rid): inserts never shift pages, so no record is skipped or repeated.
// Each query runs in one read transaction, so all its statements see one snapshot.

extension AuditIndex {
    /// One page of entries matching `filter`, in `order` (newest first by default).
    ///
    /// `cursor` is the `nextCursor` of the previous page (nil for the first page); it must come
    /// from a search with the same order. Cost: O(limit · log n) when the filter has an indexed
    /// field (id, trace, metadata, user, model, tenant) or none besides time, plus a seek per
    /// block visited and up to a few bounded index probes to pick the path; more when only
    /// unindexed fields are very selective.
    public func search(filter: IndexFilter, limit: Int = 100, cursor: String? = nil,
                       order: SearchOrder = .newestFirst) throws(IndexError) -> SearchPage {
        let operation = "search"
        guard limit > 0, limit <= 1_000_000 else {
            throw IndexError.invalidArgument("limit must be in 1...1000000", operation: operation)
        }
        var position: SearchCursor?
        if let cursor {
            let decoded = try SearchCursor(encoded: cursor, operation: operation)
            guard decoded.order == order else {
                throw IndexError.invalidArgument("the cursor belongs to a search in the other order", operation: operation)
            }
            position = decoded
        }
        return try withReadTransaction(operation, isQuery: true) { (conn: Connection) throws(IndexError) -> SearchPage in
            let resolved = try self.resolve(filter, conn, operation: operation)
            if resolved.matchesNothing { return SearchPage(entries: [], nextCursor: nil) }
            let blocks = try self.blocks(resolved, conn)
            let path = try self.plan(resolved, blocks, conn, ordered: true)
            var entries: [IndexEntry] = []
            entries.reserveCapacity(min(limit, 1024))
            var hasMore = false
            var lastRowID: Int64 = 0
            if path.isBlocked && path != .id && path != .trace {
                let keys = try self.searchKeys(resolved, path, blocks, order: order, cursor: position,
                                               want: limit + 1, conn, operation: operation)
                hasMore = keys.count > limit
                let load = try conn.cachedStatement("SELECT \(Schema.entryColumns) FROM record r WHERE r.rid = ?",
                                                    operation: operation)
                for key in keys.prefix(limit) {
                    load.reset()
                    try load.bind(key.rid, at: 1)
                    guard try load.step() else {
                        throw IndexError(kind: .corrupt, message: "an index entry points to a missing record", operation: operation)
                    }
                    entries.append(try self.decodeEntry(load, conn))
                    lastRowID = key.rid
                }
            } else {
                // One ordered statement returns the entries themselves. Ids and trace ids match few
                // rows: the statement covers every candidate block at once (one seek per block and key).
                var builder = QueryBuilder(filter: resolved, path: path, block: nil)
                if path == .id || path == .trace {
                    let candidates = Self.candidateBlocks(blocks, order: order, cursor: position)
                    if candidates.isEmpty { return SearchPage(entries: [], nextCursor: nil) }
                    builder.blockSet = candidates.map(\.blk)
                }
                let columns = "r.rid, r.ts, " + Schema.entryColumnsAfterKey
                if path == .id, let ids = resolved.ids, ids.count <= Self.unorderedIDLimit {
                    // A few ids match at most one row per id and region: fetch them all unordered
                    // and sort here. An ORDER BY made SQLite build a temporary b-tree for every get.
                    let query = builder.unorderedSearchSQL(columns: columns, cursor: position)
                    let statement = try conn.cachedStatement(query.sql, operation: operation)
                    try statement.bind(query.arguments)
                    var rows: [(rid: Int64, entry: IndexEntry)] = []
                    while try statement.step() {
                        rows.append((statement.int64(at: 0), try self.decodeEntry(statement, conn)))
                    }
                    rows.sort { a, b in
                        if order == .newestFirst { return a.entry.ts != b.entry.ts ? a.entry.ts > b.entry.ts : a.rid > b.rid }
                        return a.entry.ts != b.entry.ts ? a.entry.ts < b.entry.ts : a.rid < b.rid
                    }
                    hasMore = rows.count > limit
                    for row in rows.prefix(limit) {
                        entries.append(row.entry)
                        lastRowID = row.rid
                    }
                } else {
                    let query = builder.searchSQL(columns: columns, order: order, cursor: position, limit: limit + 1)
                    let statement = try conn.cachedStatement(query.sql, operation: operation)
                    try statement.bind(query.arguments)
                    while try statement.step() {
                        if entries.count == limit { hasMore = true; break }
                        entries.append(try self.decodeEntry(statement, conn))
                        lastRowID = statement.int64(at: 0)
                    }
                }
            }
            var next: String?
            if hasMore, let last = entries.last {
                next = SearchCursor(ts: last.ts, rowID: lastRowID, order: order).encoded
            }
            return SearchPage(entries: entries, nextCursor: next)
        }
    }

    /// Most ids a search by id sorts itself (beyond, SQLite orders and limits the rows).
    static let unorderedIDLimit = 64

    /// The blocks that can hold a match after `cursor`, in the order a search visits them.
    private static func candidateBlocks(_ blocks: [BlockRange], order: SearchOrder, cursor: SearchCursor?) -> [BlockRange] {
        var candidates = blocks
        if let cursor {
            candidates.removeAll { order == .newestFirst ? $0.tsMin > cursor.ts : $0.tsMax < cursor.ts }
        }
        if order == .newestFirst {
            candidates.sort { $0.tsMax > $1.tsMax }
        } else {
            candidates.sort { $0.tsMin < $1.tsMin }
        }
        return candidates
    }

    /// The (ts, rid) keys of the first `want` matches over the blocks of a blocked path (other
    /// than id and trace, which `search` runs as one statement), in order.
    private func searchKeys(_ filter: ResolvedFilter, _ path: DrivingPath, _ blocks: [BlockRange],
                            order: SearchOrder, cursor: SearchCursor?, want: Int,
                            _ conn: Connection, operation: String) throws(IndexError) -> [(ts: Int64, rid: Int64)] {
        let candidates = Self.candidateBlocks(blocks, order: order, cursor: cursor)
        func precedes(_ a: (ts: Int64, rid: Int64), _ b: (ts: Int64, rid: Int64)) -> Bool {
            if order == .newestFirst { return a.ts != b.ts ? a.ts > b.ts : a.rid > b.rid }
            return a.ts != b.ts ? a.ts < b.ts : a.rid < b.rid
        }
        var keys: [(ts: Int64, rid: Int64)] = []
        for block in candidates {
            if keys.count >= want {
                // No record of this block (nor of the later ones) can come before the last kept key.
                let boundary = keys[want - 1].ts
                if order == .newestFirst ? block.tsMax < boundary : block.tsMin > boundary { break }
            }
            let builder = QueryBuilder(filter: filter, path: path, block: block.blk)
            let query = builder.searchSQL(columns: "\(builder.ridColumn), \(builder.tsColumn)", order: order,
                                          cursor: cursor, limit: want)
            let statement = try conn.cachedStatement(query.sql, operation: operation)
            try statement.bind(query.arguments)
            var found = false
            while try statement.step() {
                keys.append((statement.int64(at: 1), statement.int64(at: 0)))
                found = true
            }
            if found {
                keys.sort(by: precedes)
                if keys.count > want { keys.removeLast(keys.count - want) }
            }
        }
        return keys
    }

    /// Number of entries matching `filter`. O(matches along the chosen index path).
    public func count(filter: IndexFilter) throws(IndexError) -> Int64 {
        try withReadTransaction("count", isQuery: true) { (conn: Connection) throws(IndexError) -> Int64 in
            let resolved = try self.resolve(filter, conn, operation: "count")
            if resolved.matchesNothing { return 0 }
            let blocks = try self.blocks(resolved, conn)
            let path = try self.plan(resolved, blocks, conn, ordered: false)
            var total: Int64 = 0
            try self.scan(resolved, path, blocks, columns: "count(*)", conn, operation: "count") { (s: Statement) in
                total += s.int64(at: 0)
            }
            return total
        }
    }

    /// Runs the unordered scan of `path` (once per overlapping block for a blocked path) and
    /// calls `row` for each result row.
    private func scan(_ filter: ResolvedFilter, _ path: DrivingPath, _ blocks: [BlockRange], columns: String,
                      _ conn: Connection, operation: String, _ row: (Statement) -> Void) throws(IndexError) {
        let targets: [Int64?] = path.isBlocked ? blocks.map { $0.blk } : [nil]
        for block in targets {
            let query = QueryBuilder(filter: filter, path: path, block: block).scanSQL(columns: columns)
            let statement = try conn.cachedStatement(query.sql, operation: operation)
            try statement.bind(query.arguments)
            while try statement.step() { row(statement) }
        }
    }

    /// Runs `body` on a reader inside one read transaction (a single snapshot); `isQuery`: a
    /// client's query, stopped at the query time limit (see `withReader`).
    func withReadTransaction<T: Sendable>(_ operation: String, isQuery: Bool = false,
                                          _ body: (Connection) throws(IndexError) -> T) throws(IndexError) -> T {
        try withReader(isQuery: isQuery) { (conn: Connection) throws(IndexError) -> T in
            try conn.transaction(.deferred, operation: operation) { () throws(IndexError) -> T in try body(conn) }
        }
    }

    /// The blocks whose time range overlaps the filter's and whose region is allowed. O(blocks).
    func blocks(_ filter: ResolvedFilter, _ conn: Connection) throws(IndexError) -> [BlockRange] {
        let regions = filter.regions.map(Set.init)
        // From memory (`BlockRangeCache`: each range contains the block's committed range).
        let all = blockRanges.all
        if filter.from == nil, filter.to == nil, regions == nil, filter.ids == nil { return all }
        var blocks: [BlockRange] = []
        blocks.reserveCapacity(all.count)
        for block in all {
            if let from = filter.from, block.tsMax < from { continue }
            if let to = filter.to, block.tsMin >= to { continue }
            if let regions, !regions.contains(FieldEncoding.region(ofBlock: block.blk)) { continue }
            blocks.append(block)
        }
        // Every match has one of the ids: blocks whose id filter rules them all out hold none.
        if let ids = filter.ids, !ids.isEmpty {
            return idFilters.blocksThatMayHold(ids.map(FieldEncoding.hash32), among: blocks)
        }
        return blocks
    }

    /// Aggregates over the entries matching `filter`, grouped by `groupBy` fields (in order) and,
    /// when `bucket` is given, by time bucket. With no fields and no bucket there is one group
    /// (none when nothing matches).
    ///
    /// Groups are sorted by bucket start, then by key values (absent first, status numerically,
    /// other values by string order). Percentiles are exact (nearest rank). Cost: O(m log m) for
    /// m matching entries, plus O(m) memory for the latency values.
    public func aggregate(filter: IndexFilter, groupBy: [GroupField] = [],
                          bucket: TimeBucket? = nil) throws(IndexError) -> [AggregateGroup] {
        let operation = "aggregate"
        return try withReadTransaction(operation, isQuery: true) { (conn: Connection) throws(IndexError) -> [AggregateGroup] in
            let resolved = try self.resolve(filter, conn, operation: operation)
            if resolved.matchesNothing { return [] }
            let blocks = try self.blocks(resolved, conn)
            let path = try self.plan(resolved, blocks, conn, ordered: false)

            // Columns: 0 ts, 1 status, 2 err, 3 tin, 4 tout, 5 cost, 6 lat, 7 ttft, 8 itl, then one per field.
            var columns = "r.ts, r.status, r.err, r.tin, r.tout, r.cost, r.lat, r.ttft, r.itl"
            var metadataKeys: [Int64] = []  // per field: key id for .metadata, else 0
            for field in groupBy {
                switch field {
                case .region: columns += ", (r.rid & \(FieldEncoding.regionMask))"
                case .tenant: columns += ", r.tenant"
                case .team: columns += ", r.team"
                case .user: columns += ", r.usr"
                case .apiKeyID: columns += ", r.apikey"
                case .kind: columns += ", r.kind"
                case .model: columns += ", r.model"
                case .provider: columns += ", r.provider"
                case .status: columns += ", r.status"
                case .errorClass: columns += ", r.err"
                case .routeBackend: columns += ", r.backend"
                case .metadata: columns += ", r.meta"
                }
                if case .metadata(let key) = field {
                    metadataKeys.append(try self.existingID(.metadataKey, key, conn) ?? -1)
                } else {
                    metadataKeys.append(0)
                }
            }
            let absent = Int64.min
            let offset = bucket == nil ? 0 : 1
            var key = [Int64](repeating: 0, count: groupBy.count + offset)
            var groups: [[Int64]: GroupAccumulator] = [:]
            try self.scan(resolved, path, blocks, columns: columns, conn, operation: operation) { (statement: Statement) in
                if let bucket { key[0] = bucket.start(of: statement.int64(at: 0)) }
                for (j, field) in groupBy.enumerated() {
                    let column = Int32(9 + j)
                    if case .metadata = field {
                        let keyID = metadataKeys[j]
                        key[offset + j] = statement.withBlob(at: column) { FieldEncoding.firstValue(forKey: keyID, in: $0) } ?? absent
                    } else {
                        key[offset + j] = statement.optionalInt64(at: column) ?? absent
                    }
                }
                groups[key, default: GroupAccumulator()].add(statement)
            }

            var results: [(sortKey: [GroupSortKey], group: AggregateGroup)] = []
            results.reserveCapacity(groups.count)
            for (key, accumulator) in groups {
                var keys: [String?] = []
                var sortKey: [GroupSortKey] = []
                if bucket != nil { sortKey.append(.number(key[0])) }
                for (j, field) in groupBy.enumerated() {
                    let raw = key[offset + j]
                    if raw == absent {
                        keys.append(nil)
                        sortKey.append(.absent)
                        continue
                    }
                    let text: String
                    switch field {
                    case .status:
                        text = String(raw)
                        sortKey.append(.number(raw))
                        keys.append(text)
                        continue
                    case .region: text = try self.string(kind: DictKind.region.rawValue, id: raw, conn)
                    case .tenant: text = try self.string(kind: DictKind.tenant.rawValue, id: raw, conn)
                    case .team: text = try self.string(kind: DictKind.team.rawValue, id: raw, conn)
                    case .user: text = try self.string(kind: DictKind.user.rawValue, id: raw, conn)
                    case .apiKeyID: text = try self.string(kind: DictKind.apiKey.rawValue, id: raw, conn)
                    case .kind: text = try self.string(kind: DictKind.kind.rawValue, id: raw, conn)
                    case .model: text = try self.string(kind: DictKind.model.rawValue, id: raw, conn)
                    case .provider: text = try self.string(kind: DictKind.provider.rawValue, id: raw, conn)
                    case .errorClass: text = try self.string(kind: DictKind.errorClass.rawValue, id: raw, conn)
                    case .routeBackend: text = try self.string(kind: DictKind.backend.rawValue, id: raw, conn)
                    case .metadata:
                        text = try self.string(kind: DictKind.metadataValue(key: metadataKeys[j]), id: raw, conn)
                    }
                    keys.append(text)
                    sortKey.append(.text(text))
                }
                results.append((sortKey, accumulator.summary(bucketStart: bucket == nil ? nil : key[0], keys: keys)))
            }
            results.sort { GroupSortKey.lexicographicallyPrecedes($0.sortKey, $1.sortKey) }
            return results.map(\.group)
        }
    }

    // MARK: Filter resolution

    /// Translates strings to dictionary ids. A value the index never saw cannot match, so it is
    /// dropped; a set left empty makes the whole filter match nothing.
    func resolve(_ filter: IndexFilter, _ conn: Connection, operation: String) throws(IndexError) -> ResolvedFilter {
        var r = ResolvedFilter()
        func ids(_ kind: DictKind, _ values: Set<String>?) throws(IndexError) -> [Int64]? {
            guard let values else { return nil }
            var out: [Int64] = []
            for value in values {
                if let id = try existingID(kind, value, conn) { out.append(id) }
            }
            if out.isEmpty { r.matchesNothing = true }
            return out.sorted()
        }
        r.from = filter.from
        r.to = filter.to
        if let from = filter.from, let to = filter.to, from >= to { r.matchesNothing = true }
        r.regions = try ids(.region, filter.regions)
        r.tenants = try ids(.tenant, filter.tenants)
        r.teams = try ids(.team, filter.teams)
        r.users = try ids(.user, filter.users)
        r.apiKeys = try ids(.apiKey, filter.apiKeyIDs)
        r.kinds = try ids(.kind, filter.kinds)
        r.models = try ids(.model, filter.models)
        r.providers = try ids(.provider, filter.providers)
        r.errorClasses = try ids(.errorClass, filter.errorClasses)
        r.backends = try ids(.backend, filter.routeBackends)
        if let status = filter.status {
            r.statusCodes = status.codes.map { Int64($0) }.sorted()
            r.statusClasses = status.classes.filter { $0 >= 0 && $0 < Int.max / 100 }.map { Int64($0) }.sorted()
            r.hasStatus = true
            if r.statusCodes.isEmpty && r.statusClasses.isEmpty { r.matchesNothing = true }
        }
        r.isError = filter.isError
        r.fallback = filter.routeFallback
        for condition in filter.metadata {
            guard let key = try existingID(.metadataKey, condition.key, conn) else {
                r.matchesNothing = true
                continue
            }
            var values: [Int64] = []
            for value in condition.values {
                if let id = try existingID(kind: DictKind.metadataValue(key: key), value, conn) { values.append(id) }
            }
            if values.isEmpty { r.matchesNothing = true }
            r.metadata.append((key, values.sorted()))
        }
        if let traces = filter.traceIDs {
            r.traces = traces.sorted().map(FieldEncoding.traceValue)
            r.traceHashes = Set(traces.map(FieldEncoding.hash32)).sorted()
            if traces.isEmpty { r.matchesNothing = true }
        }
        if let ids = filter.ids {
            r.ids = ids.sorted()
            if ids.isEmpty { r.matchesNothing = true }
        }
        func bound(_ value: Double?, _ convert: (Double) -> Int64?, _ name: String) throws(IndexError) -> Int64? {
            guard let value else { return nil }
            guard let converted = convert(value) else {
                throw IndexError.invalidArgument("\(name) must be a finite number in range", operation: operation)
            }
            return converted
        }
        r.minCost = try bound(filter.minCostUSD, FieldEncoding.nanoUSD, "the minimum cost")
        r.maxCost = try bound(filter.maxCostUSD, FieldEncoding.nanoUSD, "the maximum cost")
        r.minLatency = try bound(filter.minLatencyMs, FieldEncoding.micros, "the minimum latency")
        r.maxLatency = try bound(filter.maxLatencyMs, FieldEncoding.micros, "the maximum latency")
        if let text = filter.text {
            let words = FullText.words(text)
            if words.isEmpty { r.matchesNothing = true } else { r.ftsQuery = FullText.query(words) }
        }
        return r
    }

    // MARK: Planning

    /// Picks the access path. `ordered`: the query needs (ts, rid) order and stops at a limit.
    func plan(_ filter: ResolvedFilter, _ blocks: [BlockRange], _ conn: Connection,
              ordered: Bool) throws(IndexError) -> DrivingPath {
        if filter.ids != nil { return .id }
        if filter.traces != nil { return .trace }
        var candidates: [DrivingPath] = filter.metadata.indices.map { .metadata($0) }
        if filter.users != nil { candidates.append(.user) }
        if filter.models != nil { candidates.append(.model) }
        if filter.tenants != nil { candidates.append(.tenant) }
        if filter.ftsQuery != nil { candidates.append(.text) }
        guard let only = candidates.first else { return .time }

        let cap = ordered ? Planner.searchProbeCap : Planner.scanProbeCap
        let builder = QueryBuilder(filter: filter, path: .time, block: nil)
        // A single candidate that can be used as is needs no probe.
        if candidates.count == 1, !ordered || (builder.valueCount(only) <= Planner.mergeLimit && only != .text) {
            return only
        }
        var best: (path: DrivingPath, count: Int64)?
        let newestBlocks = blocks.sorted { $0.tsMax > $1.tsMax }.map { Optional($0.blk) }
        for candidate in candidates {
            // Blocked paths are counted block by block (newest first) until the cap.
            var count: Int64 = 0
            for block in candidate.isBlocked ? newestBlocks : [nil] {
                let probe = QueryBuilder(filter: filter, path: .time, block: block).probeSQL(candidate, cap: cap - count)
                let statement = try conn.cachedStatement(probe.sql, operation: "plan")
                try statement.bind(probe.arguments)
                count += try statement.step() ? statement.int64(at: 0) : 0
                statement.reset()
                if count >= cap { break }
            }
            if best == nil || count < best!.count { best = (candidate, count) }
            if count < Planner.smallEnough { break }
        }
        guard let best else { return .time }
        if ordered, best.count >= cap {
            // Many matches: an unordered path would sort them all; walking (ts) in order and
            // filtering stops early instead.
            if best.path == .text || builder.valueCount(best.path) > Planner.mergeLimit { return .time }
        }
        return best.path
    }
}

enum Planner {
    /// Index entries counted at most per candidate path, for searches and for scans.
    static let searchProbeCap: Int64 = 4096
    static let scanProbeCap: Int64 = 65_536
    /// A candidate this small is taken without probing the others.
    static let smallEnough: Int64 = 64
    /// Up to this many values, a multi-valued path becomes ordered branches merged by SQLite.
    static let mergeLimit = 16
}

/// The access path a query is driven from.
enum DrivingPath: Equatable {
    case id, trace, metadata(Int), user, model, tenant, text, time

    /// Whether the path's index starts with the block (the query then runs once per block).
    var isBlocked: Bool {
        switch self {
        case .id, .trace, .metadata, .user: return true
        case .model, .tenant, .text, .time: return false
        }
    }
}

/// A block and the time range of its records.
struct BlockRange: Sendable {
    var blk: Int64
    var tsMin: Int64
    var tsMax: Int64
}

/// A filter with strings replaced by dictionary ids (nil: unrestricted).
struct ResolvedFilter {
    var matchesNothing = false
    var from: Int64?
    var to: Int64?
    var regions: [Int64]?
    var tenants: [Int64]?
    var teams: [Int64]?
    var users: [Int64]?
    var apiKeys: [Int64]?
    var kinds: [Int64]?
    var models: [Int64]?
    var providers: [Int64]?
    var errorClasses: [Int64]?
    var backends: [Int64]?
    var hasStatus = false
    var statusCodes: [Int64] = []
    var statusClasses: [Int64] = []
    var isError: Bool?
    var fallback: Bool?
    var metadata: [(key: Int64, values: [Int64])] = []
    var traces: [SQLValue]?
    var traceHashes: [Int64] = []
    var ids: [String]?
    var minCost: Int64?
    var maxCost: Int64?
    var minLatency: Int64?
    var maxLatency: Int64?
    var ftsQuery: String?
}

/// Full-text query construction.
enum FullText {
    /// The words of `text`: maximal runs of letters and digits.
    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    /// An FTS5 query requiring every word (each quoted, so no word is read as an operator).
    static func query(_ words: [String]) -> String {
        words.map { "\"" + $0.replacing("\"", with: "\"\"") + "\"" }.joined(separator: " ")
    }
}

/// SQL text plus its arguments in order.
struct SQLQuery {
    var sql: String
    var arguments: [SQLValue]
}

/// Generates the SQL of a query driven by `path`.
struct QueryBuilder {
    let filter: ResolvedFilter
    let path: DrivingPath
    /// The block a blocked path is restricted to (required for those paths).
    let block: Int64?
    /// Instead of `block`: several blocks at once (`blk IN (…)`), for the id and trace paths,
    /// whose few rows are found with one statement instead of one per block.
    var blockSet: [Int64] = []

    /// The alias of the posting table driving the query, when it holds (ts, rid): rows then come
    /// out of it already in order.
    private var orderedPostingAlias: String? {
        switch path {
        case .metadata: return "m"
        case .user: return "u"
        default: return nil
        }
    }
    var tsColumn: String { orderedPostingAlias.map { "\($0).ts" } ?? "r.ts" }
    var ridColumn: String { orderedPostingAlias.map { "\($0).rid" } ?? "r.rid" }

    /// `alias.blk = ? AND ` with its argument, for a blocked path.
    private func blockCondition(_ alias: String) -> (sql: String, arguments: [SQLValue]) {
        if !blockSet.isEmpty {
            return ("\(alias)blk IN \(Self.placeholders(blockSet.count)) AND ", blockSet.map { .integer($0) })
        }
        guard let block else { return ("", []) }
        return ("\(alias)blk = ? AND ", [.integer(block)])
    }

    /// Number of values of a multi-valued path (1 for the others).
    func valueCount(_ path: DrivingPath) -> Int {
        switch path {
        case .metadata(let i): return filter.metadata[i].values.count
        case .user: return filter.users?.count ?? 1
        case .model: return filter.models?.count ?? 1
        case .tenant: return filter.tenants?.count ?? 1
        default: return 1
        }
    }

    private static func placeholders(_ count: Int) -> String {
        "(" + Array(repeating: "?", count: count).joined(separator: ",") + ")"
    }

    /// The column, the table or index, and the values of a dimension path. Users are in the
    /// posting table `by_user` (blk, usr, ts, rid); models and tenants in indexes of `record`.
    private func dimension(_ path: DrivingPath) -> (column: String, source: String, values: [Int64])? {
        switch path {
        case .user: return ("usr", "by_user", filter.users ?? [])
        case .model: return ("model", "record INDEXED BY record_model", filter.models ?? [])
        case .tenant: return ("tenant", "record INDEXED BY record_tenant", filter.tenants ?? [])
        default: return nil
        }
    }

    /// SQL counting up to `cap` index entries of `candidate` inside the time range.
    func probeSQL(_ candidate: DrivingPath, cap: Int64) -> SQLQuery {
        var args: [SQLValue] = []
        var timeSQL = ""
        if let from = filter.from { timeSQL += " AND ts >= ?"; args.append(.integer(from)) }
        if let to = filter.to { timeSQL += " AND ts < ?"; args.append(.integer(to)) }
        let blocked: (sql: String, arguments: [SQLValue]) = candidate.isBlocked ? blockCondition("") : ("", [])
        switch candidate {
        case .metadata(let i):
            let condition = filter.metadata[i]
            let sql = "SELECT count(*) FROM (SELECT 1 FROM meta WHERE \(blocked.sql)k = ? AND v IN \(Self.placeholders(condition.values.count))"
                + timeSQL + " LIMIT ?)"
            return SQLQuery(sql: sql, arguments: blocked.arguments + [.integer(condition.key)] + condition.values.map { .integer($0) } + args + [.integer(cap)])
        case .text:
            return SQLQuery(sql: "SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT ?)",
                            arguments: [.text(filter.ftsQuery ?? ""), .integer(cap)])
        default:
            guard let d = dimension(candidate) else {
                return SQLQuery(sql: "SELECT ?", arguments: [.integer(cap)])
            }
            let sql = "SELECT count(*) FROM (SELECT 1 FROM \(d.source) WHERE \(blocked.sql)\(d.column) IN \(Self.placeholders(d.values.count))"
                + timeSQL + " LIMIT ?)"
            return SQLQuery(sql: sql, arguments: blocked.arguments + d.values.map { .integer($0) } + args + [.integer(cap)])
        }
    }

    /// FROM clause and the driving condition (restricted to `value` for one merge branch).
    private func source(value: Int64?, ordered: Bool) -> (from: String, condition: String?, arguments: [SQLValue]) {
        switch path {
        case .id:
            let hashes = Set((filter.ids ?? []).map(FieldEncoding.hash32)).sorted().map { SQLValue.integer($0) }
            let block = blockCondition("x.")
            return ("by_id x CROSS JOIN record r ON r.rid = x.rid", block.sql + "x.idh IN \(Self.placeholders(hashes.count))",
                    block.arguments + hashes)
        case .trace:
            let hashes = filter.traceHashes.map { SQLValue.integer($0) }
            let block = blockCondition("x.")
            return ("by_trace x CROSS JOIN record r ON r.rid = x.rid",
                    block.sql + "x.trh IN \(Self.placeholders(hashes.count))", block.arguments + hashes)
        case .text:
            return ("record r NOT INDEXED", "r.rid IN (SELECT rowid FROM fts WHERE fts MATCH ?)",
                    [.text(filter.ftsQuery ?? "")])
        case .metadata(let i):
            let condition = filter.metadata[i]
            let from = "meta m CROSS JOIN record r ON r.rid = m.rid"
            let metaBlock = blockCondition("m.")
            if let value {
                return (from, metaBlock.sql + "m.k = ? AND m.v = ?", metaBlock.arguments + [.integer(condition.key), .integer(value)])
            }
            return (from, metaBlock.sql + "m.k = ? AND m.v IN \(Self.placeholders(condition.values.count))",
                    metaBlock.arguments + [.integer(condition.key)] + condition.values.map { .integer($0) })
        case .user:
            let from = "by_user u CROSS JOIN record r ON r.rid = u.rid"
            let block = blockCondition("u.")
            if let value { return (from, block.sql + "u.usr = ?", block.arguments + [.integer(value)]) }
            let users = filter.users ?? []
            return (from, block.sql + "u.usr IN \(Self.placeholders(users.count))", block.arguments + users.map { .integer($0) })
        case .model, .tenant:
            let d = dimension(path)!
            let from = path == .model ? "record r INDEXED BY record_model" : "record r INDEXED BY record_tenant"
            if let value { return (from, "r.\(d.column) = ?", [.integer(value)]) }
            return (from, "r.\(d.column) IN \(Self.placeholders(d.values.count))", d.values.map { .integer($0) })
        case .time:
            if ordered || filter.from != nil || filter.to != nil { return ("record r INDEXED BY record_ts", nil, []) }
            return ("record r NOT INDEXED", nil, [])
        }
    }

    /// The conditions other than the driving one, ANDed.
    private func conditions(cursor: SearchCursor?) -> (sql: [String], arguments: [SQLValue]) {
        var sql: [String] = []
        var args: [SQLValue] = []
        func inList(_ column: String, _ values: [Int64]?) {
            guard let values else { return }
            sql.append("\(column) IN \(Self.placeholders(values.count))")
            args += values.map { .integer($0) }
        }
        let ts = tsColumn
        let rid = ridColumn
        if let from = filter.from { sql.append("\(ts) >= ?"); args.append(.integer(from)) }
        if let to = filter.to { sql.append("\(ts) < ?"); args.append(.integer(to)) }
        if let cursor {
            let op = cursor.order == .newestFirst ? "<" : ">"
            sql.append("\(ts) \(op)= ? AND (\(ts) \(op) ? OR \(rid) \(op) ?)")
            args += [.integer(cursor.ts), .integer(cursor.ts), .integer(cursor.rowID)]
        }
        inList("(\(rid) & \(FieldEncoding.regionMask))", filter.regions)
        if path != .tenant { inList("r.tenant", filter.tenants) }
        inList("r.team", filter.teams)
        if path != .user { inList("r.usr", filter.users) }
        inList("r.apikey", filter.apiKeys)
        inList("r.kind", filter.kinds)
        if path != .model { inList("r.model", filter.models) }
        inList("r.provider", filter.providers)
        inList("r.err", filter.errorClasses)
        inList("r.backend", filter.backends)
        if filter.hasStatus {
            var parts: [String] = []
            if !filter.statusCodes.isEmpty {
                parts.append("r.status IN \(Self.placeholders(filter.statusCodes.count))")
                args += filter.statusCodes.map { .integer($0) }
            }
            for statusClass in filter.statusClasses {
                parts.append("r.status BETWEEN ? AND ?")
                args += [.integer(statusClass * 100), .integer(statusClass * 100 + 99)]
            }
            sql.append("(" + parts.joined(separator: " OR ") + ")")
        }
        if let isError = filter.isError {
            sql.append(isError ? "(r.status >= 400 OR r.err IS NOT NULL)"
                               : "((r.status IS NULL OR r.status < 400) AND r.err IS NULL)")
        }
        if let fallback = filter.fallback {
            sql.append("r.fallback = ?")
            args.append(.integer(fallback ? 1 : 0))
        }
        for (i, condition) in filter.metadata.enumerated() {
            if case .metadata(let driving) = path, driving == i { continue }
            sql.append("EXISTS (SELECT 1 FROM meta m\(i) WHERE m\(i).k = ? AND m\(i).v IN \(Self.placeholders(condition.values.count)) "
                + "AND m\(i).ts = r.ts AND m\(i).rid = r.rid)")
            args.append(.integer(condition.key))
            args += condition.values.map { .integer($0) }
        }
        if let traces = filter.traces {
            sql.append("r.trace IN \(Self.placeholders(traces.count))")
            args += traces
        }
        if let ids = filter.ids {
            sql.append("r.id IN \(Self.placeholders(ids.count))")
            args += ids.map { .text($0) }
        }
        if let v = filter.minCost { sql.append("r.cost >= ?"); args.append(.integer(v)) }
        if let v = filter.maxCost { sql.append("r.cost <= ?"); args.append(.integer(v)) }
        if let v = filter.minLatency { sql.append("r.lat >= ?"); args.append(.integer(v)) }
        if let v = filter.maxLatency { sql.append("r.lat <= ?"); args.append(.integer(v)) }
        if let query = filter.ftsQuery, path != .text {
            sql.append("r.rid IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            args.append(.text(query))
        }
        return (sql, args)
    }

    private func branch(columns: String, value: Int64?, ordered: Bool, cursor: SearchCursor?) -> SQLQuery {
        let source = source(value: value, ordered: ordered)
        let others = conditions(cursor: cursor)
        var clauses: [String] = []
        if let condition = source.condition { clauses.append(condition) }
        clauses += others.sql
        var sql = "SELECT \(columns) FROM \(source.from)"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        return SQLQuery(sql: sql, arguments: source.arguments + others.arguments)
    }

    /// A search: `columns` (starting with the row id and time), ordered, at most `limit` rows
    /// after `cursor`.
    func searchSQL(columns: String, order: SearchOrder, cursor: SearchCursor?, limit: Int) -> SQLQuery {
        let direction = order == .newestFirst ? "DESC" : "ASC"
        let values: [Int64]
        switch path {
        case .metadata(let i): values = filter.metadata[i].values
        default: values = dimension(path)?.values ?? []
        }
        if values.count >= 2 && values.count <= Planner.mergeLimit {
            var parts: [String] = []
            var args: [SQLValue] = []
            for value in values {
                let arm = branch(columns: columns, value: value, ordered: true, cursor: cursor)
                parts.append(arm.sql)
                args += arm.arguments
            }
            let sql = parts.joined(separator: " UNION ALL ") + " ORDER BY 2 \(direction), 1 \(direction) LIMIT ?"
            return SQLQuery(sql: sql, arguments: args + [.integer(Int64(limit))])
        }
        var query = branch(columns: columns, value: nil, ordered: true, cursor: cursor)
        query.sql += " ORDER BY \(tsColumn) \(direction), \(ridColumn) \(direction) LIMIT ?"
        query.arguments.append(.integer(Int64(limit)))
        return query
    }

    /// All matching rows after `cursor`, unordered and unlimited (for drives that match few rows).
    func unorderedSearchSQL(columns: String, cursor: SearchCursor?) -> SQLQuery {
        branch(columns: columns, value: nil, ordered: true, cursor: cursor)
    }

    /// An unordered scan of all matching rows.
    func scanSQL(columns: String) -> SQLQuery {
        branch(columns: columns, value: nil, ordered: false, cursor: nil)
    }
}

/// Running totals of one aggregate group. Sums are kept in 128 bits: a few records with token
/// counts near 2^63 (or ten costs near the 10^9 USD bound) would wrap a 64-bit sum around to a
/// wrong, even negative, total. A token sum beyond the 64-bit range is reported clamped to it.
struct GroupAccumulator {
    var count: Int64 = 0
    var errors: Int64 = 0
    var inputTokens: Int128 = 0
    var outputTokens: Int128 = 0
    var costNano: Int128 = 0
    var latency: [Int64] = []
    var ttft: [Int64] = []
    var itl: [Int64] = []

    /// Adds a row with columns ts, status, err, tin, tout, cost, lat, ttft, itl.
    mutating func add(_ s: Statement) {
        count += 1
        let status = s.optionalInt64(at: 1)
        if (status ?? 0) >= 400 || !s.isNull(at: 2) { errors += 1 }
        inputTokens += Int128(s.int64(at: 3))
        outputTokens += Int128(s.int64(at: 4))
        costNano += Int128(s.int64(at: 5))
        if let v = s.optionalInt64(at: 6) { latency.append(v) }
        if let v = s.optionalInt64(at: 7) { ttft.append(v) }
        if let v = s.optionalInt64(at: 8) { itl.append(v) }
    }

    func summary(bucketStart: Int64?, keys: [String?]) -> AggregateGroup {
        AggregateGroup(bucketStart: bucketStart, keys: keys, count: count, errors: errors,
                       inputTokens: Int64(clamping: inputTokens), outputTokens: Int64(clamping: outputTokens),
                       costUSD: Double(costNano) / 1e9,
                       latencyTotal: Self.summarize(latency), ttft: Self.summarize(ttft), itl: Self.summarize(itl))
    }

    /// Exact mean and nearest-rank percentiles of microsecond values, in ms. O(n log n).
    static func summarize(_ values: [Int64]) -> LatencySummary {
        guard !values.isEmpty else { return LatencySummary(count: 0, average: nil, p50: nil, p95: nil, p99: nil) }
        let sorted = values.sorted()
        let n = sorted.count
        func percentile(_ p: Int) -> Double {
            let rank = (p * n + 99) / 100  // ⌈p·n/100⌉, 1-based
            return FieldEncoding.milliseconds(micros: sorted[max(rank, 1) - 1])
        }
        var sum: Int128 = 0
        for v in sorted { sum += Int128(v) }
        return LatencySummary(count: Int64(n), average: Double(sum) / Double(n) / 1000,
                              p50: percentile(50), p95: percentile(95), p99: percentile(99))
    }
}

/// Sort key component of an aggregate group.
enum GroupSortKey {
    case absent
    case number(Int64)
    case text(String)

    static func lexicographicallyPrecedes(_ a: [GroupSortKey], _ b: [GroupSortKey]) -> Bool {
        for (x, y) in zip(a, b) {
            switch (x, y) {
            case (.absent, .absent): continue
            case (.absent, _): return true
            case (_, .absent): return false
            case (.number(let p), .number(let q)): if p != q { return p < q }
            case (.text(let p), .text(let q)): if p != q { return p < q }
            case (.number, .text): return true
            case (.text, .number): return false
            }
        }
        return a.count < b.count
    }
}
