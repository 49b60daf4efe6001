import AuditIndex
import Foundation

/// The index benchmark: insert throughput at several batch sizes, index bytes per record, and
/// warm query latencies over a synthetic corpus with realistic cardinalities.
///
/// Usage: `gatelog-bench index [--entries N] [--batches 100,1000,10000] [--runs R] [--dir DIR] [--keep] [--no-queries] [--page-size B] [--checkpoint-pages P]`
enum IndexBench {
    struct Settings {
        var entries = 1_000_000
        var batchSizes = [100, 1000, 10_000]
        var runs = 500
        var directory: String?
        var keep = false
        var seed: UInt64 = 42
        var pageSize = AuditIndex.Options().pageSize
        var runQueries = true
        var checkpointPages = AuditIndex.Options().walCheckpointPages
    }

    static func run(arguments: [String]) throws {
        var settings = Settings()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < arguments.count else { throw BenchError.usage("missing value after \(arguments[i - 1])") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "index": break
            case "--entries": settings.entries = try Int(value()).orThrow("--entries takes a number")
            case "--batches": settings.batchSizes = try value().split(separator: ",").map { try Int($0).orThrow("--batches takes numbers") }
            case "--runs": settings.runs = try Int(value()).orThrow("--runs takes a number")
            case "--dir": settings.directory = try value()
            case "--seed": settings.seed = try UInt64(value()).orThrow("--seed takes a number")
            case "--keep": settings.keep = true
            case "--page-size": settings.pageSize = try Int(value()).orThrow("--page-size takes a number")
            case "--no-queries": settings.runQueries = false
            case "--checkpoint-pages": settings.checkpointPages = try Int(value()).orThrow("--checkpoint-pages takes a number")
            default: throw BenchError.usage("unknown argument \(arguments[i])")
            }
            i += 1
        }
        try run(settings)
    }

    static func run(_ settings: Settings) throws {
        let directory = settings.directory ?? NSTemporaryDirectory() + "gatelog-index-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if !settings.keep && settings.directory == nil { try? FileManager.default.removeItem(atPath: directory) } }

        print("# Index benchmark: \(settings.entries) entries, seed \(settings.seed)")
        print("")
        print("| batch size | insert records/s (wall) | records/s (wall, last 10%) | records per CPU-second | index bytes/record |")
        print("|---:|---:|---:|---:|---:|")
        var lastIndexPath = ""
        var samples = Samples()
        for batchSize in settings.batchSizes {
            let path = directory + "/index-\(batchSize).sqlite"
            try AuditIndex.removeFiles(path: path)
            let index = try AuditIndex.open(path: path, options: AuditIndex.Options(walCheckpointPages: settings.checkpointPages,
                                                                                pageSize: settings.pageSize))
            var generator = IndexEntryGenerator(seed: settings.seed, count: settings.entries)
            var total: Double = 0
            var tail: Double = 0
            let tailStart = settings.entries - settings.entries / 10
            var produced = 0
            samples = Samples()
            var cpu: Double = 0
            while produced < settings.entries {
                let batch = generator.next(min(batchSize, settings.entries - produced))
                samples.observe(batch)
                let start = ContinuousClock.now
                let cpuStart = cpuSeconds()
                try index.insert(batch)
                cpu += cpuSeconds() - cpuStart
                let seconds = (ContinuousClock.now - start).seconds
                total += seconds
                if produced >= tailStart { tail += seconds }
                produced += batch.count
            }
            try index.checkpoint()
            let bytes = fileSize(path) + fileSize(path + "-wal")
            let tailCount = settings.entries - tailStart
            print("| \(batchSize) | \(format(Double(settings.entries) / total, 0)) | \(format(Double(tailCount) / tail, 0)) | \(format(Double(settings.entries) / cpu, 0)) | \(format(Double(bytes) / Double(settings.entries), 1)) |")
            lastIndexPath = path
        }

        guard settings.runQueries else { return }
        // Queries on the last index, warm (every query kind runs before it is measured).
        let index = try AuditIndex.open(path: lastIndexPath)
        var rng = BenchRandom(seed: settings.seed ^ 0xABCDEF)
        let dayMs: Int64 = 86_400_000
        func randomDay() -> Int64 {
            IndexEntryGenerator.start + Int64(rng.below(29)) * dayMs + Int64(rng.below(Int(dayMs / 2)))
        }
        print("")
        print("| query (warm, \(settings.runs) runs unless noted) | median ms | p95 ms | mean results |")
        print("|---|---:|---:|---:|")
        try measure("get by id (region, id)", runs: settings.runs * 4) {
            let sample = samples.ids[rng.below(samples.ids.count)]
            return try index.lookup(region: sample.region, id: sample.id) == nil ? 0 : 1
        }
        try measure("user + one-day window, first 100") {
            let day = randomDay()
            let filter = IndexFilter(from: day, to: day + dayMs, users: [samples.users[rng.below(samples.users.count)]])
            return try index.search(filter: filter, limit: 100).entries.count
        }
        try measure("metadata customer_id=X, newest 100") {
            let filter = IndexFilter(metadata: [MetadataCondition(key: "customer_id",
                                                                   values: [samples.customers[rng.below(samples.customers.count)]])])
            return try index.search(filter: filter, limit: 100).entries.count
        }
        try measure("tenant (scope of 3 tenants) + one day, newest 100") {
            let day = randomDay()
            let tenants = Set((0..<3).map { _ in samples.tenants[rng.below(samples.tenants.count)] })
            return try index.search(filter: IndexFilter(from: day, to: day + dayMs, tenants: tenants), limit: 100).entries.count
        }
        try measure("stats grouped by model over one day", runs: max(settings.runs / 10, 5)) {
            let day = randomDay()
            return try index.aggregate(filter: IndexFilter(from: day, to: day + dayMs), groupBy: [.model]).count
        }
        try measure("p95 TTFT per model per hour over one day", runs: max(settings.runs / 10, 5)) {
            let day = randomDay()
            return try index.aggregate(filter: IndexFilter(from: day, to: day + dayMs), groupBy: [.model], bucket: .hour).count
        }
        try measure("cost per customer over 7 days", runs: max(settings.runs / 50, 3)) {
            let day = randomDay()
            return try index.aggregate(filter: IndexFilter(from: day - 7 * dayMs, to: day), groupBy: [.metadata("customer_id")]).count
        }
    }

    /// Runs `body` `runs` times after `runs / 10` warm-up runs and prints median and p95.
    static func measure(_ name: String, runs: Int = 500, _ body: () throws -> Int) throws {
        for _ in 0..<max(runs / 10, 2) { _ = try body() }
        var times: [Double] = []
        var results = 0
        times.reserveCapacity(runs)
        for _ in 0..<runs {
            let start = ContinuousClock.now
            results += try body()
            times.append((ContinuousClock.now - start).seconds * 1000)
        }
        times.sort()
        let median = times[times.count / 2]
        let p95 = times[min(times.count - 1, (times.count * 95 + 99) / 100 - 1)]
        print("| \(name)\(runs == 500 ? "" : " (\(runs) runs)") | \(format(median, 3)) | \(format(p95, 3)) | \(format(Double(results) / Double(runs), 1)) |")
    }

    /// User plus system CPU time of this process (all threads), in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    static func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    var description: String {
        switch self { case .usage(let m): return "usage: \(m)" }
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw BenchError.usage(message) }
        return self
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

