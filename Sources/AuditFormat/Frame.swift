import GatelogCrypto

/// A record ready to be framed: its two stored byte strings and their digests.
public struct PreparedRecord: Sendable {
    /// Stored envelope bytes (redacted, compact JSON object).
    public var envelope: [UInt8]
    /// Stored content bytes (redacted, compact JSON object).
    public var content: [UInt8]
    /// First 8 bytes of SHA-256(id), big-endian: lets duplicates be found from frame headers alone.
    public var idHash: UInt64
    public var envelopeDigest: Digest32
    public var contentDigest: Digest32

    /// Prepares a record, hashing both parts. O(n).
    public init(id: String, envelope: [UInt8], content: [UInt8]) {
        self.envelope = envelope
        self.content = content
        self.idHash = PreparedRecord.idHash(id)
        self.envelopeDigest = SHA256.hash(envelope)
        self.contentDigest = SHA256.hash(content)
    }

    /// The RFC 9162 leaf hash of this record.
    public var leafHash: Digest32 { LogHash.leaf(envelopeDigest: envelopeDigest, contentDigest: contentDigest) }

    /// The id hash of `id`: the first 8 bytes of SHA-256 of its UTF-8, as a big-endian integer.
    public static func idHash(_ id: String) -> UInt64 { SHA256.hash(id).a }
}

/// One record's entry in a frame's directory (80 bytes on disk).
public struct FrameDirectoryEntry: Sendable, Equatable {
    public var envelopeLength: UInt32
    public var contentLength: UInt32
    public var idHash: UInt64
    public var envelopeDigest: Digest32
    public var contentDigest: Digest32

    /// The record's RFC 9162 leaf hash.
    public var leafHash: Digest32 { LogHash.leaf(envelopeDigest: envelopeDigest, contentDigest: contentDigest) }

    public static let size = 80
}

/// The decoded header of a frame. See docs/FORMAT.md, "Frames".
public struct FrameHeader: Sendable, Equatable {
    public static let magic: UInt32 = 0x474C_4652 // "GLFR"
    public static let version: UInt8 = 1
    /// Bytes before the directory.
    public static let fixedSize = 96
    /// Bytes of the signature block (4-byte key hash + 64-byte Ed25519 signature).
    public static let signatureSize = 68
    /// Flag: the content block was purged by retention (digests kept).
    public static let contentPurgedFlag: UInt8 = 0x01
    /// Flag: the envelope block was purged by retention (digests kept).
    public static let envelopePurgedFlag: UInt8 = 0x02
    /// Largest first position accepted when reading (2^62; guards position arithmetic).
    public static let maxPosition: UInt64 = 1 << 62
    /// Largest raw block accepted when reading (guards against hostile lengths).
    public static let maxBlockSize: UInt32 = 256 << 20

    public var flags: UInt8
    public var firstPosition: UInt64
    public var envelopesRawLength: UInt32
    public var envelopesStoredLength: UInt32
    public var contentsRawLength: UInt32
    public var contentsStoredLength: UInt32
    /// Chain hash of the record before this frame's first record.
    public var previousChain: Digest32
    /// Chain hash of this frame's last record.
    public var chainHead: Digest32
    public var directory: [FrameDirectoryEntry]
    /// SHA-256 of the header bytes before it, as stored.
    public var headerDigest: Digest32

    public var recordCount: Int { directory.count }
    public var isContentPurged: Bool { flags & FrameHeader.contentPurgedFlag != 0 }
    public var isEnvelopePurged: Bool { flags & FrameHeader.envelopePurgedFlag != 0 }
    /// Header bytes including the directory and the header digest.
    public var headerSize: Int { FrameHeader.fixedSize + FrameDirectoryEntry.size * directory.count + 32 }
    /// Compressed payload bytes.
    public var payloadSize: Int { Int(envelopesStoredLength) + Int(contentsStoredLength) }
    /// Whole frame on disk.
    public var totalSize: Int { headerSize + payloadSize + FrameHeader.signatureSize + 32 }
    /// Positions covered.
    public var positions: Range<UInt64> { firstPosition..<(firstPosition + UInt64(directory.count)) }
    /// Where the envelope block (a zstd frame, empty when purged) starts, from the frame's start.
    public var envelopeBlockOffset: Int { headerSize }
    /// Where the content block (a zstd frame, empty when purged) starts, from the frame's start.
    public var contentBlockOffset: Int { headerSize + Int(envelopesStoredLength) }
}

