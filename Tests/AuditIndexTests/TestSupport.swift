import Foundation
import XCTest
@testable import AuditIndex

/// SplitMix64: a small deterministic generator for reproducible random tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &self)] }
}

/// A temporary directory removed at the end of the test.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gatelog-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Value pools of the generated corpus (small, so random filters hit often).
enum Pools {
    static let regions = ["eu-west-1", "us-east-1", "ap-south-1"]
    static let tenants = (0..<5).map { "tenant-\($0)" }
    static let teams = (0..<8).map { "team-\($0)" }
    static let users = (0..<30).map { "user\($0)@example.com" }
    static let apiKeys = (0..<10).map { "key_\($0)" }
    static let kinds = ["chat", "embedding", "mcp"]
    static let models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet", "llama-70b", "mistral-large", "gemini-pro"]
    static let providers = ["openai", "anthropic", "vertex"]
    static let statuses: [Int?] = [200, 200, 200, 200, 201, 400, 404, 429, 500, 503, nil]
    static let errorClasses = ["rate_limited", "upstream_error", "bad_request", "timeout"]
    static let backends = ["openai-eu", "openai-us", "azure-eu", "bedrock"]
    static let environments = ["prod", "staging", "dev"]
    static let customers = (0..<40).map { "cust-\($0)" }
    static let features = ["bot", "search", "summary", "translate", "code"]
    static let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
                        "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
    static let traces: [String] = (0..<120).map { i in
        i % 3 == 0 ? "TRACE-\(i)" : String(format: "%032x", UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
    }
    static let baseTime: Int64 = 1_795_510_800_000  // 2026-11-24T09:00:00Z
}

/// Generates `count` entries spread over the regions, positions contiguous per region.
/// With `increasingTime`, times grow with the entry number (as in a live store: a few equal
/// times, small jitter); otherwise they are spread at random over the whole range.
func generateEntries(count: Int, seed: UInt64, startPositions: [String: UInt64] = [:],
                     increasingTime: Bool = false) -> [IndexEntry] {
    var rng = SplitMix64(seed: seed)
    var next = startPositions
    var entries: [IndexEntry] = []
    entries.reserveCapacity(count)
    for i in 0..<count {
        let region = rng.pick(Pools.regions)
        let position = next[region, default: 0]
        next[region] = position + 1
        // Minute-granular times over ~33 hours: plenty of equal timestamps.
        let minute = increasingTime ? Int64(i) * 2000 / Int64(max(count, 1)) + Int64.random(in: 0..<3, using: &rng)
                                    : Int64.random(in: 0..<2000, using: &rng)
        let ts = Pools.baseTime + minute * 60_000 + (rng.chance(0.3) ? 0 : Int64.random(in: 0..<3, using: &rng))
        let status = rng.pick(Pools.statuses)
        var metadata: [(key: String, value: String)] = []
        if rng.chance(0.8) { metadata.append(("environment", rng.pick(Pools.environments))) }
        if rng.chance(0.7) { metadata.append(("customer_id", rng.pick(Pools.customers))) }
        if rng.chance(0.4) { metadata.append(("feature", rng.pick(Pools.features))) }
        if rng.chance(0.05) { metadata.append(("environment", rng.pick(Pools.environments))) }  // repeated key
        if rng.chance(0.1) { metadata.shuffle(using: &rng) }
        var text: String?
        if rng.chance(0.5) {
            text = (0..<Int.random(in: 1...6, using: &rng)).map { _ in rng.pick(Pools.words) }
                .map { rng.chance(0.2) ? $0.uppercased() : $0 }.joined(separator: rng.chance(0.5) ? " " : ", ")
        }
        let id = rng.chance(0.03) && i > 0 ? entries[Int.random(in: 0..<i, using: &rng)].id : "req_\(seed)_\(i)"
        let entry = IndexEntry(
            region: region, position: position, id: id, ts: ts,
            tenant: rng.chance(0.95) ? rng.pick(Pools.tenants) : nil,
            team: rng.chance(0.8) ? rng.pick(Pools.teams) : nil,
            user: rng.chance(0.9) ? rng.pick(Pools.users) : nil,
            apiKeyID: rng.chance(0.9) ? rng.pick(Pools.apiKeys) : nil,
            kind: rng.chance(0.95) ? rng.pick(Pools.kinds) : nil,
            model: rng.chance(0.95) ? rng.pick(Pools.models) : nil,
            provider: rng.chance(0.9) ? rng.pick(Pools.providers) : nil,
            status: status,
            errorClass: (status ?? 0) >= 400 ? (rng.chance(0.8) ? rng.pick(Pools.errorClasses) : nil)
                : (rng.chance(0.03) ? rng.pick(Pools.errorClasses) : nil),
            costUSD: rng.chance(0.9) ? Double(Int64.random(in: 0..<5_000_000, using: &rng)) / 1e9 : nil,
            inputTokens: rng.chance(0.9) ? Int64.random(in: 0..<4000, using: &rng) : nil,
            outputTokens: rng.chance(0.9) ? Int64.random(in: 0..<2000, using: &rng) : nil,
            latencyTotalMs: rng.chance(0.9) ? Double(Int64.random(in: 0..<30_000, using: &rng)) / 10 : nil,
            ttftMs: rng.chance(0.8) ? Double(Int64.random(in: 0..<5000, using: &rng)) / 10 : nil,
            itlMs: rng.chance(0.7) ? Double(Int64.random(in: 0..<500, using: &rng)) / 10 : nil,
            traceID: rng.chance(0.7) ? rng.pick(Pools.traces) : nil,
            routeBackend: rng.chance(0.85) ? rng.pick(Pools.backends) : nil,
            routeFallback: rng.chance(0.9) ? rng.chance(0.1) : nil,
            metadata: metadata,
            location: RecordLocation(segment: position / 100, frameOffset: (position % 100) * 4096 + UInt64(Int.random(in: 0..<4096, using: &rng)),
                                     recordInFrame: UInt16(position % 7)),
            chainHash: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) },
            text: text)
        entries.append(entry)
    }
    return entries
}

