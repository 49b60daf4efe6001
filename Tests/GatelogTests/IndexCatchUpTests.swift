import XCTest
import Foundation
import AuditFormat
import AuditIndex
import AuditQuery
import AuditStore
import Gatelog
import JSON

/// The index is derived from the segments: deleted, corrupted, rebuilt or left behind by a crash,
/// it answers every query exactly as before.
final class IndexCatchUpTests: XCTestCase {
    static let count = 240

    /// A store of sample records ingested in several batches, and a set of filters over it.
    private func makeStore(_ dir: String, withIndex: Bool = true) throws -> [IndexFilter] {
        let lines = Fixture.sampleLines(count: Self.count, seed: 11)
        let service = try Fixture.open(dir, withIndex: withIndex)
        for chunk in stride(from: 0, to: lines.count, by: 60) {
            let s = try service.ingest(body: Fixture.ndjson(Array(lines[chunk..<min(chunk + 60, lines.count)])),
                                       principal: Fixture.admin, source: "t")
            XCTAssertEqual(s.accepted, min(60, lines.count - chunk))
        }
        service.indexer?.waitUntilDrained()
        service.close()
        let fields = try lines.map { try AuditRecord.parse($0).fields }
        var filters = [IndexFilter()]
        var f = IndexFilter(); f.regions = ["eu-west-1"]; filters.append(f)
        f = IndexFilter(); f.models = [fields[3].model ?? "none"]; filters.append(f)
        f = IndexFilter(); f.tenants = [fields[5].tenant ?? "none"]; f.status = StatusMatch(classes: [2]); filters.append(f)
        f = IndexFilter(); f.metadata = [MetadataCondition(key: "customer_id", values: [fields[7].metadata.first { $0.key == "customer_id" }!.value])]
        filters.append(f)
        f = IndexFilter(); f.from = fields[100].timestamp; f.to = fields[100].timestamp + 3_600_000; filters.append(f)
        return filters
    }

