import XCTest
@testable import AuditIndex

/// Every query answered by the index is compared with a brute-force evaluation over the same
/// in-memory entries: random filters (with and without an ANDed scope), both orders, every page.
final class PropertyTests: XCTestCase {
    private func someOf(_ pool: [String], _ rng: inout SplitMix64, max: Int = 3) -> Set<String> {
        var set = Set<String>()
        for _ in 0..<Int.random(in: 1...max, using: &rng) { set.insert(rng.pick(pool)) }
        if rng.chance(0.1) { set.insert("unknown-value") }
        return set
    }

    private func randomFilter(_ rng: inout SplitMix64, ids: [String], density: Double) -> IndexFilter {
        var f = IndexFilter()
        let p = density
        if rng.chance(0.35) {
            let start = Pools.baseTime + Int64.random(in: -100...2000, using: &rng) * 60_000
            let length = Int64.random(in: 1...2200, using: &rng) * 60_000 + Int64.random(in: -2...2, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: f.from = start
            case 1: f.to = start
            default: f.from = start; f.to = start + length
            }
        }
        if rng.chance(p) { f.regions = someOf(Pools.regions, &rng, max: 2) }
        if rng.chance(p) { f.tenants = someOf(Pools.tenants, &rng) }
        if rng.chance(p) { f.teams = someOf(Pools.teams, &rng) }
        if rng.chance(p) { f.users = someOf(Pools.users, &rng, max: 4) }
        if rng.chance(p) { f.apiKeyIDs = someOf(Pools.apiKeys, &rng) }
        if rng.chance(p) { f.kinds = someOf(Pools.kinds, &rng, max: 2) }
        if rng.chance(p) { f.models = someOf(Pools.models, &rng) }
        if rng.chance(p) { f.providers = someOf(Pools.providers, &rng, max: 2) }
        if rng.chance(p) {
            var status = StatusMatch()
            if rng.chance(0.5) { status.classes.insert(Int.random(in: 2...5, using: &rng)) }
            if rng.chance(0.6) { status.codes.insert(rng.pick([200, 201, 400, 404, 429, 500, 503, 302])) }
            f.status = status
        }
        if rng.chance(p) { f.errorClasses = someOf(Pools.errorClasses, &rng, max: 2) }
        if rng.chance(p / 2) { f.isError = rng.chance(0.5) }
        if rng.chance(p) { f.routeBackends = someOf(Pools.backends, &rng, max: 2) }
        if rng.chance(p / 2) { f.routeFallback = rng.chance(0.5) }
        if rng.chance(p * 2) {
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: f.metadata.append(MetadataCondition(key: "environment", values: someOf(Pools.environments, &rng, max: 2)))
                case 1: f.metadata.append(MetadataCondition(key: "customer_id", values: someOf(Pools.customers, &rng, max: 5)))
                default: f.metadata.append(MetadataCondition(key: rng.chance(0.9) ? "feature" : "no-such-key",
                                                             values: someOf(Pools.features, &rng, max: 2)))
                }
            }
        }
        if rng.chance(p / 2) { f.traceIDs = someOf(Pools.traces, &rng, max: 2) }
        if rng.chance(p / 2) {
            var set = Set<String>()
            for _ in 0..<Int.random(in: 1...3, using: &rng) { set.insert(rng.pick(ids)) }
            if rng.chance(0.2) { set.insert("req_missing") }
            f.ids = set
        }
        if rng.chance(p) { f.minCostUSD = Double(Int64.random(in: 0..<5_000_000, using: &rng)) / 1e9 }
        if rng.chance(p) { f.maxCostUSD = Double(Int64.random(in: 0..<5_000_000, using: &rng)) / 1e9 }
        if rng.chance(p) { f.minLatencyMs = Double(Int64.random(in: 0..<30_000, using: &rng)) / 10 }
        if rng.chance(p) { f.maxLatencyMs = Double(Int64.random(in: 0..<30_000, using: &rng)) / 10 }
        if rng.chance(p) {
            f.text = (0..<Int.random(in: 1...2, using: &rng)).map { _ in rng.pick(Pools.words) }
                .map { rng.chance(0.3) ? $0.capitalized : $0 }.joined(separator: rng.chance(0.5) ? " " : "-")
        }
        return f
    }

    /// A scope as the query layer would add it: allowed regions, tenants, teams or customers.
    private func randomScope(_ rng: inout SplitMix64) -> IndexFilter {
        var scope = IndexFilter()
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: scope.tenants = someOf(Pools.tenants, &rng, max: 3)
        case 1: scope.regions = someOf(Pools.regions, &rng, max: 2)
        case 2: scope.teams = someOf(Pools.teams, &rng, max: 4)
        default: scope.metadata = [MetadataCondition(key: "customer_id", values: someOf(Pools.customers, &rng, max: 20))]
        }
        if rng.chance(0.3) { scope.users = someOf(Pools.users, &rng, max: 10) }
        return scope
    }

    private func randomGroupBy(_ rng: inout SplitMix64) -> [GroupField] {
        let all: [GroupField] = [.region, .tenant, .team, .user, .apiKeyID, .kind, .model, .provider, .status, .errorClass,
                                 .routeBackend, .metadata("customer_id"), .metadata("environment"), .metadata("absent-key")]
        return (0..<Int.random(in: 0...2, using: &rng)).map { _ in rng.pick(all) }
    }

    private func describe(_ f: IndexFilter) -> String { String(describing: f) }

    func testRandomQueriesMatchBruteForce() throws {
        let directory = try TemporaryDirectory()
        // Small blocks (32 positions), so queries cross many blocks with overlapping times.
        let index = try AuditIndex.open(path: directory.path("index.sqlite"), options: AuditIndex.Options(blockBits: 5))
        var reference = BruteForce()
        let entries = generateEntries(count: 3000, seed: 20_261_124)
        var rng = SplitMix64(seed: 99)
        var offset = 0
        while offset < entries.count {
            let size = min(Int.random(in: 1...400, using: &rng), entries.count - offset)
            let batch = Array(entries[offset..<(offset + size)])
            try index.insert(batch)
            reference.add(batch)
            offset += size
        }
        // Re-indexing overlapping batches changes nothing.
        try index.insert(Array(entries[100..<600]))
        XCTAssertEqual(try index.recordCount(), 3000)

        let ids = entries.map(\.id)
        var nonEmpty = 0
        for iteration in 0..<220 {
            let density = rng.pick([0.04, 0.08, 0.15])
            let filter = randomFilter(&rng, ids: ids, density: density)
            let scope = rng.chance(0.3) ? randomScope(&rng) : nil
            let combined = scope.map { filter.and($0) } ?? filter
            let filters = [filter] + (scope.map { [$0] } ?? [])
            let order: SearchOrder = rng.chance(0.7) ? .newestFirst : .oldestFirst
            let expected = reference.search(filters, order: order)
            if !expected.isEmpty { nonEmpty += 1 }
            let limit = expected.count <= 60 ? rng.pick([1, 3, 7, 50]) : rng.pick([37, 100, 500, 5000])
            let got = try allPages(index, combined, limit: limit, order: order)
            let context = "iteration \(iteration), limit \(limit), order \(order), filter \(describe(combined))"
            assertSameEntries(got, expected, context)
            XCTAssertEqual(try index.count(filter: combined), Int64(expected.count), context)

            if iteration % 2 == 0 {
                let groupBy = randomGroupBy(&rng)
                let bucket: TimeBucket? = rng.chance(0.4) ? rng.pick(TimeBucket.allCases) : nil
                let groups = try index.aggregate(filter: combined, groupBy: groupBy, bucket: bucket)
                let expectedGroups = reference.aggregate(filters, groupBy: groupBy, bucket: bucket)
                XCTAssertEqual(groups.count, expectedGroups.count, "aggregate by \(groupBy), \(context)")
                XCTAssertEqual(groups, expectedGroups, "aggregate by \(groupBy) bucket \(String(describing: bucket)), \(context)")
            }
            if testRun?.failureCount ?? 0 > 5 { break }
        }
        XCTAssertGreaterThan(nonEmpty, 100, "the random filters should often match something")
    }

    func testEveryDrivingPathMatchesBruteForce() throws {
        // Filters built to force each access path (and its merge of several values), including
        // the choice between two competing indexed fields; times increase with positions as in
        // a live store, blocks are small (8 positions) or the default (one block per region).
        for (blockBits, increasingTime) in [(3, true), (16, true), (3, false)] {
            try checkEveryDrivingPath(blockBits: blockBits, increasingTime: increasingTime)
        }
    }

    private func checkEveryDrivingPath(blockBits: Int, increasingTime: Bool) throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"), options: AuditIndex.Options(blockBits: blockBits))
        var reference = BruteForce()
        let entries = generateEntries(count: 1000, seed: 7, increasingTime: increasingTime)
        try index.insert(entries)
        reference.add(entries)
        let day = IndexFilter(from: Pools.baseTime + 3_600_000, to: Pools.baseTime + 25 * 3_600_000)
        let filters: [IndexFilter] = [
            IndexFilter(),
            day,
            IndexFilter(users: [Pools.users[3]]),
            IndexFilter(users: Set(Pools.users.prefix(5))).and(day),
            IndexFilter(users: Set(Pools.users.prefix(20))),
            IndexFilter(models: ["gpt-4o", "claude-sonnet"]),
            IndexFilter(tenants: Set(Pools.tenants.prefix(3))).and(day),
            IndexFilter(metadata: [MetadataCondition(key: "customer_id", values: ["cust-7"])]),
            IndexFilter(metadata: [MetadataCondition(key: "customer_id", values: Set(Pools.customers.prefix(30)))]),
            IndexFilter(users: [Pools.users[1]], metadata: [MetadataCondition(key: "environment", values: ["prod"])]),
            IndexFilter(tenants: [Pools.tenants[0]], models: ["gpt-4o"],
                        metadata: [MetadataCondition(key: "environment", values: ["prod", "dev"]),
                                   MetadataCondition(key: "feature", values: ["bot"])]),
            IndexFilter(traceIDs: [Pools.traces[3], Pools.traces[4]]),
            IndexFilter(traceIDs: [Pools.traces[0]]),
            IndexFilter(ids: [entries[10].id, entries[20].id]),
            IndexFilter(text: "alpha bravo"),
            IndexFilter(users: [Pools.users[2]], text: "alpha"),
            IndexFilter(status: StatusMatch(classes: [4]), isError: true),
            IndexFilter(isError: false, minCostUSD: 0.001, maxLatencyMs: 1000),
        ]
        for (i, filter) in filters.enumerated() {
            for order in [SearchOrder.newestFirst, .oldestFirst] {
                let expected = reference.search([filter], order: order)
                for limit in [1, 10, 200] where expected.count / limit < 120 {
                    let got = try allPages(index, filter, limit: limit, order: order)
                    assertSameEntries(got, expected, "filter #\(i), limit \(limit), order \(order), blocks \(blockBits)")
                }
            }
            XCTAssertEqual(try index.count(filter: filter), Int64(reference.search([filter], order: .newestFirst).count), "filter #\(i)")
            XCTAssertEqual(try index.aggregate(filter: filter, groupBy: [.model, .status], bucket: .hour),
                           reference.aggregate([filter], groupBy: [.model, .status], bucket: .hour), "filter #\(i)")
        }
    }
}
