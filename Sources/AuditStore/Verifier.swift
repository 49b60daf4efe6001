import Foundation
import Synchronization
import AuditFormat
import GatelogCrypto
import JSON

/// The kinds of integrity break `verify` reports.
public enum BreakKind: String, Sendable, Codable, CaseIterable {
    case contentModified = "content_modified"
    case recordMissing = "record_missing"
    case recordsReordered = "records_reordered"
    case tailTruncated = "tail_truncated"
    case recordInjected = "record_injected"
    case badSignature = "bad_signature"
    case checkpointMismatch = "checkpoint_mismatch"
    /// `keys/signing.key` is not the key that signed the region's newest checkpoint nor that key's
    /// successor from `key rotate` (or is not a key file): no writer can continue the region.
    case signingKeyMismatch = "signing_key_mismatch"
}

/// One integrity break, located as precisely as the damage allows.
public struct IntegrityBreak: Sendable, Equatable {
    public var kind: BreakKind
    public var region: String
    /// Segment file name, when the break is inside one.
    public var segment: String?
    /// Byte offset in the segment file.
    public var offset: UInt64?
    /// Record position in the region's log.
    public var position: UInt64?
    public var recordID: String?
    /// What was found, in words.
    public var detail: String

    public func jsonValue() -> JSONValue {
        var m: [JSONMember] = [JSONMember("kind", .string(kind.rawValue)), JSONMember("region", .string(region))]
        if let segment { m.append(JSONMember("segment", .string(segment))) }
        if let offset { m.append(JSONMember("offset", .int(offset))) }
        if let position { m.append(JSONMember("position", .int(position))) }
        if let recordID { m.append(JSONMember("record_id", .string(recordID))) }
        m.append(JSONMember("detail", .string(detail)))
        return .object(m)
    }

    public var line: String {
        var parts = ["\(kind.rawValue)", "region=\(region)"]
        if let segment { parts.append("segment=\(segment)") }
        if let offset { parts.append("offset=\(offset)") }
        if let position { parts.append("position=\(position)") }
        if let recordID { parts.append("id=\(recordID)") }
        return parts.joined(separator: " ") + ": " + detail
    }
}

/// The outcome of verifying one region.
public struct RegionVerification: Sendable {
    public var region: String
    public var records: UInt64 = 0
    public var segments: Int = 0
    public var checkpointsVerified: Int = 0
    public var chainHead = Digest32.zero
    public var merkleRoot = LogHash.emptyTreeRoot
    public var breaks: [IntegrityBreak] = []
    /// Benign findings: crash residue, an unsigned tail from a writer that is running or crashed.
    public var warnings: [String] = []
    public var breaksTruncated = false
    /// Set when an I/O error (not damage) stopped the check of this region: what it says, with
    /// the file. The region is then not intact, and the counts above are not meaningful.
    public var unreadable: String?

    public var isIntact: Bool { breaks.isEmpty && unreadable == nil }

    public func jsonValue() -> JSONValue {
        .object([
            JSONMember("region", .string(region)), JSONMember("intact", .bool(isIntact)), JSONMember("records", .int(records)),
            JSONMember("segments", .int(segments)), JSONMember("checkpoints_verified", .int(checkpointsVerified)),
            JSONMember("chain_head", .string(chainHead.hex)), JSONMember("merkle_root", .string(merkleRoot.hex)),
            JSONMember("breaks", .array(breaks.map { $0.jsonValue() })), JSONMember("breaks_truncated", .bool(breaksTruncated)),
            JSONMember("warnings", .array(warnings.map { .string($0) })),
        ] + (unreadable.map { [JSONMember("error", .string($0))] } ?? []))
    }
}

/// Recomputes a region's log from its stored bytes and checks every hash, link, footer,
/// frame signature at the unsigned tail, and checkpoint. Reads segment files only; never writes.
public struct RegionVerifier: Sendable {
    public let region: String
    public let directory: String
    public let keyring: VerifierKeyring
    /// Checkpoints kept elsewhere (an outside witness) to check the store against.
    public var externalCheckpoints: [SignedCheckpoint] = []
    /// Stop recording breaks after this many.
    public var maxBreaks = 1000
    /// Set when the store created this region before and its directory now holds none of its files
    /// (`RegionRegistry.missingRegionProblem`): reported as `record_missing`.
    public var missingRegionProblem: String?
    /// The store's signing key (`keys/signing.key`), when the region belongs to a data directory:
    /// it must continue the keys that signed the region's newest checkpoint (the rules a writer
    /// opens the region by, `KeyStore.continuityProblem`), else `signing_key_mismatch`. Nil: not checked.
    public var storeKey: KeyStore.SigningKeyState?

