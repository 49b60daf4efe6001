/// Where a record lives in its region's segments.
public struct RecordLocation: Sendable, Hashable {
    /// The segment number.
    public var segment: UInt64
    /// Byte offset of the record's frame in the segment file.
    public var frameOffset: UInt64
    /// Index of the record inside its frame.
    public var recordInFrame: UInt16

    /// Creates a location.
    public init(segment: UInt64, frameOffset: UInt64, recordInFrame: UInt16) {
        self.segment = segment
        self.frameOffset = frameOffset
        self.recordInFrame = recordInFrame
    }
}

/// The indexed fields of one stored record, handed to the index by the ingest path
/// (after the record is durable) or by a rebuild from the segments.
///
/// Stored resolution: `costUSD` is kept in units of 1e-9 USD and latencies in whole
/// microseconds (each rounded to nearest); values read back are those quantised values.
/// Filters and aggregates work on the quantised values, so cost sums are exact.
public struct IndexEntry: Sendable {
    /// The region whose log holds the record.
    public var region: String
    /// 0-based index of the record in its region's log. Must be below 2^55.
    public var position: UInt64
    /// The record id (unique within a region).
    public var id: String
    /// Record time, milliseconds since 1970-01-01T00:00:00Z.
    public var ts: Int64
    /// Tenant.
    public var tenant: String?
    /// Team.
    public var team: String?
    /// End user.
    public var user: String?
    /// API key id (never the key itself).
    public var apiKeyID: String?
    /// Exchange kind, e.g. `chat`, `embedding`, `mcp`.
    public var kind: String?
    /// Model name.
    public var model: String?
    /// Provider name.
    public var provider: String?
    /// HTTP status returned to the client.
    public var status: Int?
    /// Error class, when the exchange failed.
    public var errorClass: String?
    /// Cost in USD (stored with 1e-9 USD resolution).
    public var costUSD: Double?
    /// Input (prompt) tokens.
    public var inputTokens: Int64?
    /// Output (completion) tokens.
    public var outputTokens: Int64?
    /// Total latency in milliseconds (stored with 1 µs resolution).
    public var latencyTotalMs: Double?
    /// Time to first token in milliseconds (stored with 1 µs resolution).
    public var ttftMs: Double?
    /// Mean inter-token latency in milliseconds (stored with 1 µs resolution).
    public var itlMs: Double?
    /// Distributed trace id.
    public var traceID: String?
    /// Backend the router chose.
    public var routeBackend: String?
    /// Whether the router fell back to another backend.
    public var routeFallback: Bool?
    /// Metadata pairs in record order. When a key repeats, filters and group-bys use its first value;
    /// all pairs are kept and returned.
    public var metadata: [(key: String, value: String)]
    /// Where the record lives in the segments.
    public var location: RecordLocation
    /// The record's chain hash (32 bytes).
    public var chainHash: [UInt8]
    /// Redacted content text for full-text search; nil when full-text search is off for the region.
    /// Never returned by queries (always nil in results).
    public var text: String?

    /// Creates an entry; optional fields default to absent.
    public init(region: String, position: UInt64, id: String, ts: Int64,
                tenant: String? = nil, team: String? = nil, user: String? = nil, apiKeyID: String? = nil,
                kind: String? = nil, model: String? = nil, provider: String? = nil,
                status: Int? = nil, errorClass: String? = nil, costUSD: Double? = nil,
                inputTokens: Int64? = nil, outputTokens: Int64? = nil,
                latencyTotalMs: Double? = nil, ttftMs: Double? = nil, itlMs: Double? = nil,
                traceID: String? = nil, routeBackend: String? = nil, routeFallback: Bool? = nil,
                metadata: [(key: String, value: String)] = [],
                location: RecordLocation, chainHash: [UInt8], text: String? = nil) {
        self.region = region
        self.position = position
        self.id = id
        self.ts = ts
        self.tenant = tenant
        self.team = team
        self.user = user
        self.apiKeyID = apiKeyID
        self.kind = kind
        self.model = model
        self.provider = provider
        self.status = status
        self.errorClass = errorClass
        self.costUSD = costUSD
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.latencyTotalMs = latencyTotalMs
        self.ttftMs = ttftMs
        self.itlMs = itlMs
        self.traceID = traceID
        self.routeBackend = routeBackend
        self.routeFallback = routeFallback
        self.metadata = metadata
        self.location = location
        self.chainHash = chainHash
        self.text = text
    }

    /// The value of the first metadata pair with `key`, if any. O(number of pairs).
    public func metadataValue(forKey key: String) -> String? {
        for pair in metadata where pair.key == key { return pair.value }
        return nil
    }
}