/// The result of trying to read a frame header from a buffer.
public enum FrameHeaderParse: Sendable {
    case header(FrameHeader)
    /// The buffer ends before the header does: at least this many bytes are needed.
    case needMore(Int)
    /// The bytes are not a valid frame header.
    case invalid(String)
}

/// A frame as encoded by the writer.
public struct EncodedFrame: Sendable {
    public var bytes: [UInt8]
    public var header: FrameHeader
    /// Chain hash of each record in the frame.
    public var chainHashes: [Digest32]
    /// Leaf hash of each record in the frame.
    public var leafHashes: [Digest32]
}

/// Encoding and decoding of frames: a group of records compressed together, with an
/// uncompressed directory of digests, a signature over the chain head, and a trailing digest.
public enum FrameCodec {
    /// The message signed for a frame (docs/FORMAT.md, "Frame signature").
    public static func signedMessage(region: String, firstPosition: UInt64, recordCount: Int, chainHead: Digest32) -> [UInt8] {
        var m = Array("gatelog frame v1\n".utf8)
        m.append(contentsOf: region.utf8)
        m.append(0x0A)
        withUnsafeBytes(of: firstPosition.bigEndian) { m.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt16(recordCount).bigEndian) { m.append(contentsOf: $0) }
        chainHead.append(to: &m)
        return m
    }

    /// Encodes `records` as one frame starting at `firstPosition`. O(n) in the records' bytes.
    /// With a `dictionary`, both zstd blocks are compressed with it and name its ID in their
    /// headers (RFC 8878 Dictionary_ID); the dictionary must be durable before the frame is written.
    public static func encode(records: [PreparedRecord], firstPosition: UInt64, previousChain: Digest32, region: String,
                              key: LogSigningKey, compressor: ZstdCompressor,
                              dictionary: ZstdCompressionDictionary? = nil) throws -> EncodedFrame {
        precondition(!records.isEmpty && records.count <= Int(UInt16.max), "a frame holds 1...65535 records")
        var chain = previousChain
        var chainHashes: [Digest32] = []
        var leaves: [Digest32] = []
        chainHashes.reserveCapacity(records.count)
        leaves.reserveCapacity(records.count)
        var directory: [FrameDirectoryEntry] = []
        directory.reserveCapacity(records.count)
        var envelopeBlob = [UInt8]()
        var contentBlob = [UInt8]()
        envelopeBlob.reserveCapacity(records.reduce(0) { $0 + $1.envelope.count })
        contentBlob.reserveCapacity(records.reduce(0) { $0 + $1.content.count })
        for (i, r) in records.enumerated() {
            let leaf = r.leafHash
            chain = LogHash.chain(previous: chain, position: firstPosition + UInt64(i), leaf: leaf)
            leaves.append(leaf)
            chainHashes.append(chain)
            directory.append(FrameDirectoryEntry(envelopeLength: UInt32(r.envelope.count), contentLength: UInt32(r.content.count),
                                                 idHash: r.idHash, envelopeDigest: r.envelopeDigest, contentDigest: r.contentDigest))
            envelopeBlob.append(contentsOf: r.envelope)
            contentBlob.append(contentsOf: r.content)
        }
        var header = FrameHeader(flags: 0, firstPosition: firstPosition, envelopesRawLength: UInt32(envelopeBlob.count),
                                 envelopesStoredLength: 0, contentsRawLength: UInt32(contentBlob.count), contentsStoredLength: 0,
                                 previousChain: previousChain, chainHead: chain, directory: directory, headerDigest: .zero)
        var payload = [UInt8]()
        payload.reserveCapacity((envelopeBlob.count + contentBlob.count) / 3 + 256)
        if !envelopeBlob.isEmpty {
            header.envelopesStoredLength = UInt32(try envelopeBlob.withUnsafeBytes { try compressor.compress($0, appendingTo: &payload, dictionary: dictionary) })
        }
        if !contentBlob.isEmpty {
            header.contentsStoredLength = UInt32(try contentBlob.withUnsafeBytes { try compressor.compress($0, appendingTo: &payload, dictionary: dictionary) })
        }
        let signature = try key.sign(signedMessage(region: region, firstPosition: firstPosition, recordCount: records.count, chainHead: chain))
        let bytes = assemble(header: &header, payload: payload, keyHash: key.verifier.keyHashValue, signature: signature)
        return EncodedFrame(bytes: bytes, header: header, chainHashes: chainHashes, leafHashes: leaves)
    }

