import Foundation
import Synchronization
import XCTest
@testable import AuditIndex

final class IndexTests: XCTestCase {
    private func entry(_ region: String, _ position: UInt64, id: String? = nil, ts: Int64 = Pools.baseTime,
                       user: String? = "u", text: String? = nil) -> IndexEntry {
        IndexEntry(region: region, position: position, id: id ?? "\(region)-\(position)", ts: ts, user: user,
                   location: RecordLocation(segment: 1, frameOffset: position * 10, recordInFrame: 0),
                   chainHash: [UInt8](repeating: UInt8(position % 256), count: 32), text: text)
    }

    func testEntriesRoundTripThroughLookup() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"), options: AuditIndex.Options(blockBits: 2))
        let entries = generateEntries(count: 500, seed: 1)
        try index.insert(entries)
        for e in entries {
            var expected = e
            expected.text = nil
            let byRegion = try index.lookup(region: e.region, id: e.id)
            // Ids repeated inside one region return one of them; the generator reuses ids across regions mostly.
            if entries.filter({ $0.region == e.region && $0.id == e.id }).count == 1 {
                XCTAssertEqual(byRegion, expected)
            }
            XCTAssertTrue(try index.lookup(id: e.id).contains(expected))
        }
        XCTAssertNil(try index.lookup(region: "eu-west-1", id: "nope"))
        XCTAssertNil(try index.lookup(region: "no-such-region", id: entries[0].id))
        XCTAssertEqual(try index.lookup(id: "nope"), [])
        XCTAssertEqual(try index.regions(), Pools.regions.sorted())
    }

    func testValuesAreStoredAtDocumentedResolution() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"))
        var e = entry("r", 0)
        e.costUSD = 0.123_456_789_4
        e.latencyTotalMs = 812.400_4
        e.ttftMs = -1.5
        e.traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        e.metadata = [("k", ""), ("", "v"), ("k", "second")]
        e.location = RecordLocation(segment: UInt64.max, frameOffset: UInt64.max - 1, recordInFrame: UInt16.max)
        try index.insert([e])
        let got = try XCTUnwrap(index.lookup(region: "r", id: e.id))
        XCTAssertEqual(got.costUSD, 0.123_456_789)
        XCTAssertEqual(got.latencyTotalMs, 812.4)
        XCTAssertEqual(got.ttftMs, -1.5)
        XCTAssertEqual(got.traceID, e.traceID)
        XCTAssertEqual(got.location, e.location)
        XCTAssertTrue(got.metadata.elementsEqual(e.metadata, by: { $0.key == $1.key && $0.value == $1.value }))
        // Only the first value of a repeated key is searchable.
        XCTAssertEqual(try index.count(filter: IndexFilter(metadata: [MetadataCondition(key: "k", values: [""])])), 1)
        XCTAssertEqual(try index.count(filter: IndexFilter(metadata: [MetadataCondition(key: "k", values: ["second"])])), 0)
        // Upper-case hex is text, not bytes, and still round-trips and matches exactly.
        var upper = entry("r", 1)
        upper.traceID = "4BF92F3577B34DA6A3CE929D0E0E4736"
        try index.insert([upper])
        XCTAssertEqual(try index.lookup(region: "r", id: upper.id)?.traceID, upper.traceID)
        XCTAssertEqual(try index.search(filter: IndexFilter(traceIDs: [upper.traceID!])).entries.map(\.position), [1])
        XCTAssertEqual(try index.search(filter: IndexFilter(traceIDs: [e.traceID!])).entries.map(\.position), [0])
    }

    func testIndexedPositionIsTheContiguousPrefix() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        var index: AuditIndex? = try AuditIndex.open(path: path)
        XCTAssertNil(try index!.indexedPosition(region: "a"))
        try index!.insert([entry("a", 1), entry("a", 2)])
        XCTAssertNil(try index!.indexedPosition(region: "a"), "position 0 is missing")
        try index!.insert([entry("a", 0), entry("a", 5), entry("a", 6), entry("b", 0)])
        XCTAssertEqual(try index!.indexedPosition(region: "a"), 2)
        XCTAssertEqual(try index!.indexedPosition(region: "b"), 0)
        try index!.insert([entry("a", 4)])
        XCTAssertEqual(try index!.indexedPosition(region: "a"), 2)
        // Survives reopening, and a later batch fills the gap and absorbs 4...6.
        index = nil
        index = try AuditIndex.open(path: path)
        XCTAssertEqual(try index!.indexedPosition(region: "a"), 2)
        try index!.insert([entry("a", 3)])
        XCTAssertEqual(try index!.indexedPosition(region: "a"), 6)
        try index!.insert((7..<1000).map { entry("a", $0) })
        XCTAssertEqual(try index!.indexedPosition(region: "a"), 999)
        XCTAssertEqual(try index!.recordCount(), 1001)
    }

    func testReinsertingIsANoOp() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"))
        let entries = generateEntries(count: 300, seed: 3)
        try index.insert(entries)
        let before = try index.aggregate(filter: IndexFilter(), groupBy: [.model])
        try index.insert(entries.reversed())
        XCTAssertEqual(try index.recordCount(), 300)
        XCTAssertEqual(try index.aggregate(filter: IndexFilter(), groupBy: [.model]), before)
        XCTAssertEqual(try index.count(filter: IndexFilter(metadata: [MetadataCondition(key: "environment", values: ["prod"])])),
                       Int64(entries.filter { $0.metadataValue(forKey: "environment") == "prod" }.count))
    }

    /// A cost or latency the fixed-point columns cannot hold is indexed as absent: refusing the
    /// entry would stop the index at a record the segments hold.
    func testOutOfRangeCostAndLatencyAreIndexedAsAbsent() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"))
        var huge = entry("r", 0)
        huge.costUSD = 1e10
        huge.latencyTotalMs = .infinity
        huge.ttftMs = -1e300
        huge.itlMs = .nan
        var fine = entry("r", 1)
        fine.costUSD = 0.25
        fine.itlMs = 12.5
        try index.insert([huge, fine])
        XCTAssertEqual(try index.recordCount(), 2)
        let stored = try XCTUnwrap(index.lookup(region: "r", id: "r-0"))
        XCTAssertNil(stored.costUSD)
        XCTAssertNil(stored.latencyTotalMs)
        XCTAssertNil(stored.ttftMs)
        XCTAssertNil(stored.itlMs)
        XCTAssertEqual(try index.lookup(region: "r", id: "r-1")?.costUSD, 0.25)
        XCTAssertEqual(try index.aggregate(filter: IndexFilter(), groupBy: []).first?.costUSD, 0.25)
    }

    /// Sums that leave the 64-bit range neither wrap around nor trap: two records with 2^63 − 1
    /// input tokens summed to −2 before. Costs at the ingest bound add up exactly.
    func testAggregateSumsDoNotWrapAround() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"))
        let entries = (0..<10).map { i -> IndexEntry in
            var e = entry("r", UInt64(i))
            e.inputTokens = .max
            e.outputTokens = .min
            e.costUSD = 999_999_999.5
            e.latencyTotalMs = 999_999_999_999
            return e
        }
        try index.insert(entries)
        let group = try XCTUnwrap(index.aggregate(filter: IndexFilter(), groupBy: []).first)
        XCTAssertEqual(group.count, 10)
        XCTAssertEqual(group.inputTokens, .max, "clamped, not wrapped")
        XCTAssertEqual(group.outputTokens, .min)
        XCTAssertEqual(group.costUSD, 9_999_999_995, accuracy: 1e-3)
        XCTAssertEqual(try XCTUnwrap(group.latencyTotal.average), 999_999_999_999, accuracy: 1)
    }

    func testInvalidEntriesAreRejectedWithoutWritingAnything() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"))
        var shortHash = entry("r", 1)
        shortHash.chainHash = [1, 2, 3]
        var farPosition = entry("r", 2)
        farPosition.position = 1 << 55
        for bad in [shortHash, farPosition, entry("", 5)] {
            XCTAssertThrowsError(try index.insert([entry("r", 0), bad])) { error in
                XCTAssertEqual((error as? IndexError)?.kind, .invalidArgument)
            }
        }
        XCTAssertEqual(try index.recordCount(), 0)
        // Up to 255 regions; the 256th is refused and nothing of its batch is kept.
        try index.insert((1...255).map { entry("region-\($0)", 0) })
        XCTAssertThrowsError(try index.insert([entry("region-1", 1), entry("region-256", 0)])) { error in
            XCTAssertEqual((error as? IndexError)?.kind, .invalidArgument)
        }
        XCTAssertEqual(try index.recordCount(), 255)
        XCTAssertEqual(try index.regions().count, 255)
        XCTAssertEqual(try index.lookup(region: "region-255", id: "region-255-0")?.region, "region-255")
        try index.insert([entry("region-1", 1)])
        XCTAssertEqual(try index.indexedPosition(region: "region-1"), 1)
        XCTAssertThrowsError(try index.search(filter: IndexFilter(minCostUSD: .nan)))
        XCTAssertThrowsError(try index.search(filter: IndexFilter(), limit: 0))
    }

    func testCursorsAreValidated() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"))
        try index.insert((0..<10).map { entry("r", $0, ts: Pools.baseTime + Int64($0)) })
        let first = try index.search(filter: IndexFilter(), limit: 4)
        XCTAssertEqual(first.entries.map(\.position), [9, 8, 7, 6])
        let cursor = try XCTUnwrap(first.nextCursor)
        XCTAssertEqual(try index.search(filter: IndexFilter(), limit: 4, cursor: cursor).entries.map(\.position), [5, 4, 3, 2])
        for bad in ["", "abc", "!!!!", String(cursor.dropLast()), cursor + "A"] {
            XCTAssertThrowsError(try index.search(filter: IndexFilter(), cursor: bad), bad) { error in
                XCTAssertEqual((error as? IndexError)?.kind, .invalidArgument)
            }
        }
        XCTAssertThrowsError(try index.search(filter: IndexFilter(), cursor: cursor, order: .oldestFirst))
        // The last page has no cursor, also when it is exactly full.
        let all = try index.search(filter: IndexFilter(), limit: 10)
        XCTAssertEqual(all.entries.count, 10)
        XCTAssertNil(all.nextCursor)
    }

    func testFullTextSearchOnlyCoversEntriesIndexedWithText() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"))
        try index.insert([
            entry("r", 0, text: "The quick brown fox"),
            entry("r", 1, text: "jumps over the lazy dog; QUICK!"),
            entry("r", 2, text: nil),
            entry("s", 0, text: "quick \"quoted\" AND OR NOT near"),
        ])
        func positions(_ text: String) throws -> [String] {
            try index.search(filter: IndexFilter(text: text)).entries.map { "\($0.region)\($0.position)" }.sorted()
        }
        XCTAssertEqual(try positions("quick"), ["r0", "r1", "s0"])
        XCTAssertEqual(try positions("Quick fox"), ["r0"])
        XCTAssertEqual(try positions("\"quoted\" OR"), ["s0"], "operators and quotes are plain words")
        XCTAssertEqual(try positions("NOT"), ["s0"])
        XCTAssertEqual(try positions("..."), [], "no words matches nothing")
        XCTAssertEqual(try positions("elephant"), [])
        XCTAssertEqual(try index.search(filter: IndexFilter(regions: ["s"], text: "quick")).entries.count, 1)
    }

    func testScopeRestrictsResultsCountsAndAggregates() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"))
        let entries = generateEntries(count: 800, seed: 11)
        try index.insert(entries)
        let scope = IndexFilter(tenants: ["tenant-1", "tenant-2"])
        let query = IndexFilter(tenants: ["tenant-2", "tenant-3"])  // asks beyond the scope
        let scoped = query.and(scope)
        let expected = entries.filter { $0.tenant == "tenant-2" }
        XCTAssertEqual(try index.count(filter: scoped), Int64(expected.count))
        XCTAssertTrue(try allPages(index, scoped, limit: 50, order: .newestFirst).allSatisfy { $0.tenant == "tenant-2" })
        let groups = try index.aggregate(filter: scoped, groupBy: [.tenant])
        XCTAssertEqual(groups.map(\.keys), [["tenant-2"]])
        XCTAssertEqual(groups.first?.count, Int64(expected.count))
        // Disjoint scope: nothing at all.
        let none = IndexFilter(tenants: ["tenant-4"]).and(scope)
        XCTAssertEqual(try index.count(filter: none), 0)
        XCTAssertEqual(try index.aggregate(filter: none), [])
        XCTAssertEqual(IndexFilter(isError: true).and(IndexFilter(isError: false)).ids, [])
        // Status intersection keeps exactly the statuses both allow.
        let both = StatusMatch(codes: [404, 500], classes: [2]).intersection(StatusMatch(codes: [201], classes: [4]))
        XCTAssertEqual(both, StatusMatch(codes: [404, 201], classes: []))
    }

    func testAggregateStatisticsOnAKnownGroup() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"))
        var entries: [IndexEntry] = []
        for i in 0..<100 {
            var e = entry("r", UInt64(i), ts: Pools.baseTime + Int64(i) * 60_000)
            e.model = "m"
            e.latencyTotalMs = Double(i + 1)  // 1...100 ms
            e.ttftMs = i < 10 ? Double(i) : nil
            e.costUSD = 0.000_000_001 * Double(i)
            e.inputTokens = 10
            e.status = i % 10 == 0 ? 500 : 200
            e.errorClass = i == 1 ? "timeout" : nil
            entries.append(e)
        }
        try index.insert(entries)
        let groups = try index.aggregate(filter: IndexFilter(), groupBy: [.model])
        XCTAssertEqual(groups.count, 1)
        let g = try XCTUnwrap(groups.first)
        XCTAssertEqual(g.keys, ["m"])
        XCTAssertEqual(g.count, 100)
        XCTAssertEqual(g.errors, 11)
        XCTAssertEqual(g.errorRate, 0.11)
        XCTAssertEqual(g.inputTokens, 1000)
        XCTAssertEqual(g.outputTokens, 0)
        XCTAssertEqual(g.costUSD, 4950e-9, accuracy: 1e-18)
        XCTAssertEqual(g.latencyTotal, LatencySummary(count: 100, average: 50.5, p50: 50, p95: 95, p99: 99))
        XCTAssertEqual(g.ttft, LatencySummary(count: 10, average: 4.5, p50: 4, p95: 9, p99: 9))
        XCTAssertEqual(g.itl, LatencySummary(count: 0, average: nil, p50: nil, p95: nil, p99: nil))
        let hourly = try index.aggregate(filter: IndexFilter(), bucket: .hour)
        XCTAssertEqual(hourly.map(\.count), [60, 40])
        XCTAssertEqual(hourly.first?.bucketStart, Pools.baseTime)
        let json = g.jsonValue(groupBy: [.model]).serializedString
        XCTAssertTrue(json.hasPrefix(#"{"model":"m","count":100,"errors":11,"error_rate":0.11,"input_tokens":1000,"#), json)
    }

    func testPaginationUnderConcurrentInsertsNeitherSkipsNorRepeats() throws {
        let initial = generateEntries(count: 2000, seed: 5)
        var nextPositions: [String: UInt64] = [:]
        for e in initial { nextPositions[e.region] = max(nextPositions[e.region] ?? 0, e.position + 1) }
        // New entries interleave in time with the existing ones (older and newer than any cursor).
        let later = generateEntries(count: 3000, seed: 6, startPositions: nextPositions)
        let batches = stride(from: 0, to: later.count, by: 60).map { Array(later[$0..<min($0 + 60, later.count)]) }

        let filters = [IndexFilter(), IndexFilter(tenants: ["tenant-1", "tenant-3"]),
                       IndexFilter(metadata: [MetadataCondition(key: "environment", values: ["prod"])])]
        for (i, filter) in filters.enumerated() {
            for order in [SearchOrder.newestFirst, .oldestFirst] {
                let directory = try TemporaryDirectory()
                let index = try AuditIndex.open(path: directory.path("index.sqlite"), options: AuditIndex.Options(blockBits: 4))
                try index.insert(initial)
                let existing = Set(initial.filter { BruteForce.matches($0, filter) }.map { "\($0.region)/\($0.position)" })
                let (writerDone, insertError) = insertInBackground(index, batches)
                var seen = Set<String>()
                var cursor: String?
                var pages = 0
                repeat {
                    let page = try index.search(filter: filter, limit: 23, cursor: cursor, order: order)
                    for e in page.entries {
                        XCTAssertTrue(seen.insert("\(e.region)/\(e.position)").inserted, "filter #\(i): repeated \(e.region)/\(e.position)")
                        XCTAssertTrue(BruteForce.matches(e, filter))
                    }
                    cursor = page.nextCursor
                    pages += 1
                } while cursor != nil
                writerDone.wait()
                XCTAssertNil(insertError.error)
                XCTAssertGreaterThan(pages, 10)
                XCTAssertTrue(existing.isSubset(of: seen), "filter #\(i) \(order): \(existing.subtracting(seen).count) records skipped")
            }
        }
    }
}

/// Inserts `batches` into `index` on a new thread; `done` is signalled when it has finished, with
/// the first error (if any) in `failure`.
func insertInBackground(_ index: AuditIndex, _ batches: [[IndexEntry]]) -> (done: DispatchSemaphore, failure: ErrorBox) {
    let done = DispatchSemaphore(value: 0)
    let failure = ErrorBox()
    let writer = Thread {
        do { for batch in batches { try index.insert(batch) } } catch { failure.set(error) }
        done.signal()
    }
    writer.start()
    return (done, failure)
}

/// A thread-safe error slot for worker threads.
final class ErrorBox: Sendable {
    private let stored = Mutex<(any Error)?>(nil)
    func set(_ error: any Error) { stored.withLock { $0 = error } }
    var error: (any Error)? { stored.withLock { $0 } }
}