    public init(region: String, directory: String, keyring: VerifierKeyring) {
        self.region = region
        self.directory = directory
        self.keyring = keyring
    }

    private struct PendingCheckpoint {
        var checkpoint: SignedCheckpoint
        var source: String
        /// True for an entry of the region's own `checkpoints.log` (whose order is checked).
        var fromLog = false
    }

    /// The largest tree size of a checkpoint in the log at `logPath` for `origin` with a valid
    /// signature from `keyring`; 0 when there is none or the log cannot be read.
    static func latestSignedSize(logPath: String, origin: String, keyring: VerifierKeyring) -> UInt64 {
        guard let bytes = try? FileIO.readFile(logPath) else { return 0 }
        return CheckpointLog.parse(bytes).entries.compactMap(\.checkpoint)
            .filter { $0.checkpoint.origin == origin && $0.isSigned(by: keyring) }
            .map(\.checkpoint.treeSize).max() ?? 0
    }

    public func verify() throws(FileIOError) -> RegionVerification {
        var report = RegionVerification(region: region)
        func add(_ kind: BreakKind, segment: String? = nil, offset: UInt64? = nil, position: UInt64? = nil, id: String? = nil, _ detail: String) {
            if report.breaks.count >= maxBreaks { report.breaksTruncated = true; return }
            report.breaks.append(IntegrityBreak(kind: kind, region: region, segment: segment, offset: offset, position: position,
                                                recordID: id, detail: detail))
        }

        if let missingRegionProblem { add(.recordMissing, missingRegionProblem) }
        // Checkpoints: the region's log and any outside ones.
        var checkpoints: [PendingCheckpoint] = []
        let logPath = "\(directory)/checkpoints.log"
        let logKind = FileIO.nonRegularKind(logPath)
        if let logKind { add(.checkpointMismatch, "checkpoints.log is \(logKind), not a checkpoint log") }
        let hasLog = FileIO.exists(logPath) && logKind == nil
        if hasLog {
            let parsed = CheckpointLog.parse(try FileIO.readFile(logPath))
            for e in parsed.entries {
                guard let cp = e.checkpoint else {
                    // (No `offset`: offsets are bytes of segment files; the log's byte is in the detail.)
                    add(.badSignature, "checkpoints.log entry at byte \(e.range.lowerBound) is malformed\(e.problem.map { ": \($0)" } ?? "")")
                    continue
                }
                checkpoints.append(PendingCheckpoint(checkpoint: cp, source: "checkpoints.log byte \(e.range.lowerBound)", fromLog: true))
            }
            if let torn = parsed.tornTail {
                report.warnings.append("checkpoints.log ends with \(torn.count) bytes of an interrupted append (crash residue)")
            }
        }
        for (i, cp) in externalCheckpoints.enumerated() {
            checkpoints.append(PendingCheckpoint(checkpoint: cp, source: "outside checkpoint #\(i + 1)"))
        }
        var bySize: [UInt64: [PendingCheckpoint]] = [:]
        // The writer appends checkpoints in the order it signs them, over a growing tree: a signed
        // entry smaller than one before it was moved, or copied from earlier in the log.
        var largestLogged: (size: UInt64, source: String)?
        /// Whether the region's own log holds a validly signed checkpoint of this region.
        var signedLogEntries = false
        for pending in checkpoints {
            let cp = pending.checkpoint
            guard cp.checkpoint.origin == Checkpoint.origin(region: region) else {
                add(.checkpointMismatch, "\(pending.source) is for origin '\(cp.checkpoint.origin)', not this region")
                continue
            }
            guard cp.isSigned(by: keyring) else {
                // `position` is the size it claims, unless no log could be that long (positions ≤ 2^62).
                add(.badSignature, position: cp.checkpoint.treeSize <= 1 << 62 ? cp.checkpoint.treeSize : nil,
                    "\(pending.source) (size \(cp.checkpoint.treeSize)) has no valid signature from a trusted key")
                continue
            }
            if pending.fromLog {
                signedLogEntries = true
                if let largest = largestLogged, cp.checkpoint.treeSize < largest.size {
                    add(.checkpointMismatch, position: cp.checkpoint.treeSize == 0 ? nil : cp.checkpoint.treeSize - 1,
                        "\(pending.source) (size \(cp.checkpoint.treeSize)) follows \(largest.source) (size \(largest.size)): "
                        + "checkpoints are appended over a growing log, so entries were reordered or copied")
                } else {
                    largestLogged = (cp.checkpoint.treeSize, pending.source)
                }
            }
            bySize[cp.checkpoint.treeSize, default: []].append(pending)
        }
        let latestSigned = bySize.keys.max() ?? 0
        let keyFindings = storeKeyFindings(checkpoints.filter { $0.fromLog && $0.checkpoint.checkpoint.origin == Checkpoint.origin(region: region) }
                                               .map(\.checkpoint))
        for detail in keyFindings.breaks { add(.signingKeyMismatch, detail) }
        report.warnings += keyFindings.warnings

        // Segments, in order.
        // `segments` replaced by something else (a file) is damage: no segment can be read, and
        // checkpoints covering records make that a truncated tail below.
        let segmentsKind = FileIO.nonRegularKind("\(directory)/segments")
        let segmentsIsFile = FileIO.exists("\(directory)/segments") && !FileIO.isDirectory("\(directory)/segments")
        if segmentsIsFile {
            add(.contentModified, "segments is \(segmentsKind ?? "a regular file"), not the directory of the region's segment files")
        }
        let numbers = segmentsIsFile ? [] : try SegmentScanner.segmentNumbers(regionDirectory: directory)
        var position: UInt64 = 0
        /// Sealed segments (valid footers), in order: file name and the records they end at.
        var sealed: [(name: String, treeSize: UInt64)] = []
        var chain = Digest32.zero
        var frontier = MerkleFrontier()
        let decompressor = ZstdDecompressor()
        // Dictionaries named by frames (docs/FORMAT.md §5.4). One that is missing or unreadable is
        // reported once, at the first frame that needs it, with the count of frames it leaves unchecked.
        let dictionaries = RegionDictionaries(regionDirectory: directory)
        var unusableDictionaries: [UInt32: DictionaryFileError] = [:]
        var dictionaryBreaks: [UInt32: (index: Int?, frames: Int, detail: String)] = [:]
        /// Every dictionary ID a frame's block names.
        var namedDictionaries = Set<UInt32>()
        func dictionary(_ id: UInt32) -> ZstdDecompressionDictionary? {
            namedDictionaries.insert(id)
            if unusableDictionaries[id] != nil { return nil }
            do throws(DictionaryFileError) { return try dictionaries.loadDecompressionDictionary(id) } catch {
                unusableDictionaries[id] = error
                return nil
            }
        }
        var lastFrame: (segment: String, offset: UInt64, header: FrameHeader, signature: (UInt32, [UInt8]))?
        var unsignedFrames: [(segment: String, offset: UInt64, header: FrameHeader, signature: (UInt32, [UInt8]))] = []
        var expectedNumber: UInt64 = 1
        // After records were lost or found out of order, the recomputed Merkle tree no longer
        // holds the log's leaves: from then on only chain heads are compared, so one damage is
        // reported where it is, not again at every later footer and checkpoint.
        var merkleUnknownFrom: UInt64?
        // One past the highest position seen, to tell records seen out of order from missing ones.
        var seenUpTo: UInt64 = 0
        func resync(position newPosition: UInt64, chain newChain: Digest32) {
            if merkleUnknownFrom == nil { merkleUnknownFrom = min(position, newPosition) }
            position = newPosition
            chain = newChain
        }

        func reachCheckpoints() {
            guard let list = bySize[position] else { return }
            seenUpTo = max(seenUpTo, position)
            for pending in list {
                let cp = pending.checkpoint.checkpoint
                if merkleUnknownFrom != nil {
                    if cp.chainHead != chain {
                        add(.checkpointMismatch, position: position == 0 ? nil : position - 1,
                            "\(pending.source) (size \(cp.treeSize)) does not match the records' chain head: the log was rewritten")
                    }
                } else if cp.rootHash != frontier.root || cp.chainHead != chain {
                    add(.checkpointMismatch, position: position == 0 ? nil : position - 1,
                        "\(pending.source) (size \(cp.treeSize)) does not match the records: the log was rewritten")
                } else {
                    report.checkpointsVerified += 1
                }
            }
            bySize[position] = nil
        }
        reachCheckpoints()

        for (index, number) in numbers.enumerated() {
            let name = SegmentNaming.fileName(number)
            let isLast = index == numbers.count - 1
            // The next file continues this segment's numbering (a stray higher-numbered file does not
            // make this one a sealed segment that lost its footer).
            let nextIsAdjacent = index + 1 < numbers.count && numbers[index + 1] == number + 1
            if number != expectedNumber {
                add(.recordMissing, segment: name, "segment file(s) \(SegmentNaming.fileName(expectedNumber)) to \(SegmentNaming.fileName(number - 1)) are missing")
            }
            expectedNumber = number + 1
            report.segments += 1
            let segmentPath = SegmentScanner.segmentPath(regionDirectory: directory, number: number)
            if let kind = FileIO.nonRegularKind(segmentPath) {
                // Damage, not an I/O error: its records are reported missing where the next segment
                // starts (or as a truncated tail when a checkpoint covers them), the rest is checked.
                add(.contentModified, segment: name, "\(name) is \(kind), not a segment file: its records cannot be read")
                continue
            }
            let bytes = try FileIO.readFile(segmentPath)
            bytes.withUnsafeBytes { file in
                let header: SegmentHeader
                switch SegmentHeader.decode(file) {
                case .failure(let e):
                    // A writer killed while creating its next segment leaves it empty or with a torn
                    // header; recovery on open recreates it. Crash residue, as long as nothing is lost.
                    if isLast && file.count < 4096 && (e == .truncatedHeader || e == .headerDigestMismatch)
                        && latestSigned <= position && RegionVerifier.nextValidFrame(file, after: 0) == nil {
                        report.warnings.append("\(name) has an unfinished header (\(file.count) bytes; crash residue, no records)")
                        return
                    }
                    add(.contentModified, segment: name, offset: 0, "segment header is damaged: \(e)")
                    return
                case .success(let h): header = h
                }
                if header.segmentNumber != number {
                    add(.recordsReordered, segment: name, offset: 0, "file holds segment \(header.segmentNumber), not \(number): segments were swapped or renamed")
                }
                if header.region != region {
                    // Not part of this region's chain: reported once, not fed into the chain (where
                    // it would make every later checkpoint look wrong).
                    add(.recordInjected, segment: name, offset: 0, "segment belongs to region '\(header.region)'")
                    return
                }
                if header.firstPosition > position {
                    if header.firstPosition > seenUpTo {
                        let from = max(position, seenUpTo)
                        add(.recordMissing, segment: name, position: from, "records \(from) to \(header.firstPosition - 1) are missing before this segment")
                    }
                    resync(position: header.firstPosition, chain: header.previousChain)
                } else if header.firstPosition < position {
                    add(.recordsReordered, segment: name, position: header.firstPosition, "segment starts at position \(header.firstPosition), expected \(position)")
                    resync(position: header.firstPosition, chain: header.previousChain)
                } else if header.previousChain != chain {
                    add(.contentModified, segment: name, offset: 0, position: position, "segment does not link to the previous segment's last chain hash")
                }
                var offset = header.size
                var segmentRecords: UInt64 = 0
                var segmentFrames: UInt64 = 0
                var footer: SegmentFooter?
                var footerOffset = 0
                scanning: while offset < file.count {
                    let rest = UnsafeRawBufferPointer(rebasing: file[offset...])
                    if SegmentFooter.startsWithMagic(rest) {
                        if rest.count == SegmentFooter.size, case .success(let f) = SegmentFooter.decode(rest) {
                            footer = f
                            footerOffset = offset
                        } else if rest.count == SegmentFooter.size {
                            add(.contentModified, segment: name, offset: UInt64(offset), "segment footer is damaged")
                            footerOffset = offset
                        } else if rest.count > SegmentFooter.size,
                                  case .success(let f) = SegmentFooter.decode(UnsafeRawBufferPointer(rebasing: rest[0..<SegmentFooter.size])) {
                            // A valid footer with bytes after it: the footer is still checked below.
                            footer = f
                            footerOffset = offset
                            add(.recordInjected, segment: name, offset: UInt64(offset + SegmentFooter.size),
                                "\(rest.count - SegmentFooter.size) bytes follow the segment footer")
                        } else {
                            add(rest.count < SegmentFooter.size ? .tailTruncated : .recordInjected, segment: name, offset: UInt64(offset),
                                rest.count < SegmentFooter.size ? "segment footer is truncated" : "bytes follow a damaged segment footer")
                            footerOffset = offset
                        }
                        break scanning
                    }
                    let parsed = FrameCodec.parseHeader(rest)
                    var frameHeader: FrameHeader?
                    var problem = ""
                    switch parsed {
                    case .header(let h):
                        if h.totalSize <= rest.count { frameHeader = h } else { problem = "frame is truncated (\(rest.count) of \(h.totalSize) bytes)" }
                    case .needMore: problem = "frame header is truncated"
                    case .invalid(let why): problem = why
                    }
                    guard let h = frameHeader else {
                        // Damage: a torn tail from a crash, or tampering.
                        let resync = RegionVerifier.nextValidFrame(file, after: offset)
                        // A lost sector (zeros) in the last write, with the rest of that write after it,
                        // is crash residue too (when no checkpoint covers it).
                        if (resync == nil || FrameCodec.hasZeroSector(rest, fileOffset: UInt64(offset))) && isLast && footer == nil {
                            // A header cut short is a torn write; a complete header that fails its checks is
                            // damage when a checkpoint covers the frame, or when the frame is whole and signed.
                            var isCutShort = false
                            switch parsed {
                            case .needMore: isCutShort = true
                            case .header: isCutShort = true  // present, but longer than what is left
                            case .invalid: break
                            }
                            // Evaluated also when the header reads as cut short: a changed record count does that
                            // (the signature over the count the length implies tells it apart, as on open), and so
                            // does any damage before a footer written whole (the segment was sealed after it).
                            // Both are FrameCodec.isCompleteSignedButDamaged, shared with the writer.
                            let isSignedWhole = FrameCodec.isCompleteSignedButDamaged(
                                rest, fileOffset: UInt64(offset), region: region, keyring: keyring, expectedFirstPosition: position)
                            if isSignedWhole { isCutShort = false }
                            if !isCutShort && (latestSigned > position || isSignedWhole) {
                                add(.contentModified, segment: name, offset: UInt64(offset), position: position,
                                    "frame is damaged: \(problem)" + (isSignedWhole ? " (the frame is complete and signed by its writer: its records, from position \(position), may have been acknowledged)" : ""))
                            }
                            if latestSigned > position {
                                add(.tailTruncated, segment: name, offset: UInt64(offset), position: position,
                                    "\(problem); checkpoints cover \(latestSigned) records but only \(position) remain")
                            } else if !isSignedWhole {
                                report.warnings.append("\(name) ends with \(file.count - offset) bytes of an unfinished write at byte \(offset) (crash residue, never acknowledged)")
                            }
                            break scanning
                        }
                        add(.contentModified, segment: name, offset: UInt64(offset), position: position, "frame is damaged: \(problem)")
                        guard let next = resync else { break scanning }
                        offset = next
                        continue scanning
                    }
                    let frame = UnsafeRawBufferPointer(rebasing: rest[0..<h.totalSize])
                    if !FrameCodec.hasValidTrailer(frame, header: h) {
                        // The last write of a crashed writer can reach the disk with some pages missing. Like
                        // recovery on open, treat a final frame no checkpoint covers as crash residue.
                        // (Not when the frame is complete and signed: a crash cannot leave that with other
                        // bytes changed.)
                        if isLast && footer == nil && h.firstPosition == position && latestSigned <= position
                            && (RegionVerifier.nextValidFrame(file, after: offset) == nil || FrameCodec.hasZeroSector(rest, fileOffset: UInt64(offset)))
                            && !FrameCodec.isCompleteSignedButDamaged(rest, fileOffset: UInt64(offset), region: region, keyring: keyring,
                                                                     expectedFirstPosition: position) {
                            report.warnings.append("\(name) ends with \(file.count - offset) bytes of an unfinished write at byte \(offset) (frame digest mismatch; crash residue, never covered by a checkpoint)")
                            break scanning
                        }
                        add(.contentModified, segment: name, offset: UInt64(offset), position: h.firstPosition, "frame bytes do not match the frame digest")
                    }
                    if h.firstPosition > position {
                        if h.firstPosition > seenUpTo {
                            let from = max(position, seenUpTo)
                            add(.recordMissing, segment: name, offset: UInt64(offset), position: from,
                                "records \(from) to \(h.firstPosition - 1) are missing")
                        }
                        resync(position: h.firstPosition, chain: h.previousChain)
                    } else if h.firstPosition < position {
                        add(.recordsReordered, segment: name, offset: UInt64(offset), position: h.firstPosition,
                            "frame holds positions from \(h.firstPosition), expected \(position)")
                        resync(position: h.firstPosition, chain: h.previousChain)
                    } else if h.previousChain != chain {
                        add(.contentModified, segment: name, offset: UInt64(offset), position: position, "frame does not link to the previous record's chain hash")
                    }
                    // Purge flags are not under the frame signature, and nothing may set them yet: retention
                    // (which will record every purge in a signed log) is not built. A purged block now is
                    // someone erasing records with recomputed digests.
                    if h.isContentPurged || h.isEnvelopePurged {
                        add(.contentModified, segment: name, offset: UInt64(offset), position: h.firstPosition,
                            "frame marks its \(h.isEnvelopePurged ? "envelopes" : "contents") as purged, but no signed retention record authorizes a purge (records \(h.firstPosition)…\(h.firstPosition + UInt64(h.recordCount) - 1) erased)")
                    }
                    // Recompute every digest from the stored bytes.
                    var envelopes: [UInt8]?
                    var contents: [UInt8]?
                    var decodeProblem: String?
                    var missingDictionary: UInt32?
                    do throws(ZstdError) {
                        envelopes = try FrameCodec.envelopes(frame, header: h, decompressor: decompressor, dictionaries: dictionary)
                        contents = try FrameCodec.contents(frame, header: h, decompressor: decompressor, dictionaries: dictionary)
                    } catch {
                        decodeProblem = "\(error)"
                        if error.isDictionaryMissing { missingDictionary = error.dictionaryID }
                    }
                    let envelopeRanges = FrameCodec.ranges(lengths: h.directory.map(\.envelopeLength))
                    let contentRanges = FrameCodec.ranges(lengths: h.directory.map(\.contentLength))
                    if let id = missingDictionary {
                        if let seen = dictionaryBreaks[id] {
                            dictionaryBreaks[id] = (seen.index, seen.frames + 1, seen.detail)
                        } else {
                            let why = unusableDictionaries[id]?.description ?? DictionaryFileError(id: id, reason: "not loaded").description
                            let before = report.breaks.count
                            add(.contentModified, segment: name, offset: UInt64(offset), position: h.firstPosition, why)
                            dictionaryBreaks[id] = (report.breaks.count > before ? before : nil, 1, why)
                        }
                    } else if let decodeProblem {
                        add(.contentModified, segment: name, offset: UInt64(offset), position: h.firstPosition,
                            "frame payload cannot be decompressed (\(decodeProblem))")
                    }
                    for (k, entry) in h.directory.enumerated() {
                        let p = h.firstPosition + UInt64(k)
                        var id: String?
                        if decodeProblem == nil {
                            if let envelopes {
                                let env = Array(envelopes[envelopeRanges[k]])
                                id = RegionVerifier.recordID(env)
                                if SHA256.hash(env) != entry.envelopeDigest {
                                    add(.contentModified, segment: name, offset: UInt64(offset), position: p, id: id, "envelope bytes do not match their digest")
                                } else if let id, PreparedRecord.idHash(id) != entry.idHash {
                                    add(.contentModified, segment: name, offset: UInt64(offset), position: p, id: id, "id hash in the frame directory does not match the envelope")
                                }
                            }
                            if let contents, contents.withUnsafeBytes({ SHA256.hash(UnsafeRawBufferPointer(rebasing: $0[contentRanges[k]])) }) != entry.contentDigest {
                                add(.contentModified, segment: name, offset: UInt64(offset), position: p, id: id, "content bytes do not match their digest")
                            }
                        }
                        let leaf = entry.leafHash
                        chain = LogHash.chain(previous: chain, position: p, leaf: leaf)
                        frontier.append(leaf)
                        position = p + 1
                        seenUpTo = max(seenUpTo, position)
                        reachCheckpoints()
                    }
                    if chain != h.chainHead {
                        add(.contentModified, segment: name, offset: UInt64(offset), position: position - 1,
                            "frame's recorded chain head differs from the recomputed chain")
                        chain = h.chainHead
                    }
                    let signature = FrameCodec.signature(frame, header: h)
                    lastFrame = (name, UInt64(offset), h, signature)
                    if position > latestSigned { unsignedFrames.append((name, UInt64(offset), h, signature)) }
                    segmentRecords += UInt64(h.recordCount)
                    segmentFrames += 1
                    offset += h.totalSize
                }
                if let f = footer {
                    sealed.append((name, f.treeSize))
                    let digest = SHA256.hash(UnsafeRawBufferPointer(rebasing: file[0..<footerOffset]))
                    if f.segmentDigest != digest {
                        add(.contentModified, segment: name, offset: UInt64(footerOffset), "segment bytes do not match the footer's segment digest")
                    }
                    if f.recordCount != segmentRecords || f.frameCount != segmentFrames || f.treeSize != position {
                        add(.recordMissing, segment: name, offset: UInt64(footerOffset),
                            "footer counts \(f.recordCount) records in \(f.frameCount) frames ending at \(f.treeSize); found \(segmentRecords) in \(segmentFrames) ending at \(position)")
                    } else if f.lastChain != chain || (merkleUnknownFrom == nil && f.merkleRoot != frontier.root) {
                        add(.contentModified, segment: name, offset: UInt64(footerOffset), "footer chain head or Merkle root differs from the records")
                    }
                } else if !isLast && footerOffset == 0 && nextIsAdjacent {
                    add(.tailTruncated, segment: name, offset: UInt64(file.count), position: position,
                        "sealed segment has lost its footer (truncated); the next segment exists")
                }
            }
        }
        if numbers.isEmpty && latestSigned > 0 {
            add(.tailTruncated, "no segment files, but checkpoints cover \(latestSigned) records")
        }
        // Checkpoints beyond what is stored: records were cut off. (After records seen out of order
        // the scan may end below the highest position it saw; that one counts.)
        let stored = max(position, seenUpTo)
        for size in bySize.keys.sorted() where size > stored {
            for pending in bySize[size]! {
                add(.tailTruncated, position: stored, "\(pending.source) covers \(size) records but only \(stored) are stored")
            }
        }
        // Every seal signs a checkpoint (retried until it succeeds), and a later segment is sealed
        // only after that: all sealed segments but the last must be covered by a checkpoint
        // (the last may have been sealed just before a crash). Fewer means checkpoints were
        // removed, e.g. a log emptied or cut back to hide a truncated tail.
        // A running writer may have sealed a segment (and then signed its checkpoint) after the log
        // was read above: read the log again before calling the checkpoint missing. Only signed
        // checkpoints of this region count; this read says whether one exists, nothing more.
        // (A log without any checkpoint is reported once, below, as emptied.)
        if sealed.count >= 2, hasLog, signedLogEntries, latestSigned < sealed[sealed.count - 2].treeSize,
           Self.latestSignedSize(logPath: logPath, origin: Checkpoint.origin(region: region), keyring: keyring) < sealed[sealed.count - 2].treeSize {
            let s = sealed[sealed.count - 2]
            add(.checkpointMismatch, position: latestSigned,
                "no checkpoint covers sealed segment \(s.name) (records up to \(s.treeSize)); the latest covers \(latestSigned): checkpoints were removed")
        }
        if !hasLog, logKind == nil, position > 0 {
            add(.checkpointMismatch, "checkpoints.log is missing: \(position) records are not covered by any checkpoint in the store")
        } else if hasLog, position > 0, !signedLogEntries {
            // A writer signs the size-0 checkpoint (genesis) into the log before it creates the
            // region's first segment, and the log was read before the segments.
            add(.checkpointMismatch, "checkpoints.log holds no valid checkpoint of this region, but a region's log starts with a signed checkpoint of size 0 and the segments hold \(position) records: the log was emptied")
        }
        // The unsigned tail: each frame must carry a valid signature by a trusted key.
        var injected = false
        for f in unsignedFrames {
            let message = FrameCodec.signedMessage(region: region, firstPosition: f.header.firstPosition, recordCount: f.header.recordCount,
                                                   chainHead: f.header.chainHead)
            if !keyring.verify(keyHash: f.signature.0, signature: f.signature.1, message: message) {
                add(.recordInjected, segment: f.segment, offset: f.offset, position: f.header.firstPosition,
                    "records \(f.header.firstPosition)…\(f.header.positions.upperBound - 1) follow the latest checkpoint and their frame has no valid signature")
                injected = true
            }
        }
        if !injected, position > latestSigned, hasLog {
            report.warnings.append("\(position - latestSigned) records after the latest checkpoint carry valid frame signatures (a writer is running or stopped before signing a checkpoint)")
        }
        if let last = lastFrame, !unsignedFrames.contains(where: { $0.offset == last.offset && $0.segment == last.segment }) {
            let message = FrameCodec.signedMessage(region: region, firstPosition: last.header.firstPosition, recordCount: last.header.recordCount,
                                                   chainHead: last.header.chainHead)
            if !keyring.verify(keyHash: last.signature.0, signature: last.signature.1, message: message) {
                add(.badSignature, segment: last.segment, offset: last.offset, position: last.header.firstPosition, "the last frame's signature is not valid")
            }
        }
        for (_, b) in dictionaryBreaks {
            if let index = b.index {
                report.breaks[index].detail = "\(b.detail): the records of \(b.frames) frame(s) that need it cannot be checked"
            }
        }
        if let from = merkleUnknownFrom {
            report.warnings.append("records from position \(from) on were lost or out of order: Merkle roots after it were not compared, chain heads were")
        }
        // Dictionary files no frame names hold nothing a record needs. One that cannot be loaded
        // is what the writer passes over on open (WriterCore.recoverDictionaries): a note, so that
        // both tell the operator the same.
        for id in try RegionDictionaries.ids(regionDirectory: directory) where !namedDictionaries.contains(id) {
            do throws(DictionaryFileError) { _ = try dictionaries.loadDecompressionDictionary(id) } catch {
                report.warnings.append("\(error); no frame names it, so no record needs it (the writer ignores it; remove the file)")
            }
        }
        report.records = position
        report.chainHead = chain
        report.merkleRoot = frontier.root
        return report
    }

