import XCTest
import Foundation
import AuditFormat
import AuditStore
import GatelogCrypto
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// Tampering with real files written by the real writer: each damage must be reported by
/// `RegionVerifier` with the right kind and location.
final class TamperTests: XCTestCase {
    static let recordCount = 200
    var tmp: TemporaryDirectory!
    var config: StoreConfiguration!
    var status: RegionStatus!

    /// The store is written once by the real writer; each test tampers with its own copy.
    static let template = Result { () throws -> (directory: TemporaryDirectory, status: RegionStatus) in
        let dir = TemporaryDirectory("gatelog-tamper-template")
        return (dir, try Fixtures.writeStore(Fixtures.configuration(dir.path), count: recordCount))
    }

    override class func tearDown() {
        if case .success(let t) = template { try? FileManager.default.removeItem(atPath: t.directory.path) }
    }

    override func setUpWithError() throws {
        let template = try Self.template.get()
        tmp = TemporaryDirectory()
        try FileManager.default.removeItem(atPath: tmp.path)
        try FileManager.default.copyItem(atPath: template.directory.path, toPath: tmp.path)
        config = Fixtures.configuration(tmp.path)
        status = template.status
    }

    override func tearDown() { tmp = nil }

    var regionDirectory: String { config.regionDirectory("eu-test") }
    func name(_ n: UInt64) -> String { SegmentNaming.fileName(n) }
    func path(_ n: UInt64) -> String { Fixtures.segmentPath(config, n) }
    func scan(_ n: UInt64) throws -> SegmentScan { try Fixtures.scan(config, n) }

    /// The damage is reported where it is: every break names `segment`, and no later footer or
    /// checkpoint is blamed for it.
    func assertLocal(_ report: RegionVerification, to segment: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(report.isIntact, file: file, line: line)
        XCTAssertTrue(report.breaks.allSatisfy { $0.segment == name(segment) }, report.summary, file: file, line: line)
        XCTAssertEqual(report.breaks(.checkpointMismatch), [], report.summary, file: file, line: line)
    }

    /// The signed checkpoints in the region's log, in file order.
    func checkpoints() throws -> [SignedCheckpoint] {
        CheckpointLog.parse(try Fixtures.read("\(regionDirectory)/checkpoints.log")).entries.compactMap(\.checkpoint)
    }

    // MARK: The untouched store

    func testCleanStoreVerifiesIntactAndMatchesIndependentHashes() throws {
        XCTAssertGreaterThanOrEqual(status.segmentCount, 5, "the fixture must span several segments")
        for n in 1..<UInt64(status.segmentCount) {
            let s = try scan(n)
            XCTAssertNotNil(s.footer, "\(name(n)) must be sealed")
            XCTAssertGreaterThanOrEqual(s.frames.count, 3, "\(name(n)) must hold several frames")
            XCTAssertTrue(s.frames.contains { $0.header.recordCount > 1 }, "frames must hold several records")
        }
        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.isIntact, report.summary)
        XCTAssertEqual(report.breaks, [])
        XCTAssertEqual(report.warnings, [])
        XCTAssertEqual(report.records, UInt64(Self.recordCount))
        XCTAssertEqual(report.segments, status.segmentCount)
        XCTAssertEqual(report.checkpointsVerified, try checkpoints().count)
        XCTAssertGreaterThanOrEqual(report.checkpointsVerified, status.segmentCount)
        XCTAssertEqual(report.chainHead, status.chainHead)
        XCTAssertEqual(report.merkleRoot, status.merkleRoot)