    /// Serialises a header, payload and signature into frame bytes, filling in the header digest.
    public static func assemble(header: inout FrameHeader, payload: [UInt8], keyHash: UInt32, signature: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(header.headerSize + payload.count + 100)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
        u32(FrameHeader.magic)
        out.append(FrameHeader.version)
        out.append(header.flags)
        withUnsafeBytes(of: UInt16(header.directory.count).bigEndian) { out.append(contentsOf: $0) }
        u64(header.firstPosition)
        u32(header.envelopesRawLength)
        u32(header.envelopesStoredLength)
        u32(header.contentsRawLength)
        u32(header.contentsStoredLength)
        header.previousChain.append(to: &out)
        header.chainHead.append(to: &out)
        for e in header.directory {
            u32(e.envelopeLength)
            u32(e.contentLength)
            u64(e.idHash)
            e.envelopeDigest.append(to: &out)
            e.contentDigest.append(to: &out)
        }
        header.headerDigest = SHA256.hash(out)
        header.headerDigest.append(to: &out)
        out.append(contentsOf: payload)
        u32(keyHash)
        out.append(contentsOf: signature)
        SHA256.hash(out).append(to: &out)
        return out
    }

    /// Reads a frame header from `buffer`, which starts at the frame. Checks the magic,
    /// version, lengths and the header digest; does not touch the payload.
    public static func parseHeader(_ buffer: UnsafeRawBufferPointer) -> FrameHeaderParse {
        guard buffer.count >= FrameHeader.fixedSize else { return .needMore(FrameHeader.fixedSize) }
        func u32(_ o: Int) -> UInt32 { UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func u64(_ o: Int) -> UInt64 { UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        guard u32(0) == FrameHeader.magic else { return .invalid("bad frame magic") }
        guard buffer[4] == FrameHeader.version else { return .invalid("unsupported frame version \(buffer[4])") }
        let flags = buffer[5]
        guard flags & ~(FrameHeader.contentPurgedFlag | FrameHeader.envelopePurgedFlag) == 0 else { return .invalid("unknown frame flags") }
        let count = Int(UInt16(bigEndian: buffer.loadUnaligned(fromByteOffset: 6, as: UInt16.self)))
        guard count > 0 else { return .invalid("frame with no records") }
        let headerSize = FrameHeader.fixedSize + FrameDirectoryEntry.size * count + 32
        guard buffer.count >= headerSize else { return .needMore(headerSize) }
        let stored = SHA256.hash(UnsafeRawBufferPointer(rebasing: buffer[0..<(headerSize - 32)]))
        let recorded = Digest32(buffer.baseAddress! + headerSize - 32)
        guard stored == recorded else { return .invalid("frame header digest mismatch") }
        var directory: [FrameDirectoryEntry] = []
        directory.reserveCapacity(count)
        var o = FrameHeader.fixedSize
        var envelopeSum: UInt64 = 0
        var contentSum: UInt64 = 0
        for _ in 0..<count {
            let e = FrameDirectoryEntry(envelopeLength: u32(o), contentLength: u32(o + 4), idHash: u64(o + 8),
                                        envelopeDigest: Digest32(buffer.baseAddress! + o + 16),
                                        contentDigest: Digest32(buffer.baseAddress! + o + 48))
            envelopeSum += UInt64(e.envelopeLength)
            contentSum += UInt64(e.contentLength)
            directory.append(e)
            o += FrameDirectoryEntry.size
        }
        let header = FrameHeader(flags: flags, firstPosition: u64(8), envelopesRawLength: u32(16), envelopesStoredLength: u32(20),
                                 contentsRawLength: u32(24), contentsStoredLength: u32(28),
                                 previousChain: Digest32(buffer.baseAddress! + 32), chainHead: Digest32(buffer.baseAddress! + 64),
                                 directory: directory, headerDigest: recorded)
        // Positions are far below 2^62 (a log of 2^62 records cannot exist); a larger first
        // position is damage, and arithmetic on the frame's positions must not overflow.
        guard header.firstPosition <= FrameHeader.maxPosition else { return .invalid("frame's first position is out of range") }
        let maxBlock = FrameHeader.maxBlockSize
        guard header.envelopesRawLength <= maxBlock, header.contentsRawLength <= maxBlock,
              header.envelopesStoredLength <= maxBlock, header.contentsStoredLength <= maxBlock else {
            return .invalid("frame block larger than \(maxBlock) bytes")
        }
        if header.isEnvelopePurged {
            guard header.envelopesRawLength == 0, header.envelopesStoredLength == 0 else { return .invalid("purged envelope block has a length") }
        } else {
            guard UInt64(header.envelopesRawLength) == envelopeSum else { return .invalid("envelope lengths do not add up") }
            guard (header.envelopesRawLength == 0) == (header.envelopesStoredLength == 0) else { return .invalid("envelope block lengths disagree") }
        }
        if header.isContentPurged {
            guard header.contentsRawLength == 0, header.contentsStoredLength == 0 else { return .invalid("purged content block has a length") }
        } else {
            guard UInt64(header.contentsRawLength) == contentSum else { return .invalid("content lengths do not add up") }
            guard (header.contentsRawLength == 0) == (header.contentsStoredLength == 0) else { return .invalid("content block lengths disagree") }
        }
        return .header(header)
    }

    /// Whether the bytes at the end of a segment, `tail` (from where a frame should start to the end
    /// of the file), are a frame its writer wrote whole and signed but whose bytes no longer match
    /// their digests: damage, not the residue of a crash. Read without the header digest, the fixed
    /// header must give a frame that ends exactly at the end of `tail`, the Ed25519 signature at its
    /// end must verify over its region, first position, record count and chain head under a key of
    /// `keyring`, and no sign of lost writes may show: no 512-byte disk sector inside it all zeros
    /// (`fileOffset` is where `tail` starts in the file), and not the last 16 bytes zero. A crash
    /// leaves a final frame shorter than its length, or (power loss, on some file systems) with
    /// sectors that read as zeros; it cannot leave a complete, signed frame with other bytes
    /// changed. A frame whose header passes its own digest and gives exactly the length of `tail`
    /// counts as complete and written whole too, whatever its signature says: only its signature
    /// or trailer can have changed, which no crash does. O(n).
    /// `expectedFirstPosition` (where the frame must start, when the caller knows) is tried
    /// against the signature too, so a changed position field is caught; the magic is not required
    /// (the signature is the proof).
    public static func isCompleteSignedButDamaged(_ tail: UnsafeRawBufferPointer, fileOffset: UInt64, region: String,
                                                   keyring: VerifierKeyring, expectedFirstPosition: UInt64? = nil) -> Bool {
        // Followed by the segment's footer, written whole: the writer sealed the segment after
        // this frame was durable (and acknowledged). Whatever changed in it, or in the footer
        // itself, is damage.
        if SegmentFooter.endsWithWrittenFooter(tail) { return true }
        // A footer of full length, with its magic, that fails its digest: a crash tears a write by
        // leaving it short or with zeros at its end, not by changing bytes in the middle.
        if tail.count == SegmentFooter.size, SegmentFooter.startsWithMagic(tail),
           !UnsafeRawBufferPointer(rebasing: tail[(tail.count - 16)...]).allSatisfy({ $0 == 0 }), !hasZeroSector(tail, fileOffset: fileOffset) {
            return true
        }
        guard tail.count >= FrameHeader.fixedSize else { return false }
        func u32(_ o: Int) -> UInt32 { UInt32(bigEndian: tail.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        let writtenPosition = UInt64(bigEndian: tail.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let positions = Set([writtenPosition] + (expectedFirstPosition.map { [$0] } ?? [])).filter { $0 <= FrameHeader.maxPosition }
        // The record count as written, or (when that field is what changed) the one the frame's
        // length implies: the signature, over the true count, tells which.
        let fixedParts = FrameHeader.fixedSize + 32 + Int(u32(20)) + Int(u32(28)) + FrameHeader.signatureSize + 32
        let written = Int(UInt16(bigEndian: tail.loadUnaligned(fromByteOffset: 6, as: UInt16.self)))
        let implied = tail.count >= fixedParts && (tail.count - fixedParts) % FrameDirectoryEntry.size == 0
            ? (tail.count - fixedParts) / FrameDirectoryEntry.size : 0
        var counts = [written, implied].filter { (1...Int(UInt16.max)).contains($0) && fixedParts + $0 * FrameDirectoryEntry.size == tail.count }
        // A changed stored length (envelopes or contents) breaks that sum; the signature is read
        // from the frame's end whatever the lengths say, so the written count is tried as long as
        // its directory and signature fit.
        if counts.isEmpty && written >= 1
            && FrameHeader.fixedSize + written * FrameDirectoryEntry.size + 32 + FrameHeader.signatureSize + 32 <= tail.count {
            counts = [written]
        }
        guard !counts.isEmpty else { return false }
        // Sectors of zeros: parts of the last write that never reached the disk (power loss). A
        // frame's own bytes (compressed blocks, digests, a signature) never hold 512 zeros in a row,
        // nor end in 16 (its last 32 bytes are a SHA-256 digest).
        if UnsafeRawBufferPointer(rebasing: tail[(tail.count - 16)...]).allSatisfy({ $0 == 0 }) { return false }
        if hasZeroSector(tail, fileOffset: fileOffset) { return false }
        if u32(0) == FrameHeader.magic, case .header(let h) = parseHeader(tail), h.totalSize == tail.count { return true }
        let signatureStart = tail.count - 32 - FrameHeader.signatureSize
        let keyHash = u32(signatureStart)
        let signature = Array(tail[(signatureStart + 4)..<(signatureStart + FrameHeader.signatureSize)])
        // The chain head as written, or (when that field is what changed) the one its previous
        // chain and directory give (§5.2 rule 5).
        let previousChain = Digest32(tail.baseAddress! + 32)
        return counts.contains { n in
            positions.contains { position in
                var heads = [Digest32(tail.baseAddress! + 64)]
                if FrameHeader.fixedSize + n * FrameDirectoryEntry.size <= tail.count {
                    var head = previousChain
                    for k in 0..<n {
                        let entry = tail.baseAddress! + FrameHeader.fixedSize + k * FrameDirectoryEntry.size
                        let leaf = LogHash.leaf(envelopeDigest: Digest32(entry + 16), contentDigest: Digest32(entry + 48))
                        head = LogHash.chain(previous: head, position: position + UInt64(k), leaf: leaf)
                    }
                    if head != heads[0] { heads.append(head) }
                }
                return heads.contains { head in
                    keyring.verify(keyHash: keyHash, signature: signature,
                                   message: signedMessage(region: region, firstPosition: position, recordCount: n, chainHead: head))
                }
            }
        }
    }

    /// True when `bytes` (at `fileOffset` in their file) hold a whole 512-byte-aligned disk sector of
    /// zeros: what a write that never reached the disk reads as after a power loss on some file
    /// systems. A frame's own bytes never hold one. O(n).
    public static func hasZeroSector(_ bytes: UnsafeRawBufferPointer, fileOffset: UInt64) -> Bool {
        let sector: UInt64 = 512
        var start = (fileOffset + sector - 1) / sector * sector
        while start + sector <= fileOffset + UInt64(bytes.count) {
            let o = Int(start - fileOffset)
            if UnsafeRawBufferPointer(rebasing: bytes[o..<(o + Int(sector))]).allSatisfy({ $0 == 0 }) { return true }
            start += sector
        }
        return false
    }

    /// Checks the trailing frame digest of a complete frame held in `frame` (exactly `header.totalSize` bytes).
    public static func hasValidTrailer(_ frame: UnsafeRawBufferPointer, header: FrameHeader) -> Bool {
        guard frame.count == header.totalSize else { return false }
        let digest = SHA256.hash(UnsafeRawBufferPointer(rebasing: frame[0..<(frame.count - 32)]))
        return digest == Digest32(frame.baseAddress! + frame.count - 32)
    }

    /// The signature block (key hash and signature) of a complete frame.
    public static func signature(_ frame: UnsafeRawBufferPointer, header: FrameHeader) -> (keyHash: UInt32, signature: [UInt8]) {
        let o = header.headerSize + header.payloadSize
        let keyHash = UInt32(bigEndian: frame.loadUnaligned(fromByteOffset: o, as: UInt32.self))
        return (keyHash, Array(frame[(o + 4)..<(o + 68)]))
    }

    /// Decompresses the envelope block of a complete frame; nil when purged. A block that names a
    /// dictionary is decompressed with `dictionaries(id)` (see `ZstdDecompressor.decompress`). O(n).
    public static func envelopes(_ frame: UnsafeRawBufferPointer, header: FrameHeader, decompressor: ZstdDecompressor,
                                 dictionaries: (UInt32) -> ZstdDecompressionDictionary? = { _ in nil }) throws(ZstdError) -> [UInt8]? {
        if header.isEnvelopePurged { return nil }
        let start = header.envelopeBlockOffset
        return try decompressor.decompress(UnsafeRawBufferPointer(rebasing: frame[start..<(start + Int(header.envelopesStoredLength))]),
                                           expectedSize: Int(header.envelopesRawLength), dictionaries: dictionaries)
    }

    /// Decompresses the content block of a complete frame; nil when purged. A block that names a
    /// dictionary is decompressed with `dictionaries(id)` (see `ZstdDecompressor.decompress`). O(n).
    public static func contents(_ frame: UnsafeRawBufferPointer, header: FrameHeader, decompressor: ZstdDecompressor,
                                dictionaries: (UInt32) -> ZstdDecompressionDictionary? = { _ in nil }) throws(ZstdError) -> [UInt8]? {
        if header.isContentPurged { return nil }
        let start = header.contentBlockOffset
        return try decompressor.decompress(UnsafeRawBufferPointer(rebasing: frame[start..<(start + Int(header.contentsStoredLength))]),
                                           expectedSize: Int(header.contentsRawLength), dictionaries: dictionaries)
    }

    /// The dictionary IDs named by a frame's zstd blocks (0 for a block without one or purged):
    /// reads only the first bytes of each block. `frame` holds at least the header and the start
    /// of each block (`dictionaryIDProbeSize` bytes from each block offset, or up to its end).
    public static func dictionaryIDs(_ frame: UnsafeRawBufferPointer, header: FrameHeader) -> (envelopes: UInt32, contents: UInt32) {
        func probe(_ offset: Int, _ length: UInt32) -> UInt32 {
            guard length > 0, offset < frame.count else { return 0 }
            let end = min(frame.count, offset + min(Int(length), dictionaryIDProbeSize))
            return ZstdDictionary.frameDictionaryID(UnsafeRawBufferPointer(rebasing: frame[offset..<end]))
        }
        return (probe(header.envelopeBlockOffset, header.envelopesStoredLength), probe(header.contentBlockOffset, header.contentsStoredLength))
    }

    /// Bytes of a zstd frame needed to read its Dictionary_ID (ZSTD_FRAMEHEADERSIZE_MAX).
    public static let dictionaryIDProbeSize = 18

    /// Byte ranges of each record's part inside a decompressed block.
    public static func ranges(lengths: [UInt32]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(lengths.count)
        var o = 0
        for l in lengths { out.append(o..<(o + Int(l))); o += Int(l) }
        return out
    }
}
