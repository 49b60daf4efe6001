import XCTest
import Synchronization
import Foundation
import AuditFormat
import AuditStore
import GatelogCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Crash residue, recovery on open, the writer lock and idempotence on ids.
final class RecoveryTests: XCTestCase {
    var tmp: TemporaryDirectory!
    var config: StoreConfiguration!
    var status: RegionStatus!

    override func setUpWithError() throws {
        tmp = TemporaryDirectory()
        config = Fixtures.configuration(tmp.path)
        status = try Fixtures.writeStore(config, count: 60)
    }

    override func tearDown() { tmp = nil }

    var lastPath: String { Fixtures.segmentPath(config, UInt64(status.segmentCount)) }

    func open() throws -> RegionWriter {
        try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey)
    }

    /// Appends `tail` to the last segment, checks that verify calls it crash residue (a warning,
    /// not a break), that opening the region cuts it off, and that the store then verifies clean.
    func assertTornTailRecovers(_ tail: [UInt8], newRecord: Int = 1000, file: StaticString = #filePath, line: UInt = #line) throws {
        let original = try Fixtures.read(lastPath)
        try Fixtures.write(lastPath, original + tail)

        let crashed = try Fixtures.verify(config)
        XCTAssertTrue(crashed.isIntact, crashed.summary, file: file, line: line)
        XCTAssertEqual(crashed.records, status.treeSize, file: file, line: line)
        XCTAssertTrue(crashed.warnings.contains { $0.contains("crash residue") }, crashed.summary, file: file, line: line)

        let writer = try open()
        XCTAssertEqual(writer.status.treeSize, status.treeSize, file: file, line: line)
        XCTAssertEqual(writer.status.chainHead, status.chainHead, file: file, line: line)
        XCTAssertEqual(try Fixtures.read(lastPath), original, "the torn tail is cut off on open", file: file, line: line)
        // The region keeps working after recovery.
        let outcomes = try writer.appendAndWait([Fixtures.staged(newRecord)])
        XCTAssertEqual(outcomes.count, 1, file: file, line: line)
        guard case .accepted(let p, _) = outcomes[0] else { return XCTFail("\(outcomes)", file: file, line: line) }
        XCTAssertEqual(p, status.treeSize, file: file, line: line)
        writer.close()

        let after = try Fixtures.verify(config)
        XCTAssertTrue(after.isIntact, after.summary, file: file, line: line)
        XCTAssertEqual(after.warnings, [], file: file, line: line)
        XCTAssertEqual(after.records, status.treeSize + 1, file: file, line: line)
    }

    func testRandomGarbageAtTheTailIsCrashResidueAndRecovered() throws {
        var rng = SeededGenerator(seed: 7)
        try assertTornTailRecovers((0..<777).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }

    func testPartialFrameAtTheTailIsCrashResidueAndRecovered() throws {
        // Cut inside the fixed header, inside the directory, inside the payload and just before the trailer.
        for (n, cut) in [40, FrameHeader.fixedSize + 50, -2, -1].enumerated() {
            let frame = try FrameCodec.encode(records: [Fixtures.staged(500 + n).prepared, Fixtures.staged(600 + n).prepared],
                                              firstPosition: status.treeSize, previousChain: status.chainHead, region: "eu-test",
                                              key: Fixtures.storeKey, compressor: ZstdCompressor()).bytes
            let length = cut == -2 ? frame.count / 2 : cut == -1 ? frame.count - 1 : cut
            try assertTornTailRecovers(Array(frame[0..<length]), newRecord: 1000 + n)
            status = try open().closeAndStatus()
        }
    }

    func testFullFrameWithBadTrailerAtTheTailIsCrashResidue() throws {
        var frame = try FrameCodec.encode(records: [Fixtures.staged(501).prepared], firstPosition: status.treeSize,
                                          previousChain: status.chainHead, region: "eu-test", key: Fixtures.storeKey,
                                          compressor: ZstdCompressor()).bytes
        // The last sector never reached the disk and reads as zeros.
        for i in (frame.count - 20)..<frame.count { frame[i] = 0 }
        try assertTornTailRecovers(frame)
    }

    /// A frame at the tail with a sector of zeros inside (its middle never reached the disk) is
    /// crash residue even though its header and signature are intact.
    func testFullFrameWithAZeroSectorInsideIsCrashResidue() throws {
        var frame = try FrameCodec.encode(records: (0..<6).map { Fixtures.staged(700 + $0).prepared }, firstPosition: status.treeSize,
                                          previousChain: status.chainHead, region: "eu-test", key: Fixtures.storeKey,
                                          compressor: ZstdCompressor()).bytes
        XCTAssertGreaterThan(frame.count, 2048)
        let fileOffset = try Fixtures.read(lastPath).count
        let sectorStart = (fileOffset + 1024 + 511) / 512 * 512 - fileOffset
        for i in sectorStart..<(sectorStart + 512) { frame[i] = 0 }
        try assertTornTailRecovers(frame)
    }

    /// One write holds many frames: a lost sector (zeros) inside an earlier frame of the last write,
    /// with the rest of that write after it, is crash residue too (nothing of it was acknowledged).
    func testAZeroSectorInAnEarlierFrameOfTheLastWriteIsCrashResidue() throws {
        let first = try FrameCodec.encode(records: (0..<6).map { Fixtures.staged(900 + $0).prepared }, firstPosition: status.treeSize,
                                          previousChain: status.chainHead, region: "eu-test", key: Fixtures.storeKey,
                                          compressor: ZstdCompressor())
        let second = try FrameCodec.encode(records: [Fixtures.staged(950).prepared], firstPosition: status.treeSize + 6,
                                           previousChain: first.header.chainHead, region: "eu-test", key: Fixtures.storeKey,
                                           compressor: ZstdCompressor())
        var damaged = first.bytes
        let fileOffset = try Fixtures.read(lastPath).count
        let sectorStart = (fileOffset + 1024 + 511) / 512 * 512 - fileOffset
        for i in sectorStart..<(sectorStart + 512) { damaged[i] = 0 }
        try assertTornTailRecovers(damaged + second.bytes)
    }

    /// A final frame that was written whole and signed, then damaged (one bit, in its directory or
    /// in its payload), is not crash residue: its records may have been acknowledged. Verify reports
    /// `content_modified` at the frame, and opening the region is refused without touching the file.
    func testDamagedCompleteSignedFrameAtTheTailIsNotCrashResidue() throws {
        let frame = try FrameCodec.encode(records: (0..<4).map { Fixtures.staged(800 + $0).prepared }, firstPosition: status.treeSize,
                                          previousChain: status.chainHead, region: "eu-test", key: Fixtures.storeKey,
                                          compressor: ZstdCompressor()).bytes
        let original = try Fixtures.read(lastPath)
        // Intact, the appended frame is a record a writer signed but no checkpoint covers yet.
        try Fixtures.write(lastPath, original + frame)
        XCTAssertTrue(try Fixtures.verify(config).isIntact)
        // In the directory, in the payload, in the trailer, in the record count (byte 7), and in
        // the signature (the frame is then no longer signed, but complete: no crash does that), in
        // the magic (byte 0), in the first position (byte 13), and in the record count's high byte
        // (byte 6: the header then reads as cut short, and verify called it residue).
        // Campaign 12 found flips in the chain head (bytes 64–95) and in the low bytes of the stored
        // lengths (23, 31) read as residue too: every byte of the fixed header is tried now.
        for flipAt in [FrameHeader.fixedSize + 10, frame.count - 200, frame.count - 10, frame.count - 32 - 30] + Array(0..<FrameHeader.fixedSize) {
            var damaged = frame
            damaged[flipAt] ^= 0x01
            try Fixtures.write(lastPath, original + damaged)
            let report = try Fixtures.verify(config)
            XCTAssertFalse(report.isIntact, "flip at \(flipAt): \(report.summary)")
            XCTAssertTrue(report.breaks.contains { $0.kind == .contentModified && $0.offset == UInt64(original.count) },
                          "flip at \(flipAt): \(report.summary)")
            XCTAssertFalse(report.warnings.contains { $0.contains("crash residue") }, report.summary)
            XCTAssertThrowsIntegrity { try self.open() }
            XCTAssertEqual(try Fixtures.read(self.lastPath), original + damaged, "a refused open must not cut the frame")
        }
    }

    /// A damaged header of the last frame that a checkpoint covers is `content_modified` (the
    /// header) and `tail_truncated` (its records are gone from what can be read), as FORMAT.md §9 says.
    func testDamagedHeaderOfACoveredLastFrameIsContentModifiedAndTailTruncated() throws {
        let scan = try Fixtures.scan(config, UInt64(status.segmentCount))
        let last = try XCTUnwrap(scan.frames.last)
        try Fixtures.flipByte(lastPath, at: Int(last.offset) + FrameHeader.fixedSize + 3)
        let report = try Fixtures.verify(config)
        XCTAssertEqual(Set(report.breaks.map(\.kind)), [.contentModified, .tailTruncated], report.summary)
        XCTAssertTrue(report.breaks.contains { $0.kind == .contentModified && $0.offset == last.offset }, report.summary)
        XCTAssertThrowsIntegrity { try self.open() }
    }

    func testTruncationACheckpointCoversIsTailTruncatedAndRefusedOnOpen() throws {
        let scan = try Fixtures.scan(config, UInt64(status.segmentCount))
        let last = try XCTUnwrap(scan.frames.last)
        let original = try Fixtures.read(lastPath)

        // Cut exactly at a frame boundary: the files look clean, only the checkpoint knows.
        try Fixtures.write(lastPath, Array(original[0..<Int(last.offset)]))
        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.map(\.kind), [.tailTruncated], report.summary)
        XCTAssertEqual(report.breaks.first?.position, last.header.firstPosition)
        XCTAssertThrowsIntegrity { try self.open() }
        XCTAssertEqual(try Fixtures.read(lastPath).count, Int(last.offset), "a refused open must not touch the files")

        // Cut inside the frame.
        try Fixtures.write(lastPath, Array(original[0..<(Int(last.offset) + 100)]))
        let inside = try Fixtures.verify(config)
        XCTAssertTrue(inside.breaks.contains {
            $0.kind == .tailTruncated && $0.segment == SegmentNaming.fileName(UInt64(self.status.segmentCount)) && $0.offset == last.offset
        }, inside.summary)
        XCTAssertThrowsIntegrity { try self.open() }
        XCTAssertEqual(try Fixtures.read(lastPath).count, Int(last.offset) + 100)

        // Put the bytes back: everything is fine again.
        try Fixtures.write(lastPath, original)
        XCTAssertTrue(try Fixtures.verify(config).isIntact)
        try open().close()
    }

    func testForgedCheckpointIsBadSignatureAndRefusedOnOpen() throws {
        let logPath = "\(config.regionDirectory("eu-test"))/checkpoints.log"
        let forged = try Checkpoint(origin: Checkpoint.origin(region: "eu-test"), treeSize: status.treeSize + 5,
                                    rootHash: SHA256.hash("forged"), chainHead: SHA256.hash("forged chain"), time: 1)
            .signed(with: Fixtures.attackerKey)
        try Fixtures.write(logPath, try Fixtures.read(logPath) + CheckpointLog.encode(forged))

        let report = try Fixtures.verify(config)
        XCTAssertEqual(report.breaks.map(\.kind), [.badSignature], report.summary)
        XCTAssertEqual(report.breaks.first?.position, status.treeSize + 5)
        XCTAssertThrowsIntegrity { try self.open() }
    }

    func testTornCheckpointLogAppendIsResidueAndRecovered() throws {
        let logPath = "\(config.regionDirectory("eu-test"))/checkpoints.log"
        let original = try Fixtures.read(logPath)
        try Fixtures.write(logPath, original + Array("gatelog/eu-test\n60\n".utf8))
        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.isIntact, report.summary)
        XCTAssertTrue(report.warnings.contains { $0.contains("checkpoints.log") }, report.summary)
        try open().close()
        XCTAssertEqual(try Fixtures.read(logPath), original)
        XCTAssertEqual(try Fixtures.verify(config).warnings, [])
    }

    func testSecondWriterOnTheSameRegionIsRefused() throws {
        let first = try open()
        do {
            let second = try open()
            second.close()
            XCTFail("a second writer opened the region")
        } catch StoreError.regionLocked(let region, let holder) {
            XCTAssertEqual(region, "eu-test")
            XCTAssertEqual(holder, "pid \(getpid())")
        }
        // Through LogStore as well, from a second store object on the same directory.
        try Fixtures.installStoreKey(config.dataDirectory)
        let store = try LogStore(configuration: config)
        XCTAssertThrowsError(try store.writer(for: "eu-test")) { error in
            guard case StoreError.regionLocked = error else { return XCTFail("\(error)") }
        }
        // Another region of the same directory is independent.
        XCTAssertNoThrow(try store.writer(for: "us-test"))
        store.close()
        first.close()
        // Once closed, the lock is free.
        try open().close()
    }

    /// Many threads appending to regions nobody opened yet: every append succeeds (the first use
    /// of a region is opened once; a racing second open used to fail on the region's own lock).
    func testConcurrentFirstUseOfARegionOpensItOnce() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore(configuration: StoreConfiguration(dataDirectory: dir.path))
        let failures = Mutex<[String]>([])
        for round in 0..<4 {
            // Eight threads released together onto two regions nobody opened yet.
            let start = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
            for t in 0..<8 {
                let region = "race-\(round)-\(t % 2)"
                done.enter()
                Thread {
                    start.wait()
                    do {
                        let writer = try store.writer(for: region)
                        let outcomes = try writer.appendAndWait([Fixtures.staged(Fixtures.recordText(round * 8 + t, region: region))])
                        guard case .accepted = outcomes[0] else { throw StoreError.integrity(region: region, detail: "\(outcomes[0])") }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                    done.leave()
                }.start()
            }
            for _ in 0..<8 { start.signal() }
            done.wait()
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        XCTAssertEqual(store.openWriters.count, 8)
        store.close()
        XCTAssertThrowsError(try store.writer(for: "race-c")) { XCTAssertEqual("\($0)", "\(StoreError.closed)") }
    }

    func testDuplicateIDsInOneBatchAndAcrossReopen() throws {
        let writer = try open()
        let a = Fixtures.staged(Fixtures.recordText(1, id: "dup-a"))
        let b = Fixtures.staged(Fixtures.recordText(2, id: "dup-b"))
        // The same id twice in one batch, with a different body the second time.
        let first = try writer.appendAndWait([a, b, Fixtures.staged(Fixtures.recordText(3, id: "dup-a"))])
        let base = status.treeSize
        XCTAssertEqual(first.count, 3)
        guard case .accepted(let pa, _) = first[0], case .accepted(let pb, _) = first[1] else { return XCTFail("\(first)") }
        XCTAssertEqual(pa, base)
        XCTAssertEqual(pb, base + 1)
        XCTAssertEqual(first[2], .duplicate(existingPosition: base))
        // Again in a later batch (answered from memory).
        XCTAssertEqual(try writer.appendAndWait([b]), [.duplicate(existingPosition: base + 1)])
        // Ids written by the fixture before this writer opened (answered from the disk).
        XCTAssertEqual(try writer.appendAndWait([Fixtures.staged(7)]), [.duplicate(existingPosition: 7)])
        writer.close()

        let reopened = try open()
        XCTAssertEqual(try reopened.appendAndWait([a, Fixtures.staged(41), b, Fixtures.staged(0)]),
                       [.duplicate(existingPosition: base), .duplicate(existingPosition: 41),
                        .duplicate(existingPosition: base + 1), .duplicate(existingPosition: 0)])
        let fresh = try reopened.appendAndWait([Fixtures.staged(Fixtures.recordText(4, id: "dup-c"))])
        XCTAssertEqual(fresh.count, 1)
        guard case .accepted(let pc, _) = fresh[0] else { return XCTFail("\(fresh)") }
        XCTAssertEqual(pc, base + 2)
        reopened.close()

        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.isIntact, report.summary)
        XCTAssertEqual(report.records, base + 3)
        let ids = try Fixtures.storedIDs(config, region: "eu-test")
        XCTAssertEqual(ids.count, Int(base) + 3)
        XCTAssertEqual(Set(ids.values).count, ids.count, "no id is stored twice")
    }
}