    /// A store signing key that no writer could continue this region with: a break
    /// (`signing_key_mismatch`) when it is malformed while the region's log holds checkpoints, or
    /// not the key (nor the successor of the key) that signed the newest one, or when a checkpoint
    /// signed by another key follows the key's first; a warning when it is missing (or unreadable).
    /// `logged`: the region's own log entries of its origin, in file order.
    private func storeKeyFindings(_ logged: [SignedCheckpoint]) -> (breaks: [String], warnings: [String]) {
        guard let storeKey, !logged.isEmpty else { return ([], []) }
        let file = "keys/signing.key"
        switch storeKey {
        case .missing:
            // Not a break: what the log holds still verifies under the public keys (a copy of a store
            // handed to an auditor rightly lacks the private key), but writes are impossible.
            return ([], ["\(file) is missing, but this region's checkpoints were signed by the store's key: no writer can continue the region "
                + "(gatelog never makes a new key for a store that had one); restore \(file) from a backup before writing"])
        case .malformed:
            return (["\(file) is not a gatelog signing key file: no writer can continue the region; restore it from a backup"], [])
        case .unreadable(let why):
            return ([], ["\(file) could not be read (\(why)): whether it continues the keys of this region's checkpoints was not checked"])
        case .present(let key, let predecessor):
            // Entries signed by a trusted key, or by the store key or its predecessor (an entry signed
            // by neither is a bad_signature already, and says nothing about which key continues).
            var keys = keyring
            keys.add(key)
            if let predecessor { keys.add(predecessor) }
            let signed = logged.filter { $0.isSigned(by: keys) }
            switch KeyStore.continuityProblem(signed, key: key, predecessor: predecessor) {
            case .newestNotSigned(let size)?:
                let signers = Set(signed.filter { $0.checkpoint.treeSize == size }.flatMap { $0.signatures.map(\.name) }).sorted()
                return (["\(file) holds key \(key.name)\(predecessor.map { " (successor of \($0.name))" } ?? ""), but the region's newest checkpoint "
                    + "(size \(size)) is signed by \(signers.joined(separator: ", ")): the signing key is neither that key nor its successor "
                    + "from `gatelog key rotate` (replaced by another key?), and no writer can continue the region; restore the store's key from a backup"], [])
            case .oldKeyAfterRotation(let size)?:
                return (["checkpoint of size \(size) follows one signed by the store's key \(key.name) but is signed by another key "
                    + "(the replaced key used after `gatelog key rotate`?): no writer continues the region"], [])
            case nil:
                return ([], [])
            }
        }
    }

