import Foundation
import Synchronization
import AuditFormat
import AuditIndex
import AuditStore
import GatelogCrypto
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// Appends an entry to the access log for every read, verification and token change.
public protocol AccessRecorder: Sendable {
    /// Records that `principal` did `action` with `parameters`, touching `results` records; returns
    /// once the entry is durable. Throws `.storage` when it cannot be: the caller then refuses the
    /// read (access that cannot be audited does not happen).
    func record(principal: Principal, action: String, parameters: JSONValue, results: Int, outcome: String) throws(AccessError)
}

/// The one entry point for reads, verification and administration, used by the CLI and the
/// HTTP service alike: every call checks the principal's role and scope here, never in callers,
/// and is written to the access log.
public final class QueryService: Sendable {
    public let configuration: StoreConfiguration
    public let tokens: TokenStore
    private let recorder: (any AccessRecorder)?
    /// The index; nil when the service runs without one (search, get and stats then fail clearly).
    public let index: AuditIndex?
    private let readers = Mutex<[String: RegionReader]>([:])
    /// Decompressed frames for reads, all regions together (`read_cache_mib`).
    private let frameCache: FrameCache
    /// The regions on disk, listed again only when the data directory changes.
    private let regionList: RegionListCache
    /// Per region: the Merkle tree of the leaves read so far and where reading stopped.
    private struct TreeState: Sendable {
        var tree: MerkleTree
        var next: FramePosition?
    }
    private let trees = Mutex<[String: TreeState]>([:])
    private let treeGates = Mutex<[String: RegionGate]>([:])
    /// Per region: bytes of checkpoints.log already parsed and the largest checkpoint in them.
    private let checkpointCache = Mutex<[String: (offset: Int, latest: SignedCheckpoint?, noteText: String)]>([:])
    /// Per region, the tree at its newest checkpoint's size (proofs against it need no hashing),
    /// and whether its root matched that checkpoint.
    private let checkpointTrees = Mutex<[String: (prefix: MerkleTree.Prefix, matches: Bool)]>([:])
    /// Waits (at most the given seconds) until everything already durable is in the index.
    /// Searches and stats call it first with `readYourWritesWait`, and a get that misses with 2 s,
    /// so a record acknowledged a moment ago is found although the index is filled in batches; it
    /// returns at once when nothing is waiting to be indexed. Under heavy ingest the index thread
    /// shares the CPU with ingest and a catch-up can take longer than the cap (0.3–0.5 s measured
    /// at 22,000 records/s); a search then answers without the newest records.
    /// Returns why the index cannot catch up (its inserts fail, e.g. on a full disk), or nil when
    /// it caught up or is only slow.
    public let catchUpIndex: (@Sendable (TimeInterval) -> IndexWaitOutcome)?
    /// The cap on a search's or stats call's wait for the index (seconds).
    public static let readYourWritesWait: TimeInterval = 0.25

    /// The regions whose segments the index could not read to the end (damage), each with why;
    /// their searches and stats miss what lies after the damage, and say so (`answerWarnings`).
    public let incompleteIndexRegions: (@Sendable () -> [String: String])?

    public init(configuration: StoreConfiguration, tokens: TokenStore, recorder: (any AccessRecorder)?, index: AuditIndex? = nil,
                catchUpIndex: (@Sendable (TimeInterval) -> IndexWaitOutcome)? = nil,
                incompleteIndexRegions: (@Sendable () -> [String: String])? = nil) {
        self.catchUpIndex = catchUpIndex
        self.incompleteIndexRegions = incompleteIndexRegions
        self.configuration = configuration
        self.regionList = RegionListCache(configuration: configuration)
        self.frameCache = FrameCache(limit: configuration.readCacheBytes)
        self.tokens = tokens
        self.recorder = recorder
        self.index = index
    }

    func reader(_ region: String) -> RegionReader {
        readers.withLock { r in
            if let existing = r[region] { return existing }
            let made = RegionReader(region: region, directory: configuration.regionDirectory(region), cache: frameCache)
            r[region] = made
            return made
        }
    }

    func requireIndex() throws -> AuditIndex {
        guard let index else { throw AccessError.storage("the index is not open") }
        return index
    }

