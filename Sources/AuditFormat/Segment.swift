import GatelogCrypto

/// The header at the start of every segment file. See docs/FORMAT.md, "Segments".
public struct SegmentHeader: Sendable, Equatable {
    public static let magic: [UInt8] = Array("GLSEG001".utf8)

    /// 1 for a region's first segment, then +1 per segment.
    public var segmentNumber: UInt64
    /// Position of the first record this segment holds (or will hold).
    public var firstPosition: UInt64
    /// Chain hash of the last record of the previous segment (all zero for the first).
    public var previousChain: Digest32
    /// Creation time, milliseconds since the epoch.
    public var createdAt: Int64
    public var region: String

    public init(segmentNumber: UInt64, firstPosition: UInt64, previousChain: Digest32, createdAt: Int64, region: String) {
        self.segmentNumber = segmentNumber
        self.firstPosition = firstPosition
        self.previousChain = previousChain
        self.createdAt = createdAt
        self.region = region
    }

    /// Encoded size in bytes.
    public var size: Int { 8 + 8 + 8 + 32 + 8 + 2 + region.utf8.count + 32 }

    /// The header bytes, ending with SHA-256 of the bytes before it.
    public func encode() -> [UInt8] {
        var out = SegmentHeader.magic
        withUnsafeBytes(of: segmentNumber.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: firstPosition.bigEndian) { out.append(contentsOf: $0) }
        previousChain.append(to: &out)
        withUnsafeBytes(of: createdAt.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt16(region.utf8.count).bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: region.utf8)
        SHA256.hash(out).append(to: &out)
        return out
    }

    /// Decodes a header from the start of a segment file.
    public static func decode(_ b: UnsafeRawBufferPointer) -> Result<SegmentHeader, SegmentFormatError> {
        guard b.count >= 66 else { return .failure(.truncatedHeader) }
        guard Array(b[0..<8]) == magic else { return .failure(.badMagic) }
        let regionLength = Int(UInt16(bigEndian: b.loadUnaligned(fromByteOffset: 64, as: UInt16.self)))
        let size = 66 + regionLength + 32
        guard b.count >= size else { return .failure(.truncatedHeader) }
        guard SHA256.hash(UnsafeRawBufferPointer(rebasing: b[0..<(size - 32)])) == Digest32(b.baseAddress! + size - 32) else {
            return .failure(.headerDigestMismatch)
        }
        return .success(SegmentHeader(
            segmentNumber: UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            firstPosition: UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            previousChain: Digest32(b.baseAddress! + 24),
            createdAt: Int64(bigEndian: b.loadUnaligned(fromByteOffset: 56, as: Int64.self)),
            region: String(decoding: b[66..<(66 + regionLength)], as: UTF8.self)))
    }
}

/// The footer that seals a segment. Fixed size; always the last bytes of a sealed segment.
public struct SegmentFooter: Sendable, Equatable {
    public static let magic: [UInt8] = Array("GLSEAL01".utf8)
    public static let size = 8 + 8 + 8 + 8 + 32 + 32 + 32 + 8 + 32

    /// Records in this segment.
    public var recordCount: UInt64
    /// Frames in this segment.
    public var frameCount: UInt64
    /// Region-wide record count at the end of the segment (the Merkle tree size).
    public var treeSize: UInt64
    /// Chain hash of the segment's last record (the previous segment's when empty).
    public var lastChain: Digest32
    /// Merkle root of the region's first `treeSize` records.
    public var merkleRoot: Digest32
    /// SHA-256 of every byte of the file before the footer.
    public var segmentDigest: Digest32
    /// Sealing time, milliseconds since the epoch.
    public var sealedAt: Int64

    public init(recordCount: UInt64, frameCount: UInt64, treeSize: UInt64, lastChain: Digest32, merkleRoot: Digest32,
                segmentDigest: Digest32, sealedAt: Int64) {
        self.recordCount = recordCount
        self.frameCount = frameCount
        self.treeSize = treeSize
        self.lastChain = lastChain
        self.merkleRoot = merkleRoot
        self.segmentDigest = segmentDigest
        self.sealedAt = sealedAt
    }

