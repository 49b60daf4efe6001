import Foundation
import XCTest
@testable import AuditIndex

/// The per-block id filters (`BlockIDFilters`): lookups by id skip blocks, and never miss a record,
/// whether its row was committed before the index opened, before the filters were built, while
/// they were being built, or after.
final class IDFilterTests: XCTestCase {
    private func allBlocks(_ index: AuditIndex) throws -> [BlockRange] {
        try index.withReader { (conn: Connection) throws(IndexError) -> [BlockRange] in
            try index.blocks(ResolvedFilter(), conn)
        }
    }

    private func assertEveryIDFound(_ index: AuditIndex, _ entries: [IndexEntry], file: StaticString = #filePath, line: UInt = #line) throws {
        for e in entries {
            let found = try index.lookup(id: e.id)
            XCTAssertTrue(found.contains { $0.region == e.region && $0.position == e.position },
                          "\(e.region)/\(e.position) (\(e.id)) not found", file: file, line: line)
            var filter = IndexFilter()
            filter.ids = [e.id]
            let page = try index.search(filter: filter, limit: 10)
            XCTAssertTrue(page.entries.contains { $0.region == e.region && $0.position == e.position }, file: file, line: line)
        }
    }

    func testLookupsFindRowsCommittedBeforeOpenBeforeBuildAndAfter() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        let first = generateEntries(count: 800, seed: 21)
        var next: [String: UInt64] = [:]
        func advance(_ entries: [IndexEntry]) { for e in entries { next[e.region] = max(next[e.region] ?? 0, e.position + 1) } }
        advance(first)
        do {
            let earlier = try AuditIndex.open(path: path, options: AuditIndex.Options(blockBits: 3))
            try earlier.insert(first)
        }
        let index = try AuditIndex.open(path: path, options: AuditIndex.Options(blockBits: 3))
        let second = generateEntries(count: 400, seed: 22, startPositions: next)
        advance(second)
        try index.insert(second)
        let built = try index.prepareIDFilters()
        XCTAssertEqual(built, try allBlocks(index).count, "every block gets a filter")
        XCTAssertEqual(try index.prepareIDFilters(), 0, "built filters are kept")
        let third = generateEntries(count: 400, seed: 23, startPositions: next)
        try index.insert(third)
        try assertEveryIDFound(index, first + second + third)