    /// The filter a principal may query: theirs, ANDed with the scope and the visible regions.
    func scoped(_ filter: IndexFilter, _ principal: Principal) -> IndexFilter {
        var visible = IndexFilter()
        visible.regions = Set(visibleRegions(principal, requested: filter.regions.map { Array($0) } ?? []))
        return filter.and(principal.scope.indexFilter).and(visible)
    }

    /// Searches records, newest first by default. Requires `read_envelope`; content only with `read_content`.
    public func search(_ principal: Principal, filter: IndexFilter, limit: Int = 100, cursor: String? = nil,
                       order: SearchOrder = .newestFirst, includeContent: Bool = true) throws -> QueryPage {
        let parameters = QueryService.describe(filter) + [JSONMember("limit", .int(limit)), JSONMember("cursor", cursor.map { .string($0) } ?? .null)]
        try authorize(principal, .readEnvelope, "search", parameters)
        // Full-text matching reads the content: a role without content access may not use it.
        if filter.text != nil { try authorize(principal, .readContent, "search", parameters) }
        try requireIndexCaughtUp(principal, "search", parameters)
        let page = try requireIndex().search(filter: scoped(filter, principal), limit: limit, cursor: cursor, order: order)
        let withContent = includeContent && principal.can(.readContent)
        let records = try page.entries.map { try load($0, content: withContent) }
        try audit(principal, "search", parameters, results: records.count)
        return QueryPage(records: records, nextCursor: page.nextCursor, warnings: answerWarnings(filter, for: principal))
    }

    /// Why an answer (a search page or stats) for `filter` may hold fewer records than the filter
    /// suggests: `text` on regions without full-text search (`textSearchWarning`), and regions
    /// the principal can reach whose index stops at damaged segment data. Names only regions the
    /// principal may see.
    public func answerWarnings(_ filter: IndexFilter, for principal: Principal) -> [AnswerWarning] {
        var warnings: [AnswerWarning] = []
        if let text = textSearchWarning(filter) {
            warnings.append(AnswerWarning(message: text, headerText: AnswerWarning.textSearchHeader))
        }
        if let incomplete = incompleteIndexRegions?(), !incomplete.isEmpty {
            let reachable = scoped(filter, principal).regions ?? []
            let hit = reachable.filter { incomplete[$0] != nil }.sorted()
            if !hit.isEmpty {
                warnings.append(AnswerWarning(
                    message: "the index of region \(hit.joined(separator: ", ")) stops where its segments are damaged: "
                        + "records stored after that point are missing from this answer (run gatelog verify)",
                    headerText: AnswerWarning.incompleteIndexHeader))
            }
        }
        return warnings
    }

    /// `text` matches only in regions whose content is indexed for it (`fts_regions`). When the
    /// filter names other regions, or no region has it, the (empty) answer comes with this warning,
    /// so that it does not read as "no match". Says nothing about which regions exist. Nil when
    /// the filter has no `text` or every region it can reach has full-text search.
    public func textSearchWarning(_ filter: IndexFilter) -> String? {
        guard filter.text != nil else { return nil }
        let enabled = configuration.fullTextRegions
        if let named = filter.regions {
            let without = named.subtracting(enabled).sorted()
            guard !without.isEmpty else { return nil }
            return "text search is not enabled for region \(without.joined(separator: ", ")): fts_regions in gatelog.json lists the regions whose content is indexed for it"
        }
        return enabled.isEmpty
            ? "text search is not enabled for any region: list regions in fts_regions in gatelog.json (their content is then indexed for it)"
            : nil
    }

    /// One record by id, with an RFC 9162 inclusion proof against the latest checkpoint.
    /// A record outside the scope is reported exactly like one that does not exist.
    public func get(_ principal: Principal, id: String, region: String? = nil) throws -> JSONValue {
        try JSONValue.parse(getJSON(principal, id: id, region: region))
    }