/// The reference implementation: filters, ordering and aggregates evaluated by brute force.
struct BruteForce {
    /// Region ordinal in first-seen order (the index numbers regions that way).
    var regionOrdinal: [String: Int] = [:]
    var entries: [IndexEntry] = []

    mutating func add(_ batch: [IndexEntry]) {
        for entry in batch {
            if regionOrdinal[entry.region] == nil { regionOrdinal[entry.region] = regionOrdinal.count + 1 }
            entries.append(entry)
        }
    }

    static func words(_ text: String) -> Set<String> {
        Set(text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init))
    }

    static func matches(_ e: IndexEntry, _ f: IndexFilter) -> Bool {
        func inSet(_ value: String?, _ set: Set<String>?) -> Bool {
            guard let set else { return true }
            guard let value else { return false }
            return set.contains(value)
        }
        if let from = f.from, e.ts < from { return false }
        if let to = f.to, e.ts >= to { return false }
        guard inSet(e.region, f.regions), inSet(e.tenant, f.tenants), inSet(e.team, f.teams), inSet(e.user, f.users),
              inSet(e.apiKeyID, f.apiKeyIDs), inSet(e.kind, f.kinds), inSet(e.model, f.models),
              inSet(e.provider, f.providers), inSet(e.errorClass, f.errorClasses),
              inSet(e.routeBackend, f.routeBackends), inSet(e.traceID, f.traceIDs), inSet(e.id, f.ids) else { return false }
        if let status = f.status {
            guard let s = e.status, status.matches(s) else { return false }
        }
        if let isError = f.isError, ((e.status ?? 0) >= 400 || e.errorClass != nil) != isError { return false }
        if let fallback = f.routeFallback, e.routeFallback != fallback { return false }
        for condition in f.metadata {
            guard let value = e.metadataValue(forKey: condition.key), condition.values.contains(value) else { return false }
        }
        if let min = f.minCostUSD { guard let c = e.costUSD, c >= min else { return false } }
        if let max = f.maxCostUSD { guard let c = e.costUSD, c <= max else { return false } }
        if let min = f.minLatencyMs { guard let l = e.latencyTotalMs, l >= min else { return false } }
        if let max = f.maxLatencyMs { guard let l = e.latencyTotalMs, l <= max else { return false } }
        if let text = f.text {
            let wanted = words(text)
            guard !wanted.isEmpty, let content = e.text, wanted.isSubset(of: words(content)) else { return false }
        }
        return true
    }

    func precedesNewestFirst(_ a: IndexEntry, _ b: IndexEntry) -> Bool {
        if a.ts != b.ts { return a.ts > b.ts }
        if a.position != b.position { return a.position > b.position }
        return regionOrdinal[a.region]! > regionOrdinal[b.region]!
    }

    /// Matching entries in result order, without `text` (the index never returns it).
    func search(_ filters: [IndexFilter], order: SearchOrder) -> [IndexEntry] {
        var result = entries.filter { e in filters.allSatisfy { Self.matches(e, $0) } }
        result.sort(by: precedesNewestFirst)
        if order == .oldestFirst { result.reverse() }
        return result.map { var e = $0; e.text = nil; return e }
    }

    func aggregate(_ filters: [IndexFilter], groupBy: [GroupField], bucket: TimeBucket?) -> [AggregateGroup] {
        struct Acc {
            var count: Int64 = 0, errors: Int64 = 0, tin: Int64 = 0, tout: Int64 = 0, cost: Int64 = 0
            var lat: [Int64] = [], ttft: [Int64] = [], itl: [Int64] = []
        }
        func value(_ e: IndexEntry, _ field: GroupField) -> String? {
            switch field {
            case .region: return e.region
            case .tenant: return e.tenant
            case .team: return e.team
            case .user: return e.user
            case .apiKeyID: return e.apiKeyID
            case .kind: return e.kind
            case .model: return e.model
            case .provider: return e.provider
            case .status: return e.status.map { String($0) }
            case .errorClass: return e.errorClass
            case .routeBackend: return e.routeBackend
            case .metadata(let key): return e.metadataValue(forKey: key)
            }
        }
        struct Key: Hashable { var bucket: Int64?; var keys: [String?] }
        var groups: [Key: Acc] = [:]
        for e in entries where filters.allSatisfy({ Self.matches(e, $0) }) {
            var bucketStart: Int64?
            if let bucket {
                let w = bucket.milliseconds
                bucketStart = Int64((Double(e.ts) / Double(w)).rounded(.down)) * w
            }
            let key = Key(bucket: bucketStart, keys: groupBy.map { value(e, $0) })
            var acc = groups[key] ?? Acc()
            acc.count += 1
            if (e.status ?? 0) >= 400 || e.errorClass != nil { acc.errors += 1 }
            acc.tin += e.inputTokens ?? 0
            acc.tout += e.outputTokens ?? 0
            acc.cost += e.costUSD.map { Int64(($0 * 1e9).rounded()) } ?? 0
            if let v = e.latencyTotalMs { acc.lat.append(Int64((v * 1000).rounded())) }
            if let v = e.ttftMs { acc.ttft.append(Int64((v * 1000).rounded())) }
            if let v = e.itlMs { acc.itl.append(Int64((v * 1000).rounded())) }
            groups[key] = acc
        }
        func summary(_ values: [Int64]) -> LatencySummary {
            if values.isEmpty { return LatencySummary(count: 0, average: nil, p50: nil, p95: nil, p99: nil) }
            let s = values.sorted()
            func pct(_ p: Double) -> Double {
                let rank = Int((p * Double(s.count) / 100).rounded(.up))
                return Double(s[max(rank, 1) - 1]) / 1000
            }
            return LatencySummary(count: Int64(s.count), average: Double(s.reduce(0, +)) / Double(s.count) / 1000,
                                  p50: pct(50), p95: pct(95), p99: pct(99))
        }
        func precedes(_ a: Key, _ b: Key) -> Bool {
            if a.bucket != b.bucket { return a.bucket! < b.bucket! }
            for (i, field) in groupBy.enumerated() {
                let x = a.keys[i], y = b.keys[i]
                if x == y { continue }
                guard let x else { return true }
                guard let y else { return false }
                if field == .status { return Int(x)! < Int(y)! }
                return x < y
            }
            return false
        }
        return groups.keys.sorted(by: precedes).map { key in
            let a = groups[key]!
            return AggregateGroup(bucketStart: key.bucket, keys: key.keys, count: a.count, errors: a.errors,
                                  inputTokens: a.tin, outputTokens: a.tout, costUSD: Double(a.cost) / 1e9,
                                  latencyTotal: summary(a.lat), ttft: summary(a.ttft), itl: summary(a.itl))
        }
    }
}