extension IndexEntry: Equatable {
    /// Field-by-field equality (metadata compared pairwise, in order).
    public static func == (lhs: IndexEntry, rhs: IndexEntry) -> Bool {
        lhs.region == rhs.region && lhs.position == rhs.position && lhs.id == rhs.id && lhs.ts == rhs.ts
            && lhs.tenant == rhs.tenant && lhs.team == rhs.team && lhs.user == rhs.user
            && lhs.apiKeyID == rhs.apiKeyID && lhs.kind == rhs.kind && lhs.model == rhs.model
            && lhs.provider == rhs.provider && lhs.status == rhs.status && lhs.errorClass == rhs.errorClass
            && lhs.costUSD == rhs.costUSD && lhs.inputTokens == rhs.inputTokens
            && lhs.outputTokens == rhs.outputTokens && lhs.latencyTotalMs == rhs.latencyTotalMs
            && lhs.ttftMs == rhs.ttftMs && lhs.itlMs == rhs.itlMs && lhs.traceID == rhs.traceID
            && lhs.routeBackend == rhs.routeBackend && lhs.routeFallback == rhs.routeFallback
            && lhs.metadata.elementsEqual(rhs.metadata, by: { $0.key == $1.key && $0.value == $1.value })
            && lhs.location == rhs.location && lhs.chainHash == rhs.chainHash && lhs.text == rhs.text
    }
}

/// Allowed HTTP statuses: exact codes and whole classes (`4` for 4xx). A status matches
/// when it equals one of `codes` or its hundreds digit is in `classes`.
public struct StatusMatch: Sendable, Hashable {
    /// Exact status codes.
    public var codes: Set<Int>
    /// Status classes by hundreds digit (4 means 400...499).
    public var classes: Set<Int>

    /// Creates a status match.
    public init(codes: Set<Int> = [], classes: Set<Int> = []) {
        self.codes = codes
        self.classes = classes
    }

    /// Whether `status` is allowed.
    public func matches(_ status: Int) -> Bool {
        codes.contains(status) || (status >= 0 && classes.contains(status / 100))
    }

    /// The statuses allowed by both `self` and `other`. O(|codes|).
    public func intersection(_ other: StatusMatch) -> StatusMatch {
        var codes = Set<Int>()
        for code in self.codes where other.matches(code) { codes.insert(code) }
        for code in other.codes where self.matches(code) { codes.insert(code) }
        return StatusMatch(codes: codes, classes: self.classes.intersection(other.classes))
    }

    /// True when no status can match.
    public var isEmpty: Bool { codes.isEmpty && classes.isEmpty }
}

/// A metadata condition: the record's value for `key` is one of `values`.
public struct MetadataCondition: Sendable, Hashable {
    /// The metadata key.
    public var key: String
    /// Allowed values (ORed). Empty matches nothing.
    public var values: Set<String>

    /// Creates a condition.
    public init(key: String, values: Set<String>) {
        self.key = key
        self.values = values
    }
}

/// What to search for. Every set field restricts results (fields are ANDed, values inside a
/// set are ORed); nil means unrestricted and an empty set matches nothing. The query layer
/// applies access scope by `and`-ing a scope filter, so records outside it never appear in
/// results, counts or aggregates.
public struct IndexFilter: Sendable, Equatable {
    /// Earliest record time, inclusive (ms since epoch).
    public var from: Int64?
    /// Latest record time, exclusive (ms since epoch).
    public var to: Int64?
    /// Allowed regions.
    public var regions: Set<String>?
    /// Allowed tenants.
    public var tenants: Set<String>?
    /// Allowed teams.
    public var teams: Set<String>?
    /// Allowed users.
    public var users: Set<String>?
    /// Allowed API key ids.
    public var apiKeyIDs: Set<String>?
    /// Allowed kinds.
    public var kinds: Set<String>?
    /// Allowed models.
    public var models: Set<String>?
    /// Allowed providers.
    public var providers: Set<String>?
    /// Allowed statuses (exact codes and classes). Records without a status never match.
    public var status: StatusMatch?
    /// Allowed error classes.
    public var errorClasses: Set<String>?
    /// true: only failed exchanges (status >= 400 or an error class); false: only the others.
    public var isError: Bool?
    /// Allowed routing backends.
    public var routeBackends: Set<String>?
    /// Required value of the routing fallback flag.
    public var routeFallback: Bool?
    /// Metadata conditions, all of which must hold.
    public var metadata: [MetadataCondition]
    /// Allowed trace ids.
    public var traceIDs: Set<String>?
    /// Allowed record ids.
    public var ids: Set<String>?
    /// Minimum cost in USD, inclusive. Records without a cost never match a cost bound.
    public var minCostUSD: Double?
    /// Maximum cost in USD, inclusive.
    public var maxCostUSD: Double?
    /// Minimum total latency in ms, inclusive. Records without a latency never match a latency bound.
    public var minLatencyMs: Double?
    /// Maximum total latency in ms, inclusive.
    public var maxLatencyMs: Double?
    /// Full-text query: every word (a run of letters and digits, case-insensitive) must occur in
    /// the record's indexed text. Only records indexed with text can match.
    public var text: String?