extension RegionWriter {
    /// Closes the writer and returns its final status.
    func closeAndStatus() -> RegionStatus {
        close()
        return status
    }
}

extension RecoveryTests {
    /// A writer killed between sealing a segment and writing the next segment's header leaves an
    /// empty (or torn) last segment: crash residue for verify, recreated on open.
    func testUnfinishedNextSegmentHeaderIsCrashResidueAndRecovered() throws {
        let writer = try open()
        try writer.seal()
        writer.close()
        let sealed = try open().closeAndStatus()
        let next = Fixtures.segmentPath(config, UInt64(sealed.segmentCount))
        let header = try Fixtures.read(next)
        // nil: killed after the seal, before the next segment file was even created.
        for torn in [nil, [UInt8](), Array(header[0..<30]), Array(header[0..<(header.count - 1)])] {
            if let torn { try Fixtures.write(next, torn) } else { XCTAssertEqual(unlink(next), 0) }
            let report = try Fixtures.verify(config)
            XCTAssertTrue(report.isIntact, report.summary)
            XCTAssertEqual(report.records, status.treeSize)
            if torn != nil { XCTAssertTrue(report.warnings.contains { $0.contains("unfinished header") }, report.summary) }
            try open().close()
            XCTAssertEqual(try Fixtures.read(next).count, header.count, "the segment is recreated with a whole header")
            let after = try Fixtures.verify(config)
            XCTAssertTrue(after.isIntact && after.warnings.isEmpty, after.summary)
        }
    }

