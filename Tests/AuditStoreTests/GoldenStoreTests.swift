import XCTest
import Foundation
import AuditFormat
import AuditStore
import GatelogCrypto
import JSON

/// A tiny store written once by the version 1 writer and committed under
/// `Tests/Vectors/golden-store`: every future version must still read and verify it.
/// Regenerate (only when the format version changes) with `GATELOG_REGENERATE_GOLDEN=1`;
/// the test then fails on purpose so that a recording run is never mistaken for a passing one.
final class GoldenStoreTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors/golden-store").path
    static let region = "golden"
    static let recordCount = 12
    /// The golden store's key: RFC 8032 section 7.1, test 2 secret key.
    static let key = Fixtures.storeKey

    /// Golden record `i`, as input text.
    static func recordText(_ i: Int) -> String {
        #"{"id":"golden-\#(i)","ts":"2026-01-01T00:00:\#(i < 10 ? "0" : "")\#(i).000Z","region":"golden","n":\#(i),"#
            + #""metadata":{"k":"v\#(i)"},"request":{"i":\#(i)},"response":{"ok":true}}"#
    }

    func testGoldenStoreVerifiesAndReadsBack() throws {
        if ProcessInfo.processInfo.environment["GATELOG_REGENERATE_GOLDEN"] == "1" {
            try regenerate()
            XCTFail("golden store regenerated in \(Self.directory); commit it and run the tests again without GATELOG_REGENERATE_GOLDEN")
            return
        }
        let regionDirectory = "\(Self.directory)/regions/\(Self.region)"
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(regionDirectory)/checkpoints.log"), "the golden store is missing")
        // The committed public key is the one derived from the fixed seed.
        let committed = try KeyStore.publicKeys(dataDirectory: Self.directory)
        XCTAssertEqual(committed, [Self.key.verifier])

        let report = try RegionVerifier(region: Self.region, directory: regionDirectory, keyring: VerifierKeyring(committed)).verify()
        XCTAssertTrue(report.isIntact, report.summary)
        XCTAssertEqual(report.warnings, [], report.summary)
        XCTAssertEqual(report.records, UInt64(Self.recordCount))
        XCTAssertEqual(report.segments, 2)
        XCTAssertGreaterThanOrEqual(report.checkpointsVerified, 2)

        // Head and root are what the records alone define (independent of file timestamps).
        let prepared = (0..<Self.recordCount).map { Fixtures.staged(Self.recordText($0)).prepared }
        var chain = Digest32.zero
        for (i, r) in prepared.enumerated() { chain = LogHash.chain(previous: chain, position: UInt64(i), leaf: r.leafHash) }
        XCTAssertEqual(report.chainHead, chain)
        XCTAssertEqual(report.merkleRoot, LogHash.merkleRoot(prepared.map(\.leafHash)[...]))

        // Every record reads back byte for byte.
        let reader = RegionReader(region: Self.region, directory: regionDirectory)
        var position = 0
        for number in try SegmentScanner.segmentNumbers(regionDirectory: regionDirectory) {
            let scan = try SegmentScanner.scan(path: SegmentScanner.segmentPath(regionDirectory: regionDirectory, number: number), number: number,
                                               checkTrailers: true).get()
            XCTAssertNil(scan.residue)
            for frame in scan.frames {
                for k in 0..<frame.header.recordCount {
                    let stored = try reader.read(RecordLocation(segment: number, frameOffset: frame.offset, indexInFrame: k))
                    XCTAssertEqual(stored.position, UInt64(position))
                    XCTAssertEqual(stored.envelope, prepared[position].envelope)
                    XCTAssertEqual(stored.content, prepared[position].content)
                    position += 1
                }
            }
        }
        XCTAssertEqual(position, Self.recordCount)

        // And the latest checkpoint is the one a witness would have kept.
        let latest = try XCTUnwrap(CheckpointLog.parse(try FileIO.readFile("\(regionDirectory)/checkpoints.log")).entries.last?.checkpoint)
        XCTAssertEqual(latest.checkpoint.treeSize, UInt64(Self.recordCount))
        XCTAssertEqual(latest.checkpoint.chainHead, chain)
        XCTAssertTrue(latest.isSigned(by: VerifierKeyring(committed)))
    }

    /// Writes the golden store: two frames, a seal, two more frames, close.
    func regenerate() throws {
        try? FileManager.default.removeItem(atPath: Self.directory)
        var config = StoreConfiguration(dataDirectory: Self.directory)
        config.checkpointInterval = 3600
        let writer = try RegionWriter.open(region: Self.region, configuration: config, signingKey: Self.key)
        let half = Self.recordCount / 2
        for batch in [0..<(half / 2), (half / 2)..<half] { _ = try writer.appendAndWait(batch.map { Fixtures.staged(Self.recordText($0)) }) }
        try writer.seal()
        for batch in [half..<(half + half / 2), (half + half / 2)..<Self.recordCount] {
            _ = try writer.appendAndWait(batch.map { Fixtures.staged(Self.recordText($0)) })
        }
        writer.close()
        try FileManager.default.removeItem(atPath: "\(config.regionDirectory(Self.region))/writer.lock")
        try FileIO.makeDirectories("\(Self.directory)/keys/public")
        try FileIO.writeAtomically("\(Self.directory)/keys/public/\(Self.key.name).pub", bytes: Array((Self.key.verifier.encoded + "\n").utf8), mode: 0o644)
    }
}