    /// An unrestricted filter.
    public init() { metadata = [] }

    /// Creates a filter from the given restrictions.
    public init(from: Int64? = nil, to: Int64? = nil, regions: Set<String>? = nil, tenants: Set<String>? = nil,
                teams: Set<String>? = nil, users: Set<String>? = nil, apiKeyIDs: Set<String>? = nil,
                kinds: Set<String>? = nil, models: Set<String>? = nil, providers: Set<String>? = nil,
                status: StatusMatch? = nil, errorClasses: Set<String>? = nil, isError: Bool? = nil,
                routeBackends: Set<String>? = nil, routeFallback: Bool? = nil,
                metadata: [MetadataCondition] = [], traceIDs: Set<String>? = nil, ids: Set<String>? = nil,
                minCostUSD: Double? = nil, maxCostUSD: Double? = nil,
                minLatencyMs: Double? = nil, maxLatencyMs: Double? = nil, text: String? = nil) {
        self.from = from
        self.to = to
        self.regions = regions
        self.tenants = tenants
        self.teams = teams
        self.users = users
        self.apiKeyIDs = apiKeyIDs
        self.kinds = kinds
        self.models = models
        self.providers = providers
        self.status = status
        self.errorClasses = errorClasses
        self.isError = isError
        self.routeBackends = routeBackends
        self.routeFallback = routeFallback
        self.metadata = metadata
        self.traceIDs = traceIDs
        self.ids = ids
        self.minCostUSD = minCostUSD
        self.maxCostUSD = maxCostUSD
        self.minLatencyMs = minLatencyMs
        self.maxLatencyMs = maxLatencyMs
        self.text = text
    }

    /// The filter matching exactly the records both `self` and `other` match (sets intersected,
    /// bounds tightened, metadata conditions and text words concatenated). Use it to apply a scope.
    public func and(_ other: IndexFilter) -> IndexFilter {
        func both<T>(_ a: Set<T>?, _ b: Set<T>?) -> Set<T>? {
            guard let a else { return b }
            guard let b else { return a }
            return a.intersection(b)
        }
        func tighter(_ a: Int64?, _ b: Int64?, _ pick: (Int64, Int64) -> Int64) -> Int64? {
            guard let a else { return b }
            guard let b else { return a }
            return pick(a, b)
        }
        func tighter(_ a: Double?, _ b: Double?, _ pick: (Double, Double) -> Double) -> Double? {
            guard let a else { return b }
            guard let b else { return a }
            return pick(a, b)
        }
        var result = IndexFilter()
        result.from = tighter(from, other.from, max)
        result.to = tighter(to, other.to, min)
        result.regions = both(regions, other.regions)
        result.tenants = both(tenants, other.tenants)
        result.teams = both(teams, other.teams)
        result.users = both(users, other.users)
        result.apiKeyIDs = both(apiKeyIDs, other.apiKeyIDs)
        result.kinds = both(kinds, other.kinds)
        result.models = both(models, other.models)
        result.providers = both(providers, other.providers)
        if let a = status, let b = other.status { result.status = a.intersection(b) } else { result.status = status ?? other.status }
        result.errorClasses = both(errorClasses, other.errorClasses)
        result.routeBackends = both(routeBackends, other.routeBackends)
        result.traceIDs = both(traceIDs, other.traceIDs)
        result.ids = both(ids, other.ids)
        result.metadata = metadata + other.metadata
        result.minCostUSD = tighter(minCostUSD, other.minCostUSD, max)
        result.maxCostUSD = tighter(maxCostUSD, other.maxCostUSD, min)
        result.minLatencyMs = tighter(minLatencyMs, other.minLatencyMs, max)
        result.maxLatencyMs = tighter(maxLatencyMs, other.maxLatencyMs, min)
        switch (text, other.text) {
        case (nil, nil): result.text = nil
        case (let a?, nil): result.text = a
        case (nil, let b?): result.text = b
        case (let a?, let b?): result.text = a + " " + b
        }
        // Contradictory flags: express "nothing matches" with an empty allowed set.
        result.isError = isError ?? other.isError
        result.routeFallback = routeFallback ?? other.routeFallback
        if let a = isError, let b = other.isError, a != b { result.ids = [] }
        if let a = routeFallback, let b = other.routeFallback, a != b { result.ids = [] }
        return result
    }
}