    func testUnfinishedFirstSegmentHeaderIsCrashResidueAndRecovered() throws {
        // Killed between creating segment 1 and making its header durable, before any record.
        let fresh = TemporaryDirectory()
        let c = Fixtures.configuration(fresh.path)
        let first = Fixtures.segmentPath(c, 1)
        try FileIO.makeDirectories((first as NSString).deletingLastPathComponent)
        for torn in [[UInt8](), [UInt8](repeating: 0x47, count: 30)] {
            try Fixtures.write(first, torn)
            let report = try Fixtures.verify(c)
            XCTAssertTrue(report.isIntact, report.summary)
            let writer = try RegionWriter.open(region: "eu-test", configuration: c, signingKey: Fixtures.storeKey)
            XCTAssertEqual(writer.status.treeSize, 0)
            writer.close()
            XCTAssertGreaterThan(try Fixtures.read(first).count, 30, "segment 1 is recreated with a whole header")
            XCTAssertEqual(unlink(first), 0)
        }
    }

    func testARegionScanStopsBeforeATornLastFrame() throws {
        // The index catches up from the segments before the writers recover them: a frame whose
        // trailer never reached the disk must not be handed on (nor make the scan throw).
        let original = try Fixtures.read(lastPath)
        var frame = try FrameCodec.encode(records: [Fixtures.staged(777).prepared], firstPosition: status.treeSize,
                                          previousChain: status.chainHead, region: "eu-test", key: Fixtures.storeKey,
                                          compressor: ZstdCompressor()).bytes
        frame[frame.count - 3] ^= 0xFF
        try Fixtures.write(lastPath, original + frame)
        let scanner = RegionScanner(region: "eu-test", directory: config.regionDirectory("eu-test"))
        var positions: [UInt64] = []
        try scanner.forEachRecord(from: 0, includeContent: false) { record in positions.append(record.position) }
        XCTAssertEqual(positions, Array(0..<status.treeSize))
    }
    /// Campaign 12: ids that are canonically equivalent but spelled with other bytes (`café`
    /// precomposed, or `e` and a combining accent) are two ids, as `get` and the index see them:
    /// neither in one batch nor across batches is one a duplicate of the other.
    func testCanonicallyEquivalentIDsAreDifferentIDs() throws {
        let writer = try open()
        let composed = "caf\u{E9}-\(UUID().uuidString)", decomposed = composed.replacingOccurrences(of: "\u{E9}", with: "e\u{301}")
        XCTAssertEqual(composed, decomposed, "Swift's == holds them equal")
        XCTAssertNotEqual(Array(composed.utf8), Array(decomposed.utf8))
        let first = try writer.appendAndWait([Fixtures.staged(Fixtures.recordText(1, id: composed)),
                                              Fixtures.staged(Fixtures.recordText(2, id: decomposed))])
        guard case .accepted = first[0], case .accepted = first[1] else { return XCTFail("\(first)") }
        let again = try writer.appendAndWait([Fixtures.staged(Fixtures.recordText(3, id: decomposed))])
        guard case .duplicate = again[0] else { return XCTFail("the same bytes again are a duplicate: \(again)") }
        writer.close()
    }

