import Foundation
import AuditFormat
import GatelogCrypto
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// A region writer's state. Not Sendable: it lives in its `RegionWriter`'s mutex, used by the
/// writer thread or, for `appendOnCallingThread`, by one caller at a time.
final class WriterCore {
    let region: String
    let configuration: StoreConfiguration
    let key: LogSigningKey
    let onDurable: (@Sendable ([DurableRecord]) -> Void)?
    let directory: String
    let compressor: ZstdCompressor
    let decompressor = ZstdDecompressor()
    let dictionaries: RegionDictionaries
    /// Called from another thread when the writer thread has something to pick up (a trained dictionary).
    let wake: @Sendable () -> Void

    // Dictionaries (docs/FORMAT.md §5.4).
    /// The dictionary new frames are compressed with: the region's newest, once durable.
    var compressionDictionary: ZstdCompressionDictionary?
    /// Record parts gathered to train a dictionary while the region has none.
    var trainingSamples: [UInt8] = []
    var trainingSampleSizes: [Int] = []
    var isCollectingSamples = false
    var trainer: DictionaryTrainer?
    /// The ID the next trained dictionary gets: above every dictionary on disk or named by a
    /// frame, so an ID is never reused even when a dictionary file was lost.
    var nextDictionaryID = ZstdDictionary.privateIDs.lowerBound
    /// Per dictionary, the last frame (segment path and frame) compressed with it, found on open:
    /// the newest dictionary is checked against it before new frames use it.
    var dictionaryLastUse: [UInt32: (path: String, frame: ScannedFrame)] = [:]
    /// The keys frames after the newest checkpoint may be signed by, decided on open: this key, and
    /// its predecessor only while no checkpoint of the region is signed by this key yet.
    var tailKeys = VerifierKeyring()
    /// Why the last training produced no dictionary (the region goes on without one).
    var dictionaryProblem: String?

    // The log.
    var treeSize: UInt64 = 0
    var chainHead = Digest32.zero
    var frontier = MerkleFrontier()
    var rawBytes: UInt64 = 0
    var storedBytesInSealed: UInt64 = 0
    /// First position of each frame with its location, in order (for reading back by position).
    var frames: [(firstPosition: UInt64, segment: UInt64, offset: UInt64)] = []
    /// id hash → position of the first record with that hash.
    var idIndex: [UInt64: UInt64] = [:]
    /// Full ids of recent records, to confirm duplicates without reading the disk.
    var recentIDs: [UInt64: (id: String, position: UInt64)] = [:]
    var recentOrder: [UInt64] = []
    var recentCursor = 0
    static let recentCapacity = 65_536

    // The open segment.
    var segmentNumber: UInt64 = 0
    var segmentCount = 0
    var segmentFD: Int32 = -1
    var segmentPath = ""
    var segmentSize: UInt64 = 0
    var segmentCreated = Date()
    var segmentHasher = SHA256Hasher()
    var segmentFrameCount: UInt64 = 0
    var segmentRecordCount: UInt64 = 0

    // Checkpoints.
    var checkpointFD: Int32 = -1
    var checkpointPath: String
    var lastCheckpoint: SignedCheckpoint?
    var lastCheckpointAt = Date.distantPast
    /// The latest write's error while writes fail without stopping the writer (`RegionStatus.lastWriteError`).
    var lastWriteError: String?
    var failure: String? {
        didSet {
            // Said once, where the operator looks: this region takes no more writes until a restart.
            if oldValue == nil, let failure {
                FileHandle.standardError.write(Data("gatelog: region \(region): the writer stopped: \(failure); nothing acknowledged was lost; restart gatelog once the cause is fixed\n".utf8))
            }
        }
    }
    let lockFD: Int32
    /// fdatasyncs written groups while this thread prepares the next one.
    let syncer: SegmentSyncer

    init(region: String, configuration: StoreConfiguration, key: LogSigningKey,
         onDurable: (@Sendable ([DurableRecord]) -> Void)?, wake: @escaping @Sendable () -> Void = {}) throws {
        self.region = region
        self.configuration = configuration
        self.key = key
        self.onDurable = onDurable
        self.directory = configuration.regionDirectory(region)
        self.compressor = ZstdCompressor(level: configuration.compressionLevel)
        self.dictionaries = RegionDictionaries(regionDirectory: directory)
        self.wake = wake
        self.checkpointPath = "\(directory)/checkpoints.log"
        self.syncer = SegmentSyncer(region: region, onDurable: onDurable, fsyncObserver: configuration.fsyncObserver)
        // A region created before must find its files: never start it again as a new chain.
        if let problem = RegionRegistry.missingRegionProblem(region, regionDirectory: directory, dataDirectory: configuration.dataDirectory) {
            syncer.stop()
            throw StoreError.regionMissing(region: region, detail: problem)
        }
        do { try FileIO.makeDirectories("\(directory)/segments") } catch { throw StoreError.io(error) }
        lockFD = try WriterCore.lock(directory: directory, region: region)
        do {
            try recover()
            // Registered only once the region holds its files (recovery created its checkpoint log
            // and first segment): a crash before this leaves an unregistered, empty region, which
            // the next open simply creates again.
            if RegionRegistry.entry(region, dataDirectory: configuration.dataDirectory) == nil {
                do {
                    try RegionRegistry.register(region, regionDirectory: directory, dataDirectory: configuration.dataDirectory)
                } catch { throw StoreError.io(error) }
            }
        } catch {
            syncer.stop()
            close(lockFD)
            if segmentFD >= 0 { close(segmentFD) }
            if checkpointFD >= 0 { close(checkpointFD) }
            throw error
        }
    }