/// Result order of a search.
public enum SearchOrder: Sendable, Hashable {
    /// Newest record time first. Equal times: higher position first, then higher region number
    /// (regions are numbered in the order the index first saw them).
    case newestFirst
    /// Oldest record time first (the exact reverse of `newestFirst`).
    case oldestFirst
}

/// One page of search results.
public struct SearchPage: Sendable, Equatable {
    /// The matching entries in the requested order (`text` is always nil).
    public var entries: [IndexEntry]
    /// Opaque cursor for the next page, nil when this page is the last.
    public var nextCursor: String?

    /// Creates a page.
    public init(entries: [IndexEntry], nextCursor: String?) {
        self.entries = entries
        self.nextCursor = nextCursor
    }
}

/// A field to group aggregates by.
public enum GroupField: Sendable, Hashable, CustomStringConvertible {
    /// The record's region.
    case region
    /// Tenant.
    case tenant
    /// Team.
    case team
    /// User.
    case user
    /// API key id.
    case apiKeyID
    /// Exchange kind.
    case kind
    /// Model.
    case model
    /// Provider.
    case provider
    /// HTTP status (as decimal text in group keys, sorted numerically).
    case status
    /// Error class.
    case errorClass
    /// Routing backend.
    case routeBackend
    /// The value of a metadata key (first occurrence).
    case metadata(String)

    /// The field's name as used on the command line (`model`, `error`, `meta:customer_id`...).
    public var description: String {
        switch self {
        case .region: return "region"
        case .tenant: return "tenant"
        case .team: return "team"
        case .user: return "user"
        case .apiKeyID: return "api_key_id"
        case .kind: return "kind"
        case .model: return "model"
        case .provider: return "provider"
        case .status: return "status"
        case .errorClass: return "error_class"
        case .routeBackend: return "route_backend"
        case .metadata(let key): return "meta:" + key
        }
    }
}

/// Width of a time bucket for aggregates. Buckets are aligned to the Unix epoch (UTC).
public enum TimeBucket: String, Sendable, Hashable, CaseIterable {
    /// One minute.
    case minute
    /// One hour.
    case hour
    /// One day (UTC).
    case day

    /// The bucket width in milliseconds.
    public var milliseconds: Int64 {
        switch self {
        case .minute: return 60_000
        case .hour: return 3_600_000
        case .day: return 86_400_000
        }
    }

    /// The start of the bucket holding `ts` (floor, also for times before 1970).
    public func start(of ts: Int64) -> Int64 {
        let width = milliseconds
        let q = ts / width
        return (ts % width < 0 ? q - 1 : q) * width
    }
}

/// Exact summary statistics of one latency measure over a group (values absent from a record
/// are skipped). Percentiles use the nearest-rank method: the value at 1-based rank
/// ⌈p·n/100⌉ of the sorted values.
public struct LatencySummary: Sendable, Equatable {
    /// Number of records that carried the measure.
    public var count: Int64
    /// Mean in ms, nil when `count` is 0.
    public var average: Double?
    /// Median in ms.
    public var p50: Double?
    /// 95th percentile in ms.
    public var p95: Double?
    /// 99th percentile in ms.
    public var p99: Double?

    /// Creates a summary.
    public init(count: Int64, average: Double?, p50: Double?, p95: Double?, p99: Double?) {
        self.count = count
        self.average = average
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
    }
}

/// One group of an aggregate query.
public struct AggregateGroup: Sendable, Equatable {
    /// Start of the time bucket (ms since epoch), when grouping by time.
    public var bucketStart: Int64?
    /// The group's value for each requested group field, in request order (nil when absent).
    public var keys: [String?]
    /// Number of records.
    public var count: Int64
    /// Records with status >= 400 or an error class.
    public var errors: Int64
    /// Sum of input tokens.
    public var inputTokens: Int64
    /// Sum of output tokens.
    public var outputTokens: Int64
    /// Sum of cost in USD (summed exactly in units of 1e-9 USD).
    public var costUSD: Double
    /// Total latency statistics.
    public var latencyTotal: LatencySummary
    /// Time-to-first-token statistics.
    public var ttft: LatencySummary
    /// Inter-token latency statistics.
    public var itl: LatencySummary

    /// Creates a group.
    public init(bucketStart: Int64?, keys: [String?], count: Int64, errors: Int64, inputTokens: Int64,
                outputTokens: Int64, costUSD: Double, latencyTotal: LatencySummary, ttft: LatencySummary,
                itl: LatencySummary) {
        self.bucketStart = bucketStart
        self.keys = keys
        self.count = count
        self.errors = errors
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUSD = costUSD
        self.latencyTotal = latencyTotal
        self.ttft = ttft
        self.itl = itl
    }

    /// Errors divided by count (0 for an empty group).
    public var errorRate: Double { count == 0 ? 0 : Double(errors) / Double(count) }
}