/// SplitMix64.
struct BenchRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// Skewed index in 0..<n: low indexes are more popular.
    mutating func skewed(_ n: Int, power: Double) -> Int { min(Int(Double(n) * pow(unit(), power)), n - 1) }
}

/// Values sampled from the generated corpus for the queries.
struct Samples {
    var ids: [(region: String, id: String)] = []
    var users: [String] = []
    var customers: [String] = []
    var tenants: [String] = []
    private var seen = 0

    mutating func observe(_ batch: [IndexEntry]) {
        for entry in batch {
            seen += 1
            if seen % 97 == 0 {
                ids.append((entry.region, entry.id))
                if let user = entry.user { users.append(user) }
                if let customer = entry.metadataValue(forKey: "customer_id") { customers.append(customer) }
                if let tenant = entry.tenant { tenants.append(tenant) }
            }
        }
    }
}

/// Synthetic entries: 3 regions, 50 tenants, 200 teams, 2,000 users, 500 API keys, 20 models,
/// 6 providers, 10 backends, metadata with 3 keys (customer_id with 10,000 values), times over
/// 30 days in ingest order, unique ids and trace ids.
struct IndexEntryGenerator {
    static let start: Int64 = 1_793_491_200_000  // 2026-11-01T00:00:00Z
    static let span: Int64 = 30 * 86_400_000

    private var rng: BenchRandom
    private let count: Int
    private var produced = 0
    private var positions = [UInt64](repeating: 0, count: 3)
    private var frameOffsets = [UInt64](repeating: 0, count: 3)