    /// Campaign 12: a store whose `keys/signing.key` is gone does not make a new one (which would
    /// sign on without continuing the chain of keys, and which verify would trust).
    func testALostSigningKeyIsNotReplacedSilently() throws {
        let dir = TemporaryDirectory()
        let config = StoreConfiguration(dataDirectory: dir.path)
        let first = try LogStore(configuration: config)
        _ = try first.writer(for: "eu-test").appendAndWait([Fixtures.staged(0)])
        first.close()
        try FileManager.default.removeItem(atPath: "\(KeyStore.directory(dir.path))/signing.key")
        XCTAssertThrowsError(try LogStore(configuration: config)) { error in
            XCTAssertTrue("\(error)".contains("signing.key is missing"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(KeyStore.directory(dir.path))/signing.key"))
        XCTAssertEqual(try KeyStore.publicKeys(dataDirectory: dir.path).count, 1, "no new public key")
    }

    /// After `key rotate`, the replaced key signs nothing more in a region the new key has signed:
    /// a checkpoint by the old key after the new key's first is refused by the writer and reported
    /// by verify as `signing_key_mismatch` (the two share `KeyStore.continuityProblem`).
    func testAnOldKeyUsedAfterTheRotationIsReportedAndRefused() throws {
        let dir = TemporaryDirectory()
        let config = StoreConfiguration(dataDirectory: dir.path)
        let first = try LogStore(configuration: config)
        let oldKey = first.signingKey
        _ = try first.writer(for: "eu-test").appendAndWait([Fixtures.staged(0)])
        first.close()
        _ = try KeyStore.rotate(dataDirectory: dir.path)
        let second = try LogStore(configuration: config)
        XCTAssertTrue(second.openAll().isEmpty)
        second.close()
        let layout = LogStoreLayout(configuration: config)
        let keyring = VerifierKeyring(try KeyStore.publicKeys(dataDirectory: dir.path))
        XCTAssertTrue(try layout.verifier(for: "eu-test", keyring: keyring).verify().isIntact)
        let logPath = "\(config.regionDirectory("eu-test"))/checkpoints.log"
        let log = try Fixtures.read(logPath)
        let newest = try XCTUnwrap(CheckpointLog.parse(log).entries.last?.checkpoint)
        try Fixtures.write(logPath, log + CheckpointLog.encode(try newest.checkpoint.signed(with: oldKey)))
        let report = try layout.verifier(for: "eu-test", keyring: keyring).verify()
        XCTAssertEqual(report.breaks.map(\.kind), [.signingKeyMismatch], report.summary)
        XCTAssertTrue(report.breaks.first?.detail.contains("follows one signed by the store's key") == true, report.summary)
        let third = try LogStore(configuration: config)
        XCTAssertThrowsError(try third.writer(for: "eu-test")) { error in
            XCTAssertTrue("\(error)".contains("an old key used after the rotation"), "\(error)")
        }
        third.close()
    }

    /// The signing key's public key deleted from `keys/public/` is written again when the store
    /// opens, so what the key signs next still verifies.
    func testAMissingPublicKeyOfTheSigningKeyIsWrittenAgain() throws {
        let dir = TemporaryDirectory()
        let config = StoreConfiguration(dataDirectory: dir.path)
        let first = try LogStore(configuration: config)
        let key = first.signingKey
        _ = try first.writer(for: "eu-test").appendAndWait([Fixtures.staged(0)])
        first.close()
        let publicDirectory = "\(KeyStore.directory(dir.path))/public"
        try FileManager.default.removeItem(atPath: publicDirectory)
        let second = try LogStore(configuration: config)
        _ = try second.writer(for: "eu-test").appendAndWait([Fixtures.staged(1)])
        second.close()
        XCTAssertEqual(try KeyStore.publicKeys(dataDirectory: dir.path).map(\.encoded), [key.verifier.encoded])
        var verifier = RegionVerifier(region: "eu-test", directory: config.regionDirectory("eu-test"),
                                      keyring: VerifierKeyring(try KeyStore.publicKeys(dataDirectory: dir.path)))
        verifier.externalCheckpoints = []
        let report = try verifier.verify()
        XCTAssertTrue(report.isIntact, report.summary)
    }

    /// A region the store created is never started again as a new chain when its directory is
    /// gone (deleted, or a disk that is not mounted): the writer refuses, verify reports it, and
    /// once the directory is back everything is as before.
    func testARegionWhoseDirectoryIsGoneIsNotStartedAgain() throws {
        let dir = config.regionDirectory("eu-test")
        XCTAssertNotNil(RegionRegistry.entry("eu-test", dataDirectory: config.dataDirectory))
        // The temporary file of a registration interrupted by a kill is not a region (the crash
        // test found one reported as a missing region named `crash-b.tmp.…`).
        try Fixtures.write("\(RegionRegistry.directory(config.dataDirectory))/eu-test.json.tmp.123.4", Array("{".utf8))
        XCTAssertEqual(RegionRegistry.regions(dataDirectory: config.dataDirectory), ["eu-test"])
        let away = tmp.path + "/away"
        XCTAssertEqual(rename(dir, away), 0)
        XCTAssertThrowsError(try open()) { error in
            guard case StoreError.regionMissing(let region, let detail)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(region, "eu-test")
            XCTAssertTrue(detail.contains("not mounted"), detail)
        }
        XCTAssertFalse(FileIO.exists(dir), "a refused open must not create the directory")
        let layout = LogStoreLayout(configuration: config)
        XCTAssertTrue(layout.regionsToVerify().contains("eu-test"))
        let report = try layout.verifier(for: "eu-test", keyring: Fixtures.trusted).verify()
        XCTAssertEqual(report.breaks.map(\.kind), [.recordMissing], report.summary)

        // A directory holding only an empty checkpoint log is not the region either.
        try FileIO.makeDirectories(dir)
        try Fixtures.write("\(dir)/checkpoints.log", [])
        XCTAssertThrowsError(try open())
        XCTAssertEqual(try layout.verifier(for: "eu-test", keyring: Fixtures.trusted).verify().breaks.map(\.kind), [.recordMissing])
        try FileManager.default.removeItem(atPath: dir)

        XCTAssertEqual(rename(away, dir), 0)
        XCTAssertTrue(try Fixtures.verify(config).isIntact)
        let writer = try open()
        XCTAssertEqual(writer.status.treeSize, status.treeSize)
        writer.close()
    }

    /// A FIFO where a segment belongs is refused at once (opening it for reading blocked until a
    /// writer appeared: verify, ingest and serve hung).
    func testAFIFOInPlaceOfASegmentIsRefusedNotWaitedFor() throws {
        let fifo = Fixtures.segmentPath(config, UInt64(status.segmentCount) + 1)
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try FileIO.open(fifo, flags: O_RDONLY)) { error in
            XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
        }
        XCTAssertThrowsError(try open())
        // verify reports it as damage at that file (and checks the rest) instead of hanging.
        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.breaks.contains { $0.kind == .contentModified && $0.detail.contains("is a FIFO, not a segment file") }, report.summary)
    }
}