        // The same head and root, recomputed from the records alone (not from the files).
        let leaves = (0..<Self.recordCount).map { Fixtures.staged($0).prepared.leafHash }
        var chain = Digest32.zero
        for (i, leaf) in leaves.enumerated() { chain = LogHash.chain(previous: chain, position: UInt64(i), leaf: leaf) }
        XCTAssertEqual(report.chainHead, chain)
        XCTAssertEqual(report.merkleRoot, LogHash.merkleRoot(leaves[...]))
        // And every record reads back with its id at its position.
        let ids = try Fixtures.storedIDs(config, region: "eu-test")
        XCTAssertEqual(ids.count, Self.recordCount)
        for i in 0..<Self.recordCount { XCTAssertEqual(ids[UInt64(i)], "req-\(i)") }
    }

    // MARK: Flipped bytes

    func testFlippedByteInCompressedContentIsContentModified() throws {
        let s = try scan(2)
        let frame = s.frames[2]
        let h = frame.header
        let contentStart = Int(frame.offset) + h.headerSize + Int(h.envelopesStoredLength)
        try Fixtures.flipByte(path(2), at: contentStart + Int(h.contentsStoredLength) / 2, mask: 0x40)

        let report = try Fixtures.verify(config)
        XCTAssertFalse(report.isIntact)
        XCTAssertEqual(Set(report.breaks.map(\.kind)), [.contentModified], report.summary)
        XCTAssertTrue(report.breaks.allSatisfy { $0.segment == name(2) }, report.summary)
        XCTAssertTrue(report.breaks.contains { $0.offset == frame.offset && $0.position.map(h.positions.contains) == true }, report.summary)
        // The damage stays local: the chain, the Merkle root and every checkpoint still verify from the directories.
        XCTAssertEqual(report.records, UInt64(Self.recordCount))
        XCTAssertEqual(report.chainHead, status.chainHead)
        XCTAssertEqual(report.checkpointsVerified, try checkpoints().count)
    }

    /// A careful attacker rewrites one record's content, recompresses, and recomputes the frame's
    /// header digest, trailer digest and the segment footer. The record's content digest in the
    /// frame directory (bound into the chain and signatures) still catches it, naming the record.
    func testRewrittenContentWithRecomputedFrameAndFooterDigestsIsCaughtWithRecordID() throws {
        let s = try scan(2)
        let frame = s.frames[1]
        var bytes = try Fixtures.read(path(2))
        let start = Int(frame.offset)
        let old = Array(bytes[start..<(start + frame.header.totalSize)])
        let k = 1
        let (forged, h) = try Self.reencoded(old, frame.header, contentOf: k)
        bytes.replaceSubrange(start..<(start + old.count), with: forged)
        try Self.resealFooter(&bytes)
        try Fixtures.write(path(2), bytes)

        let report = try Fixtures.verify(config)
        let p = h.firstPosition + UInt64(k)
        XCTAssertEqual(report.breaks.count, 1, report.summary)
        let b = try XCTUnwrap(report.breaks.first)
        XCTAssertEqual(b.kind, .contentModified)
        XCTAssertEqual(b.segment, name(2))
        XCTAssertEqual(b.offset, frame.offset)
        XCTAssertEqual(b.position, p)
        XCTAssertEqual(b.recordID, "req-\(p)")
        XCTAssertTrue(b.detail.contains("content bytes"), b.detail)
    }

    /// Recomputes a sealed segment's footer (its segment digest and its own digest) after a forger
    /// changed the bytes before it.
    static func resealFooter(_ bytes: inout [UInt8]) throws {
        let footerStart = bytes.count - SegmentFooter.size
        var footer = try bytes[footerStart...].withUnsafeBytes { try SegmentFooter.decode($0).get() }
        footer.segmentDigest = SHA256.hash(Array(bytes[..<footerStart]))
        bytes.replaceSubrange(footerStart..., with: footer.encode())
    }

    /// `old` (a frame with `header`) with one letter of record `k`'s content upper-cased ("alpha" →
    /// "Alpha": same length, other bytes), both blocks compressed again and the frame's header and
    /// trailer digests recomputed; the directory's record digests and the signature are kept.
    static func reencoded(_ old: [UInt8], _ header: FrameHeader, contentOf k: Int) throws -> (bytes: [UInt8], header: FrameHeader) {
        var h = header
        let decompressor = ZstdDecompressor()
        let envelopes = try old.withUnsafeBytes { try FrameCodec.envelopes($0, header: h, decompressor: decompressor) }!
        var contents = try old.withUnsafeBytes { try FrameCodec.contents($0, header: h, decompressor: decompressor) }!
        let range = FrameCodec.ranges(lengths: h.directory.map(\.contentLength))[k]
        let target = contents[range].firstIndex(of: UInt8(ascii: "a"))!
        contents[target] = UInt8(ascii: "A")
        let compressor = ZstdCompressor()
        var payload = [UInt8]()
        _ = try envelopes.withUnsafeBytes { try compressor.compress($0, appendingTo: &payload) }
        h.contentsStoredLength = UInt32(try contents.withUnsafeBytes { try compressor.compress($0, appendingTo: &payload) })
        let sig = old.withUnsafeBytes { FrameCodec.signature($0, header: header) }
        let bytes = FrameCodec.assemble(header: &h, payload: payload, keyHash: sig.keyHash, signature: sig.signature)
        return (bytes, h)
    }

    /// The purge flags are not under the frame signature. Marking a frame's contents purged,
    /// dropping its content block and recomputing the frame and footer digests (no key needed)
    /// must not verify: nothing may purge yet (retention, with its signed log, is not built).
    func testContentsMarkedPurgedWithRecomputedDigestsIsContentModified() throws {
        let s = try scan(2)
        let frame = s.frames[1]
        var bytes = try Fixtures.read(path(2))
        let start = Int(frame.offset)
        let old = Array(bytes[start..<(start + frame.header.totalSize)])
        var h = frame.header
        let envelopeBlock = Array(old[h.envelopeBlockOffset..<(h.envelopeBlockOffset + Int(h.envelopesStoredLength))])
        h.flags = FrameHeader.contentPurgedFlag
        h.contentsRawLength = 0
        h.contentsStoredLength = 0
        let sig = old.withUnsafeBytes { FrameCodec.signature($0, header: frame.header) }
        let forged = FrameCodec.assemble(header: &h, payload: envelopeBlock, keyHash: sig.keyHash, signature: sig.signature)
        bytes.replaceSubrange(start..<(start + old.count), with: forged)
        try Self.resealFooter(&bytes)
        try Fixtures.write(path(2), bytes)

        let report = try Fixtures.verify(config)
        XCTAssertFalse(report.isIntact, report.summary)
        XCTAssertTrue(report.breaks.contains { $0.kind == .contentModified && $0.offset == frame.offset && $0.detail.contains("purged") },
                      report.summary)
        // Reads refuse the frame as well (they returned the envelope, "content purged").
        let reader = RegionReader(region: "eu-test", directory: regionDirectory, cacheBytes: 0)
        XCTAssertThrowsError(try reader.read(RecordLocation(segment: 2, frameOffset: frame.offset, indexInFrame: 0))) { error in
            XCTAssertTrue("\(error)".contains("purged"), "\(error)")
        }
    }

    /// A changed dictionary decompresses frames into other bytes without failing: a read returns
    /// an integrity error, never the changed bytes (verify reports them as well).
    func testReadsCheckWhatTheyReturnAgainstTheDigests() throws {
        let s = try scan(2)
        let frame = s.frames[1]
        let reader = RegionReader(region: "eu-test", directory: regionDirectory, cacheBytes: 1 << 20)
        let location = RecordLocation(segment: 2, frameOffset: frame.offset, indexInFrame: 1)
        XCTAssertNoThrow(try reader.read(location))
        // Swap content bytes inside a re-compressed block (as a changed dictionary would): the frame
        // digest is recomputed, the directory's record digests are not.
        var bytes = try Fixtures.read(path(2))
        let start = Int(frame.offset)
        let old = Array(bytes[start..<(start + frame.header.totalSize)])
        bytes.replaceSubrange(start..<(start + old.count), with: try Self.reencoded(old, frame.header, contentOf: 1).bytes)
        try Fixtures.write(path(2), bytes)
        let fresh = RegionReader(region: "eu-test", directory: regionDirectory, cacheBytes: 1 << 20)
        XCTAssertThrowsError(try fresh.read(location)) { error in
            guard case StoreError.integrity(_, let detail)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("content digest"), detail)
        }
        XCTAssertNoThrow(try fresh.read(location, includeContent: false), "the envelope is intact")
    }

    /// A damaged last frame looks like a torn write, but a checkpoint covers it: a break, not residue.
    func testFlippedByteInTheLastCheckpointedFrameIsNotCrashResidue() throws {
        let last = UInt64(status.segmentCount)
        let frame = try XCTUnwrap(try scan(last).frames.last)
        try Fixtures.flipByte(path(last), at: Int(frame.offset) + frame.header.headerSize + 5)
        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.breaks.contains { $0.kind == .contentModified && $0.segment == name(last) && $0.offset == frame.offset }, report.summary)
        XCTAssertFalse(report.warnings.contains { $0.contains("crash residue") }, report.summary)
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: Fixtures.storeKey) }
    }

    func testFlippedByteInFrameHeaderIsContentModifiedAtThatFrame() throws {
        let s = try scan(2)
        let frame = s.frames[2]
        // Inside the directory: the second record's envelope digest.
        try Fixtures.flipByte(path(2), at: Int(frame.offset) + FrameHeader.fixedSize + FrameDirectoryEntry.size + 20)

        let report = try Fixtures.verify(config)
        XCTAssertFalse(report.isIntact)
        let first = try XCTUnwrap(report.breaks.first)
        XCTAssertEqual(first.kind, .contentModified, report.summary)
        XCTAssertEqual(first.segment, name(2))
        XCTAssertEqual(first.offset, frame.offset)
        XCTAssertEqual(first.position, frame.header.firstPosition)
        XCTAssertTrue(first.detail.contains("header digest"), first.detail)
        assertLocal(report, to: 2)
    }

    func testEveryFlippedFrameHeaderByteIsDetected() throws {
        let s = try scan(3)
        let frame = s.frames[1]
        let original = try Fixtures.read(path(3))
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<24 {
            let at = Int(frame.offset) + Int(rng.next() % UInt64(frame.header.headerSize))
            var bytes = original
            bytes[at] ^= UInt8(1 << (rng.next() % 8))
            try Fixtures.write(path(3), bytes)
            let report = try Fixtures.verify(config)
            XCTAssertTrue(report.breaks.contains { $0.segment == name(3) && $0.offset == frame.offset && $0.kind == .contentModified },
                          "flip at byte \(at): \(report.summary)")
        }
    }

    func testFrameWithAnOverflowingFirstPositionAndARecomputedDigestIsReportedNotATrap() throws {
        let s = try scan(2)
        let frame = s.frames[1]
        var bytes = try Fixtures.read(path(2))
        let start = Int(frame.offset)
        // first position = 2^64 − 2, then the (unkeyed) header digest recomputed to match.
        for k in 0..<8 { bytes[start + 8 + k] = k == 7 ? 0xFE : 0xFF }
        let digestAt = start + frame.header.headerSize - 32
        let digest = SHA256.hash(Array(bytes[start..<digestAt]))
        bytes.replaceSubrange(digestAt..<(digestAt + 32), with: digest.bytes)
        try Fixtures.write(path(2), bytes)

        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.breaks.contains { $0.segment == name(2) && $0.offset == frame.offset }, report.summary)
    }

    func testASegmentOfAnotherRegionIsRecordInjectedAndBlamesNothingElse() throws {
        // Another region's segment 2 (written by the same key) put in place of this region's.
        let other = TemporaryDirectory()
        let otherConfig = Fixtures.configuration(other.path)
        _ = try Fixtures.writeStore(otherConfig, region: "eu-other", count: Self.recordCount)
        let foreign = try Fixtures.read(Fixtures.segmentPath(otherConfig, 2, region: "eu-other"))
        let scan2 = try scan(2)
        try Fixtures.write(path(2), foreign)
        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.breaks.contains { $0.kind == .recordInjected && $0.segment == name(2) }, report.summary)
        XCTAssertEqual(report.breaks(.checkpointMismatch), [], "later checkpoints are not blamed: \(report.summary)")
        XCTAssertTrue(report.breaks.contains { $0.kind == .recordMissing && $0.position == scan2.header.firstPosition }, report.summary)
    }

    func testALastSegmentWithADamagedHeaderButRecordsIsNotCrashResidue() throws {
        // A short last segment whose header fails its digest looks like a segment killed while being
        // created — unless a valid, signed frame follows the header. Here: the last segment cut to
        // its header and first frame, no checkpoint over it, then one header byte flipped.
        let last = UInt64(status.segmentCount)
        let s = try scan(last)
        let first = try XCTUnwrap(s.frames.first)
        var bytes = Array(try Fixtures.read(path(last))[0..<(Int(first.offset) + first.header.totalSize)])
        XCTAssertLessThan(bytes.count, 4096, "the rule under test concerns short last segments")
        let logPath = "\(regionDirectory)/checkpoints.log"
        let earlier = try checkpoints().filter { $0.checkpoint.treeSize <= s.header.firstPosition }
        try Fixtures.write(logPath, earlier.flatMap(CheckpointLog.encode))
        try Fixtures.write(path(last), bytes)
        XCTAssertTrue(try Fixtures.verify(config).isIntact, "the cut alone is an intact store (frames after the last checkpoint)")
        bytes[10] ^= 0xFF
        try Fixtures.write(path(last), bytes)
        let report = try Fixtures.verify(config)
        XCTAssertFalse(report.isIntact, "a damaged header in front of a valid signed frame is damage: \(report.summary)")
        // Opening the region must not delete it as crash residue either.
        XCTAssertThrowsError(try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey))
        XCTAssertEqual(try Fixtures.read(path(last)), bytes, "the segment is left as it is")
    }

    func testFooterDamageIsReportedOnceAndAValidFooterWithBytesAfterItIsStillChecked() throws {
        let s = try scan(2)
        let original = try Fixtures.read(path(2))
        let footerOffset = Int(s.fileSize) - SegmentFooter.size
        // Truncated footer: one tail_truncated at the footer, not a second "lost its footer".
        try Fixtures.write(path(2), Array(original[0..<(Int(s.fileSize) - 10)]))
        let truncated = try Fixtures.verify(config)
        XCTAssertEqual(truncated.breaks.filter { $0.segment == name(2) }.map(\.kind), [.tailTruncated], truncated.summary)
        // Bytes after a valid footer: reported where they start; the footer itself is fine.
        try Fixtures.write(path(2), original + [1, 2, 3, 4])
        let appended = try Fixtures.verify(config)
        XCTAssertEqual(appended.breaks.map(\.kind), [.recordInjected], appended.summary)
        XCTAssertEqual(appended.breaks.first?.offset, UInt64(footerOffset + SegmentFooter.size))
    }

    func testAStrayHigherNumberedSegmentDoesNotMakeTheLastOneLoseItsFooter() throws {
        let last = UInt64(status.segmentCount)
        try Fixtures.write(path(last + 5), try Fixtures.read(path(1)))
        let report = try Fixtures.verify(config)
        XCTAssertFalse(report.isIntact)
        XCTAssertFalse(report.breaks.contains { $0.segment == name(last) }, "the real last segment is not blamed: \(report.summary)")
    }

    func testSegmentFileNamesOutsideTheNumberingAreIgnored() throws {
        let template = try Fixtures.read(path(1))
        for bogus in ["00000000000000000000.seg", "18446744073709551615.seg", "09223372036854775808.seg"] {
            try Fixtures.write("\(regionDirectory)/segments/\(bogus)", template)
        }
        XCTAssertNil(SegmentNaming.number(fromFileName: "00000000000000000000.seg"))
        XCTAssertNil(SegmentNaming.number(fromFileName: "18446744073709551615.seg"))
        XCTAssertEqual(SegmentNaming.number(fromFileName: "00000000000000000007.seg"), 7)
        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.isIntact, report.summary)
    }

    func testRepeatedFrameMagicAfterDamageDoesNotHangTheResync() throws {
        // Damage, then 8 MiB that look like frame headers of 255 records at every eighth byte: the
        // scan for the next valid frame must stay bounded (~100 MiB hashed, not 20 KiB per candidate:
        // ~21 GB, tens of seconds).
        let s = try scan(2)
        var bytes = try Fixtures.read(path(2))
        let cut = Int(s.frames[1].offset) + 3
        bytes.removeSubrange(cut...)
        let pattern: [UInt8] = [0x47, 0x4C, 0x46, 0x52, 0x01, 0x00, 0x00, 0xFF]
        bytes.reserveCapacity(bytes.count + (8 << 20))
        for _ in 0..<(8 << 20) / pattern.count { bytes += pattern }
        try Fixtures.write(path(2), bytes)
        let t0 = Date()
        let report = try Fixtures.verify(config)
        XCTAssertFalse(report.isIntact)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 6, "resync stayed bounded")
    }

    func testFlippedByteInSegmentFooterIsContentModifiedAtTheFooter() throws {
        let s = try scan(3)
        let footerOffset = s.fileSize - UInt64(SegmentFooter.size)
        try Fixtures.flipByte(path(3), at: Int(footerOffset) + 40) // inside lastChain

        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.count, 1, report.summary)
        XCTAssertEqual(report.breaks.first?.kind, .contentModified)
        XCTAssertEqual(report.breaks.first?.segment, name(3))
        XCTAssertEqual(report.breaks.first?.offset, footerOffset)
    }

    // MARK: Missing, moved and cut data

    func testDeletedFrameIsRecordMissing() throws {
        let s = try scan(2)
        let frame = s.frames[2]
        var bytes = try Fixtures.read(path(2))
        bytes.removeSubrange(Int(frame.offset)..<(Int(frame.offset) + frame.header.totalSize))
        try Fixtures.write(path(2), bytes)

        let report = try Fixtures.verify(config)
        let missing = report.breaks(.recordMissing)
        XCTAssertTrue(missing.contains { $0.segment == name(2) && $0.offset == frame.offset && $0.position == frame.header.firstPosition },
                      report.summary)
        XCTAssertTrue(missing.first?.detail.contains("\(frame.header.firstPosition) to \(frame.header.positions.upperBound - 1)") == true,
                      report.summary)
        XCTAssertEqual(report.breaks.first?.kind, .recordMissing, "the first break names the cause: \(report.summary)")
        assertLocal(report, to: 2)
    }

    func testDeletedSegmentFileIsRecordMissing() throws {
        let deleted = try scan(3)
        XCTAssertEqual(unlink(path(3)), 0)

        let report = try Fixtures.verify(config)
        XCTAssertFalse(report.isIntact)
        let missing = report.breaks(.recordMissing)
        XCTAssertTrue(missing.contains { $0.segment == name(4) && $0.detail.contains(name(3)) }, report.summary)
        XCTAssertTrue(missing.contains { $0.position == deleted.header.firstPosition }, report.summary)
        XCTAssertEqual(report.breaks.first?.kind, .recordMissing, report.summary)
        assertLocal(report, to: 4)
        XCTAssertEqual(report.breaks.count, 2, report.summary)
    }

    /// A directory (or FIFO) where a segment file or the checkpoint log belongs is damage reported
    /// at that file, and the rest of the region is still checked: not an I/O error that stops verify.
    func testNonRegularFilesInPlaceOfStoreFilesAreBreaks() throws {
        let replaced = try scan(3)
        XCTAssertEqual(unlink(path(3)), 0)
        XCTAssertEqual(mkdir(path(3), 0o700), 0)
        var report = try Fixtures.verify(config)
        XCTAssertTrue(report.breaks.contains { $0.kind == .contentModified && $0.segment == name(3) && $0.detail.contains("is a directory") }, report.summary)
        XCTAssertTrue(report.breaks(.recordMissing).contains { $0.position == replaced.header.firstPosition && $0.segment == name(4) }, report.summary)
        XCTAssertNil(report.unreadable)

        let logPath = "\(regionDirectory)/checkpoints.log"
        XCTAssertEqual(unlink(logPath), 0)
        XCTAssertEqual(mkfifo(logPath, 0o600), 0)
        report = try Fixtures.verify(config)
        XCTAssertTrue(report.breaks.contains { $0.kind == .checkpointMismatch && $0.detail.contains("checkpoints.log is a FIFO") }, report.summary)
        XCTAssertFalse(report.breaks.contains { $0.detail.contains("checkpoints.log is missing") }, report.summary)

        // The segments directory replaced by a file.
        try FileManager.default.removeItem(atPath: "\(regionDirectory)/segments")
        try Fixtures.write("\(regionDirectory)/segments", Array("x".utf8))
        report = try Fixtures.verify(config)
        XCTAssertTrue(report.breaks.contains { $0.kind == .contentModified && $0.detail.contains("segments is a regular file") }, report.summary)
        XCTAssertNil(report.unreadable)
    }

    func testDeletedLastSegmentIsTailTruncated() throws {
        let last = UInt64(status.segmentCount)
        let lastScan = try scan(last)
        XCTAssertEqual(unlink(path(last)), 0)

        let report = try Fixtures.verify(config)
        XCTAssertFalse(report.isIntact)
        XCTAssertTrue(report.breaks(.tailTruncated).contains { $0.position == lastScan.header.firstPosition }, report.summary)
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: Fixtures.storeKey) }
    }

    func testSwappedSegmentFilesAreRecordsReordered() throws {
        let a = path(2), b = path(3)
        XCTAssertEqual(rename(a, "\(a).tmp"), 0)
        XCTAssertEqual(rename(b, a), 0)
        XCTAssertEqual(rename("\(a).tmp", b), 0)

        let report = try Fixtures.verify(config)
        let reordered = report.breaks(.recordsReordered)
        XCTAssertTrue(reordered.contains { $0.segment == name(2) && $0.offset == 0 && $0.detail.contains("holds segment 3") }, report.summary)
        XCTAssertTrue(reordered.contains { $0.segment == name(3) && $0.offset == 0 && $0.detail.contains("holds segment 2") }, report.summary)
        XCTAssertEqual(report.breaks.first?.kind, .recordsReordered, report.summary)
    }

    func testSealedSegmentWithoutItsFooterIsTailTruncated() throws {
        let s = try scan(2)
        var bytes = try Fixtures.read(path(2))
        bytes.removeLast(SegmentFooter.size)
        try Fixtures.write(path(2), bytes)

        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.count, 1, report.summary)
        let b = try XCTUnwrap(report.breaks.first)
        XCTAssertEqual(b.kind, .tailTruncated)
        XCTAssertEqual(b.segment, name(2))
        XCTAssertEqual(b.position, s.frames.last!.header.positions.upperBound)
    }

    func testSealedSegmentCutInsideItsLastFrameIsTailTruncated() throws {
        let s = try scan(2)
        let last = s.frames.last!
        var bytes = try Fixtures.read(path(2))
        bytes.removeSubrange((Int(last.offset) + last.header.totalSize / 2)...)
        try Fixtures.write(path(2), bytes)

        let report = try Fixtures.verify(config)
        XCTAssertFalse(report.isIntact)
        XCTAssertTrue(report.breaks(.tailTruncated).contains { $0.segment == name(2) }, report.summary)
        XCTAssertTrue(report.breaks.contains { $0.segment == name(2) && $0.offset == last.offset }, report.summary)
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: Fixtures.storeKey) }
    }

    func testSwappedFramesInsideASegmentAreRecordsReordered() throws {
        let s = try scan(2)
        let f1 = s.frames[1], f2 = s.frames[2]
        var bytes = try Fixtures.read(path(2))
        let one = Array(bytes[Int(f1.offset)..<(Int(f1.offset) + f1.header.totalSize)])
        let two = Array(bytes[Int(f2.offset)..<(Int(f2.offset) + f2.header.totalSize)])
        bytes.replaceSubrange(Int(f1.offset)..<(Int(f2.offset) + f2.header.totalSize), with: two + one)
        try Fixtures.write(path(2), bytes)

        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.breaks(.recordsReordered).contains { $0.segment == name(2) && $0.position == f1.header.firstPosition }, report.summary)
        assertLocal(report, to: 2)
        // The frames themselves are intact: no record is reported as modified.
        XCTAssertTrue(report.breaks(.contentModified).allSatisfy { $0.position == nil }, report.summary)
    }

    // MARK: Injection and signatures

    /// A frame for the next position with every digest, the chain link, the header digest and the
    /// trailer recomputed, but signed by a key the store does not trust.
    func forgedFrame(key: LogSigningKey, id: String = "forged-1") throws -> [UInt8] {
        let record = Fixtures.staged(Fixtures.recordText(9999, id: id))
        return try FrameCodec.encode(records: [record.prepared], firstPosition: status.treeSize, previousChain: status.chainHead,
                                     region: "eu-test", key: key, compressor: ZstdCompressor()).bytes
    }

    func testForgedRecordAppendedAtTheTailIsRecordInjected() throws {
        let last = UInt64(status.segmentCount)
        let before = try scan(last)
        var bytes = try Fixtures.read(path(last))
        bytes += try forgedFrame(key: Fixtures.attackerKey)
        try Fixtures.write(path(last), bytes)

        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.count, 1, report.summary)
        let b = try XCTUnwrap(report.breaks.first)
        XCTAssertEqual(b.kind, .recordInjected)
        XCTAssertEqual(b.segment, name(last))
        XCTAssertEqual(b.offset, before.fileSize)
        XCTAssertEqual(b.position, status.treeSize)
        // The writer must not adopt the forged record and sign a checkpoint over it.
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: Fixtures.storeKey) }
        XCTAssertEqual(try Fixtures.verify(config).breaks(.recordInjected).count, 1)
    }

    /// A key dropped into keys/public/ makes what it signs verify (verify trusts that directory
    /// unless --key pins keys), but the writer accepts only its own key and the one it replaced on
    /// what no checkpoint of its own covers: it never signs a checkpoint over forged records
    /// (before, the next ingest did, and `verify --key` with the real keys then said intact).
    func testAKeyPlantedInThePublicDirectoryGetsNothingSignedByTheWriter() throws {
        let publicDir = "\(KeyStore.directory(tmp.path))/public"
        try FileIO.makeDirectories(publicDir)
        try Fixtures.write("\(publicDir)/\(Fixtures.attackerKey.name).pub", Array((Fixtures.attackerKey.verifier.encoded + "\n").utf8))
        try Fixtures.write("\(publicDir)/\(Fixtures.storeKey.name).pub", Array((Fixtures.storeKey.verifier.encoded + "\n").utf8))
        let last = UInt64(status.segmentCount)
        let original = try Fixtures.read(path(last))
        let forged = try forgedFrame(key: Fixtures.attackerKey)
        try Fixtures.write(path(last), original + forged)
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: Fixtures.storeKey) }

        // With a checkpoint over the forged record, signed by the planted key, too.
        let logPath = "\(regionDirectory)/checkpoints.log"
        var frontier = MerkleFrontier()
        var chain = Digest32.zero
        var position: UInt64 = 0
        for n in 1...last {
            for frame in try scan(n).frames {
                for entry in frame.header.directory {
                    chain = LogHash.chain(previous: chain, position: position, leaf: entry.leafHash)
                    frontier.append(entry.leafHash)
                    position += 1
                }
            }
        }
        XCTAssertEqual(position, status.treeSize + 1)
        XCTAssertEqual(chain, try XCTUnwrap(try scan(last).frames.last?.header.chainHead))
        let checkpoint = try Checkpoint(origin: Checkpoint.origin(region: "eu-test"), treeSize: status.treeSize + 1, rootHash: frontier.root,
                                        chainHead: chain, time: 1).signed(with: Fixtures.attackerKey)
        try Fixtures.write(logPath, try Fixtures.read(logPath) + CheckpointLog.encode(checkpoint))
        XCTAssertTrue(try Fixtures.verify(config, keyring: VerifierKeyring([Fixtures.storeKey.verifier, Fixtures.attackerKey.verifier])).isIntact,
                      "consistent under the planted key")
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: Fixtures.storeKey) }
        XCTAssertFalse(try Fixtures.verify(config).isIntact, "verify pinned to the store's key still sees the forgery")
    }

    /// After a rotation the new key names the old one as its predecessor: a writer with it opens
    /// a region whose newest checkpoint the old key signed, and signs it again; a key without
    /// that link does not.
    func testARotatedKeyOpensRegionsItsPredecessorSignedAndResignsThem() throws {
        let rotated = LogSigningKey(name: "gatelog-rotated", privateKey: try Ed25519PrivateKey(seed: [UInt8](repeating: 9, count: 32)),
                                    predecessor: Fixtures.storeKey.verifier)
        let stranger = LogSigningKey(name: "gatelog-rotated", privateKey: rotated.privateKey)
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: stranger) }
        let writer = try RegionWriter.open(region: "eu-test", configuration: config, signingKey: rotated)
        writer.close()
        let newest = try XCTUnwrap(try checkpoints().max { $0.checkpoint.treeSize < $1.checkpoint.treeSize })
        let signedByNew = try checkpoints().filter { $0.checkpoint.treeSize == newest.checkpoint.treeSize && $0.isSigned(by: VerifierKeyring([rotated.verifier])) }
        XCTAssertFalse(signedByNew.isEmpty, "the newest checkpoint is signed again with the new key")
        let both = VerifierKeyring([Fixtures.storeKey.verifier, rotated.verifier])
        XCTAssertTrue(try Fixtures.verify(config, keyring: both).isIntact)

        // Once the region went through the rotation, the old key signs nothing more in it (a leaked
        // old key): a frame it signed after the new key's checkpoint is refused.
        let reopened = try RegionWriter.open(region: "eu-test", configuration: config, signingKey: rotated)
        let status = reopened.status
        reopened.close()
        let last = UInt64(status.segmentCount)
        let record = Fixtures.staged(Fixtures.recordText(9998, id: "leaked-1"))
        let frame = try FrameCodec.encode(records: [record.prepared], firstPosition: status.treeSize, previousChain: status.chainHead,
                                          region: "eu-test", key: Fixtures.storeKey, compressor: ZstdCompressor()).bytes
        try Fixtures.write(path(last), try Fixtures.read(path(last)) + frame)
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: rotated) }
    }

    /// The same frame signed by the store's own key is what a crash between the frame's fdatasync
    /// and the next checkpoint leaves: a warning, adopted (and checkpointed) by the next writer.
    func testValidlySignedFramesAfterTheLastCheckpointAreAWarningAndAdoptedOnOpen() throws {
        let last = UInt64(status.segmentCount)
        var bytes = try Fixtures.read(path(last))
        bytes += try forgedFrame(key: Fixtures.storeKey, id: "late-1")
        try Fixtures.write(path(last), bytes)

        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.isIntact, report.summary)
        XCTAssertEqual(report.records, status.treeSize + 1)
        XCTAssertEqual(report.warnings.count, 1, report.summary)

        let writer = try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey)
        XCTAssertEqual(writer.status.treeSize, status.treeSize + 1)
        XCTAssertEqual(writer.status.lastCheckpointSize, status.treeSize + 1)
        writer.close()
        let after = try Fixtures.verify(config)
        XCTAssertTrue(after.isIntact, after.summary)
        XCTAssertEqual(after.warnings, [])
    }

    func testBadCheckpointSignatureIsBadSignature() throws {
        let logPath = "\(regionDirectory)/checkpoints.log"
        let parsed = CheckpointLog.parse(try Fixtures.read(logPath))
        XCTAssertGreaterThanOrEqual(parsed.entries.count, 3)
        var rebuilt = [UInt8]()
        let victim = 1
        var victimSize: UInt64 = 0
        for (i, e) in parsed.entries.enumerated() {
            var cp = e.checkpoint!
            if i == victim {
                cp.signatures[0].signature[10] ^= 0x08
                victimSize = cp.checkpoint.treeSize
            }
            rebuilt += CheckpointLog.encode(cp)
        }
        try Fixtures.write(logPath, rebuilt)

        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.count, 1, report.summary)
        XCTAssertEqual(report.breaks.first?.kind, .badSignature)
        XCTAssertEqual(report.breaks.first?.position, victimSize)
        XCTAssertEqual(report.checkpointsVerified, parsed.entries.count - 1)
    }

    /// A checkpoint whose body was edited (a different root) keeps its old signature: bad signature.
    func testEditedCheckpointBodyIsBadSignature() throws {
        let logPath = "\(regionDirectory)/checkpoints.log"
        var all = try checkpoints()
        all[0].checkpoint.rootHash = SHA256.hash("not the root")
        try Fixtures.write(logPath, all.flatMap(CheckpointLog.encode))
        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.map(\.kind), [.badSignature], report.summary)
        XCTAssertEqual(report.breaks.first?.position, all[0].checkpoint.treeSize)
    }

    /// A signature covers the body bytes: an added line or a reordering of the extension lines
    /// (whose fields still parse to the signed values) is a break, not an intact store.
    func testNonCanonicalCheckpointBodiesAreBadSignature() throws {
        let logPath = "\(regionDirectory)/checkpoints.log"
        let original = try Fixtures.read(logPath)
        let all = try checkpoints()
        let note = all[0].noteText
        var lines = note.components(separatedBy: "\n")
        let added = ([lines[0], lines[1], lines[2], lines[3], lines[4], "extra line"] + lines[5...]).joined(separator: "\n")
        lines.swapAt(3, 4)
        let swapped = lines.joined(separator: "\n")
        for edited in [added, swapped] {
            XCTAssertNil(SignedCheckpoint.parse(note: edited))
            let rest = all.dropFirst().flatMap(CheckpointLog.encode)
            try Fixtures.write(logPath, Array((edited + "\n").utf8) + rest)
            let report = try Fixtures.verify(config)
            XCTAssertFalse(report.isIntact, report.summary)
            XCTAssertTrue(report.breaks.contains { $0.kind == .badSignature }, report.summary)
        }
        try Fixtures.write(logPath, original)
        XCTAssertTrue(try Fixtures.verify(config).isIntact)
    }

    /// Campaign 12, 6a: a signature line's last base64 character before `=` carries unused bits;
    /// changing them keeps the decoded bytes. The line must be canonical base64, like the body:
    /// verify reports the edit (`bad_signature`, saying so), the writer refuses the region, and a
    /// witness checkpoint written that way is not accepted either.
    func testNonCanonicalBase64InASignatureLineIsBadSignature() throws {
        let logPath = "\(regionDirectory)/checkpoints.log"
        let original = try Fixtures.read(logPath)
        let all = try checkpoints()
        let victim = 1
        let signatureLine = all[victim].signatures[0].text
        let b64 = String(signatureLine.split(separator: " ").last!)
        XCTAssertTrue(b64.hasSuffix("=") && !b64.hasSuffix("=="), "68 bytes: one padding character")
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let chars = Array(b64)
        let last = chars[chars.count - 2]
        // 68 bytes leave 2 unused bits in the last character: flipping the lowest keeps the bytes.
        let edited = String(chars[..<(chars.count - 2)]) + String(alphabet[alphabet.firstIndex(of: last)! ^ 1]) + "="
        XCTAssertEqual(Data(base64Encoded: edited), Data(base64Encoded: b64), "the same bytes")
        let editedLine = signatureLine.replacingOccurrences(of: b64, with: edited)
        XCTAssertNil(SignatureLine.parse(Substring(editedLine)))
        let editedNote = all[victim].noteText.replacingOccurrences(of: signatureLine, with: editedLine)
        XCTAssertNil(SignedCheckpoint.parse(note: editedNote))
        var rebuilt = [UInt8]()
        for (i, cp) in all.enumerated() { rebuilt += i == victim ? Array((editedNote + "\n").utf8) : CheckpointLog.encode(cp) }
        try Fixtures.write(logPath, rebuilt)
        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.map(\.kind), [.badSignature], report.summary)
        XCTAssertTrue(report.breaks.first?.detail.contains("signature line 1 is not canonical base64") == true, report.summary)
        XCTAssertThrowsError(try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey)) { error in
            XCTAssertTrue("\(error)".contains("malformed entry"), "\(error)")
        }
        try Fixtures.write(logPath, original)
        XCTAssertTrue(try Fixtures.verify(config).isIntact)
    }

    /// The attacker rewrites one record and rebuilds the whole region — segments, frame signatures
    /// and checkpoint log — with their own key. Only a checkpoint kept outside the store, together
    /// with pinned verifier keys, reveals it.
    func testRewrittenStoreWithNewCheckpointLogIsCaughtByOutsideCheckpoint() throws {
        let outside = try XCTUnwrap(try checkpoints().max { $0.checkpoint.treeSize < $1.checkpoint.treeSize })
        XCTAssertEqual(outside.checkpoint.treeSize, status.treeSize)

        try FileManager.default.removeItem(atPath: regionDirectory)
        // The attacker also removes the region's registry entry (else the writer refuses to start
        // the region again as a new chain).
        try FileManager.default.removeItem(atPath: "\(RegionRegistry.directory(config.dataDirectory))/eu-test.json")
        let victim = 57
        let rewritten = try Fixtures.writeStore(config, count: Self.recordCount, key: Fixtures.attackerKey) { i in
            i == victim ? Fixtures.staged(Fixtures.recordText(i).replacingOccurrences(of: "\"status\":200", with: "\"status\":201"))
                        : Fixtures.staged(i)
        }
        XCTAssertEqual(rewritten.treeSize, status.treeSize)
        XCTAssertNotEqual(rewritten.merkleRoot, status.merkleRoot)

        // Trusting whatever key the store holds, and without the outside checkpoint, the rewrite is consistent.
        let attackerRing = VerifierKeyring([Fixtures.attackerKey.verifier])
        XCTAssertTrue(try Fixtures.verify(config, keyring: attackerRing).isIntact)

        // With the outside checkpoint: the log was rewritten.
        let both = VerifierKeyring([Fixtures.attackerKey.verifier, Fixtures.storeKey.verifier])
        let withCheckpoint = try Fixtures.verify(config, keyring: both, external: [outside])
        XCTAssertEqual(withCheckpoint.breaks.map(\.kind), [.checkpointMismatch], withCheckpoint.summary)
        XCTAssertEqual(withCheckpoint.breaks.first?.position, status.treeSize - 1)

        // With the pinned key as well: every checkpoint in the store is signed by an unknown key.
        let pinned = try Fixtures.verify(config, keyring: Fixtures.trusted, external: [outside])
        XCTAssertTrue(pinned.breaks(.checkpointMismatch).contains { $0.detail.contains("outside checkpoint") }, pinned.summary)
        XCTAssertEqual(pinned.breaks(.badSignature).count, try checkpoints().count + 1, pinned.summary) // + the last frame's signature
    }

    /// Cutting the last frames together with the checkpoints that cover them leaves a store that is
    /// consistent on its own; the witness's checkpoint reveals the truncation.
    func testTailCutWithItsCheckpointsIsCaughtByOutsideCheckpoint() throws {
        let outside = try XCTUnwrap(try checkpoints().last)
        let last = UInt64(status.segmentCount)
        let lastScan = try scan(last)
        let cutAt = try XCTUnwrap(lastScan.frames.first)
        var bytes = try Fixtures.read(path(last))
        bytes.removeSubrange(Int(cutAt.offset)...)
        try Fixtures.write(path(last), bytes)
        let kept = try checkpoints().filter { $0.checkpoint.treeSize <= cutAt.header.firstPosition }
        try Fixtures.write("\(regionDirectory)/checkpoints.log", kept.flatMap(CheckpointLog.encode))

        XCTAssertTrue(try Fixtures.verify(config).isIntact, "without a witness the cut is invisible")
        let report = try Fixtures.verify(config, external: [outside])
        XCTAssertEqual(report.breaks.map(\.kind), [.tailTruncated], report.summary)
        XCTAssertEqual(report.breaks.first?.position, cutAt.header.firstPosition)
        XCTAssertTrue(report.breaks.first?.detail.contains("outside checkpoint") == true, report.summary)
    }

    func testDeletedCheckpointLogIsCheckpointMismatchAndOutsideCheckpointStillVerifies() throws {
        let outside = try XCTUnwrap(try checkpoints().last)
        XCTAssertEqual(unlink("\(regionDirectory)/checkpoints.log"), 0)
        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.map(\.kind), [.checkpointMismatch], report.summary)
        let withOutside = try Fixtures.verify(config, external: [outside])
        XCTAssertEqual(withOutside.checkpointsVerified, 1)
        XCTAssertEqual(withOutside.breaks.map(\.kind), [.checkpointMismatch], withOutside.summary)
    }

    /// The writer refuses a region whose checkpoint log was deleted, and does not create a new
    /// one: signing a fresh checkpoint over what is left would turn the break into "intact" with
    /// the next ordinary write (and hide records cut off the tail together with the log).
    func testWriterRefusesARegionWhoseCheckpointLogWasDeleted() throws {
        let logPath = "\(regionDirectory)/checkpoints.log"
        let last = UInt64(status.segmentCount)
        let lastFrame = try XCTUnwrap(try scan(last).frames.last)
        var bytes = try Fixtures.read(path(last))
        bytes.removeSubrange(Int(lastFrame.offset)...)
        try Fixtures.write(path(last), bytes)
        XCTAssertEqual(unlink(logPath), 0)
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: Fixtures.storeKey) }
        XCTAssertFalse(FileIO.exists(logPath), "the refused open must not create a new log")
        XCTAssertEqual(try Fixtures.read(path(last)).count, Int(lastFrame.offset))
        XCTAssertFalse(try Fixtures.verify(config).isIntact)
    }

    /// An emptied log with sealed segments (each seal signed a checkpoint) is refused the same way.
    func testWriterRefusesARegionWhoseSealedSegmentsLostTheirCheckpoints() throws {
        XCTAssertGreaterThanOrEqual(status.segmentCount, 3)
        try Fixtures.write("\(regionDirectory)/checkpoints.log", [])
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: Fixtures.storeKey) }
        XCTAssertEqual(try Fixtures.read("\(regionDirectory)/checkpoints.log"), [])
    }

    /// Whole entries whose line breaks were altered (a `\r` added to every line, or the empty
    /// lines made into a space) are not an interrupted append: verify reports them, and the writer
    /// refuses the region instead of cutting the log back (which destroyed the evidence).
    func testAlteredCheckpointEntriesAreNotCrashResidueAndAreNotCutOff() throws {
        let logPath = "\(regionDirectory)/checkpoints.log"
        let original = try Fixtures.read(logPath)
        let crlf = Array(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let spaced = Array(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\n\n", with: "\n \n").utf8)
        for altered in [crlf, spaced] {
            try Fixtures.write(logPath, altered)
            let report = try Fixtures.verify(config)
            XCTAssertFalse(report.isIntact, report.summary)
            XCTAssertFalse(report.breaks(.badSignature).isEmpty, report.summary)
            XCTAssertTrue(report.warnings.allSatisfy { !$0.contains("crash residue") }, report.summary)
            XCTAssertThrowsError(try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey))
            XCTAssertEqual(try Fixtures.read(logPath), altered, "the log must not be cut back")
        }
    }

    /// Every proper prefix of a real entry is an interrupted append (crash residue, cut off on
    /// open); the same prefix with a control character in it is not.
    func testEveryPrefixOfAnEntryIsAnInterruptedAppend() throws {
        let entry = CheckpointLog.encode(try XCTUnwrap(try checkpoints().last))
        for cut in 1..<entry.count {
            let prefix = entry[0..<cut]
            if prefix.last == 0x0A && prefix.dropLast().last == 0x0A { continue } // a blank line ends the body, not the entry
            XCTAssertTrue(CheckpointLog.isInterruptedAppend(prefix), "cut at \(cut)")
            XCTAssertFalse(CheckpointLog.isInterruptedAppend(prefix + [0x0D]), "cut at \(cut) + CR")
        }
        XCTAssertFalse(CheckpointLog.isInterruptedAppend(ArraySlice(entry + entry.dropLast())), "one whole entry and more is not one interrupted append")
    }

    /// A checkpoint log emptied (or cut back to its first entries) to hide a truncated tail: the
    /// sealed segments before the last one were each checkpointed when sealed.
    func testEmptiedCheckpointLogWithSealedSegmentsIsCheckpointMismatch() throws {
        XCTAssertGreaterThanOrEqual(status.segmentCount, 3)
        try Fixtures.write("\(regionDirectory)/checkpoints.log", [])
        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.map(\.kind), [.checkpointMismatch], report.summary)
        let first = try XCTUnwrap(try? CheckpointLog.parse(Fixtures.read("\(TamperTests.template.get().directory.path)/regions/eu-test/checkpoints.log")).entries.first)
        try Fixtures.write("\(regionDirectory)/checkpoints.log", CheckpointLog.encode(try XCTUnwrap(first.checkpoint)))
        XCTAssertEqual(try Fixtures.verify(config).breaks.map(\.kind), [.checkpointMismatch])
    }

    /// A young region (one unsealed segment) whose checkpoint log was emptied: before the size-0
    /// checkpoint written at creation, this read as "a crash before the first checkpoint".
    func testEmptiedCheckpointLogOfAYoungRegionIsCheckpointMismatch() throws {
        let young = TemporaryDirectory()
        let config = Fixtures.configuration(young.path, segmentMaxBytes: 64 << 20)
        let status = try Fixtures.writeStore(config, count: 30)
        XCTAssertEqual(status.segmentCount, 1)
        let logPath = "\(config.regionDirectory("eu-test"))/checkpoints.log"
        let entries = CheckpointLog.parse(try Fixtures.read(logPath)).entries.compactMap(\.checkpoint)
        XCTAssertEqual(entries.first?.checkpoint.treeSize, 0, "the log starts with the genesis")
        XCTAssertEqual(entries.first?.checkpoint.rootHash, LogHash.emptyTreeRoot)
        XCTAssertTrue(try Fixtures.verify(config).isIntact)

        try Fixtures.write(logPath, [])
        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.map(\.kind), [.checkpointMismatch], report.summary)
        XCTAssertTrue(report.breaks.first?.detail.contains("the log was emptied") == true, report.summary)
        XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey) }
        XCTAssertEqual(try Fixtures.read(logPath), [], "the refused open must not sign a new log")
    }

    /// The crash state "killed right after a segment's footer, before its checkpoint and before the
    /// next segment" is intact; a changed byte (or a sector of zeros) in that sealed segment's last
    /// frame, or a changed footer magic, is damage, not an unfinished write: the footer was written
    /// after the frame was durable. Before, verify said "crash residue" and the writer cut the frame
    /// and the footer, erasing acknowledged records.
    func testDamageBeforeTheFooterOfAnUncoveredSealedSegmentIsNotCrashResidue() throws {
        let open = UInt64(status.segmentCount)
        XCTAssertEqual(unlink(path(open)), 0)
        let sealed = try scan(open - 1), before = try scan(open - 2)
        let coveredUpTo = try XCTUnwrap(before.footer?.treeSize)
        let logPath = "\(regionDirectory)/checkpoints.log"
        try Fixtures.write(logPath, try checkpoints().filter { $0.checkpoint.treeSize <= coveredUpTo }.flatMap { CheckpointLog.encode($0) })
        let crashState = try Fixtures.verify(config)
        XCTAssertTrue(crashState.isIntact, crashState.summary)
        let original = try Fixtures.read(path(open - 1))
        let last = try XCTUnwrap(sealed.frames.last)
        let damages: [(String, ([UInt8]) -> [UInt8])] = [
            ("a byte in the last frame's content block", { var b = $0; b[Int(last.offset) + last.header.totalSize - 120] ^= 0x04; return b }),
            ("the record count's high byte", { var b = $0; b[Int(last.offset) + 6] ^= 0x01; return b }),
            ("a zeroed sector in the last frame", { var b = $0
                let start = (Int(last.offset) + 1023) / 512 * 512
                for i in start..<(start + 512) { b[i] = 0 }
                return b }),
            ("the footer's magic", { var b = $0; b[b.count - SegmentFooter.size] ^= 0x01; return b }),
            ("the footer's tree size", { var b = $0; b[b.count - SegmentFooter.size + 31] ^= 0x01; return b }),
            ("the footer's own digest", { var b = $0; b[b.count - 20] ^= 0x01; return b }),
        ]
        for (what, damage) in damages {
            try Fixtures.write(path(open - 1), damage(original))
            let report = try Fixtures.verify(config)
            XCTAssertFalse(report.isIntact, "\(what): \(report.summary)")
            XCTAssertFalse(report.breaks(.contentModified).isEmpty, "\(what): \(report.summary)")
            XCTAssertTrue(report.warnings.allSatisfy { !$0.contains("crash residue") }, "\(what): \(report.summary)")
            XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: Fixtures.storeKey) }
            XCTAssertTrue(try Fixtures.read(path(open - 1)) == damage(original), "\(what): the writer must not cut it")
        }
    }

    /// Checkpoints are appended over a growing log: two entries swapped, or an old entry copied to
    /// the end, is a break (each entry on its own still verifies), and the writer refuses the region.
    func testReorderedOrCopiedCheckpointEntriesAreCheckpointMismatch() throws {
        let logPath = "\(regionDirectory)/checkpoints.log"
        let entries = try checkpoints()
        XCTAssertGreaterThanOrEqual(entries.count, 3)
        var swapped = entries
        swapped.swapAt(0, 1)
        let copied = entries + [entries[0]]
        for (name, altered) in [("swapped", swapped), ("copied", copied)] {
            try Fixtures.write(logPath, altered.flatMap { CheckpointLog.encode($0) })
            let report = try Fixtures.verify(config)
            XCTAssertEqual(report.breaks.map(\.kind), [.checkpointMismatch], "\(name): \(report.summary)")
            XCTAssertTrue(report.breaks.first?.detail.contains("reordered or copied") == true, report.summary)
            XCTAssertThrowsIntegrity { try RegionWriter.open(region: "eu-test", configuration: self.config, signingKey: Fixtures.storeKey) }
        }
        try Fixtures.write(logPath, entries.flatMap { CheckpointLog.encode($0) })
        XCTAssertTrue(try Fixtures.verify(config).isIntact)
    }

    // MARK: Several breaks

    func testEveryIndependentBreakIsReported() throws {
        let s1 = try scan(1)
        let frame = s1.frames[1]
        try Fixtures.flipByte(path(1), at: Int(frame.offset) + frame.header.headerSize + 3, mask: 0x10)
        let s4 = try scan(4)
        let footerOffset = s4.fileSize - UInt64(SegmentFooter.size)
        try Fixtures.flipByte(path(4), at: Int(footerOffset) + 12)

        let report = try Fixtures.verify(config)
        XCTAssertEqual(Set(report.breaks.compactMap(\.segment)), [name(1), name(4)], report.summary)
        XCTAssertTrue(report.breaks.contains { $0.segment == name(1) && $0.offset == frame.offset && $0.kind == .contentModified }, report.summary)
        XCTAssertTrue(report.breaks.contains { $0.segment == name(4) && $0.offset == footerOffset && $0.kind == .contentModified }, report.summary)
    }

    func testBreaksAreBoundedByMaxBreaks() throws {
        for n in 1..<UInt64(status.segmentCount) {
            let s = try scan(n)
            try Fixtures.flipByte(path(n), at: Int(s.fileSize) - SegmentFooter.size + 40)
        }
        var verifier = RegionVerifier(region: "eu-test", directory: regionDirectory, keyring: Fixtures.trusted)
        verifier.maxBreaks = 2
        let report = try verifier.verify()
        XCTAssertEqual(report.breaks.count, 2)
        XCTAssertTrue(report.breaksTruncated)
    }
}

func XCTAssertThrowsIntegrity<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) {
    do {
        let value = try body()
        if let writer = value as? RegionWriter { writer.close() }
        XCTFail("expected StoreError.integrity, got a value", file: file, line: line)
    } catch StoreError.integrity {
    } catch {
        XCTFail("expected StoreError.integrity, got \(error)", file: file, line: line)
    }
}
