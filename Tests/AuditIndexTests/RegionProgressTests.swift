import Foundation
import XCTest
@testable import AuditIndex

/// `checkRegionProgress`: `region_state` against the rows, on real files edited by a second
/// SQLite connection (Python's sqlite3).
final class RegionProgressTests: XCTestCase {
    private func entry(_ region: String, _ position: UInt64) -> IndexEntry {
        IndexEntry(region: region, position: position, id: "\(region)-\(position)", ts: Pools.baseTime + Int64(position),
                   location: RecordLocation(segment: 1, frameOffset: position * 10, recordInFrame: 0),
                   chainHash: [UInt8](repeating: UInt8(position % 256), count: 32))
    }

    private func run(_ path: String, _ statement: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute(sys.argv[2])
            c.close()
            """, path, statement]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, statement)
    }

    /// An index of regions a (positions 0...2 and 5...6: a gap left by out-of-order inserts) and
    /// b (0...99 over several small blocks), closed.
    private func makeIndex(_ path: String) throws {
        let index = try AuditIndex.open(path: path, options: AuditIndex.Options(blockBits: 4))
        try index.insert([0, 1, 2, 5, 6].map { entry("a", $0) })
        try index.insert((0..<100).map { entry("b", $0) })
    }

    func testWhatTheWriterLeavesIsConsistent() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        try makeIndex(path)
        var index = try AuditIndex.open(path: path)
        XCTAssertEqual(try index.checkRegionProgress(), ["a": IndexedRegionProgress(next: 3, end: 7),
                                                         "b": IndexedRegionProgress(next: 100, end: 100)])
        try index.insert([3, 4].map { entry("a", $0) })
        XCTAssertEqual(try index.checkRegionProgress()["a"], IndexedRegionProgress(next: 7, end: 7))
        index = try AuditIndex.open(path: directory.path("empty.sqlite"))
        XCTAssertEqual(try index.checkRegionProgress(), [:])
    }

    func testStateThatDisagreesWithTheRowsIsReported() throws {
        let cases: [(edit: String, expected: String)] = [
            // Ahead of the rows.
            ("UPDATE region_state SET next_position = 99999, end_position = 99999 WHERE region = 2",
             "region b: region_state has next_position 99999 and end_position 99999, but the highest indexed position is 99"),
            // Behind the rows, in the same block and in an earlier one.
            ("UPDATE region_state SET next_position = 98, end_position = 98 WHERE region = 2",
             "region b: region_state has next_position 98 and end_position 98, but the highest indexed position is 99"),
            ("UPDATE region_state SET next_position = 5, end_position = 5 WHERE region = 2",
             "but the highest indexed position is 99"),
            // The prefix alone moved.
            ("UPDATE region_state SET next_position = 0 WHERE region = 2",
             "region b: region_state has next_position 0 and end_position 100, but position 0 is indexed"),
            ("UPDATE region_state SET next_position = 5 WHERE region = 1",
             "region a: region_state has next_position 5 and end_position 7, but position 4 is not indexed"),
            // Rows without a state.
            ("DELETE FROM region_state WHERE region = 1",
             "region a: region_state has next_position 0 and end_position 0, but the highest indexed position is 6"),
        ]
        for (edit, expected) in cases {
            let directory = try TemporaryDirectory()
            let path = directory.path("index.sqlite")
            try makeIndex(path)
            try run(path, edit)
            let index = try AuditIndex.open(path: path)
            XCTAssertThrowsError(try index.checkRegionProgress(), edit) { error in
                guard let error = error as? IndexError else { return XCTFail("\(error)") }
                XCTAssertTrue(error.requiresRebuild, edit)
                XCTAssertEqual(error.operation, AuditIndex.regionProgressCheck)
                XCTAssertTrue(error.message.contains(expected), "\(edit): \(error.message)")
            }
        }
    }
}