    /// The `id` of a stored envelope, read without building a JSON tree.
    static func recordID(_ envelope: [UInt8]) -> String? {
        envelope.withUnsafeBytes { b -> String? in
            guard let members = try? JSONSyntax.topLevelMembers(b), let m = members.first(where: { $0.key == "id" }),
                  b[m.value.lowerBound] == UInt8(ascii: "\"") else { return nil }
            var i = m.value.lowerBound
            return try? JSONSyntax.decodeString(b, &i)
        }
    }

    /// Verifies several regions, in parallel on the machine's cores (regions are independent).
    /// Verifies several regions in parallel. An I/O error in one region does not stop the others:
    /// that region's report carries it (`unreadable`).
    public static func verifyAll(_ verifiers: [RegionVerifier]) -> [RegionVerification] {
        let results = Mutex<[Int: RegionVerification]>([:])
        DispatchQueue.concurrentPerform(iterations: verifiers.count) { i in
            let r: RegionVerification
            do throws(FileIOError) { r = try verifiers[i].verify() } catch {
                var failed = RegionVerification(region: verifiers[i].region)
                failed.unreadable = "\(error)"
                r = failed
            }
            results.withLock { $0[i] = r }
        }
        return (0..<verifiers.count).map { i in results.withLock { $0[i]! } }
    }