    /// The footer bytes, ending with SHA-256 of the bytes before it.
    public func encode() -> [UInt8] {
        var out = SegmentFooter.magic
        withUnsafeBytes(of: recordCount.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: frameCount.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: treeSize.bigEndian) { out.append(contentsOf: $0) }
        lastChain.append(to: &out)
        merkleRoot.append(to: &out)
        segmentDigest.append(to: &out)
        withUnsafeBytes(of: sealedAt.bigEndian) { out.append(contentsOf: $0) }
        SHA256.hash(out).append(to: &out)
        return out
    }

    /// Decodes a footer from exactly `SegmentFooter.size` bytes.
    public static func decode(_ b: UnsafeRawBufferPointer) -> Result<SegmentFooter, SegmentFormatError> {
        guard b.count == size else { return .failure(.truncatedFooter) }
        guard Array(b[0..<8]) == magic else { return .failure(.badMagic) }
        guard SHA256.hash(UnsafeRawBufferPointer(rebasing: b[0..<(size - 32)])) == Digest32(b.baseAddress! + size - 32) else {
            return .failure(.footerDigestMismatch)
        }
        func u64(_ o: Int) -> UInt64 { UInt64(bigEndian: b.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        return .success(SegmentFooter(recordCount: u64(8), frameCount: u64(16), treeSize: u64(24),
                                      lastChain: Digest32(b.baseAddress! + 32), merkleRoot: Digest32(b.baseAddress! + 64),
                                      segmentDigest: Digest32(b.baseAddress! + 96),
                                      sealedAt: Int64(bigEndian: b.loadUnaligned(fromByteOffset: 128, as: Int64.self))))
    }

    /// True when `b` ends with `SegmentFooter.size` bytes whose footer digest holds (whatever the
    /// magic says): a footer the writer wrote whole. It is written after every frame before it was
    /// durable, so nothing before it can be an unfinished write.
    public static func endsWithWrittenFooter(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count >= size else { return false }
        let footer = Array(b[(b.count - size)...])
        let stored = footer.withUnsafeBytes { Digest32($0.baseAddress! + size - 32) }
        // The digest covers the magic: try the bytes as they are, and with the magic as written.
        return SHA256.hash(footer[0..<(size - 32)]) == stored || SHA256.hash(magic + footer[8..<(size - 32)]) == stored
    }

    /// True when `bytes` begin with the footer magic.
    public static func startsWithMagic(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 8 && Array(b[0..<8]) == magic
    }
}

/// Problems decoding segment structures.
public enum SegmentFormatError: Error, Equatable, CustomStringConvertible {
    case badMagic
    case truncatedHeader
    case truncatedFooter
    case headerDigestMismatch
    case footerDigestMismatch

    public var description: String {
        switch self {
        case .badMagic: return "bad magic bytes"
        case .truncatedHeader: return "segment header is truncated"
        case .truncatedFooter: return "segment footer is truncated"
        case .headerDigestMismatch: return "segment header digest mismatch"
        case .footerDigestMismatch: return "segment footer digest mismatch"
        }
    }
}

/// Segment file naming: `<20-digit zero-padded number>.seg`.
public enum SegmentNaming {
    public static func fileName(_ number: UInt64) -> String {
        let s = String(number)
        return String(repeating: "0", count: max(0, 20 - s.count)) + s + ".seg"
    }

    /// The largest segment number a file name may carry (2^62).
    public static let maxNumber: UInt64 = 1 << 62

    /// The number in a segment file name, or nil (also for 0 and numbers above `maxNumber`).
    public static func number(fromFileName name: String) -> UInt64? {
        guard name.hasSuffix(".seg"), name.count == 24, let number = UInt64(name.dropLast(4)) else { return nil }
        // Segments are numbered from 1; a number beyond `maxNumber` is not a name gatelog writes
        // (and the arithmetic on neighbouring numbers must not overflow).
        guard number >= 1, number <= SegmentNaming.maxNumber else { return nil }
        return number
    }
}

/// Dictionary file naming: `<10-digit zero-padded dictionary ID>.zdict` in a region's
/// `dictionaries/` directory (docs/FORMAT.md §5.4).
public enum DictionaryNaming {
    /// The file name of dictionary `id`.
    public static func fileName(_ id: UInt32) -> String {
        let s = String(id)
        return String(repeating: "0", count: max(0, 10 - s.count)) + s + ".zdict"
    }

    /// The dictionary ID in a dictionary file name, or nil.
    public static func id(fromFileName name: String) -> UInt32? {
        guard name.hasSuffix(".zdict"), name.count == 16, name.utf8.prefix(10).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt32(name.prefix(10))
    }
}