    /// Takes the region's writer lock (flock on `writer.lock`, holding our pid for messages).
    static func lock(directory: String, region: String) throws -> Int32 {
        let path = "\(directory)/writer.lock"
        let fd: Int32
        do { fd = try FileIO.open(path, flags: O_RDWR | O_CREAT, mode: 0o600) } catch { throw StoreError.io(error) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? FileIO.pread(fd, count: 64, offset: 0, path: path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            close(fd)
            let pid = holder.trimmingCharacters(in: .whitespacesAndNewlines)
            throw StoreError.regionLocked(region: region, holder: pid.isEmpty ? "unknown process" : "pid \(pid)")
        }
        _ = ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    // MARK: Recovery

    func recover() throws {
        // Only signatures by keys this store trusts count: a forged checkpoint or a forged frame
        // after the latest checkpoint must never be adopted and then signed over by this writer.
        var trusted = key.writerKeyring
        for k in try KeyStore.publicKeys(dataDirectory: configuration.dataDirectory) { trusted.add(k) }
        // 1. The checkpoint log: drop a torn final entry (an interrupted append).
        var checkpoints: [SignedCheckpoint] = []
        if FileIO.exists(checkpointPath) {
            let bytes = try io { try FileIO.readFile(checkpointPath) }
            let parsed = CheckpointLog.parse(bytes)
            for e in parsed.entries {
                guard let cp = e.checkpoint else {
                    throw StoreError.integrity(region: region, detail: "checkpoint log has a malformed entry at byte \(e.range.lowerBound)")
                }
                guard cp.isSigned(by: trusted) else {
                    throw StoreError.integrity(region: region, detail: "checkpoint log entry at byte \(e.range.lowerBound) has no valid signature from a trusted key")
                }
                if let previous = checkpoints.last, cp.checkpoint.treeSize < previous.checkpoint.treeSize {
                    throw StoreError.integrity(region: region, detail: "checkpoint log entry at byte \(e.range.lowerBound) (size \(cp.checkpoint.treeSize)) follows one of size \(previous.checkpoint.treeSize): entries were reordered or copied")
                }
                checkpoints.append(cp)
            }
            checkpointFD = try io { try FileIO.open(checkpointPath, flags: O_WRONLY | O_APPEND) }
            if let torn = parsed.tornTail {
                try io { try FileIO.truncate(checkpointFD, to: UInt64(torn.lowerBound), path: checkpointPath) }
                try io { try FileIO.dataSync(checkpointFD, path: checkpointPath) }
            }
        }
        // A missing log is created below, once the segments are known to hold no records.
        let checkpointLogIsMissing = checkpointFD < 0
        lastCheckpoint = checkpoints.max { $0.checkpoint.treeSize < $1.checkpoint.treeSize }
        // The newest checkpoint vouches for everything before it, so only this store's own key (or
        // the one it replaced) may have signed it: a key merely dropped into keys/public/ with a
        // checkpoint signed by it must not get forged records signed over by this writer.
        // Once this key has signed a checkpoint here (the region went through the rotation), the key
        // it replaced signs nothing more in it: a leaked old key must not add checkpoints or frames.
        // (The same rules as verify's `signing_key_mismatch`: KeyStore.continuityProblem.)
        let currentOnly = VerifierKeyring([key.verifier])
        switch KeyStore.continuityProblem(checkpoints, key: key.verifier, predecessor: key.predecessor) {
        case .oldKeyAfterRotation(let size)?:
            throw StoreError.integrity(region: region, detail: "checkpoint of size \(size) follows one signed by this store's key \(key.name) but is signed by another key (an old key used after the rotation?)")
        case .newestNotSigned(let newest)?:
            throw StoreError.integrity(region: region, detail: "the newest checkpoint (size \(newest)) is not signed by this store's signing key \(key.name)\(key.predecessor.map { " or the key it replaced, \($0.name)" } ?? "") (keys/signing.key replaced or lost? restore it from a backup; or a key placed in keys/public/? run gatelog verify --key with the store's known keys)")
        case nil:
            break
        }
        tailKeys = checkpoints.contains { $0.isSigned(by: currentOnly) } ? currentOnly : key.writerKeyring
        if let newest = lastCheckpoint?.checkpoint.treeSize,
           let own = checkpoints.last(where: { $0.checkpoint.treeSize == newest && $0.isSigned(by: key.writerKeyring) }) {
            lastCheckpoint = own
        }
        if let cp = lastCheckpoint { lastCheckpointAt = Date(timeIntervalSince1970: Double(cp.checkpoint.time) / 1000) }
        let checkpointsBySize = Dictionary(checkpoints.map { ($0.checkpoint.treeSize, $0.checkpoint) }, uniquingKeysWith: { a, _ in a })
        // Dictionary ID → the first frame whose zstd blocks name it.
        var referencedDictionaries: [UInt32: String] = [:]
        // Records in the sealed segments but the newest sealed one. Every seal signs a checkpoint
        // covering the segment (the newest may miss it: a crash right after its footer, or a
        // checkpoint that failed on a full disk and was not retried yet).
        var sealedTreeSize: UInt64 = 0
        var newestSealedTreeSize: UInt64 = 0

        // 2. Segments, oldest first.
        let numbers = try io { try SegmentScanner.segmentNumbers(regionDirectory: directory) }
        for (i, n) in numbers.enumerated() where n != UInt64(i + 1) {
            throw StoreError.integrity(region: region, detail: "segment \(i + 1) is missing (found \(SegmentNaming.fileName(n)) instead)")
        }
        func checkCheckpoints() throws {
            if let cp = checkpointsBySize[treeSize], treeSize > 0 {
                guard cp.rootHash == frontier.root, cp.chainHead == chainHead else {
                    throw StoreError.integrity(region: region, detail: "checkpoint at size \(treeSize) does not match the segments")
                }
            }
        }
        for (i, number) in numbers.enumerated() {
            let isLast = i == numbers.count - 1
            let path = SegmentScanner.segmentPath(regionDirectory: directory, number: number)
            let scanned = try io { try SegmentScanner.scan(path: path, number: number, checkTrailers: isLast) }
            let scan: SegmentScan
            switch scanned {
            case .success(let s): scan = s
            case .failure(let e):
                // A last segment whose header never became durable holds nothing: recreate it (also
                // the first one; a checkpoint covering records is still caught below).
                let content = (try? FileIO.readFile(path)) ?? []
                let size = content.count
                // ...but never one that holds a valid frame behind its damaged header: that is damage.
                let holdsFrames = content.withUnsafeBytes { RegionVerifier.nextValidFrame($0, after: 0) != nil }
                if isLast && size < 4096 && !holdsFrames && (e == .truncatedHeader || e == .headerDigestMismatch) {
                    unlink(path)
                    try io { try FileIO.syncDirectory("\(directory)/segments") }
                    continue
                }
                throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(number)): \(e)")
            }
            guard scan.header.segmentNumber == number, scan.header.firstPosition == treeSize, scan.header.previousChain == chainHead,
                  scan.header.region == region else {
                throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(number)) does not link to the previous segment")
            }
            if let residue = scan.residue {
                guard isLast, scan.residueLooksTorn else {
                    throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(number)) is damaged at byte \(residue.offset): \(residue.reason)")
                }
                // Where a frame at the residue would start: after the segment's last good frame.
                let residueFirstPosition = scan.frames.last.map { $0.header.firstPosition + UInt64($0.header.recordCount) }
                    ?? scan.header.firstPosition
                // A torn write is cut below; a final frame that was written whole and signed, and
                // whose bytes changed since, is damage: its records may have been acknowledged.
                let tail = try io { () throws -> [UInt8] in
                    let fd = try FileIO.open(path, flags: O_RDONLY)
                    defer { close(fd) }
                    return try FileIO.pread(fd, count: Int(scan.fileSize - residue.offset), offset: residue.offset, path: path)
                }
                if tail.withUnsafeBytes({ FrameCodec.isCompleteSignedButDamaged($0, fileOffset: residue.offset, region: region, keyring: trusted,
                                                                              expectedFirstPosition: residueFirstPosition) }) {
                    throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(number)) frame at byte \(residue.offset) was written whole and signed, but its bytes changed since (\(residue.reason)): damage, not an unfinished write, and its records may have been acknowledged (run gatelog verify)")
                }
            }
            if !isLast && scan.footer == nil {
                throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(number)) is not sealed but is not the last segment")
            }
            segmentFrameCount = 0
            segmentRecordCount = 0
            try collectDictionaryIDs(path: path, number: number, frames: scan.frames, into: &referencedDictionaries)
            for frame in scan.frames {
                let h = frame.header
                guard h.firstPosition == treeSize, h.previousChain == chainHead else {
                    throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(number)) frame at byte \(frame.offset) is out of sequence")
                }
                frames.append((h.firstPosition, number, frame.offset))
                for (k, entry) in h.directory.enumerated() {
                    let position = treeSize
                    let leaf = entry.leafHash
                    chainHead = LogHash.chain(previous: chainHead, position: position, leaf: leaf)
                    frontier.append(leaf)
                    treeSize += 1
                    if idIndex[entry.idHash] == nil { idIndex[entry.idHash] = position }
                    try checkCheckpoints()
                    _ = k
                }
                guard chainHead == h.chainHead else {
                    throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(number)) frame at byte \(frame.offset) has a wrong chain head")
                }
                if treeSize > lastCheckpoint?.checkpoint.treeSize ?? 0 {
                    // Only this store's key (or the one it replaced) writes frames no checkpoint covers.
                    try checkFrameSignature(path: path, number: number, frame: frame, keyring: tailKeys)
                }
                rawBytes += UInt64(h.envelopesRawLength) + UInt64(h.contentsRawLength)
                segmentFrameCount += 1
                segmentRecordCount += UInt64(h.recordCount)
            }
            if let footer = scan.footer {
                guard footer.treeSize == treeSize, footer.lastChain == chainHead, footer.merkleRoot == frontier.root,
                      footer.recordCount == segmentRecordCount else {
                    throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(number)) footer does not match its frames")
                }
            }
            segmentCount += 1
            if scan.footer != nil {
                sealedTreeSize = newestSealedTreeSize
                newestSealedTreeSize = treeSize
            }
            if !isLast { storedBytesInSealed += scan.fileSize; continue }

            // The tail segment: drop a torn write, unless a checkpoint already covers it.
            if let cp = lastCheckpoint, cp.checkpoint.treeSize > treeSize {
                // Say what is wrong: a damaged frame at the end (bytes altered; `verify` says which
                // record) reads the same as a cut-off tail here.
                let problem = scan.residue.map { "\(SegmentNaming.fileName(number)) is damaged at byte \($0.offset) (\($0.reason)), and " } ?? ""
                throw StoreError.integrity(region: region, detail: "\(problem)the latest checkpoint covers \(cp.checkpoint.treeSize) records but only \(treeSize) are intact before that point (tail truncated or damaged; run gatelog verify)")
            }
            segmentNumber = number
            segmentPath = path
            segmentCreated = Date(timeIntervalSince1970: Double(scan.header.createdAt) / 1000)
            segmentFD = try io { try FileIO.open(path, flags: O_RDWR) }
            if scan.residue != nil {
                try io { try FileIO.truncate(segmentFD, to: scan.endOfFrames, path: path) }
            }
            // After a kill, frames (or a footer) that were written but never synced are still in the
            // page cache and look complete: make them durable before a checkpoint is signed over them
            // or the next segment is started after them.
            try io { try FileIO.dataSync(segmentFD, path: path) }
            segmentSize = scan.footer == nil ? scan.endOfFrames : scan.fileSize
            _ = lseek(segmentFD, off_t(segmentSize), SEEK_SET)
            if scan.footer != nil {
                // Sealed, but the next segment was never created: start it now.
                storedBytesInSealed += segmentSize
                close(segmentFD)
                segmentFD = -1
                try startSegment(number: number + 1)
            } else {
                let bytes = try io { try FileIO.pread(segmentFD, count: Int(segmentSize), offset: 0, path: path) }
                segmentHasher.update(bytes)
            }
        }
        // The log is created with the region, before its first segment, and every seal signs a
        // checkpoint: records without a log, or sealed segments no checkpoint covers, mean that
        // checkpoints were removed. Signing a new checkpoint over what is left would hide that
        // (and any records cut off with them).
        if checkpointLogIsMissing && treeSize > 0 {
            throw StoreError.integrity(region: region, detail: "checkpoints.log is missing but the segments hold \(treeSize) records (checkpoints were removed; run gatelog verify, and restore the log from a backup)")
        }
        if sealedTreeSize > lastCheckpoint?.checkpoint.treeSize ?? 0 {
            throw StoreError.integrity(region: region, detail: "segments sealed long ago hold \(sealedTreeSize) records but the latest checkpoint covers \(lastCheckpoint?.checkpoint.treeSize ?? 0) (checkpoints were removed; run gatelog verify)")
        }
        if checkpointLogIsMissing {
            checkpointFD = try io { try FileIO.open(checkpointPath, flags: O_WRONLY | O_APPEND | O_CREAT, mode: 0o644) }
            try io { try FileIO.syncDirectory(directory) }
        }
        // The log starts with a signed checkpoint of size 0 (the genesis), durable before the
        // first segment exists: a log without any checkpoint while the segments hold records was
        // emptied (even when every record came after the latest checkpoint there was).
        if lastCheckpoint == nil {
            if treeSize > 0 {
                throw StoreError.integrity(region: region, detail: "checkpoints.log holds no checkpoint but the segments hold \(treeSize) records (the log was emptied, including the size-0 checkpoint written when the region was created; run gatelog verify, and restore the log from a backup)")
            }
            if case .failure(let e) = signCheckpointIfNeeded(force: true) { throw e }
            // The first records are checkpointed as soon as they are durable, as in a region
            // whose log is not new (the genesis covers nothing).
            lastCheckpointAt = .distantPast
        }
        if segmentFD < 0 {
            if let cp = lastCheckpoint, cp.checkpoint.treeSize > treeSize {
                throw StoreError.integrity(region: region, detail: "the latest checkpoint covers \(cp.checkpoint.treeSize) records but only \(treeSize) are present")
            }
            try startSegment(number: UInt64(segmentCount) + 1)
        }
        // 3. Dictionaries: every one a frame names must load; new frames use the newest.
        try recoverDictionaries(referenced: referencedDictionaries)
        // Records written after the last checkpoint (crash before it was signed): sign now. After
        // a key rotation, sign the newest checkpoint again with the new key.
        let ownNewest = lastCheckpoint?.isSigned(by: VerifierKeyring([key.verifier])) ?? true
        _ = signCheckpointIfNeeded(force: !ownNewest)
        if let f = failure { throw StoreError.writerFailed(region: region, detail: f) }
    }

    /// Checks the signature of a frame no checkpoint covers yet (written just before a crash).
    /// A frame without a valid signature from a trusted key was not written by a gatelog writer.
    func checkFrameSignature(path: String, number: UInt64, frame: ScannedFrame, keyring: VerifierKeyring) throws {
        let h = frame.header
        let block = try io { () throws -> [UInt8] in
            let fd = try FileIO.open(path, flags: O_RDONLY)
            defer { close(fd) }
            return try FileIO.pread(fd, count: FrameHeader.signatureSize, offset: frame.offset + UInt64(h.headerSize + h.payloadSize), path: path)
        }
        let keyHash = block.count == FrameHeader.signatureSize ? block[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
        let message = FrameCodec.signedMessage(region: region, firstPosition: h.firstPosition, recordCount: h.recordCount, chainHead: h.chainHead)
        guard block.count == FrameHeader.signatureSize, keyring.verify(keyHash: keyHash, signature: Array(block[4...]), message: message) else {
            throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(number)) frame at byte \(frame.offset) follows the latest checkpoint and has no valid signature from a trusted key (record injected)")
        }
    }

    /// Adds the dictionary IDs named by the zstd blocks of `frames` (read from the first bytes of
    /// each block) to `referenced`, with the first frame naming each.
    func collectDictionaryIDs(path: String, number: UInt64, frames: [ScannedFrame], into referenced: inout [UInt32: String]) throws {
        guard !frames.isEmpty else { return }
        let fd = try io { try FileIO.open(path, flags: O_RDONLY) }
        defer { close(fd) }
        for frame in frames {
            let h = frame.header
            for (offset, length) in [(h.envelopeBlockOffset, h.envelopesStoredLength), (h.contentBlockOffset, h.contentsStoredLength)] where length > 0 {
                let probe = try io {
                    try FileIO.pread(fd, count: min(Int(length), FrameCodec.dictionaryIDProbeSize), offset: frame.offset + UInt64(offset), path: path)
                }
                let id = probe.withUnsafeBytes { ZstdDictionary.frameDictionaryID($0) }
                if id != 0 && referenced[id] == nil { referenced[id] = "\(SegmentNaming.fileName(number)) frame at byte \(frame.offset)" }
                if id != 0 { dictionaryLastUse[id] = (path, frame) }
            }
        }
    }

    /// Removes interrupted dictionary writes, refuses a region whose frames name a dictionary that
    /// cannot be loaded, picks the newest dictionary for new frames, or else starts gathering
    /// samples to train one.
    func recoverDictionaries(referenced: [UInt32: String]) throws {
        try io { try RegionDictionaries.removeTemporaryFiles(regionDirectory: directory) }
        let present = try io { try RegionDictionaries.ids(regionDirectory: directory) }
        for (id, user) in referenced.sorted(by: { $0.key < $1.key }) {
            do throws(DictionaryFileError) { _ = try dictionaries.loadDecompressionDictionary(id) } catch {
                throw StoreError.integrity(region: region, detail: "\(error), which \(user) needs")
            }
        }
        let highest = max(present.last ?? 0, referenced.keys.max() ?? 0, ZstdDictionary.privateIDs.lowerBound - 1)
        let canNumberAnother = highest < ZstdDictionary.privateIDs.upperBound
        if canNumberAnother { nextDictionaryID = highest + 1 }
        guard configuration.dictionaryTrainingBytes > 0 else { return }
        // New frames use the newest dictionary that loads. A file no frame names that cannot be
        // loaded (a stray copy under another number, or the writer's own dictionary damaged before
        // any frame used it) holds nothing a record needs: it is passed over — never used, and
        // never numbered again (`nextDictionaryID` stays above it) — rather than keep the region
        // from taking writes; `verify` notes it the same way. A dictionary frames name was loaded
        // above, and the one chosen is checked against the last frame written with it.
        var chosen: UInt32?
        for id in present.reversed() {
            do {
                let bytes = try RegionDictionaries.read(regionDirectory: directory, id: id)
                compressionDictionary = try ZstdCompressionDictionary(bytes: bytes, level: configuration.compressionLevel)
                chosen = id
                break
            } catch {
                let problem = (error as? DictionaryFileError) ?? DictionaryFileError(id: id, reason: "zstd cannot load it")
                if referenced[id] != nil { throw StoreError.integrity(region: region, detail: problem.description) }
                FileHandle.standardError.write(Data("gatelog: region \(region): \(problem); no frame names it, so no record needs it: ignored (remove the file)\n".utf8))
            }
        }
        if let chosen {
            try checkDictionaryAgainstItsLastFrame(chosen)
        } else {
            isCollectingSamples = canNumberAnother
        }
    }

    /// The newest dictionary compresses every new frame: one whose bytes changed since frames were
    /// written with it (still loadable, so not caught above) would make new frames that read back
    /// as other bytes. Decompresses the last frame written with it and checks its records' digests.
    func checkDictionaryAgainstItsLastFrame(_ id: UInt32) throws {
        guard let use = dictionaryLastUse[id] else { return }
        let h = use.frame.header
        let bytes = try io { () throws -> [UInt8] in
            let fd = try FileIO.open(use.path, flags: O_RDONLY)
            defer { close(fd) }
            return try FileIO.pread(fd, count: h.totalSize, offset: use.frame.offset, path: use.path)
        }
        let altered = StoreError.integrity(region: region, detail: "dictionary \(id) does not decompress \((use.path as NSString).lastPathComponent) frame at byte \(use.frame.offset), which was written with it, into the records it holds: the dictionary file was altered (run gatelog verify)")
        let decompressor = ZstdDecompressor()
        let provider: (UInt32) -> ZstdDecompressionDictionary? = { [dictionaries] in try? dictionaries.loadDecompressionDictionary($0) }
        let blocks: (envelopes: [UInt8]?, contents: [UInt8]?)
        do {
            blocks = try bytes.withUnsafeBytes { raw in
                (try FrameCodec.envelopes(raw, header: h, decompressor: decompressor, dictionaries: provider),
                 try FrameCodec.contents(raw, header: h, decompressor: decompressor, dictionaries: provider))
            }
        } catch { throw altered }
        var envelopeOffset = 0, contentOffset = 0
        for entry in h.directory {
            let e = Int(entry.envelopeLength), c = Int(entry.contentLength)
            if let envelopes = blocks.envelopes {
                guard envelopeOffset + e <= envelopes.count, SHA256.hash(envelopes[envelopeOffset..<(envelopeOffset + e)]) == entry.envelopeDigest else { throw altered }
            }
            if let contents = blocks.contents {
                guard contentOffset + c <= contents.count, SHA256.hash(contents[contentOffset..<(contentOffset + c)]) == entry.contentDigest else { throw altered }
            }
            envelopeOffset += e
            contentOffset += c
        }
    }

    /// Takes a dictionary the trainer finished (already durable) for the frames written from now on.
    func adoptTrainedDictionary() {
        guard let trainer, let outcome = trainer.result else { return }
        self.trainer = nil
        switch outcome {
        case .ready(let dictionary):
            compressionDictionary = dictionary
            nextDictionaryID = dictionary.id + 1
            dictionaryProblem = nil
        case .failed(let why):
            dictionaryProblem = why
        }
    }

    /// Keeps the record parts of the first `dictionaryTrainingBytes` written while the region has
    /// no dictionary, then hands them to a trainer thread.
    func collectSamples(_ records: [PreparedRecord]) {
        guard isCollectingSamples else { return }
        for r in records {
            for part in [r.envelope, r.content] where part.count >= 8 {
                trainingSamples.append(contentsOf: part)
                trainingSampleSizes.append(part.count)
            }
        }
        guard trainingSamples.count >= configuration.dictionaryTrainingBytes else { return }
        isCollectingSamples = false
        trainer = DictionaryTrainer(id: nextDictionaryID, samples: trainingSamples, sampleSizes: trainingSampleSizes,
                                    capacity: configuration.dictionaryMaxBytes, level: configuration.compressionLevel,
                                    regionDirectory: directory, wake: wake)
        trainingSamples = []
        trainingSampleSizes = []
    }

    func io<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do { return try body() } catch let e as FileIOError { throw .io(e) } catch let e as StoreError { throw e } catch {
            throw .integrity(region: region, detail: "\(error)")
        }
    }

    /// Creates segment `number` with its header, durably (file and directory fsync'd).
    func startSegment(number: UInt64) throws {
        let path = SegmentScanner.segmentPath(regionDirectory: directory, number: number)
        let header = SegmentHeader(segmentNumber: number, firstPosition: treeSize, previousChain: chainHead,
                                   createdAt: Int64(Date().timeIntervalSince1970 * 1000), region: region)
        let bytes = header.encode()
        let fd = try io { try FileIO.open(path, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o644) }
        do {
            try FileIO.writeAll(fd, bytes, path: path)
            try FileIO.sync(fd, path: path)
            try FileIO.syncDirectory("\(directory)/segments")
        } catch {
            close(fd)
            throw error
        }
        segmentFD = fd
        segmentPath = path
        segmentNumber = number
        segmentSize = UInt64(bytes.count)
        segmentCreated = Date()
        segmentHasher = SHA256Hasher()
        segmentHasher.update(bytes)
        segmentFrameCount = 0
        segmentRecordCount = 0
        segmentCount += 1
    }

    // MARK: Writing

    /// Frames, writes and hands the records to the syncer. With `syncHere`, the fdatasync runs on
    /// the calling thread when no earlier group is still being synced (the tickets are then
    /// complete on return), else the group waits its turn on the syncer thread.
    func write(_ appends: [([StagedRecord], AppendTicket)], syncHere: Bool = false) {
        if failure == nil, let f = syncer.failure { failure = f }
        if let failure {
            for (_, t) in appends { t.complete(.failure(.writerFailed(region: region, detail: failure))) }
            return
        }
        // A segment sealed without its successor (the disk was full when it rolled): start it now.
        if segmentFD < 0 {
            do {
                try startNextSegment()
            } catch {
                let e = (error as? StoreError) ?? .writerFailed(region: region, detail: "\(error)")
                noteSegmentStartFailure(e)
                for (_, t) in appends { t.complete(.failure(e)) }
                return
            }
        }
        // Assign positions and find duplicates.
        var outcomes: [[AppendOutcome?]] = appends.map { Array(repeating: nil, count: $0.0.count) }
        var toWrite: [(append: Int, index: Int)] = []
        var batchIDs: [ExactID: UInt64] = [:]
        var nextPosition = treeSize
        for (a, append) in appends.enumerated() {
            for (i, record) in append.0.enumerated() {
                let id = record.fields.id
                let key = ExactID(id: id, hash: record.prepared.idHash)
                if let existing = batchIDs[key] ?? existingPosition(id: id, idHash: record.prepared.idHash) {
                    outcomes[a][i] = .duplicate(existingPosition: existing)
                    continue
                }
                batchIDs[key] = nextPosition
                toWrite.append((a, i))
                nextPosition += 1
            }
        }
        // Frame, compress, sign.
        adoptTrainedDictionary()
        var buffer = [UInt8]()
        var encodedFrames: [(offset: UInt64, frame: EncodedFrame, members: ArraySlice<(append: Int, index: Int)>)] = []
        var chain = chainHead
        var position = treeSize
        var start = 0
        do {
            while start < toWrite.count {
                var end = start
                var bytes = 0
                while end < toWrite.count && end - start < Int(UInt16.max) {
                    let r = appends[toWrite[end].append].0[toWrite[end].index].prepared
                    if end > start && bytes + r.envelope.count + r.content.count > configuration.frameTargetBytes { break }
                    bytes += r.envelope.count + r.content.count
                    end += 1
                }
                let members = toWrite[start..<end]
                let records = members.map { appends[$0.append].0[$0.index].prepared }
                let frame = try FrameCodec.encode(records: records, firstPosition: position, previousChain: chain, region: region,
                                                  key: key, compressor: compressor, dictionary: compressionDictionary)
                collectSamples(records)
                encodedFrames.append((segmentSize + UInt64(buffer.count), frame, members))
                buffer.append(contentsOf: frame.bytes)
                chain = frame.header.chainHead
                position += UInt64(records.count)
                start = end
            }
        } catch {
            let e = StoreError.compression("\(error)")
            for (_, t) in appends { t.complete(.failure(e)) }
            return
        }
        // Write and make durable; on failure, cut the file back so nothing half-written stays.
        if !buffer.isEmpty {
            do {
                try FileIO.writeAll(segmentFD, buffer, path: segmentPath)
            } catch {
                _ = try? FileIO.truncate(segmentFD, to: segmentSize, path: segmentPath)
                _ = lseek(segmentFD, off_t(segmentSize), SEEK_SET)
                lastWriteError = FileIOError.explain(error.code)
                for (_, t) in appends { t.complete(.failure(.io(error))) }
                return
            }
            lastWriteError = nil
        }
        // Written: advance the state (the next group chains from it); the syncer makes it durable.
        segmentHasher.update(buffer)
        segmentSize += UInt64(buffer.count)
        var durable: [DurableRecord] = []
        durable.reserveCapacity(toWrite.count)
        for (offset, frame, members) in encodedFrames {
            frames.append((frame.header.firstPosition, segmentNumber, offset))
            for (k, member) in members.enumerated() {
                let p = frame.header.firstPosition + UInt64(k)
                let idHash = appends[member.append].0[member.index].prepared.idHash
                frontier.append(frame.leafHashes[k])
                if idIndex[idHash] == nil { idIndex[idHash] = p }
                remember(id: appends[member.append].0[member.index].fields.id, idHash: idHash, position: p)
                outcomes[member.append][member.index] = .accepted(position: p, chainHash: frame.chainHashes[k])
                if onDurable != nil {
                    durable.append(DurableRecord(region: region, position: p, chainHash: frame.chainHashes[k],
                                                 location: RecordLocation(segment: segmentNumber, frameOffset: offset, indexInFrame: k),
                                                 staged: appends[member.append].0[member.index]))
                }
            }
            rawBytes += UInt64(frame.header.envelopesRawLength) + UInt64(frame.header.contentsRawLength)
            segmentFrameCount += 1
            segmentRecordCount += UInt64(frame.header.recordCount)
        }
        treeSize = position
        chainHead = chain
        let tickets = appends.enumerated().map { (a, append) in (ticket: append.1, outcomes: outcomes[a].map { $0! }) }
        if buffer.isEmpty {
            // Only duplicates: nothing to make durable, but acknowledge after earlier groups — and
            // only if they became durable (a duplicate may point into a group whose sync failed).
            syncer.drain()
            if let f = syncer.failure {
                failure = failure ?? f
                for t in tickets { t.ticket.complete(.failure(.writerFailed(region: region, detail: f))) }
            } else {
                for t in tickets { t.ticket.complete(.success(t.outcomes)) }
            }
            return
        }
        let group = SegmentSyncer.Group(fd: segmentFD, path: segmentPath, tickets: tickets, durable: durable)
        if syncHere || Region.isReserved(region) {
            // `appendOnCallingThread`, and gatelog's own regions (the access log) whose group
            // commit sends one group at a time: syncing here saves a thread hand-off.
            syncer.syncHereOrSubmit(group)
        } else {
            syncer.submit(group)
        }
    }

    /// Keeps the newest ids by id hash, so a duplicate among them is found without reading the
    /// disk. Two ids sharing a hash keep only the newer one; the other is then checked on disk.
    func remember(id: String, idHash: UInt64, position: UInt64) {
        if recentOrder.count < WriterCore.recentCapacity {
            recentOrder.append(idHash)
        } else {
            let evicted = recentOrder[recentCursor]
            if let entry = recentIDs[evicted], position - entry.position >= UInt64(WriterCore.recentCapacity) {
                recentIDs.removeValue(forKey: evicted)
            }
            recentOrder[recentCursor] = idHash
            recentCursor = (recentCursor + 1) % WriterCore.recentCapacity
        }
        recentIDs[idHash] = (id, position)
    }

    /// The position of a stored record with this id, if any.
    func existingPosition(id: String, idHash: UInt64) -> UInt64? {
        guard let candidate = idIndex[idHash] else { return nil }
        if let recent = recentIDs[idHash], recent.id.utf8.elementsEqual(id.utf8) { return recent.position }
        // The hash matches an older record: read its id back to rule out a hash collision.
        // Records sharing the hash are rare, so scanning frames from the candidate on is cheap.
        var position = candidate
        while position < treeSize {
            guard let (storedID, storedHash) = readID(position: position) else { return candidate }
            if storedHash == idHash && storedID.utf8.elementsEqual(id.utf8) { return position }
            position += 1
            if position > candidate + 4096 { break }
        }
        return nil
    }

    /// Reads the id (and id hash) of the record at `position` from disk.
    func readID(position: UInt64) -> (String, UInt64)? {
        var lo = 0, hi = frames.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if frames[mid].firstPosition <= position { lo = mid } else { hi = mid - 1 }
        }
        guard !frames.isEmpty else { return nil }
        let f = frames[lo]
        let path = SegmentScanner.segmentPath(regionDirectory: directory, number: f.segment)
        guard let fd = try? FileIO.open(path, flags: O_RDONLY) else { return nil }
        defer { close(fd) }
        guard var head = try? FileIO.pread(fd, count: 64 << 10, offset: f.offset, path: path) else { return nil }
        var parsed = head.withUnsafeBytes { FrameCodec.parseHeader($0) }
        if case .needMore(let n) = parsed, let longer = try? FileIO.pread(fd, count: n, offset: f.offset, path: path) {
            head = longer
            parsed = head.withUnsafeBytes { FrameCodec.parseHeader($0) }
        }
        guard case .header(let h) = parsed,
              let whole = try? FileIO.pread(fd, count: h.totalSize, offset: f.offset, path: path), whole.count == h.totalSize,
              let envelopes = try? whole.withUnsafeBytes({
                  try FrameCodec.envelopes($0, header: h, decompressor: decompressor, dictionaries: dictionaries.decompressionDictionary)
              })
        else { return nil }
        let k = Int(position - h.firstPosition)
        let ranges = FrameCodec.ranges(lengths: h.directory.map(\.envelopeLength))
        guard k < ranges.count, let env = try? JSONValue.parse(Array(envelopes[ranges[k]])), let id = env["id"]?.stringValue else { return nil }
        return (id, h.directory[k].idHash)
    }

    // MARK: Checkpoints and segments

    func signCheckpointIfNeeded(force: Bool) -> Result<Void, StoreError> {
        // A checkpoint covers only durable records: wait for the groups being synced.
        syncer.drain()
        if failure == nil, let f = syncer.failure { failure = f }
        if let failure { return .failure(.writerFailed(region: region, detail: failure)) }
        if !force, let cp = lastCheckpoint, cp.checkpoint.treeSize == treeSize { return .success(()) }
        if !force, lastCheckpoint == nil, treeSize == 0 { return .success(()) }
        let cp = Checkpoint(origin: Checkpoint.origin(region: region), treeSize: treeSize, rootHash: frontier.root,
                            chainHead: chainHead, time: Int64(Date().timeIntervalSince1970 * 1000))
        let signed: SignedCheckpoint
        do { signed = try cp.signed(with: key) } catch { return .failure(.keys("signing a checkpoint failed")) }
        // Where the log ends now: a failed append (a full disk) is cut back to it, so that a torn
        // entry never ends up buried under the next one (recovery only drops a torn *last* entry).
        let before = lseek(checkpointFD, 0, SEEK_END)
        do {
            try FileIO.writeAll(checkpointFD, CheckpointLog.encode(signed), path: checkpointPath)
            try FileIO.dataSync(checkpointFD, path: checkpointPath)
        } catch {
            if before >= 0, (try? FileIO.truncate(checkpointFD, to: UInt64(before), path: checkpointPath)) != nil,
               (try? FileIO.dataSync(checkpointFD, path: checkpointPath)) != nil {
                return .failure(.io(error))
            }
            // The log could not be cut back: stop writing rather than append after a torn entry.
            failure = "the checkpoint log could not be restored after a failed append: \(error)"
            return .failure(.io(error))
        }
        lastCheckpoint = signed
        lastCheckpointAt = Date()
        return .success(())
    }

    /// Seals the open segment (footer, fsync, checkpoint) and starts the next one.
    func sealAndRoll() -> Result<Void, StoreError> {
        syncer.drain()
        if failure == nil, let f = syncer.failure { failure = f }
        if let failure { return .failure(.writerFailed(region: region, detail: failure)) }
        guard segmentRecordCount > 0 else { return .success(()) }
        let footer = SegmentFooter(recordCount: segmentRecordCount, frameCount: segmentFrameCount, treeSize: treeSize,
                                   lastChain: chainHead, merkleRoot: frontier.root, segmentDigest: segmentHasher.finalize(),
                                   sealedAt: Int64(Date().timeIntervalSince1970 * 1000))
        let bytes = footer.encode()
        do {
            try FileIO.writeAll(segmentFD, bytes, path: segmentPath)
        } catch {
            _ = try? FileIO.truncate(segmentFD, to: segmentSize, path: segmentPath)
            _ = lseek(segmentFD, off_t(segmentSize), SEEK_SET)
            let remaining = try? FileIO.pread(segmentFD, count: Int(segmentSize), offset: 0, path: segmentPath)
            segmentHasher = SHA256Hasher()
            if let remaining { segmentHasher.update(remaining) }
            return .failure(.io(error))
        }
        do {
            try FileIO.dataSync(segmentFD, path: segmentPath)
        } catch {
            // After a failed fdatasync nothing more is acknowledged (docs/FORMAT.md): the writer stops.
            failure = "fdatasync of the segment footer failed: \(error)"
            return .failure(.io(error))
        }
        storedBytesInSealed += segmentSize + UInt64(bytes.count)
        close(segmentFD)
        segmentFD = -1
        // The next segment comes first: a checkpoint that fails now (a full disk) is retried by
        // `maintain`, but without an open segment every later append would fail.
        let checkpointed = signCheckpointIfNeeded(force: false)
        do {
            try startNextSegment()
        } catch {
            // Not a stop: nothing is lost, and the next append or `maintain` tries again (a full
            // disk that gets space again, a read-only mount made writable), each a clear error.
            noteSegmentStartFailure(error)
            FileHandle.standardError.write(Data("gatelog: region \(region): cannot start the next segment (\(error)); retrying on the next append\n".utf8))
            return .failure((error as? StoreError) ?? .writerFailed(region: region, detail: "\(error)"))
        }
        if case .failure(let e) = checkpointed { return .failure(e) }
        return .success(())
    }

    /// Records why the next segment could not be started, for `RegionStatus.lastWriteError`.
    func noteSegmentStartFailure(_ error: Error) {
        if case .io(let io)? = error as? StoreError {
            lastWriteError = FileIOError.explain(io.code)
        } else if let io = error as? FileIOError {
            lastWriteError = FileIOError.explain(io.code)
        } else {
            lastWriteError = "the next segment could not be created"
        }
    }

    /// Starts the segment after the sealed one (`segmentFD` < 0 between the two). A file left by
    /// an earlier failed attempt is replaced.
    func startNextSegment() throws {
        segmentSize = 0
        segmentFrameCount = 0
        segmentRecordCount = 0
        try startSegment(number: segmentNumber + 1)
        lastWriteError = nil
    }

    /// Records appended since the latest checkpoint.
    var hasUncheckpointedRecords: Bool { treeSize > (lastCheckpoint?.checkpoint.treeSize ?? 0) }

    /// Whether `maintain` has a checkpoint to sign or a segment to roll now.
    var isMaintenanceDue: Bool {
        guard failure == nil else { return false }
        if hasUncheckpointedRecords && Date().timeIntervalSince(lastCheckpointAt) >= configuration.checkpointInterval { return true }
        return segmentRecordCount > 0 && (segmentSize >= configuration.segmentMaxBytes
                                          || Date().timeIntervalSince(segmentCreated) >= configuration.segmentMaxAge)
    }

    /// Periodic work: checkpoint when due, roll the segment when full or old.
    func maintain() {
        guard failure == nil else { return }
        if segmentFD < 0 {
            // The last roll could not start the next segment: try again (quietly; `write` reports).
            if (try? startNextSegment()) == nil { return }
        }
        if let cp = lastCheckpoint?.checkpoint.treeSize ?? (treeSize > 0 ? 0 : nil), cp < treeSize,
           Date().timeIntervalSince(lastCheckpointAt) >= configuration.checkpointInterval {
            _ = signCheckpointIfNeeded(force: false)
        }
        if segmentRecordCount > 0 && (segmentSize >= configuration.segmentMaxBytes
                                      || Date().timeIntervalSince(segmentCreated) >= configuration.segmentMaxAge) {
            _ = sealAndRoll()
        }
    }

    /// When the writer thread should wake up even without new commands.
    func nextDeadline(queueStartedAt: UInt64?) -> DispatchTime {
        var seconds = 1.0
        if lastCheckpoint?.checkpoint.treeSize != treeSize && treeSize > 0 {
            seconds = min(seconds, max(0.001, configuration.checkpointInterval - Date().timeIntervalSince(lastCheckpointAt)))
        }
        if segmentRecordCount > 0 {
            seconds = min(seconds, max(0.001, configuration.segmentMaxAge - Date().timeIntervalSince(segmentCreated)))
        }
        if let started = queueStartedAt, case .batch(let delay) = configuration.durability {
            let due = started + UInt64(delay) * 1_000_000
            let now = DispatchTime.now().uptimeNanoseconds
            seconds = min(seconds, due > now ? Double(due - now) / 1e9 : 0.0005)
        }
        return .now() + seconds
    }

    func status() -> RegionStatus {
        RegionStatus(region: region, treeSize: treeSize, chainHead: chainHead, merkleRoot: frontier.root, segmentCount: segmentCount,
                     currentSegment: segmentNumber, storedBytes: storedBytesInSealed + segmentSize, rawBytes: rawBytes,
                     lastCheckpointSize: lastCheckpoint?.checkpoint.treeSize ?? 0, lastCheckpointTime: lastCheckpoint?.checkpoint.time ?? 0,
                     queuedBytes: 0, failure: failure, lastWriteError: lastWriteError, dictionaryID: compressionDictionary?.id,
                     dictionaryProblem: dictionaryProblem)
    }

    func shutdown() {
        trainer?.cancelAndWait()
        trainer = nil
        if segmentFD >= 0 { close(segmentFD); segmentFD = -1 }
        if checkpointFD >= 0 { close(checkpointFD); checkpointFD = -1 }
        flock(lockFD, LOCK_UN)
        close(lockFD)
    }
}

/// A record id compared byte for byte. Swift's `String ==` holds canonically equivalent spellings
/// equal (`café` precomposed, or `e` and a combining accent), but ids are hashed, indexed and
/// looked up by their UTF-8 bytes: two spellings are two ids (found by `get` each as sent).
struct ExactID: Hashable {
    let id: String
    /// The id's hash (`LogHash.idHash` of its bytes).
    let hash: UInt64

    static func == (a: ExactID, b: ExactID) -> Bool { a.hash == b.hash && a.id.utf8.elementsEqual(b.id.utf8) }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}