    private static let regions = ["eu-west-1", "us-east-1", "ap-southeast-2"]
    private static let tenants = (0..<50).map { "tenant-\($0)" }
    private static let teams = (0..<200).map { "team-\($0)" }
    private static let users = (0..<2000).map { "user\($0)@customer\($0 % 50).example.com" }
    private static let apiKeys = (0..<500).map { "key_\(String($0 * 7919 % 100_000, radix: 16))" }
    private static let models = ["openai/gpt-4o", "openai/gpt-4o-mini", "openai/o3-mini", "openai/gpt-4.1",
                                 "anthropic/claude-sonnet-4", "anthropic/claude-haiku-3.5", "anthropic/claude-opus-4",
                                 "google/gemini-2.5-pro", "google/gemini-2.5-flash", "meta/llama-3.3-70b",
                                 "meta/llama-3.1-8b", "mistral/mistral-large", "mistral/codestral", "cohere/command-r-plus",
                                 "cohere/embed-v3", "openai/text-embedding-3-large", "openai/text-embedding-3-small",
                                 "deepseek/deepseek-v3", "deepseek/deepseek-r1", "xai/grok-3"]
    private static let backends = (0..<10).map { "backend-\($0)" }
    private static let features = (0..<30).map { "feature-\($0)" }
    private static let customers = (0..<10_000).map { "cust-\($0)" }
    private static let errorClasses = ["rate_limited", "upstream_timeout", "upstream_5xx", "invalid_request", "auth_failed"]

    init(seed: UInt64, count: Int) {
        rng = BenchRandom(seed: seed)
        self.count = count
    }

    private mutating func hex(_ bytes: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes * 2)
        var word = rng.next()
        for i in 0..<bytes {
            if i % 8 == 0 && i > 0 { word = rng.next() }
            let b = UInt8(truncatingIfNeeded: word >> UInt64((i % 8) * 8))
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func next(_ n: Int) -> [IndexEntry] {
        var batch: [IndexEntry] = []
        batch.reserveCapacity(n)
        for _ in 0..<n {
            let r = rng.unit()
            let regionIndex = r < 0.6 ? 0 : (r < 0.9 ? 1 : 2)
            let position = positions[regionIndex]
            positions[regionIndex] += 1
            let ts = Self.start + Int64(produced) * Self.span / Int64(count) + Int64(rng.below(2000))
            produced += 1
            let userIndex = rng.skewed(Self.users.count, power: 1.3)
            let tenantIndex = userIndex % 50
            let modelIndex = rng.skewed(Self.models.count, power: 2)
            let model = Self.models[modelIndex]
            let provider = String(model.prefix(while: { $0 != "/" }))
            let isEmbedding = model.contains("embed")
            let s = rng.unit()
            let status = s < 0.94 ? 200 : s < 0.96 ? 429 : s < 0.975 ? 500 : s < 0.985 ? 400 : s < 0.995 ? 503 : 401
            let errorClass: String? = status == 200 ? nil : Self.errorClasses[rng.below(Self.errorClasses.count)]
            let input = Int64(50 + rng.skewed(8000, power: 2))
            let output = isEmbedding ? 0 : Int64(10 + rng.skewed(2000, power: 2))
            let total = Double(100 + rng.skewed(20_000, power: 2) * 10 + rng.below(10)) / 10
            let ttft: Double? = isEmbedding ? nil : Double(rng.below(Int(total * 10 / 2) + 1)) / 10
            let itl: Double? = isEmbedding ? nil : Double(5 + rng.below(500)) / 10
            let frameOffset = frameOffsets[regionIndex]
            if position % 16 == 15 { frameOffsets[regionIndex] += 20_000 + UInt64(rng.below(20_000)) }
            var metadata: [(key: String, value: String)] = [
                ("environment", rng.unit() < 0.9 ? "prod" : (rng.unit() < 0.5 ? "staging" : "dev")),
                ("feature", Self.features[rng.skewed(Self.features.count, power: 1.5)]),
            ]
            if rng.unit() < 0.95 { metadata.append(("customer_id", Self.customers[rng.below(Self.customers.count)])) }
            var chain = [UInt8](repeating: 0, count: 32)
            for k in 0..<4 {
                let word = rng.next()
                for j in 0..<8 { chain[k * 8 + j] = UInt8(truncatingIfNeeded: word >> UInt64(j * 8)) }
            }
            batch.append(IndexEntry(
                region: Self.regions[regionIndex], position: position, id: "req_" + hex(12), ts: ts,
                tenant: Self.tenants[tenantIndex], team: Self.teams[tenantIndex * 4 + userIndex % 4],
                user: Self.users[userIndex], apiKeyID: Self.apiKeys[tenantIndex * 10 + rng.below(10)],
                kind: isEmbedding ? "embedding" : (rng.unit() < 0.94 ? "chat" : "mcp"),
                model: model, provider: provider, status: status, errorClass: errorClass,
                costUSD: Double(input * 3 + output * 12) / 1e6,
                inputTokens: input, outputTokens: output,
                latencyTotalMs: total, ttftMs: ttft, itlMs: itl,
                traceID: hex(16), routeBackend: Self.backends[rng.below(Self.backends.count)],
                routeFallback: rng.unit() < 0.03,
                metadata: metadata,
                location: RecordLocation(segment: position / 4000, frameOffset: frameOffset, recordInFrame: UInt16(position % 16)),
                chainHash: chain))
        }
        return batch
    }
}