        // The filters do prune: an id is in one block (plus rare false positives), not in all of them.
        let blocks = try allBlocks(index)
        XCTAssertGreaterThan(blocks.count, 100)
        let complete = index.idFilters.completeBlocks
        var kept = 0
        for e in first.prefix(50) {
            kept += index.idFilters.blocksThatMayHold([FieldEncoding.hash32(e.id)], among: blocks.filter { complete.contains($0.blk) }).count
        }
        XCTAssertLessThan(kept, 50 * 3, "filters kept \(kept) blocks for 50 ids")
        for absent in ["nope", "req_missing", ""] {
            XCTAssertEqual(try index.lookup(id: absent), [])
        }
    }

    func testFiltersBuiltDuringConcurrentInsertsMissNothing() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"), options: AuditIndex.Options(blockBits: 4))
        let initial = generateEntries(count: 500, seed: 31)
        try index.insert(initial)
        var next: [String: UInt64] = [:]
        for e in initial { next[e.region] = max(next[e.region] ?? 0, e.position + 1) }
        let later = generateEntries(count: 4000, seed: 32, startPositions: next)
        let batches = stride(from: 0, to: later.count, by: 40).map { Array(later[$0..<min($0 + 40, later.count)]) }
        let (done, failure) = insertInBackground(index, batches)
        var rounds = 0
        while done.wait(timeout: .now()) == .timedOut {
            try index.prepareIDFilters()
            rounds += 1
        }
        XCTAssertNil(failure.error)
        XCTAssertGreaterThan(rounds, 1)
        try index.prepareIDFilters()
        try assertEveryIDFound(index, initial + later)
    }

    func testFilterHasNoFalseNegativesAndFewFalsePositives() {
        let filters = BlockIDFilters(blockBits: 16, memoryBytes: 1 << 20)
        XCTAssertEqual(filters.maxBlocks, 8, "128 KiB per block")
        var filter = filters.emptyFilter()
        var rng = SplitMix64(seed: 7)
        let present = (0..<65_536).map { _ in Int64(Int32(truncatingIfNeeded: rng.next())) }
        for h in present { filters.insert(h, into: &filter) }
        filters.complete(block: 1, with: filter)
        XCTAssertTrue(filters.completeBlocks.isEmpty, "an untracked block is not completed")
        XCTAssertTrue(filters.startTracking(block: 1))
        XCTAssertFalse(filters.startTracking(block: 1))
        filters.complete(block: 1, with: filter)
        let block = [BlockRange(blk: 1, tsMin: 0, tsMax: 0)]
        for h in present.prefix(5000) { XCTAssertEqual(filters.blocksThatMayHold([h], among: block).count, 1) }
        let presentSet = Set(present)
        var falsePositives = 0, tried = 0
        while tried < 100_000 {
            let h = Int64(Int32(truncatingIfNeeded: rng.next()))
            if presentSet.contains(h) { continue }
            tried += 1
            falsePositives += filters.blocksThatMayHold([h], among: block).count
        }
        XCTAssertLessThan(falsePositives, 500, "false positive rate \(Double(falsePositives) / 1000)%")
        // A block without a complete filter is always searched.
        XCTAssertEqual(filters.blocksThatMayHold([1], among: [BlockRange(blk: 2, tsMin: 0, tsMax: 0)]).count, 1)
        filters.add([(block: 3, hash: 5)])
        XCTAssertEqual(filters.blocksThatMayHold([6], among: [BlockRange(blk: 3, tsMin: 0, tsMax: 0)]).count, 1)
        XCTAssertEqual(filters.trackedBlocks, [1], "the writer does not start filters")
    }

    /// With room for one filter (128 bytes at 8 positions per block), only the newest block has one; lookups stay exact, and a newer
    /// block takes the place of the older one. Excluded regions get none.
    func testFilterMemoryIsBoundedAndRegionsCanBeExcluded() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"), options: AuditIndex.Options(blockBits: 3, idFilterBytes: 128))
        let first = generateEntries(count: 300, seed: 41)
        try index.insert(first)
        XCTAssertEqual(try index.prepareIDFilters(), 1)
        let newest = try XCTUnwrap(allBlocks(index).map(\.blk).max())
        XCTAssertEqual(index.idFilters.completeBlocks, [newest])
        XCTAssertEqual(try index.prepareIDFilters(), 0, "no rebuilding of dropped filters")
        var next: [String: UInt64] = [:]
        for e in first { next[e.region] = max(next[e.region] ?? 0, e.position + 1) }
        let second = generateEntries(count: 300, seed: 42, startPositions: next)
        try index.insert(second)
        XCTAssertEqual(try index.prepareIDFilters(), 1)
        let newer = try XCTUnwrap(allBlocks(index).map(\.blk).max())
        XCTAssertNotEqual(newer, newest)
        XCTAssertEqual(index.idFilters.completeBlocks, [newer])
        try assertEveryIDFound(index, first + second)

        let other = try AuditIndex.open(path: directory.path("other.sqlite"), options: AuditIndex.Options(blockBits: 3))
        try other.insert(first)
        try other.prepareIDFilters(excludedRegions: ["eu-west-1"])
        let euWest = try other.withReader { (conn: Connection) throws(IndexError) -> Int64? in try other.existingID(.region, "eu-west-1", conn) }
        XCTAssertNotNil(euWest)
        XCTAssertFalse(other.idFilters.completeBlocks.isEmpty)
        XCTAssertTrue(other.idFilters.completeBlocks.allSatisfy { FieldEncoding.region(ofBlock: $0) != euWest })
        try assertEveryIDFound(other, first)
    }
}
