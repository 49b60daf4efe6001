import XCTest
import Foundation
import AuditFormat
import AuditStore
import GatelogCrypto
import JSON

final class ReaderTests: XCTestCase {
    /// Random-order reads give every record's own bytes and the chain hash its append returned,
    /// whether the frame is cached or not and whichever record of a frame is read first (chain
    /// hashes are computed on demand up to the record asked for).
    func testRandomOrderReadsMatchAppendOutcomes() throws {
        let tmp = TemporaryDirectory()
        let config = Fixtures.configuration(tmp.path, segmentMaxBytes: 1 << 20, frameTargetBytes: 16 << 10)
        let writer = try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey)
        var expected: [UInt64: (chain: Digest32, id: String)] = [:]
        for batch in 0..<6 {
            let records = (0..<40).map { Fixtures.staged(batch * 40 + $0) }
            for (r, outcome) in zip(records, try writer.appendAndWait(records)) {
                guard case .accepted(let position, let chain) = outcome else { return XCTFail("\(outcome)") }
                expected[position] = (chain, r.fields.id)
            }
        }
        writer.close()
        let dir = config.regionDirectory("eu-test")
        var locations: [(UInt64, RecordLocation)] = []
        for number in try SegmentScanner.segmentNumbers(regionDirectory: dir) {
            let scan = try SegmentScanner.scan(path: SegmentScanner.segmentPath(regionDirectory: dir, number: number), number: number,
                                               checkTrailers: true).get()
            for frame in scan.frames {
                for k in 0..<frame.header.recordCount {
                    locations.append((frame.header.firstPosition + UInt64(k), RecordLocation(segment: number, frameOffset: frame.offset, indexInFrame: k)))
                }
            }
        }
        XCTAssertEqual(locations.count, expected.count)
        var rng = SeededGenerator(seed: 11)
        for cacheBytes in [0, 1 << 20] {
            let reader = RegionReader(region: "eu-test", directory: dir, cacheBytes: cacheBytes)
            for (position, location) in locations.shuffled(using: &rng) {
                let record = try reader.read(location)
                XCTAssertEqual(record.position, position)
                XCTAssertEqual(record.chainHash, expected[position]?.chain, "position \(position)")
                let id = try record.envelope.map { try JSONValue.parse($0)["id"]?.stringValue }
                XCTAssertEqual(id, expected[position]?.id)
                XCTAssertEqual(record.envelope.map { SHA256.hash($0) }, record.envelopeDigest)
                XCTAssertEqual(record.content.map { SHA256.hash($0) }, record.contentDigest)
            }
        }
    }

    /// Readers of several regions sharing one `FrameCache` stay within its budget together (the
    /// query service's `read_cache_mib` is a total, not a per-region amount), and a frame evicted
    /// by another region's reads is read again correctly.
    func testReadersOfSeveralRegionsShareOneBudget() throws {
        let tmp = TemporaryDirectory()
        let config = Fixtures.configuration(tmp.path, segmentMaxBytes: 1 << 20, frameTargetBytes: 16 << 10)
        let regions = ["eu-a", "eu-b", "eu-c"]
        var locations: [(region: String, location: RecordLocation)] = []
        for region in regions {
            let writer = try RegionWriter.open(region: region, configuration: config, signingKey: Fixtures.storeKey)
            for batch in 0..<4 {
                _ = try writer.appendAndWait((0..<40).map { Fixtures.staged(batch * 40 + $0, region: region) })
            }
            writer.close()
            let dir = config.regionDirectory(region)
            for number in try SegmentScanner.segmentNumbers(regionDirectory: dir) {
                let scan = try SegmentScanner.scan(path: SegmentScanner.segmentPath(regionDirectory: dir, number: number), number: number,
                                                   checkTrailers: true).get()
                for frame in scan.frames {
                    locations.append((region, RecordLocation(segment: number, frameOffset: frame.offset, indexInFrame: 0)))
                }
            }
        }
        let limit = 64 << 10
        let cache = FrameCache(limit: limit)
        let readers = Dictionary(uniqueKeysWithValues: regions.map { region in
            (region, RegionReader(region: region, directory: config.regionDirectory(region), cache: cache))
        })
        var largest = 0
        for _ in 0..<2 {
            for (region, location) in locations {
                let record = try readers[region]!.read(location)
                XCTAssertEqual(record.envelope.map { SHA256.hash($0) }, record.envelopeDigest)
                XCTAssertEqual(record.content.map { SHA256.hash($0) }, record.contentDigest)
                XCTAssertEqual(try record.envelope.map { try JSONValue.parse($0)["region"]?.stringValue }, region)
                largest = max(largest, cache.bytes)
            }
        }
        XCTAssertGreaterThan(locations.count * (8 << 10), limit, "the reads must need more than the budget")
        // One frame may take the cache over its limit before eviction; never more than that.
        XCTAssertLessThanOrEqual(largest, limit + (24 << 10))
        XCTAssertGreaterThan(cache.bytes, 0)
        XCTAssertEqual(FrameCache(limit: 0).bytes, 0)
    }
}