    /// `get` rendered as JSON text, `{"record":…,"proof":…}`: the record's stored bytes are
    /// spliced in as they are, not parsed and written again (the form the HTTP API and CLI send).
    public func getJSON(_ principal: Principal, id: String, region: String? = nil) throws -> [UInt8] {
        try authorize(principal, .readEnvelope, "get", [JSONMember("id", .string(id))])
        var filter = IndexFilter()
        filter.ids = [id]
        if let region { filter.regions = [region] }
        // Ids are unique per region only: ask for one entry per region the store can hold, so
        // that an id in several visible regions is reported as ambiguous, never answered with
        // one of them picked arbitrarily.
        let limit = region == nil ? QueryService.maxRegionsPerID : 1
        var page = try requireIndex().search(filter: scoped(filter, principal), limit: limit)
        if page.entries.isEmpty, let catchUpIndex {
            // Not "not found" while the index misses acknowledged records: the record may be
            // durable in the segments and not yet indexed. (Said for any id that is not in the
            // index, in scope or not: it reveals nothing.)
            let waited = catchUpIndex(2)
            if case .failing = waited {
                try audit(principal, "get", [JSONMember("id", .string(id))], results: 0, outcome: "index_unavailable")
                throw AccessError.storage(QueryService.indexBehindMessage)
            }
            page = try requireIndex().search(filter: scoped(filter, principal), limit: limit)
            if page.entries.isEmpty, waited != .caughtUp {
                try audit(principal, "get", [JSONMember("id", .string(id))], results: 0, outcome: "index_behind")
                throw AccessError.indexBehind(QueryService.behindMessage(waited, what: "this record"))
            }
        }
        guard let entry = page.entries.first else {
            try audit(principal, "get", [JSONMember("id", .string(id))], results: 0, outcome: "not_found")
            throw AccessError.notFound("record")
        }
        // Only regions the caller may see are searched (the filter is scoped), so the list
        // names none outside its scope.
        let regions = Set(page.entries.map(\.region)).sorted()
        if regions.count > 1 {
            try audit(principal, "get", [JSONMember("id", .string(id)), JSONMember("regions", .array(regions.map { .string($0) }))],
                      results: 0, outcome: "ambiguous")
            throw AmbiguousIDError(regions: regions)
        }
        let record = try load(entry, content: principal.can(.readContent))
        var out = [UInt8]()
        out.reserveCapacity(record.json.count + 2048)
        out.append(contentsOf: #"{"record":"#.utf8)
        out.append(contentsOf: record.json)
        out.append(contentsOf: #","proof":"#.utf8)
        JSONWriter.append(try proof(for: entry), to: &out)
        out.append(UInt8(ascii: "}"))
        try audit(principal, "get", [JSONMember("id", .string(id)), JSONMember("region", .string(entry.region))], results: 1)
        return out
    }

    /// The most entries a get by id asks the index for: one per region a store can hold.
    static let maxRegionsPerID = 256

    /// What waiting for the index to catch up found.
    public enum IndexWaitOutcome: Sendable, Equatable {
        /// Every acknowledged record handed to the index is in it.
        case caughtUp
        /// The index is slow: this many acknowledged records were not in it yet when the wait ended.
        case stillBehind(records: Int)
        /// The index let go of queued records (it fell too far behind) and is reading them back
        /// from the segments: until then it misses an unknown number of acknowledged records.
        case catchingUp
        /// The index cannot be written (why): it misses acknowledged records until it recovers.
        case failing(String)
    }

    static func behindMessage(_ waited: IndexWaitOutcome, what: String) -> String {
        if case .stillBehind(let records) = waited {
            return "the index is \(records) acknowledged records behind the store and may not hold \(what) yet; try again in a moment"
        }
        return "the index is reading acknowledged records back from the segments (it fell behind under load) and may not hold "
            + "\(what) yet; try again in a moment"
    }

    static let indexBehindMessage = "the index cannot be written (see the server log; a full disk?), so it is behind the stored records: "
        + "nothing acknowledged is lost, but searches, stats and lookups would be incomplete; try again once it has caught up"

    /// Waits (briefly) for the index to catch up; refuses the read when the index is failing, so
    /// that a search or stats never answers silently without acknowledged records.
    func requireIndexCaughtUp(_ principal: Principal, _ action: String, _ parameters: [JSONMember]) throws {
        guard let catchUpIndex else { return }
        let waited = catchUpIndex(QueryService.readYourWritesWait)
        switch waited {
        case .caughtUp, .stillBehind:
            return  // a slow index is only late (by at most what the writers queued meanwhile)
        case .catchingUp:
            try audit(principal, action, parameters, results: 0, outcome: "index_behind")
            throw AccessError.indexBehind(QueryService.behindMessage(waited, what: "all matching records"))
        case .failing:
            try audit(principal, action, parameters, results: 0, outcome: "index_unavailable")
            throw AccessError.storage(QueryService.indexBehindMessage)
        }
    }

    /// Aggregates. Requires `aggregate`.
    public func stats(_ principal: Principal, filter: IndexFilter, groupBy: [GroupField], bucket: TimeBucket?) throws -> [AggregateGroup] {
        let parameters = QueryService.describe(filter) + [
            JSONMember("group_by", .array(groupBy.map { .string($0.description) })),
            JSONMember("bucket", bucket.map { .string($0.rawValue) } ?? .null)]
        try authorize(principal, .aggregate, "stats", parameters)
        // Full-text matching reads the content: a role without content access may not use it.
        if filter.text != nil { try authorize(principal, .readContent, "stats", parameters) }
        try requireIndexCaughtUp(principal, "stats", parameters)
        let groups = try requireIndex().aggregate(filter: scoped(filter, principal), groupBy: groupBy, bucket: bucket)
        try audit(principal, "stats", parameters, results: groups.count)
        return groups
    }

    /// Reads a record from its segment and renders it.
    func load(_ entry: IndexEntry, content: Bool) throws -> QueriedRecord {
        let location = AuditStore.RecordLocation(segment: entry.location.segment, frameOffset: entry.location.frameOffset,
                                                 indexInFrame: Int(entry.location.recordInFrame))
        let stored = try reader(entry.region).read(location, includeContent: content)
        var out = [UInt8]()
        if let envelope = stored.envelope, envelope.count >= 2, envelope.last == UInt8(ascii: "}") {
            out.append(contentsOf: envelope.dropLast())
            if let c = stored.content, c.count > 2 {
                out.append(UInt8(ascii: ","))
                out.append(contentsOf: c.dropFirst().dropLast())
            }
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
        } else {
            out.append(UInt8(ascii: "{"))
            out.append(contentsOf: #""id":"#.utf8)
            JSONWriter.appendString(entry.id, to: &out)
            out.append(contentsOf: #","envelope_purged":true,"#.utf8)
        }
        out.append(contentsOf: #""gatelog":"#.utf8)
        JSONWriter.append(.object([JSONMember("region", .string(entry.region)), JSONMember("position", .int(entry.position)),
                                   JSONMember("chain_hash", .string(stored.chainHash.hex)),
                                   JSONMember("leaf_hash", .string(stored.leafHash.hex)),
                                   JSONMember("content_included", .bool(content && stored.content != nil))]), to: &out)
        out.append(UInt8(ascii: "}"))
        return QueriedRecord(entry: entry, json: out)
    }

    /// The inclusion proof of a record against the region's latest checkpoint.
    func proof(for entry: IndexEntry) throws -> JSONValue {
        guard let (cp, noteText) = try newestCheckpointWithNote(region: entry.region) else {
            return .object([JSONMember("status", "no checkpoint yet")])
        }
        let size = Int(cp.checkpoint.treeSize)
        guard entry.position < cp.checkpoint.treeSize else {
            return .object([JSONMember("status", "not yet covered by a checkpoint"), JSONMember("checkpoint", .string(noteText))])
        }
        let (prefix, matches) = try checkpointTree(region: entry.region, size: size, root: cp.checkpoint.rootHash)
        guard matches else {
            return .object([JSONMember("status", "the segments do not match the checkpoint; run verify")])
        }
        let index = Int(entry.position)
        let tree = try merkleTree(region: entry.region, atLeast: size)
        let leaf = tree.leaf(index)
        let auditPath = prefix.inclusionProof(index: index)
        let root = prefix.root
        return .object([
            JSONMember("status", "ok"), JSONMember("leaf_index", .int(index)), JSONMember("tree_size", .int(size)),
            JSONMember("leaf_hash", .string(leaf.hex)), JSONMember("root_hash", .string(root.hex)),
            JSONMember("inclusion_path", .array(auditPath.map { .string($0.hex) })),
            JSONMember("checkpoint", .string(noteText)),
        ])
    }

    /// The region's tree at `size` leaves (cached until the checkpoint size changes) and whether
    /// its root is `root`. O(log n) hashes when the size changed, O(1) otherwise.
    func checkpointTree(region: String, size: Int, root: Digest32) throws -> (MerkleTree.Prefix, Bool) {
        if let cached = checkpointTrees.withLock({ $0[region] }), cached.prefix.size == size { return cached }
        // The old prefix holds the whole tree: dropped first, so that the tree can grow in place
        // (see `extendTree`) instead of being copied.
        checkpointTrees.withLock { $0[region] = nil }
        let prefix = MerkleTree.Prefix(tree: try merkleTree(region: region, atLeast: size), size: size)
        let result = (prefix: prefix, matches: prefix.root == root)
        checkpointTrees.withLock { $0[region] = result }
        return result
    }

    /// The region's largest checkpoint. The log only grows, so only bytes appended since the last
    /// call are read and parsed: O(new entries), not O(log).
    func newestCheckpoint(region: String) throws -> SignedCheckpoint? { try newestCheckpointWithNote(region: region)?.checkpoint }

    /// The newest trusted checkpoint of a region with its note text. One `stat` per call while the
    /// checkpoint log has not grown (a get asks for it on every request); new entries are read,
    /// checked and the note rendered only when it grew.
    func newestCheckpointWithNote(region: String) throws -> (checkpoint: SignedCheckpoint, noteText: String)? {
        let path = "\(configuration.regionDirectory(region))/checkpoints.log"
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let size = Int(st.st_size)
        var (offset, latest, noteText) = checkpointCache.withLock { $0[region] } ?? (0, nil, "")
        if size == offset { return latest.map { ($0, noteText) } }
        if size < offset { (offset, latest) = (0, nil) } // replaced or cut: start over
        let fd = try FileIO.open(path, flags: O_RDONLY)
        defer { close(fd) }
        let bytes = try FileIO.pread(fd, count: size - offset, offset: UInt64(offset), path: path)
        let parsed = CheckpointLog.parse(bytes)
        // Only a checkpoint this store signed for this region counts: a line added to the
        // file by hand is never served as the latest, nor used to build proofs.
        let keyring = VerifierKeyring(try KeyStore.publicKeys(dataDirectory: configuration.dataDirectory))
        let origin = Checkpoint.origin(region: region)
        var changed = false
        for e in parsed.entries {
            guard let cp = e.checkpoint, cp.checkpoint.origin == origin, cp.checkpoint.treeSize <= FrameHeader.maxPosition,
                  cp.checkpoint.treeSize >= (latest?.checkpoint.treeSize ?? 0), cp.isSigned(by: keyring) else { continue }
            latest = cp
            changed = true
        }
        if changed, let latest { noteText = latest.noteText }
        offset += parsed.entries.last.map { $0.range.upperBound } ?? 0
        let result = (offset, latest, noteText)
        checkpointCache.withLock { $0[region] = result }
        return latest.map { ($0, noteText) }
    }

    /// The region's Merkle tree with at least `size` leaves, extended from frame headers as needed.
    func merkleTree(region: String, atLeast size: Int) throws -> MerkleTree {
        if let cached = trees.withLock({ $0[region] }), cached.tree.size >= size { return cached.tree }
        // One thread per region extends the tree; the others wait for it instead of all rescanning.
        let gate = treeGates.withLock { g -> RegionGate in
            if let existing = g[region] { return existing }
            let made = RegionGate()
            g[region] = made
            return made
        }
        return try gate.lock.withLock { _ in
            guard let current = trees.withLock({ $0[region] }), current.tree.size >= size else {
                return try extendTree(region: region, atLeast: size)
            }
            return current.tree
        }
    }

    /// Extends the region's cached tree to at least `size` leaves; called with the region's gate held.
    /// The tree is taken out of the cache while it grows, so that appending does not copy it
    /// (copy-on-write: a second reference would duplicate all its levels, ~100 MB at 2M records,
    /// at every extension). Readers meanwhile wait at the gate.
    private func extendTree(region: String, atLeast size: Int) throws -> MerkleTree {
        var state = trees.withLock { $0.removeValue(forKey: region) } ?? TreeState(tree: MerkleTree(), next: nil)
        var tree = state.tree
        state.tree = MerkleTree()  // `tree` holds the only reference
        // Put back also after a failed read: leaves appended so far are kept, and the next
        // extension skips them (it appends only the position equal to the tree's size).
        defer {
            state.tree = tree
            let kept = state
            trees.withLock { $0[region] = kept }
        }
        if tree.size < size {
            let scanner = RegionScanner(region: region, directory: configuration.regionDirectory(region))
            // Continue from where the last extension stopped, reading frame headers only.
            state.next = try scanner.forEachFrame(after: state.next) { header in
                for (k, e) in header.directory.enumerated() where header.firstPosition + UInt64(k) == UInt64(tree.size) {
                    tree.append(e.leafHash)
                }
            }
        }
        guard tree.size >= size else { throw AccessError.storage("region \(region) holds fewer records than its checkpoint") }
        return tree
    }

    static func describe(_ f: IndexFilter) -> [JSONMember] {
        var m: [JSONMember] = []
        func add(_ name: String, _ set: Set<String>?) { if let set { m.append(JSONMember(name, .array(set.sorted().map { .string($0) }))) } }
        // Every condition of the filter (the access log and a bundle's header say exactly what was
        // selected); times as RFC 3339 (a relative `-24h` resolved to the instant it meant).
        if let from = f.from { m.append(JSONMember("from", .string(Timestamp.format(milliseconds: from)))) }
        if let to = f.to { m.append(JSONMember("to", .string(Timestamp.format(milliseconds: to)))) }
        add("region", f.regions); add("tenant", f.tenants); add("team", f.teams); add("user", f.users)
        add("api_key", f.apiKeyIDs); add("kind", f.kinds); add("model", f.models); add("provider", f.providers)
        if let status = f.status {
            let parts = status.codes.sorted().map { String(format: "%03d", $0) } + status.classes.sorted().map { "\($0)xx" }
            m.append(JSONMember("status", .string(parts.joined(separator: ","))))
        }
        add("error", f.errorClasses)
        if let isError = f.isError { m.append(JSONMember("is_error", .bool(isError))) }
        add("backend", f.routeBackends)
        if let fallback = f.routeFallback { m.append(JSONMember("fallback", .bool(fallback))) }
        add("trace", f.traceIDs); add("id", f.ids)
        if !f.metadata.isEmpty {
            m.append(JSONMember("meta", .array(f.metadata.map { .string("\($0.key)=\($0.values.sorted().joined(separator: ","))") })))
        }
        if let v = f.minCostUSD { m.append(JSONMember("min_cost", .double(v))) }
        if let v = f.maxCostUSD { m.append(JSONMember("max_cost", .double(v))) }
        if let v = f.minLatencyMs { m.append(JSONMember("min_latency", .double(v))) }
        if let v = f.maxLatencyMs { m.append(JSONMember("max_latency", .double(v))) }
        if let t = f.text { m.append(JSONMember("text", .string(t))) }
        return m
    }

    func audit(_ principal: Principal, _ action: String, _ parameters: [JSONMember], results: Int, outcome: String = "ok") throws(AccessError) {
        try recorder?.record(principal: principal, action: action, parameters: .object(parameters), results: results, outcome: outcome)
    }

    /// Refuses, before a front end reads the request's parameters, a principal without the
    /// permission `action` needs, and writes the refusal to the access log (outcome `forbidden`):
    /// a malformed request from someone who may not make it at all is a refused attempt, not a
    /// 400 that nobody sees. Does nothing (and logs nothing) when the permission is held; the
    /// action itself is logged by the call that performs it.
    public func refuseUnlessPermitted(_ principal: Principal, _ permission: Permission, action: String) throws(AccessError) {
        try authorize(principal, permission, action, [])
    }

    /// Refuses verification to a principal whose scope is narrower than regions (logged as
    /// forbidden): a report covers whole regions, and its counts and any broken record's id are
    /// about records of every tenant. Front ends call it before reading the request.
    public func refuseVerifyBelowRegions(_ principal: Principal, _ parameters: [JSONMember] = []) throws(AccessError) {
        let scope = principal.scope
        guard !(scope.tenants.isEmpty && scope.teams.isEmpty && scope.users.isEmpty && scope.metadata.isEmpty) else { return }
        try audit(principal, "verify", parameters, results: 0, outcome: "forbidden")
        throw AccessError.forbidden("verification covers whole regions; this token's scope is narrower (tenant, team, user or metadata)")
    }

    /// As `refuseUnlessPermitted`, for an action that any one of `permissions` allows.
    public func refuseUnlessPermitted(_ principal: Principal, anyOf permissions: [Permission], action: String) throws(AccessError) {
        guard !permissions.contains(where: principal.can) else { return }
        try audit(principal, action, [], results: 0, outcome: "forbidden")
        throw .forbidden("role '\(principal.role.name)' lacks the \(permissions.map(\.rawValue).joined(separator: " or ")) permission")
    }

    /// `principal.require(permission)`, with a refusal written to the access log (outcome
    /// `forbidden`) before it is thrown: attempts are audited, not only what succeeded.
    func authorize(_ principal: Principal, _ permission: Permission, _ action: String, _ parameters: [JSONMember]) throws(AccessError) {
        do throws(AccessError) {
            try principal.require(permission)
        } catch {
            try audit(principal, action, parameters, results: 0, outcome: "forbidden")
            throw error
        }
    }

    /// Regions the principal may see among those that exist. gatelog's own regions (the access
    /// log `_access`) are visible to admins only, and only when asked for by name.
    public func visibleRegions(_ principal: Principal, requested: [String] = [], among listed: [String]? = nil) -> [String] {
        let existing = listed ?? regionList.regions()
        return existing.filter { region in
            if Region.isReserved(region) { return principal.can(.admin) && requested.contains(region) }
            return (requested.isEmpty || requested.contains(region)) && principal.scope.allows(region: region)
        }
    }

    // MARK: Verification and checkpoints

    /// Verifies the principal's regions. Requires `verify`.
    public func verify(_ principal: Principal, regions requested: [String] = [], outsideCheckpoints: [SignedCheckpoint] = [],
                       pinnedKeys: [LogVerifierKey] = []) throws -> [RegionVerification] {
        let parameters = [JSONMember("regions", .array(requested.map { .string($0) }))]
        try authorize(principal, .verify, "verify", parameters)
        try refuseVerifyBelowRegions(principal, parameters)
        var keyring = VerifierKeyring()
        var keyWarnings: [String] = []
        if pinnedKeys.isEmpty {
            // A damaged public key file does not stop the check (what its key signed shows up as
            // bad signatures); each report names it.
            let found = try KeyStore.publicKeysAndMalformedFiles(dataDirectory: configuration.dataDirectory)
            for k in found.keys { keyring.add(k) }
            keyWarnings = found.malformed.map { "keys/public/\(($0 as NSString).lastPathComponent) is not a valid verifier key; it was ignored" }
        } else {
            for k in pinnedKeys { keyring.add(k) }
        }
        // Every region directory, also one whose `segments/` was deleted (a break, not an absence).
        let present = LogStoreLayout(configuration: configuration).regionsToVerify()
        var visible = visibleRegions(principal, requested: requested, among: present)
        // Without named regions an admin verifies gatelog's own regions (the access log) too, as
        // `gatelog verify` does: they are chained and signed like any other.
        if requested.isEmpty && principal.can(.admin) {
            visible += present.filter { Region.isReserved($0) && !visible.contains($0) }
        }
        // A named region that does not exist, or that the scope does not include, is "not found" (the
        // same answer for both, so nothing tells a scoped caller that a region outside its scope
        // exists): never an empty report that reads as intact.
        if requested.contains(where: { !visible.contains($0) }) {
            try audit(principal, "verify", parameters, results: 0, outcome: "not_found")
            throw AccessError.notFound("region")
        }
        let verifiers = visible.map { region -> RegionVerifier in
            var verifier = LogStoreLayout(configuration: configuration).verifier(for: region, keyring: keyring)
            verifier.externalCheckpoints = outsideCheckpoints.filter { $0.checkpoint.region == region }
            return verifier
        }
        var reports = RegionVerifier.verifyAll(verifiers)
        for i in reports.indices { reports[i].warnings += keyWarnings }
        try audit(principal, "verify", [JSONMember("regions", .array(requested.map { .string($0) }))], results: reports.count,
              outcome: reports.allSatisfy(\.isIntact) ? "intact" : "broken")
        return reports
    }

    /// The latest signed checkpoint of a region. Requires `read_envelope` or `verify`, and the region in scope;
    /// a region outside the scope looks like one that does not exist.
    public func latestCheckpoint(_ principal: Principal, region: String) throws -> SignedCheckpoint {
        try refuseUnlessPermitted(principal, anyOf: [.readEnvelope, .verify], action: "checkpoint")
        guard visibleRegions(principal, requested: [region]).contains(region) else { throw AccessError.notFound("region") }
        guard let latest = try newestCheckpoint(region: region) else { throw AccessError.notFound("checkpoint") }
        return latest
    }

    // MARK: Tokens

    /// Creates a token. Requires `admin`.
    public func createToken(_ principal: Principal, role: String, scope: Scope, expiresIn: TimeInterval?,
                            description: String? = nil) throws -> (TokenRecord, String) {
        try authorize(principal, .admin, "token.create", [JSONMember("role", .string(role)), JSONMember("scope", .string(scope.text))])
        let created = try tokens.make(role: role, scope: scope, expiresIn: expiresIn, description: description)
        let parameters = [JSONMember("token_id", .string(created.0.id)), JSONMember("role", .string(role)), JSONMember("scope", .string(scope.text))]
        // The entry is written before the token is stored: when the access log cannot be written
        // (a full disk), no token exists that nobody was shown and nothing recorded. (Revoking
        // it afterwards needed a write to the same full disk, and failed.)
        try audit(principal, "token.create", parameters, results: 1)
        do { try tokens.add(created.0) } catch {
            try? audit(principal, "token.create", parameters, results: 0, outcome: "failed")
            throw error
        }
        return created
    }

    /// Lists tokens (never their secrets). Requires `admin`.
    public func listTokens(_ principal: Principal) throws -> [TokenRecord] {
        try authorize(principal, .admin, "token.list", [])
        let list = try tokens.list()
        try audit(principal, "token.list", [], results: list.count)
        return list
    }

    /// Revokes a token. Requires `admin`.
    public func revokeToken(_ principal: Principal, id: String) throws {
        try authorize(principal, .admin, "token.revoke", [JSONMember("token_id", .string(id))])
        try tokens.revoke(id: id)
        try audit(principal, "token.revoke", [JSONMember("token_id", .string(id))], results: 1)
    }

    /// Rotates a token. Requires `admin`.
    public func rotateToken(_ principal: Principal, id: String) throws -> (TokenRecord, String) {
        try authorize(principal, .admin, "token.rotate", [JSONMember("token_id", .string(id))])
        let created = try tokens.makeReplacement(for: id)
        let parameters = [JSONMember("token_id", .string(id)), JSONMember("new_token_id", .string(created.0.id))]
        // As for create: the entry first, then the new token; the old one is revoked last.
        try audit(principal, "token.rotate", parameters, results: 1)
        var added = false
        do {
            try tokens.add(created.0)
            added = true
            try tokens.revoke(id: id)
        } catch {
            // The new secret is not returned: it must not stay valid (best effort on a full disk).
            if added { try? tokens.revoke(id: created.0.id) }
            try? audit(principal, "token.rotate", parameters, results: 0, outcome: "failed")
            throw error
        }
        return created
    }
}

// MARK: Search, get, stats

/// A record as returned by a query: its stored JSON (envelope, plus content when the role may
/// read it) and where it sits in the log.
public struct QueriedRecord: Sendable {
    public var entry: IndexEntry
    /// The record JSON: the stored envelope with `request`/`response` spliced back when allowed,
    /// and a `gatelog` member with region, position and chain hash.
    public var json: [UInt8]
}

/// A page of search results.
public struct QueryPage: Sendable {
    public var records: [QueriedRecord]
    public var nextCursor: String?
    /// Why the page may hold fewer records than the filter suggests (`QueryService.answerWarnings`).
    public var warnings: [AnswerWarning] = []
}

/// Why an answer may hold fewer records than its filter suggests. Sent with the answer: the JSON
/// `warnings` member (`message`), an `X-Gatelog-Warning` header (`headerText`), a CLI stderr line.
public struct AnswerWarning: Sendable, Equatable {
    /// The full explanation; names regions (only ones the caller may see).
    public var message: String
    /// Fixed text for the `X-Gatelog-Warning` header: a header never carries what a client sent
    /// (control characters in a region name made it invalid).
    public var headerText: String

    public init(message: String, headerText: String) {
        self.message = message
        self.headerText = headerText
    }

    public static let textSearchHeader = "text search is not enabled for a region asked for; see fts_regions"
    public static let incompleteIndexHeader = "the index of a region asked for stops at damaged segment data; see warnings"
    public static let contentWithheldHeader = "content is not included: the token's role may not read it"
}

/// A lock object per region (a `Mutex` cannot be stored in a dictionary by value).
final class RegionGate: Sendable {
    let lock = Mutex<Void>(())
}
