import XCTest
import Foundation
import AuditIndex
import AuditQuery
import AuditStore
import Gatelog
import AuditFormat

/// On open the index is checked against its own rows and against the segments (the source of
/// truth): an index that holds positions the segments do not, or whose `region_state` disagrees
/// with its rows, is rebuilt (one line on stderr) instead of hiding records or refusing to start.
/// A consistent index, even one behind the segments, is only caught up. The index files are
/// tampered with through a real second SQLite connection (Python's sqlite3).
final class IndexConsistencyTests: XCTestCase {
    private static let regions = ["eu-west-1", "us-east-1"]

    /// Ingests `ids` (alternating regions) through a service and closes it.
    private func ingest(_ dir: String, _ ids: [String], withIndex: Bool = true) throws {
        let service = try Fixture.open(dir, withIndex: withIndex)
        defer { service.close() }
        try ingest(service, ids)
    }

    private func ingest(_ service: GatelogService, _ ids: [String]) throws {
        let lines = ids.enumerated().map { Array(Fixture.record($1, region: Self.regions[$0 % 2], ms: $0).utf8) }
        XCTAssertEqual(try service.ingest(body: Fixture.ndjson(lines), principal: Fixture.admin, source: "t").accepted, ids.count)
        XCTAssertTrue(service.indexer?.waitUntilDrained(timeout: 10) ?? true)
    }

    /// The regions of the test records (the access log has gets and searches of its own).
    private var recordRegions: IndexFilter {
        var filter = IndexFilter()
        filter.regions = Set(Self.regions)
        return filter
    }

    private func indexPath(_ dir: String) -> String { "\(dir)/index/index.sqlite" }

