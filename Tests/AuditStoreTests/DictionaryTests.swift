import XCTest
import Foundation
import AuditFormat
import AuditStore
import GatelogCrypto
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// Per-region zstd dictionaries (docs/FORMAT.md §5.4): trained off the writer thread, durable
/// before any frame uses them, found again on reopen, needed by every reader, and reported by
/// verify when missing or altered.
final class DictionaryTests: XCTestCase {
    var tmp: TemporaryDirectory!
    var config: StoreConfiguration!
    let region = "eu-test"
    let firstID = ZstdDictionary.privateIDs.lowerBound

    override func setUp() {
        tmp = TemporaryDirectory()
        config = Fixtures.configuration(tmp.path, segmentMaxBytes: 48 << 10, frameTargetBytes: 4096)
        // About 40 test records (~0.8 KB each) of samples; a small dictionary.
        config.dictionaryTrainingBytes = 32 << 10
        config.dictionaryMaxBytes = 8 << 10
    }

    override func tearDown() { tmp = nil }

    var regionDirectory: String { config.regionDirectory(region) }
    func dictionaryPath(_ id: UInt32) -> String { RegionDictionaries.path(regionDirectory: regionDirectory, id: id) }

    func open(_ c: StoreConfiguration? = nil) throws -> RegionWriter {
        try RegionWriter.open(region: region, configuration: c ?? config, signingKey: Fixtures.storeKey)
    }

    func append(_ writer: RegionWriter, _ range: Range<Int>, batch: Int = 8) throws {
        var i = range.lowerBound
        while i < range.upperBound {
            let n = min(batch, range.upperBound - i)
            for o in try writer.appendAndWait((i..<(i + n)).map { Fixtures.staged($0) }) {
                guard case .accepted = o else { return XCTFail("record not accepted: \(o)") }
            }
            i += n
        }
    }