    /// The offset of the next complete, digest-valid frame after `offset`, if any.
    ///
    /// Every candidate costs a hash of its header (up to 5 MiB for 65,535 records), and a damaged
    /// file can repeat the frame magic at every byte: the bytes hashed are capped at four times the
    /// file plus 64 MiB, beyond which the rest of the file counts as unreadable (nil).
    static func nextValidFrame(_ file: UnsafeRawBufferPointer, after offset: Int) -> Int? {
        var i = offset + 1
        var hashBudget = 4 * file.count + (64 << 20)
        while i + FrameHeader.fixedSize <= file.count {
            if file[i] == 0x47, file[i + 1] == 0x4C, file[i + 2] == 0x46, file[i + 3] == 0x52, file[i + 4] == FrameHeader.version {
                let rest = UnsafeRawBufferPointer(rebasing: file[i...])
                let count = Int(rest[6]) << 8 | Int(rest[7])
                let headerSize = FrameHeader.fixedSize + FrameDirectoryEntry.size * count + 32
                if count == 0 || headerSize > rest.count { i += 1; continue }
                hashBudget -= headerSize
                if hashBudget < 0 { return nil }
                if case .header(let h) = FrameCodec.parseHeader(rest), h.totalSize <= rest.count {
                    hashBudget -= h.totalSize
                    if hashBudget < 0 { return nil }
                    if FrameCodec.hasValidTrailer(UnsafeRawBufferPointer(rebasing: rest[0..<h.totalSize]), header: h) { return i }
                }
            }
            i += 1
        }
        return nil
    }
}