/// Walks every page of a search and returns the concatenated entries (fails on a repeated page).
func allPages(_ index: AuditIndex, _ filter: IndexFilter, limit: Int, order: SearchOrder,
              file: StaticString = #filePath, line: UInt = #line) throws -> [IndexEntry] {
    var result: [IndexEntry] = []
    var cursor: String?
    var pages = 0
    repeat {
        let page = try index.search(filter: filter, limit: limit, cursor: cursor, order: order)
        XCTAssertLessThanOrEqual(page.entries.count, limit, file: file, line: line)
        if page.nextCursor != nil { XCTAssertEqual(page.entries.count, limit, "a non-final page must be full", file: file, line: line) }
        result += page.entries
        cursor = page.nextCursor
        pages += 1
        if pages > 100_000 { XCTFail("pagination does not end", file: file, line: line); break }
    } while cursor != nil
    return result
}

/// Asserts two entry lists are equal, reporting only the sizes and the first difference.
func assertSameEntries(_ got: [IndexEntry], _ expected: [IndexEntry], _ context: @autoclosure () -> String,
                       file: StaticString = #filePath, line: UInt = #line) {
    if got.count != expected.count {
        XCTFail("\(got.count) entries instead of \(expected.count); \(context())", file: file, line: line)
    }
    if let i = zip(got, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
        XCTFail("first difference at \(i): \(got[i].region)/\(got[i].position) instead of "
            + "\(expected[i].region)/\(expected[i].position); \(context())", file: file, line: line)
    }
}