    func testDeletedIndexIsRebuiltWithIdenticalAnswers() throws {
        let tmp = TemporaryDirectory()
        let filters = try makeStore(tmp.path)
        let before = try withService(tmp.path) { try Fixture.answers($0, filters: filters) }
        XCTAssertTrue(before[0].split(separator: "\n").count == Self.count)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: "\(tmp.path)/index/index.sqlite\(suffix)") }
        let after = try withService(tmp.path) { try Fixture.answers($0, filters: filters) }
        XCTAssertEqual(before, after)
    }

    func testCorruptIndexIsRebuiltWithIdenticalAnswers() throws {
        let tmp = TemporaryDirectory()
        let filters = try makeStore(tmp.path)
        let before = try withService(tmp.path) { try Fixture.answers($0, filters: filters) }
        let path = "\(tmp.path)/index/index.sqlite"
        var rng = SplitMix64(seed: 99)
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 8192
        let garbage = (0..<max(size, 8192)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try Data(garbage).write(to: URL(fileURLWithPath: path))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let after = try withService(tmp.path) { try Fixture.answers($0, filters: filters) }
        XCTAssertEqual(before, after)
    }

    /// Damage inside the file (bytes overwritten in a few pages, header intact). SQLite's quick_check
    /// sees structural damage only, so the service may open such an index; then every query either
    /// answers exactly as before or fails with an index error (never a crash), and a rebuild
    /// (`gatelog reindex`) restores identical answers.
    func testPartlyDamagedIndexFailsCleanlyAndRebuildRestoresIt() throws {
        let tmp = TemporaryDirectory()
        let filters = try makeStore(tmp.path)
        let before = try withService(tmp.path) { try Fixture.answers($0, filters: filters) }
        let path = "\(tmp.path)/index/index.sqlite"
        var outcomes: [String: Int] = [:]
        for seed in UInt64(1)...10 {
            var rng = SplitMix64(seed: seed)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let pageSize = 4096
            let pages = bytes.count / pageSize
            guard pages > 2 else { return XCTFail("index too small: \(bytes.count) bytes") }
            for _ in 0..<2 {
                let page = 1 + Int(rng.next() % UInt64(pages - 1))
                let offset = page * pageSize + Int(rng.next() % UInt64(pageSize - 64))
                for k in 0..<64 { bytes[offset + k] = UInt8(truncatingIfNeeded: rng.next()) }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            try withService(tmp.path) { service in
                if [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) != bytes {
                    outcomes["rebuilt on open", default: 0] += 1
                    return
                }
                for (i, f) in filters.enumerated() {
                    do {
                        let answer = try Fixture.answers(service, filters: [f])[0]
                        outcomes[answer == before[i] ? "same" : "different", default: 0] += 1
                    } catch is IndexError {
                        outcomes["index error", default: 0] += 1
                    }
                }
            }
            _ = try IndexFeeder.rebuild(configuration: StoreConfiguration(dataDirectory: tmp.path))
            XCTAssertEqual(try withService(tmp.path) { try Fixture.answers($0, filters: filters) }, before, "seed \(seed): rebuilt")
        }
        print("partly damaged index, queries: \(outcomes)")
        XCTAssertGreaterThan(outcomes["rebuilt on open", default: 0] + outcomes["index error", default: 0] + outcomes["different", default: 0], 0,
                             "the damage reached the data")
    }

    func testRebuildGivesIdenticalAnswers() throws {
        let tmp = TemporaryDirectory()
        let filters = try makeStore(tmp.path)
        let (before, indexed) = try withService(tmp.path) { s in (try Fixture.answers(s, filters: filters), try s.query.index!.recordCount()) }
        let rebuilt = try IndexFeeder.rebuild(configuration: StoreConfiguration(dataDirectory: tmp.path))
        XCTAssertGreaterThanOrEqual(Int64(rebuilt.records), indexed, "the rebuild indexes every record, access log included")
        XCTAssertGreaterThan(rebuilt.records, Self.count)
        let after = try withService(tmp.path) { try Fixture.answers($0, filters: filters) }
        XCTAssertEqual(before, after)
    }

    /// Simulates a crash after the segments were durable and before the index saw the records:
    /// the records are written with no index at all, then the service opens with its index.
    func testRecordsDurableButNotIndexedAreCaughtUpOnOpen() throws {
        let tmp = TemporaryDirectory()
        let reference = TemporaryDirectory()
        let filters = try makeStore(reference.path)
        let expected = try withService(reference.path) { try Fixture.answers($0, filters: filters) }

        // Half indexed, then the rest written while the index is not running.
        let lines = Fixture.sampleLines(count: Self.count, seed: 11)
        let half = Self.count / 2
        // (Each service lives in its own scope: the data-directory lock is released when it is deallocated.)
        try withService(tmp.path) { service in
            XCTAssertEqual(try service.ingest(body: Fixture.ndjson(Array(lines[..<half])), principal: Fixture.admin, source: "t").accepted, half)
            service.indexer?.waitUntilDrained()
        }
        try withService(tmp.path, withIndex: false) { service in
        for chunk in stride(from: half, to: lines.count, by: 60) {
            _ = try service.ingest(body: Fixture.ndjson(Array(lines[chunk..<min(chunk + 60, lines.count)])), principal: Fixture.admin, source: "t")
        }
        XCTAssertThrowsError(try service.query.search(Fixture.admin, filter: IndexFilter()), "no index, no search")
        }

        let reopened = try Fixture.open(tmp.path)
        defer { reopened.close() }
        XCTAssertEqual(try reopened.query.index!.recordCount(), Int64(Self.count), "every durable record indexed on open")
        // Same records, same regions, same positions: the catch-up answers exactly like an index fed live.
        // (Chain hashes differ between the two stores only if positions differ.)
        XCTAssertEqual(try Fixture.answers(reopened, filters: filters), expected)
    }

    private func withService<T>(_ dir: String, withIndex: Bool = true, _ body: (GatelogService) throws -> T) throws -> T {
        let s = try Fixture.open(dir, withIndex: withIndex)
        defer { s.close() }
        return try body(s)
    }
}

/// `gatelog reindex` rebuilds full-text content for `fts_regions` too (it rebuilt without it, and
/// `text=` then found nothing, with no warning).
final class ReindexFullTextTests: XCTestCase {
    func testRebuildKeepsFullTextForTheConfiguredRegions() throws {
        let tmp = TemporaryDirectory()
        var config = StoreConfiguration(dataDirectory: tmp.path)
        config.fullTextRegions = ["eu-west-1"]
        var text = IndexFilter()
        text.text = "prompt"
        func found() throws -> Int {
            let service = try GatelogService(configuration: config)
            defer { service.close() }
            return try service.query.search(Fixture.admin, filter: text, limit: 100).records.count
        }
        do {
            let service = try GatelogService(configuration: config)
            let body = (0..<5).map { Fixture.record("ft-\($0)") }.joined(separator: "\n")
            XCTAssertEqual(try service.ingest(body: Array(body.utf8), principal: Fixture.admin, source: "t").accepted, 5)
            service.close()
        }
        XCTAssertEqual(try found(), 5)
        _ = try IndexFeeder.rebuild(configuration: config)
        XCTAssertEqual(try found(), 5, "after a rebuild")
    }
}