    /// Waits (without writing) until the writer compresses new frames with a dictionary.
    func waitForDictionary(_ writer: RegionWriter, timeout: TimeInterval = 30) throws -> UInt32 {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let s = writer.status
            if let id = s.dictionaryID { return id }
            if let problem = s.dictionaryProblem { XCTFail(problem); break }
            usleep(5_000)
        }
        throw StoreError.integrity(region: region, detail: "no dictionary after \(timeout) s")
    }

    /// Writes records 0..<60 (enough samples to train), waits for the dictionary, writes
    /// 60..<count with it, and closes. Returns the dictionary's ID.
    @discardableResult
    func writeStoreUsingDictionary(count: Int = 160) throws -> UInt32 {
        let writer = try open()
        defer { writer.close() }
        try append(writer, 0..<60)
        let id = try waitForDictionary(writer)
        try append(writer, 60..<count)
        return id
    }

    /// Every frame of the region, as its segment number, offset, header and bytes.
    func frames() throws -> [(segment: UInt64, offset: UInt64, header: FrameHeader, bytes: [UInt8])] {
        var out: [(UInt64, UInt64, FrameHeader, [UInt8])] = []
        for n in try SegmentScanner.segmentNumbers(regionDirectory: regionDirectory) {
            let file = try Fixtures.read(Fixtures.segmentPath(config, n, region: region))
            for f in try Fixtures.scan(config, n, region: region).frames {
                out.append((n, f.offset, f.header, Array(file[Int(f.offset)..<(Int(f.offset) + f.header.totalSize)])))
            }
        }
        return out
    }

    /// The dictionary named by each frame (0 = none); both blocks of a frame must agree.
    func frameDictionaryIDs() throws -> [UInt32] {
        try frames().map { f in
            let ids = f.bytes.withUnsafeBytes { FrameCodec.dictionaryIDs($0, header: f.header) }
            XCTAssertEqual(ids.envelopes, ids.contents, "both blocks of a frame use the same dictionary")
            return ids.envelopes
        }
    }

    /// Reads every record back through a fresh RegionReader and compares it byte for byte with
    /// what was appended (test record `position`).
    func assertEveryRecordReadsBack(count: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let reader = RegionReader(region: region, directory: regionDirectory, cacheBytes: 1 << 20)
        var seen = 0
        for f in try frames() {
            for k in 0..<f.header.recordCount {
                let record = try reader.read(RecordLocation(segment: f.segment, frameOffset: f.offset, indexInFrame: k))
                let expected = Fixtures.staged(Int(record.position)).prepared
                XCTAssertEqual(record.envelope, expected.envelope, "envelope \(record.position)", file: file, line: line)
                XCTAssertEqual(record.content, expected.content, "content \(record.position)", file: file, line: line)
                XCTAssertEqual(record.position, UInt64(seen), file: file, line: line)
                seen += 1
            }
        }
        XCTAssertEqual(seen, count, file: file, line: line)
    }

    func assertIntact(records: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let report = try Fixtures.verify(config, region: region)
        XCTAssertTrue(report.isIntact, report.summary, file: file, line: line)
        XCTAssertEqual(report.records, UInt64(records), file: file, line: line)
    }

    // MARK: Writing, reading, reopening

    func testTrainedDictionaryIsStoredAndUsedAndRecordsReadBackAfterReopen() throws {
        let id = try writeStoreUsingDictionary()
        XCTAssertEqual(id, firstID)
        XCTAssertEqual(try RegionDictionaries.ids(regionDirectory: regionDirectory), [id])
        let stored = try Fixtures.read(dictionaryPath(id))
        XCTAssertEqual(ZstdDictionary.id(of: stored), id)
        XCTAssertLessThanOrEqual(stored.count, config.dictionaryMaxBytes)
        XCTAssertEqual(try FileIO.list(RegionDictionaries.directory(regionDirectory: regionDirectory)), [DictionaryNaming.fileName(id)])

        var ids = try frameDictionaryIDs()
        XCTAssertEqual(ids.first, 0, "the first frames are written before a dictionary exists")
        XCTAssertEqual(ids.last, id)
        XCTAssertEqual(Set(ids), [0, id])
        // Once a frame uses the dictionary, every later one does.
        let firstWith = try XCTUnwrap(ids.firstIndex(of: id))
        XCTAssertTrue(ids[firstWith...].allSatisfy { $0 == id })

        // Reopen: the dictionary is found again and used for new frames at once.
        let writer = try open()
        XCTAssertEqual(writer.status.dictionaryID, id)
        try append(writer, 160..<180)
        writer.close()
        ids = try frameDictionaryIDs()
        XCTAssertEqual(ids.last, id)
        XCTAssertEqual(try RegionDictionaries.ids(regionDirectory: regionDirectory), [id], "no second dictionary is trained")

        try assertEveryRecordReadsBack(count: 180)
        try assertIntact(records: 180)
        let layout = try LogStoreLayout(configuration: config).summary(region: region)
        XCTAssertEqual(layout.dictionaries, 1)
    }

    func testDictionaryCompressionIsSmallerForTheSameRecords() throws {
        let withDictionary = try writeStoreUsingDictionary()
        let frames = try frames().filter { f in f.bytes.withUnsafeBytes { FrameCodec.dictionaryIDs($0, header: f.header).envelopes } == withDictionary }
        XCTAssertGreaterThan(frames.count, 10)
        // The same records compressed without the dictionary take more bytes.
        let compressor = ZstdCompressor(level: config.compressionLevel)
        let decompressor = ZstdDecompressor()
        let dictionaries = RegionDictionaries(regionDirectory: regionDirectory)
        var withBytes = 0, withoutBytes = 0
        for f in frames {
            let contents = try XCTUnwrap(try f.bytes.withUnsafeBytes {
                try FrameCodec.contents($0, header: f.header, decompressor: decompressor, dictionaries: dictionaries.decompressionDictionary)
            })
            var plain: [UInt8] = []
            withoutBytes += try contents.withUnsafeBytes { try compressor.compress($0, appendingTo: &plain) }
            withBytes += Int(f.header.contentsStoredLength)
        }
        XCTAssertLessThan(withBytes, withoutBytes)
    }

    /// docs/FORMAT.md says an independent verifier decompresses a block with
    /// `zstd -d -D regions/R/dictionaries/N.zdict`: check it with the real zstd tool.
    func testZstdCommandLineDecompressesABlockWithTheDictionaryFile() throws {
        guard let zstd = ["/usr/bin/zstd", "/usr/local/bin/zstd", "/bin/zstd"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("the zstd command-line tool is not installed")
        }
        let id = try writeStoreUsingDictionary()
        let f = try XCTUnwrap(try frames().last)
        let start = f.header.envelopeBlockOffset
        let block = Array(f.bytes[start..<(start + Int(f.header.envelopesStoredLength))])
        let blockPath = tmp.path + "/block.zst"
        try Fixtures.write(blockPath, block)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zstd)
        process.arguments = ["-d", "-q", "-c", "-D", dictionaryPath(id), blockPath]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let expected = (0..<f.header.recordCount).flatMap { Fixtures.staged(Int(f.header.firstPosition) + $0).prepared.envelope }
        XCTAssertEqual(Array(output), expected)
        // Without the dictionary zstd refuses the block.
        let refused = Process()
        refused.executableURL = URL(fileURLWithPath: zstd)
        refused.arguments = ["-d", "-q", "-c", blockPath]
        refused.standardOutput = FileHandle.nullDevice
        refused.standardError = FileHandle.nullDevice
        try refused.run()
        refused.waitUntilExit()
        XCTAssertNotEqual(refused.terminationStatus, 0)
    }

    func testFramesWithAndWithoutDictionariesStayReadableWhenDictionariesAreTurnedOff() throws {
        let id = try writeStoreUsingDictionary()
        var off = config!
        off.dictionaryTrainingBytes = 0
        let writer = try open(off)
        XCTAssertNil(writer.status.dictionaryID)
        try append(writer, 160..<200)
        writer.close()
        let ids = try frameDictionaryIDs()
        XCTAssertEqual(ids.last, 0, "with dictionaries off new frames use none")
        XCTAssertTrue(ids.contains(id))
        try assertEveryRecordReadsBack(count: 200)
        try assertIntact(records: 200)
        // Turned on again: the stored dictionary is used, none is trained.
        let again = try open()
        XCTAssertEqual(again.status.dictionaryID, id)
        again.close()
    }

    func testTheNewestDictionaryIsUsedForNewFrames() throws {
        let id = try writeStoreUsingDictionary()
        let newer = id + 1
        let bytes = try trainDictionary(id: newer)
        try RegionDictionaries.persist(bytes, id: newer, regionDirectory: regionDirectory)
        let writer = try open()
        XCTAssertEqual(writer.status.dictionaryID, newer)
        try append(writer, 160..<190)
        writer.close()
        let ids = try frameDictionaryIDs()
        XCTAssertEqual(Set(ids), [0, id, newer])
        XCTAssertEqual(ids.last, newer)
        try assertEveryRecordReadsBack(count: 190)
        try assertIntact(records: 190)
    }

    /// A dictionary trained from test records, as the writer's trainer does.
    func trainDictionary(id: UInt32, from range: Range<Int> = 1000..<1060) throws -> [UInt8] {
        var samples: [UInt8] = [], sizes: [Int] = []
        for i in range {
            let p = Fixtures.staged(i).prepared
            for part in [p.envelope, p.content] { samples += part; sizes.append(part.count) }
        }
        return try ZstdDictionary.train(samples: samples, sampleSizes: sizes, capacity: config.dictionaryMaxBytes, id: id,
                                        level: config.compressionLevel)
    }

    // MARK: Missing and altered dictionaries

    func testMissingDictionaryIsOneVerifyBreakAndTheWriterRefusesToOpen() throws {
        let id = try writeStoreUsingDictionary()
        let saved = try Fixtures.read(dictionaryPath(id))
        let usingFrames = try frameDictionaryIDs().filter { $0 == id }.count
        XCTAssertEqual(unlink(dictionaryPath(id)), 0)

        let report = try Fixtures.verify(config, region: region)
        XCTAssertFalse(report.isIntact)
        XCTAssertEqual(report.breaks.count, 1, report.summary)
        let b = try XCTUnwrap(report.breaks.first)
        XCTAssertEqual(b.kind, .contentModified)
        XCTAssertTrue(b.detail.hasPrefix("dictionary \(id) missing/unreadable"), b.detail)
        XCTAssertTrue(b.detail.contains("\(usingFrames) frame(s)"), b.detail)
        XCTAssertNotNil(b.segment)
        XCTAssertNotNil(b.position)
        // The chain, footers and checkpoints still verify from the frame directories.
        XCTAssertEqual(report.records, 160)
        XCTAssertGreaterThan(report.checkpointsVerified, 0)

        // Reading a record of such a frame fails cleanly.
        let f = try XCTUnwrap(try frames().last)
        let reader = RegionReader(region: region, directory: regionDirectory)
        XCTAssertThrowsError(try reader.read(RecordLocation(segment: f.segment, frameOffset: f.offset, indexInFrame: 0))) { error in
            XCTAssertTrue("\(error)".contains("dictionary \(id) missing/unreadable"), "\(error)")
        }

        // The writer refuses the region, and says why.
        XCTAssertThrowsError(try open()) { error in
            guard case StoreError.integrity(_, let detail) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("dictionary \(id) missing/unreadable"), detail)
        }
        // Put back, everything is fine again.
        try RegionDictionaries.persist(saved, id: id, regionDirectory: regionDirectory)
        try assertIntact(records: 160)
        try open().close()
    }

    func testDeletedDictionaryDirectoryIsReportedToo() throws {
        let id = try writeStoreUsingDictionary()
        try FileManager.default.removeItem(atPath: RegionDictionaries.directory(regionDirectory: regionDirectory))
        let report = try Fixtures.verify(config, region: region)
        XCTAssertEqual(report.breaks.map(\.kind), [.contentModified], report.summary)
        XCTAssertTrue(report.breaks[0].detail.hasPrefix("dictionary \(id) missing/unreadable"), report.summary)
        XCTAssertThrowsError(try open())
    }

    func testAlteredDictionaryContentIsReportedAsModifiedContent() throws {
        let id = try writeStoreUsingDictionary()
        var bytes = try Fixtures.read(dictionaryPath(id))
        // Flip bytes in the dictionary's content (its end, the part frames refer to most).
        for k in stride(from: bytes.count - 1, to: bytes.count - 2000, by: -97) { bytes[k] ^= 0x20 }
        try Fixtures.write(dictionaryPath(id), bytes)
        let report = try Fixtures.verify(config, region: region)
        XCTAssertFalse(report.isIntact)
        XCTAssertTrue(report.breaks.allSatisfy { $0.kind == .contentModified }, report.summary)
        XCTAssertTrue(report.breaks.contains { $0.detail.contains("do not match their digest") || $0.detail.contains("cannot be decompressed") },
                      report.summary)
        // The writer does not go on compressing new frames with it (they would read back as other bytes).
        XCTAssertThrowsError(try open()) { error in
            guard case StoreError.integrity(_, let detail) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("dictionary \(id) does not decompress"), detail)
        }
    }

    func testDictionaryFileHoldingAnotherIDIsUnreadable() throws {
        let id = try writeStoreUsingDictionary()
        var bytes = try Fixtures.read(dictionaryPath(id))
        bytes[4] ^= 0x01 // Dictionary_ID, little-endian, after the 4-byte magic.
        try Fixtures.write(dictionaryPath(id), bytes)
        let report = try Fixtures.verify(config, region: region)
        XCTAssertEqual(report.breaks.count, 1, report.summary)
        XCTAssertTrue(report.breaks[0].detail.hasPrefix("dictionary \(id) missing/unreadable"), report.summary)
        XCTAssertTrue(report.breaks[0].detail.contains("holds dictionary \(id ^ 1)"), report.summary)
        XCTAssertThrowsError(try open())
    }

    func testGarbageDictionaryFileDoesNotCrashAnyReader() throws {
        let id = try writeStoreUsingDictionary()
        var rng = SeededGenerator(seed: 11)
        let original = try Fixtures.read(dictionaryPath(id))
        // Keep the magic and ID so zstd tries to load it; randomise everything after.
        let garbage = Array(original[0..<8]) + (8..<original.count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try Fixtures.write(dictionaryPath(id), garbage)
        let report = try Fixtures.verify(config, region: region)
        XCTAssertFalse(report.isIntact)
        XCTAssertTrue(report.breaks.allSatisfy { $0.kind == .contentModified }, report.summary)
        let f = try XCTUnwrap(try frames().last)
        XCTAssertThrowsError(try RegionReader(region: region, directory: regionDirectory)
            .read(RecordLocation(segment: f.segment, frameOffset: f.offset, indexInFrame: 0)))
    }

    // MARK: Crashes between training and first use

    /// Killed while writing the temporary file: only `N.zdict.tmp` exists, no frame uses it.
    func testInterruptedDictionaryWriteLeavesAConsistentStore() throws {
        var off = config!
        off.dictionaryTrainingBytes = 0
        try Fixtures.writeStore(off, region: region, count: 40)
        let dir = RegionDictionaries.directory(regionDirectory: regionDirectory)
        try FileIO.makeDirectories(dir)
        let bytes = try trainDictionary(id: firstID)
        try Fixtures.write("\(dir)/\(DictionaryNaming.fileName(firstID)).tmp", Array(bytes.prefix(bytes.count / 2)))
        try assertIntact(records: 40)

        let writer = try open()
        XCTAssertNil(writer.status.dictionaryID)
        XCTAssertEqual(try FileIO.list(dir), [], "the unfinished temporary file is removed on open")
        try append(writer, 40..<100)
        let id = try waitForDictionary(writer)
        try append(writer, 100..<140)
        writer.close()
        XCTAssertEqual(id, firstID)
        XCTAssertEqual(try frameDictionaryIDs().last, id)
        try assertEveryRecordReadsBack(count: 140)
        try assertIntact(records: 140)
    }

    /// Killed after the dictionary became durable but before any frame used it.
    func testDurableButUnusedDictionaryIsUsedAfterReopen() throws {
        var off = config!
        off.dictionaryTrainingBytes = 0
        try Fixtures.writeStore(off, region: region, count: 40)
        try RegionDictionaries.persist(try trainDictionary(id: firstID), id: firstID, regionDirectory: regionDirectory)
        try assertIntact(records: 40)
        XCTAssertEqual(try frameDictionaryIDs().filter { $0 != 0 }, [])

        let writer = try open()
        XCTAssertEqual(writer.status.dictionaryID, firstID)
        try append(writer, 40..<70)
        writer.close()
        let ids = try frameDictionaryIDs()
        XCTAssertEqual(ids.last, firstID)
        XCTAssertEqual(Set(ids), [0, firstID])
        try assertEveryRecordReadsBack(count: 70)
        try assertIntact(records: 70)
    }

    /// Campaign 12, item 10: a stray copy of the dictionary under the next number (its file holds
    /// another ID) is named by no frame: the writer passes over it instead of refusing the region,
    /// and verify notes the same file (intact). A dictionary frames name is still checked.
    func testAStrayDictionaryFileNoFrameNamesDoesNotBlockTheWriter() throws {
        let id = try writeStoreUsingDictionary()
        try Fixtures.write(dictionaryPath(id + 1), try Fixtures.read(dictionaryPath(id)))
        let report = try Fixtures.verify(config, region: region)
        XCTAssertTrue(report.isIntact, report.summary)
        XCTAssertTrue(report.warnings.contains { $0.hasPrefix("dictionary \(id + 1) missing/unreadable") && $0.contains("no frame names it") },
                      report.summary)
        let writer = try open()
        XCTAssertEqual(writer.status.dictionaryID, id, "new frames keep using the dictionary the frames name")
        try append(writer, 160..<200)
        writer.close()
        XCTAssertEqual(Set(try frameDictionaryIDs()).subtracting([0]), [id])
        try assertEveryRecordReadsBack(count: 200)
        try assertIntact(records: 200)
        // The dictionary the frames name, damaged, still stops the writer (and is a break).
        try Fixtures.write(dictionaryPath(id), Array(try Fixtures.read(dictionaryPath(id)).prefix(100)))
        XCTAssertFalse(try Fixtures.verify(config, region: region).isIntact)
        XCTAssertThrowsError(try open())
    }

    /// Campaign 12, item 10: the writer's own dictionary, durable but damaged before any frame
    /// used it, holds nothing a record needs: the writer trains another one, numbered above it
    /// (an ID is never used twice), and verify notes the damaged file.
    func testAnUnusedDictionaryDamagedBeforeFirstUseIsPassedOver() throws {
        var off = config!
        off.dictionaryTrainingBytes = 0
        try Fixtures.writeStore(off, region: region, count: 40)
        let bytes = try trainDictionary(id: firstID)
        // Cut inside its entropy tables: zstd cannot load it.
        try RegionDictionaries.persist(Array(bytes.prefix(12)), id: firstID, regionDirectory: regionDirectory)
        let before = try Fixtures.verify(config, region: region)
        XCTAssertTrue(before.isIntact, before.summary)
        XCTAssertTrue(before.warnings.contains { $0.hasPrefix("dictionary \(firstID) missing/unreadable") }, before.summary)
        let writer = try open()
        XCTAssertNil(writer.status.dictionaryID)
        try append(writer, 40..<100)
        let id = try waitForDictionary(writer)
        try append(writer, 100..<140)
        writer.close()
        XCTAssertEqual(id, firstID + 1)
        XCTAssertEqual(try frameDictionaryIDs().last, id)
        try assertEveryRecordReadsBack(count: 140)
        try assertIntact(records: 140)
    }

    /// Closed while the trainer runs: nothing is left half-written and nothing is written after
    /// the writer let go of the region.
    func testClosingWhileTrainingLeavesNoPartialDictionary() throws {
        for round in 0..<3 {
            let dir = tmp.path + "/round\(round)"
            var c = config!
            c.dataDirectory = dir
            let writer = try RegionWriter.open(region: region, configuration: c, signingKey: Fixtures.storeKey)
            // One append with enough samples starts the trainer; close at once.
            _ = try writer.appendAndWait((0..<60).map { Fixtures.staged($0) })
            writer.close()
            let regionDir = c.regionDirectory(region)
            let names = (try? FileIO.list(RegionDictionaries.directory(regionDirectory: regionDir))) ?? []
            XCTAssertTrue(names.allSatisfy { !$0.contains(".tmp") }, "\(names)")
            for id in try RegionDictionaries.ids(regionDirectory: regionDir) {
                XCTAssertEqual(ZstdDictionary.id(of: try Fixtures.read(RegionDictionaries.path(regionDirectory: regionDir, id: id))), id)
            }
            // Reopens and verifies.
            let again = try RegionWriter.open(region: region, configuration: c, signingKey: Fixtures.storeKey)
            try append(again, 60..<70)
            again.close()
            var v = RegionVerifier(region: region, directory: regionDir, keyring: Fixtures.trusted)
            v.maxBreaks = 10
            let report = try v.verify()
            XCTAssertTrue(report.isIntact, report.summary)
            XCTAssertEqual(report.records, 70)
        }
    }

    // MARK: The zstd wrapper and configuration

    func testZstdDictionaryRoundTripAndErrors() throws {
        let bytes = try trainDictionary(id: 40_000)
        XCTAssertEqual(ZstdDictionary.id(of: bytes), 40_000)
        XCTAssertNil(ZstdDictionary.id(of: Array("not a dictionary at all".utf8)))
        let cdict = try ZstdCompressionDictionary(bytes: bytes, level: 3)
        let ddict = try ZstdDecompressionDictionary(bytes: bytes)
        XCTAssertEqual(cdict.id, 40_000)
        XCTAssertEqual(ddict.id, 40_000)
        let input = Fixtures.staged(5000).prepared.content
        let compressor = ZstdCompressor()
        var framed: [UInt8] = [], plain: [UInt8] = []
        _ = try input.withUnsafeBytes { try compressor.compress($0, appendingTo: &framed, dictionary: cdict) }
        _ = try input.withUnsafeBytes { try compressor.compress($0, appendingTo: &plain) }
        XCTAssertLessThan(framed.count, plain.count)
        XCTAssertEqual(framed.withUnsafeBytes { ZstdDictionary.frameDictionaryID($0) }, 40_000)
        XCTAssertEqual(plain.withUnsafeBytes { ZstdDictionary.frameDictionaryID($0) }, 0)

        let decompressor = ZstdDecompressor()
        XCTAssertEqual(try framed.withUnsafeBytes { try decompressor.decompress($0, expectedSize: input.count, dictionaries: { $0 == 40_000 ? ddict : nil }) },
                       input)
        // Plain frames still decompress with or without a dictionary lookup.
        XCTAssertEqual(try plain.withUnsafeBytes { try decompressor.decompress($0, expectedSize: input.count) }, input)
        do {
            _ = try framed.withUnsafeBytes { try decompressor.decompress($0, expectedSize: input.count) }
            XCTFail("decompressed without its dictionary")
        } catch {
            let e = try XCTUnwrap(error as? ZstdError)
            XCTAssertTrue(e.isDictionaryMissing)
            XCTAssertEqual(e.dictionaryID, 40_000)
            XCTAssertEqual(e.description, "zstd: dictionary 40000 missing/unreadable")
        }
        // A dictionary with another ID is not used in its place.
        let other = try ZstdDecompressionDictionary(bytes: try trainDictionary(id: 40_001))
        XCTAssertThrowsError(try framed.withUnsafeBytes { try decompressor.decompress($0, expectedSize: input.count, dictionaries: { _ in other }) })
        // The wrong expected size is an error, never a short or long result.
        XCTAssertThrowsError(try framed.withUnsafeBytes { try decompressor.decompress($0, expectedSize: input.count - 1, dictionaries: { _ in ddict }) })
        // The same compressor goes back to plain frames after a dictionary frame.
        var again: [UInt8] = []
        _ = try input.withUnsafeBytes { try compressor.compress($0, appendingTo: &again) }
        XCTAssertEqual(again, plain)
    }

    /// The compressor keeps its dictionary referenced between frames and resets only the session:
    /// frames made in any order of dictionaries (A, A, none, B, A) are each what a fresh context
    /// makes, name their own dictionary and decompress to their input.
    func testCompressorReusedAcrossDictionariesMakesIndependentFrames() throws {
        let a = try trainDictionary(id: 40_010), b = try trainDictionary(id: 40_011, from: 2000..<2060)
        let ca = try ZstdCompressionDictionary(bytes: a, level: 3), cb = try ZstdCompressionDictionary(bytes: b, level: 3)
        let da = try ZstdDecompressionDictionary(bytes: a), db = try ZstdDecompressionDictionary(bytes: b)
        let inputs = (0..<5).map { Fixtures.staged(6000 + $0).prepared.content }
        let plan: [ZstdCompressionDictionary?] = [ca, ca, nil, cb, ca]
        let reused = ZstdCompressor()
        let decompressor = ZstdDecompressor()
        for (input, dictionary) in zip(inputs, plan) {
            var frame: [UInt8] = [], fresh: [UInt8] = []
            _ = try input.withUnsafeBytes { try reused.compress($0, appendingTo: &frame, dictionary: dictionary) }
            _ = try input.withUnsafeBytes { try ZstdCompressor().compress($0, appendingTo: &fresh, dictionary: dictionary) }
            XCTAssertEqual(frame, fresh, "frame with dictionary \(dictionary?.id ?? 0)")
            XCTAssertEqual(frame.withUnsafeBytes { ZstdDictionary.frameDictionaryID($0) }, dictionary?.id ?? 0)
            let back = try frame.withUnsafeBytes {
                try decompressor.decompress($0, expectedSize: input.count, dictionaries: { [40_010: da, 40_011: db][$0] })
            }
            XCTAssertEqual(back, input)
        }
    }

    func testTrainingRefusesTooFewSamples() {
        XCTAssertThrowsError(try ZstdDictionary.train(samples: Array(repeating: 0x61, count: 64), sampleSizes: [32, 32], capacity: 4096,
                                                      id: 40_000, level: 3))
    }

    /// When the dictionary cannot be stored, the writer says so in its status and goes on
    /// writing frames without one.
    func testWriterGoesOnWithoutADictionaryWhenItCannotBeStored() throws {
        let writer = try open()
        // A plain file where the dictionaries directory would go.
        try Fixtures.write(RegionDictionaries.directory(regionDirectory: regionDirectory), Array("not a directory".utf8))
        try append(writer, 0..<60)
        let deadline = Date().addingTimeInterval(30)
        while writer.status.dictionaryProblem == nil && Date() < deadline { usleep(5_000) }
        let problem = try XCTUnwrap(writer.status.dictionaryProblem)
        XCTAssertTrue(problem.hasPrefix("storing dictionary \(firstID)"), problem)
        XCTAssertNil(writer.status.dictionaryID)
        try append(writer, 60..<100)
        writer.close()
        try FileManager.default.removeItem(atPath: RegionDictionaries.directory(regionDirectory: regionDirectory))
        XCTAssertEqual(Set(try frameDictionaryIDs()), [0])
        try assertEveryRecordReadsBack(count: 100)
        try assertIntact(records: 100)
    }

    func testDictionaryNaming() {
        XCTAssertEqual(DictionaryNaming.fileName(32_768), "0000032768.zdict")
        XCTAssertEqual(DictionaryNaming.fileName(0x7FFF_FFFF), "2147483647.zdict")
        XCTAssertEqual(DictionaryNaming.id(fromFileName: "0000032768.zdict"), 32_768)
        XCTAssertNil(DictionaryNaming.id(fromFileName: "0000032768.zdict.tmp"))
        XCTAssertNil(DictionaryNaming.id(fromFileName: "32768.zdict"))
        XCTAssertNil(DictionaryNaming.id(fromFileName: "+000032768.zdict"))
        XCTAssertNil(DictionaryNaming.id(fromFileName: "9999999999.zdict"))
    }

    func testConfigurationFileSetsDictionaryOptions() throws {
        try FileIO.makeDirectories(tmp.path)
        try Fixtures.write(tmp.path + "/gatelog.json", Array(#"{"dictionary_training_bytes":0,"dictionary_max_bytes":65536}"#.utf8))
        var c = StoreConfiguration(dataDirectory: tmp.path)
        try c.loadConfigFile()
        XCTAssertEqual(c.dictionaryTrainingBytes, 0)
        XCTAssertEqual(c.dictionaryMaxBytes, 65536)
        for bad in [#"{"dictionary_training_bytes":100}"#, #"{"dictionary_max_bytes":10}"#, #"{"dictionary_training_bytes":"4MiB"}"#] {
            try Fixtures.write(tmp.path + "/gatelog.json", Array(bad.utf8))
            var d = StoreConfiguration(dataDirectory: tmp.path)
            XCTAssertThrowsError(try d.loadConfigFile(), bad)
        }
    }

    func testConfigurationFileSetsReadCacheAndIDFilterMemory() throws {
        try FileIO.makeDirectories(tmp.path)
        var defaults = StoreConfiguration(dataDirectory: tmp.path)
        try defaults.loadConfigFile()
        XCTAssertEqual(defaults.readCacheBytes, 256 << 20)
        XCTAssertEqual(defaults.indexIDFilterMiB, 256)
        XCTAssertEqual(defaults.limits.maxRecordsPerRequest, 100_000)
        try Fixtures.write(tmp.path + "/gatelog.json", Array(#"{"read_cache_mib":64,"index_id_filter_mib":0,"max_records_per_request":500}"#.utf8))
        var c = StoreConfiguration(dataDirectory: tmp.path)
        try c.loadConfigFile()
        XCTAssertEqual(c.readCacheBytes, 64 << 20)
        XCTAssertEqual(c.indexIDFilterMiB, 0)
        XCTAssertEqual(c.limits.maxRecordsPerRequest, 500)
        for bad in [#"{"index_id_filter_mib":-1}"#, #"{"index_id_filter_mib":"1GiB"}"#, #"{"read_cache_mib":100000}"#,
                    #"{"max_records_per_request":0}"#, #"{"max_record_bytes":1000}"#, #"{"max_record_bytes":4294967296}"#] {
            try Fixtures.write(tmp.path + "/gatelog.json", Array(bad.utf8))
            var d = StoreConfiguration(dataDirectory: tmp.path)
            XCTAssertThrowsError(try d.loadConfigFile(), bad)
        }
    }
}