    /// Runs `script` on the index file with Python's sqlite3; prints the rows of its last statement.
    @discardableResult
    private func sql(_ dir: String, _ script: String) throws -> String {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            statements = [s for s in sys.argv[2].split(";") if s.strip()]
            for s in statements[:-1]: c.execute(s)
            for row in c.execute(statements[-1]): print("|".join(str(v) for v in row))
            c.close()
            """, indexPath(dir), script]
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A table the index never creates: it survives any open that keeps the file, and is gone
    /// after a rebuild (a new file).
    private func addMarker(_ dir: String) throws {
        try sql(dir, "CREATE TABLE test_marker (x INTEGER); INSERT INTO test_marker VALUES (1); SELECT count(*) FROM test_marker")
    }

    private func hasMarker(_ dir: String) throws -> Bool {
        try sql(dir, "SELECT count(*) FROM sqlite_schema WHERE name = 'test_marker'") == "1"
    }

    /// Runs `body` with file descriptor 2 sent to a file; returns what was written there.
    private func capturingStandardError<T>(_ body: () throws -> T) throws -> (T, String) {
        let path = NSTemporaryDirectory() + "/gatelog-stderr-\(UUID().uuidString)"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        let saved = dup(2)
        dup2(fd, 2)
        let result: Result<T, Error>
        do { result = .success(try body()) } catch { result = .failure(error) }
        dup2(saved, 2)
        close(saved)
        close(fd)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: path)
        return (try result.get(), text)
    }

    private func rebuildLines(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.contains("rebuilding it from the segments") }
    }

    private func assertFound(_ service: GatelogService, _ ids: [String], file: StaticString = #filePath, line: UInt = #line) {
        for id in ids {
            XCTAssertNoThrow(try service.query.get(Fixture.admin, id: id), "\(id) is found", file: file, line: line)
        }
    }

    /// The tester's case: `region_state` edited to positions far beyond the rows (and the
    /// segments). Before, records ingested afterwards were durable but never indexed (their
    /// positions were below the recorded prefix): `get` said not found, search left them out.
    func testIndexStateAheadOfItsRowsAndSegmentsIsRebuiltAndNewRecordsAreFound() throws {
        let tmp = TemporaryDirectory()
        let old = (0..<40).map { "old-\($0)" }
        try ingest(tmp.path, old)
        try addMarker(tmp.path)
        try sql(tmp.path, "UPDATE region_state SET next_position = 99999, end_position = 99999; SELECT changes()")

        let (service, stderr) = try capturingStandardError { try Fixture.open(tmp.path) }
        defer { service.close() }
        XCTAssertEqual(rebuildLines(stderr).count, 1, stderr)
        XCTAssertTrue(stderr.contains("99999"), stderr)
        XCTAssertFalse(try hasMarker(tmp.path), "the index was rebuilt")

        let new = (0..<10).map { "new-\($0)" }
        try ingest(service, new)
        assertFound(service, new + old)
        XCTAssertEqual(try Fixture.allIDs(service).sorted(), (old + new).sorted())
        XCTAssertEqual(try service.indexer?.index.count(filter: recordRegions), 50)
    }

    /// The index is self-consistent but holds more than the segments: the store directory was
    /// restored from a backup older than the index (the same as an OS crash losing a segment tail
    /// the index had seen). The positions of the lost records are taken by new ones, which must
    /// be found; the lost ones must no longer be.
    func testIndexAheadOfRestoredSegmentsIsRebuilt() throws {
        let tmp = TemporaryDirectory()
        let kept = (0..<30).map { "kept-\($0)" }
        try ingest(tmp.path, kept)
        let backup = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: "\(tmp.path)/regions", toPath: "\(backup.path)/regions")
        let lost = (0..<10).map { "lost-\($0)" }
        try ingest(tmp.path, lost)
        try FileManager.default.removeItem(atPath: "\(tmp.path)/regions")
        try FileManager.default.copyItem(atPath: "\(backup.path)/regions", toPath: "\(tmp.path)/regions")
        try addMarker(tmp.path)

        let (service, stderr) = try capturingStandardError { try Fixture.open(tmp.path) }
        defer { service.close() }
        let lines = rebuildLines(stderr)
        XCTAssertEqual(lines.count, 1, stderr)
        XCTAssertTrue(lines.first?.contains("ahead of the segments") ?? false, stderr)
        XCTAssertTrue(lines.first?.contains("the segments hold 15 records") ?? false, stderr)
        XCTAssertFalse(try hasMarker(tmp.path), "the index was rebuilt")

        let new = (0..<10).map { "new-\($0)" }
        try ingest(service, new)
        assertFound(service, kept + new)
        for id in lost {
            XCTAssertThrowsError(try service.query.get(Fixture.admin, id: id), "\(id) is gone with the segments")
        }
        XCTAssertEqual(try Fixture.allIDs(service).sorted(), (kept + new).sorted())
    }

    /// A damaged frame is not a shorter log: the index keeps its rows (no rebuild that would drop
    /// every record after the damage), records in later frames are still found, and a get of a
    /// record in the damaged frame fails with an integrity error instead of "not found".
    func testDamagedFrameKeepsTheIndexAndFailsLoudly() throws {
        let tmp = TemporaryDirectory()
        let batches = (0..<3).map { b in (0..<10).map { "b\(b)-\($0)" } }
        for batch in batches { try ingest(tmp.path, batch) }
        try addMarker(tmp.path)
        let config = StoreConfiguration(dataDirectory: tmp.path)
        let path = SegmentScanner.segmentPath(regionDirectory: config.regionDirectory("eu-west-1"), number: 1)
        guard case .success(let scan) = try SegmentScanner.scan(path: path, number: 1, checkTrailers: true) else { return XCTFail("scan") }
        XCTAssertEqual(scan.frames.count, 3, "one frame per ingest")
        let first = scan.frames[0]
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        bytes[Int(first.offset) + first.header.headerSize + 10] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))

        let (service, stderr) = try capturingStandardError { try Fixture.open(tmp.path) }
        defer { service.close() }
        XCTAssertEqual(rebuildLines(stderr), [], stderr)
        XCTAssertTrue(stderr.contains("region eu-west-1") && stderr.contains("the index keeps its rows"), stderr)
        XCTAssertTrue(try hasMarker(tmp.path), "the index was kept")
        let damaged = batches[0].enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        for id in damaged {
            XCTAssertThrowsError(try service.query.get(Fixture.admin, id: id)) { error in
                XCTAssertTrue("\(error)".contains("integrity"), "\(id): \(error)")
            }
        }
        assertFound(service, batches[1] + batches[2] + batches[0].filter { !damaged.contains($0) })
        XCTAssertEqual(try service.indexer?.index.aggregate(filter: recordRegions).first?.count, 30, "the index still counts every record")
    }

    /// A frame whose bytes decompress into something other than what was hashed (a changed
    /// dictionary, re-compressed content) stops the index of that region only: the service still
    /// starts, and the other region's records are indexed and found.
    func testAnUnreadableFrameInOneRegionDoesNotStopTheService() throws {
        let tmp = TemporaryDirectory()
        let ids = (0..<20).map { "u-\($0)" }
        try ingest(tmp.path, ids, withIndex: false)
        let config = StoreConfiguration(dataDirectory: tmp.path)
        let path = SegmentScanner.segmentPath(regionDirectory: config.regionDirectory("eu-west-1"), number: 1)
        guard case .success(let scan) = try SegmentScanner.scan(path: path, number: 1, checkTrailers: true) else { return XCTFail("scan") }
        let frame = scan.frames[0]
        var bytes = Array(try XCTUnwrap(FileManager.default.contents(atPath: path)))
        let start = Int(frame.offset)
        let old = Array(bytes[start..<(start + frame.header.totalSize)])
        var h = frame.header
        let decompressor = ZstdDecompressor()
        var envelopes = try old.withUnsafeBytes { try FrameCodec.envelopes($0, header: h, decompressor: decompressor) }!
        let contents = try old.withUnsafeBytes { try FrameCodec.contents($0, header: h, decompressor: decompressor) }!
        // The envelopes are what the index reads.
        let letter = try XCTUnwrap(envelopes.lastIndex { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") })
        envelopes[letter] -= 32  // the same letter in upper case: same length, other bytes
        let compressor = ZstdCompressor()
        var payload = [UInt8]()
        h.envelopesStoredLength = UInt32(try envelopes.withUnsafeBytes { try compressor.compress($0, appendingTo: &payload) })
        h.contentsStoredLength = UInt32(try contents.withUnsafeBytes { try compressor.compress($0, appendingTo: &payload) })
        let sig = old.withUnsafeBytes { FrameCodec.signature($0, header: frame.header) }
        bytes.replaceSubrange(start..<(start + old.count), with: FrameCodec.assemble(header: &h, payload: payload, keyHash: sig.keyHash, signature: sig.signature))
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let (service, stderr) = try capturingStandardError { try Fixture.open(tmp.path) }
        defer { service.close() }
        XCTAssertTrue(stderr.contains("region eu-west-1: the index stops at position 9"), stderr)
        let usEast = ids.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        assertFound(service, usEast)
        // Named for readiness: its searches and stats miss what lies after the damage.
        XCTAssertEqual(service.indexer?.damagedRegions.keys.sorted(), ["eu-west-1"])
        // Answers that reach it say so; answers that do not reach it (another region, or a scope
        // without it) say nothing, and never name it.
        let all = try service.query.search(Fixture.admin, filter: IndexFilter(), limit: 5)
        XCTAssertEqual(all.warnings.map(\.headerText), [AnswerWarning.incompleteIndexHeader])
        XCTAssertTrue(all.warnings.first?.message.contains("region eu-west-1 stops where its segments are damaged") == true, "\(all.warnings)")
        var usOnly = IndexFilter()
        usOnly.regions = ["us-east-1"]
        XCTAssertEqual(try service.query.search(Fixture.admin, filter: usOnly).warnings, [])
        XCTAssertEqual(service.query.answerWarnings(IndexFilter(), for: Fixture.admin).count, 1, "stats over every region")
        XCTAssertEqual(service.query.answerWarnings(IndexFilter(), for: try Fixture.principal("auditor", scope: "region=us-east-1")), [])
    }

    /// `region_state` behind its rows: before, catch-up re-inserted rows the state said could not
    /// exist, and the service refused to start ("a record is indexed beyond its region's recorded
    /// end"). Also the prefix alone moved back (rows at and after it already indexed).
    func testStateBehindItsRowsIsRebuiltAndTheServiceOpens() throws {
        let tmp = TemporaryDirectory()
        let ids = (0..<40).map { "r-\($0)" }
        try ingest(tmp.path, ids)
        let region = "(SELECT id FROM dict WHERE kind = 1 AND value = 'eu-west-1')"
        for edit in ["next_position = 5, end_position = 5", "next_position = 0"] {
            try addMarker(tmp.path)
            try sql(tmp.path, "UPDATE region_state SET \(edit) WHERE region = \(region); SELECT changes()")
            // What `gatelog serve` opens.
            let (service, stderr) = try capturingStandardError {
                try GatelogService(configuration: StoreConfiguration(dataDirectory: tmp.path), redaction: .configured)
            }
            XCTAssertEqual(rebuildLines(stderr).count, 1, stderr)
            XCTAssertTrue(stderr.contains("region eu-west-1") && stderr.contains("disagrees with its own rows"), stderr)
            XCTAssertFalse(try hasMarker(tmp.path), "the index was rebuilt (\(edit))")
            service.indexer?.keepIDFiltersBuilt()
            assertFound(service, ids)
            XCTAssertEqual(try Fixture.allIDs(service).sorted(), ids.sorted())
            XCTAssertEqual(try service.indexer?.index.aggregate(filter: recordRegions).first?.count, 40)
            service.close()
        }
        XCTAssertEqual(try sql(tmp.path, "SELECT next_position, end_position FROM region_state WHERE region = \(region)"), "20|20")
    }

    /// A consistent index is kept, including one behind the segments (records stored while it was
    /// not fed, as after a crash): it is only caught up, and says nothing on stderr.
    func testConsistentIndexIsNotRebuilt() throws {
        let tmp = TemporaryDirectory()
        let indexed = (0..<40).map { "i-\($0)" }
        try ingest(tmp.path, indexed)
        let unindexed = (0..<10).map { "u-\($0)" }
        try ingest(tmp.path, unindexed, withIndex: false)
        try addMarker(tmp.path)

        for round in 0..<2 {
            let (service, stderr) = try capturingStandardError { try Fixture.open(tmp.path) }
            XCTAssertEqual(stderr, "", "round \(round)")
            XCTAssertTrue(try hasMarker(tmp.path), "the index was kept (round \(round))")
            XCTAssertEqual(try Fixture.allIDs(service).sorted(), (indexed + unindexed).sorted())
            let progress = try service.indexer!.index.checkRegionProgress()
            XCTAssertEqual(progress["eu-west-1"], IndexedRegionProgress(next: 25, end: 25))
            XCTAssertEqual(progress["us-east-1"], IndexedRegionProgress(next: 25, end: 25))
            service.close()
        }
    }
}
